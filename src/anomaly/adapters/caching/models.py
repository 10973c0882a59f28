"""Models read once and verified, then served from a bounded in-process cache."""

from collections import OrderedDict

from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ArtifactRef
from anomaly.ports.artifacts import ArtifactReader

DEFAULT_CAPACITY = 4096


class CachedModels:
    """An ArtifactReader whose models, once read and verified, are kept in memory.

    An artifact never changes, so a verified model can be served forever. Entries are keyed by the
    artifact's checksum as well as its location, so a row that points at other bytes can never be
    answered with a stale model. The least recently used entries go first. Other reads pass through.
    """

    def __init__(self, artifacts: ArtifactReader, capacity: int = DEFAULT_CAPACITY) -> None:
        self._artifacts = artifacts
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
        self._cache[key] = model
        if len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        return model
