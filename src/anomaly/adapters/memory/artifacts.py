"""Artifacts as bytes in a dict; `files` shows a test exactly what was stored."""

import hashlib
import itertools
from datetime import datetime

from anomaly.adapters.memory.clock import FixedClock
from anomaly.adapters.model_artifact import model_in
from anomaly.domain.model_format import encode_model
from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ArtifactRef, StoredFile
from anomaly.domain.series_id import SeriesId
from anomaly.domain.store_pairing import DatabaseIdentity
from anomaly.ports.errors import ArtifactUnreadable


class InMemoryArtifactStore:
    """One place, "memory"; `owner` is the database that claimed it, if any."""

    def __init__(self, clock: FixedClock | None = None) -> None:
        self.files: dict[str, bytes] = {}
        self.saved_at: dict[str, datetime] = {}
        self.owner: DatabaseIdentity | None = None
        self._clock = clock or FixedClock()
        self._names = itertools.count(1)

    def stage(self, series_id: SeriesId, training_data: bytes | bytearray) -> "InMemoryStagedFit":
        return InMemoryStagedFit(self, series_id, bytes(training_data))

    def save(self, kind: str, series_id: SeriesId, content: bytes) -> ArtifactRef:
        location = f"memory://{kind}/{series_id}/{next(self._names)}.json"
        self.files[location] = content
        self.saved_at[location] = self._clock.now()
        return ArtifactRef(location=location, sha256=hashlib.sha256(content).hexdigest(), size=len(content))

    async def load(self, ref: ArtifactRef) -> bytes:
        content = self.files.get(ref.location)
        if content is None:
            raise ArtifactUnreadable(ref.location, "is missing")
        if hashlib.sha256(content).hexdigest() != ref.sha256:
            raise ArtifactUnreadable(ref.location, "does not match its checksum")
        return content

    async def load_model(self, ref: ArtifactRef) -> Model:
        return model_in(await self.load(ref), ref.location)

    async def check_writable(self) -> None:
        return None

    async def delete(self, ref: ArtifactRef) -> None:
        await self.remove(ref.location)

    async def inventory(self) -> list[StoredFile]:
        return [
            StoredFile(
                series_id=SeriesId(location.split("/")[3]),
                location=location,
                modified_at=self.saved_at[location],
                temporary=False,
            )
            for location in self.files
        ]

    async def remove(self, location: str) -> None:
        self.files.pop(location, None)
        self.saved_at.pop(location, None)

    async def owners(self) -> list[tuple[str, DatabaseIdentity | None]]:
        return [("memory", self.owner)]

    async def claim(self, owner: DatabaseIdentity) -> None:
        if self.owner is None:
            self.owner = owner


class InMemoryStagedFit:
    """Stores both artifacts at `keep`; `discard` removes whatever it stored."""

    def __init__(self, store: InMemoryArtifactStore, series_id: SeriesId, training_data: bytes) -> None:
        self._store = store
        self._series_id = series_id
        self._training_data = training_data
        self._kept: list[ArtifactRef] = []

    async def keep(self, model: Model) -> tuple[ArtifactRef, ArtifactRef]:
        model_ref = self._store.save("models", self._series_id, encode_model(model))
        data_ref = self._store.save("data", self._series_id, self._training_data)
        self._kept = [model_ref, data_ref]
        return model_ref, data_ref

    async def discard(self) -> None:
        for ref in self._kept:
            await self._store.delete(ref)
        self._kept = []
