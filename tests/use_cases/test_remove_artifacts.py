"""Removing artifacts: it runs to its end, even when the request that started it is cancelled twice."""

import asyncio

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.domain.model_version import ArtifactRef
from anomaly.domain.series_id import SeriesId
from anomaly.use_cases.remove_artifacts import remove_quietly


class SlowToDelete(InMemoryArtifactStore):
    def __init__(self) -> None:
        super().__init__()
        self.deleting = asyncio.Event()
        self.proceed = asyncio.Event()

    async def delete(self, ref: ArtifactRef) -> None:
        self.deleting.set()
        await self.proceed.wait()
        await super().delete(ref)


async def test_removal_outlives_a_caller_cancelled_twice() -> None:
    store = SlowToDelete()
    refs = [store.save("models", SeriesId("cpu"), b"{}"), store.save("data", SeriesId("cpu"), b"[]")]
    caller = asyncio.ensure_future(remove_quietly(store, refs))
    await store.deleting.wait()
    caller.cancel()
    await asyncio.sleep(0)
    caller.cancel()  # a server's shutdown cancels natively, again
    await asyncio.gather(caller, return_exceptions=True)
    store.proceed.set()
    for _ in range(20):
        await asyncio.sleep(0)
    assert store.files == {}
