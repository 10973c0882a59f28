"""Port: durable storage of the files a fit produces."""

from typing import Protocol

from anomaly.domain.model_version import ArtifactRef, StoredFile
from anomaly.domain.series_id import SeriesId


class ArtifactStore(Protocol):
    """Stores immutable artifacts; a saved artifact is complete and durable before `save_*` returns.

    Raises `ArtifactStorageFull` or `ArtifactStorageUnavailable` when it cannot, leaving nothing behind.
    """

    async def save_model(self, series_id: SeriesId, content: bytes) -> ArtifactRef:
        """Store a model state and return where it lives, with its checksum."""
        ...

    async def save_training_data(self, series_id: SeriesId, content: bytes | bytearray) -> ArtifactRef:
        """Store the training data of a fit and return where it lives, with its checksum."""
        ...

    async def load(self, ref: ArtifactRef) -> bytes:
        """The artifact's bytes, verified against `ref.sha256`; `ArtifactUnreadable` when they are not."""
        ...

    async def delete(self, ref: ArtifactRef) -> None:
        """Remove an artifact; removing one that is already gone is not an error."""
        ...

    async def inventory(self) -> list[StoredFile]:
        """Every file in artifact storage, finished or temporary, for the garbage collector."""
        ...

    async def remove(self, location: str) -> None:
        """Remove a file `inventory` listed; one already gone is not an error."""
        ...
