"""A fit's two artifacts on their way to disk: a large batch is written while it is being read."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from anomaly.adapters.files.atomic_write import write_files
from anomaly.domain.model_format import encode_model
from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ArtifactRef
from anomaly.use_cases.to_completion import to_completion

# From this size the training data is written as soon as it is staged: on a large batch, reading
# it takes about as long as writing it, and the two overlap. Below it, both files are written in
# one trip to a worker thread once the model is fitted, which costs less CPU than two.
WRITE_AT_ONCE_FROM = 1 << 20

logger = logging.getLogger(__name__)

# Durable writes spend most of their time waiting for the disk (fsync), not holding the GIL: with
# the event loop's default pool (six threads on two cores) fits queued for a thread while the CPU
# idled. These threads only wait for the disk, so there can be many.
_WRITERS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="artifact-writer")


class FileStagedFit:
    def __init__(
        self,
        *,
        model: tuple[str, Path],
        data: tuple[str, Path],
        training_data: bytes | bytearray,
        delete: Callable[[ArtifactRef], Awaitable[None]],
    ) -> None:
        """`model` and `data`: each file's key and where it is written."""
        self._model = model
        self._data = (*data, training_data)
        self._delete = delete
        self._writes: list[asyncio.Future[list[ArtifactRef]]] = []
        self._data_written = len(training_data) >= WRITE_AT_ONCE_FROM
        if self._data_written:
            self._write([self._data])

    async def keep(self, model: Model) -> tuple[ArtifactRef, ArtifactRef]:
        encoded = (*self._model, encode_model(model))
        self._write([encoded] if self._data_written else [encoded, self._data])
        # Shielded: a cancelled fit leaves the writes running on their threads, and `discard`,
        # which the caller owes, waits for them before it removes their files.
        outcomes = await asyncio.shield(asyncio.gather(*self._writes, return_exceptions=True))
        failure = next((outcome for outcome in outcomes if isinstance(outcome, BaseException)), None)
        if failure is not None:
            await self.discard()
            raise failure
        refs = [ref for outcome in outcomes if isinstance(outcome, list) for ref in outcome]
        model_ref = next(ref for ref in refs if ref.location == self._model[0])
        data_ref = next(ref for ref in refs if ref is not model_ref)
        return model_ref, data_ref

    async def discard(self) -> None:
        writes, self._writes = self._writes, []
        await to_completion(self._remove_when_written(writes))

    async def _remove_when_written(self, writes: list[asyncio.Future[list[ArtifactRef]]]) -> None:
        for outcome in await asyncio.gather(*writes, return_exceptions=True):
            for ref in outcome if isinstance(outcome, list) else []:
                try:
                    await self._delete(ref)
                except Exception:
                    logger.warning(
                        "could not remove artifact %s; the sweep will", ref.location, exc_info=True
                    )

    def _write(self, files: list[tuple[str, Path, bytes | bytearray]]) -> None:
        self._writes.append(asyncio.get_running_loop().run_in_executor(_WRITERS, write_files, files))
