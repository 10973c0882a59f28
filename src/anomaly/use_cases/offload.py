"""Moves CPU-heavy work on large batches off the event loop; small batches stay inline (a hop costs more)."""

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread

T = TypeVar("T")

# Below this many points, validation and fitting take well under a millisecond.
OFFLOAD_THRESHOLD = 20_000


async def run_cpu_bound(size: int, function: Callable[[], T]) -> T:
    if size < OFFLOAD_THRESHOLD:
        return function()
    return await anyio.to_thread.run_sync(function)
