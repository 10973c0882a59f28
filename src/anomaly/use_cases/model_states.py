"""Loads model states from their artifacts, verified once, then kept in a bounded in-process cache."""

import logging
from collections import OrderedDict

from anomaly.domain.model import ModelState
from anomaly.domain.model_format import UnreadableModel, decode_model_state
from anomaly.domain.model_version import ModelVersion
from anomaly.ports.artifact_store import ArtifactStore
from anomaly.ports.errors import ArtifactUnreadable
from anomaly.use_cases.errors import ModelUnreadable

DEFAULT_CAPACITY = 4096

logger = logging.getLogger(__name__)


class ModelStates:
    """A version's model state never changes, so a verified copy can be served from memory forever.

    Entries are keyed by the artifact's checksum as well, so a row that points at other bytes (a
    series deleted and refitted elsewhere reuses no number, but paths are never trusted blindly)
    can never be answered with a stale state. The least recently used entries go first.
    """

    def __init__(self, artifacts: ArtifactStore, capacity: int = DEFAULT_CAPACITY) -> None:
        self._artifacts = artifacts
        self._capacity = capacity
        self._cache: OrderedDict[tuple[str, int, str], ModelState] = OrderedDict()

    async def load(self, version: ModelVersion) -> ModelState:
        key = (version.series_id.value, version.version, version.model.sha256)
        state = self._cache.get(key)
        if state is not None:
            self._cache.move_to_end(key)
            return state
        state = await self._read(version)
        self._cache[key] = state
        if len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        return state

    def forget(self, version: ModelVersion) -> None:
        self._cache.pop((version.series_id.value, version.version, version.model.sha256), None)

    async def _read(self, version: ModelVersion) -> ModelState:
        series, number = version.series_id.value, version.version
        try:
            content = await self._artifacts.load(version.model)
        except ArtifactUnreadable as error:
            logger.error("model artifact of version %d of %r: %s", number, series, error)
            raise ModelUnreadable(series, number, f"its model artifact {error.reason}") from error
        try:
            return decode_model_state(content)
        except UnreadableModel as error:
            raise ModelUnreadable(
                series, number, f"its model artifact is not a model state ({error})"
            ) from error
