"""Models read once and verified, or just written, then served from a bounded in-process cache."""

from collections import OrderedDict

from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ArtifactRef
from anomaly.domain.series_id import SeriesId
from anomaly.ports.artifacts import ArtifactReader, ArtifactWriter, StagedFit

DEFAULT_CAPACITY = 4096


class CachedModels:
    """An ArtifactReader whose models, once read and verified, are kept in memory; and an
    ArtifactWriter whose models, once kept, are too.

    An artifact never changes, so a verified model can be served forever. Entries are keyed by the
    artifact's checksum as well as its location, so a row that points at other bytes can never be
    answered with a stale model. The least recently used entries go first. Other reads pass through.

    A model just written is the one its artifact holds (encoding round-trips exactly), so the next
    version of a stream is judged without reading back what was written a moment before.
    """

    def __init__(
        self, artifacts: ArtifactReader, writer: ArtifactWriter, capacity: int = DEFAULT_CAPACITY
    ) -> None:
        self._artifacts = artifacts
        self._writer = writer
        self._capacity = capacity
        self._cache: OrderedDict[tuple[str, str], Model] = OrderedDict()

    async def load(self, ref: ArtifactRef) -> bytes:
        return await self._artifacts.load(ref)

    async def load_model(self, ref: ArtifactRef) -> Model:
        key = (ref.location, ref.sha256)
        model = self._cache.get(key)
        if model is not None:
            self._cache.move_to_end(key)
            return model
        model = await self._artifacts.load_model(ref)
        self.remember(key, model)
        return model

    def stage(self, series_id: SeriesId, training_data: bytes | bytearray) -> StagedFit:
        return _Remembered(self, self._writer.stage(series_id, training_data))

    def remember(self, key: tuple[str, str], model: Model) -> None:
        self._cache[key] = model
        if len(self._cache) > self._capacity:
            self._cache.popitem(last=False)


class _Remembered:
    """A staged fit whose model, once kept, is in the cache."""

    def __init__(self, cache: CachedModels, staged: StagedFit) -> None:
        self._cache = cache
        self._staged = staged

    async def keep(self, model: Model) -> tuple[ArtifactRef, ArtifactRef]:
        model_ref, data_ref = await self._staged.keep(model)
        self._cache.remember((model_ref.location, model_ref.sha256), model)
        return model_ref, data_ref

    async def discard(self) -> None:
        await self._staged.discard()
