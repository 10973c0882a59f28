"""Ports: durable storage of the files a fit produces, by what each user does with them."""

from typing import Protocol

from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ArtifactRef, StoredFile
from anomaly.domain.series_id import SeriesId
from anomaly.ports.store_pairing import StoreOwnership

# Every port here raises `ArtifactStorageFull` or `ArtifactStorageUnavailable` when storage cannot
# be written, leaving nothing behind, and `ArtifactUnreadable` for an artifact that is missing or
# fails its checksum.


class StagedFit(Protocol):
    """The artifacts of one fit on their way to storage: the training data is known first (and the
    store may start writing it at once), the model once fitted. After `stage`, `keep` is
    called at most once; `discard` may be called at any time after, any number of times, and
    removes whatever was written, kept or not."""

    async def keep(self, model: Model) -> tuple[ArtifactRef, ArtifactRef]:
        """Store `model` beside the training data; once both are complete and durable, return where
        the model and the training data live. If either fails, neither is left behind."""
        ...

    async def discard(self) -> None:
        """Give the artifacts up: whatever was written of them is removed. Never raises."""
        ...


class ArtifactWriter(Protocol):
    def stage(self, series_id: SeriesId, training_data: bytes | bytearray) -> StagedFit:
        """Begin storing a fit's artifacts; the store decides whether to start writing right away."""
        ...


class ArtifactReader(Protocol):
    async def load(self, ref: ArtifactRef) -> bytes:
        """The artifact's bytes, verified against `ref.sha256`."""
        ...

    async def load_model(self, ref: ArtifactRef) -> Model:
        """The model an artifact holds, verified; `ArtifactUnreadable` if it holds none."""
        ...


class ArtifactRemover(Protocol):
    async def delete(self, ref: ArtifactRef) -> None:
        """Remove an artifact; removing one that is already gone is not an error."""
        ...


class ArtifactInventory(Protocol):
    async def inventory(self) -> list[StoredFile]:
        """Every file in artifact storage, finished or temporary, for the garbage collector."""
        ...

    async def remove(self, location: str) -> None:
        """Remove a file `inventory` listed; one already gone is not an error."""
        ...


class ArtifactStorageProbe(Protocol):
    async def check_writable(self) -> None:
        """Return when artifacts can be written now; raise `ArtifactStorageUnavailable` (or
        `ArtifactStorageFull`) otherwise. Leaves nothing behind."""
        ...


class ArtifactStore(
    ArtifactWriter,
    ArtifactReader,
    ArtifactRemover,
    ArtifactInventory,
    StoreOwnership,
    ArtifactStorageProbe,
    Protocol,
):
    """Every role at once: what an artifact storage adapter implements."""
