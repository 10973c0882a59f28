"""Clean-up that runs to its end even when the request that started it is cancelled, or unawaited."""

import asyncio
from collections.abc import Coroutine
from typing import Any

# Referenced until done: the event loop keeps only weak references to tasks.
_RUNNING: set[asyncio.Future[None]] = set()


async def to_completion(work: Coroutine[Any, Any, None]) -> None:
    """Await `work`; if the caller is cancelled meanwhile, `work` still runs to its end.

    An anyio shielded scope protects only from anyio's own cancellation: a second native
    `task.cancel()` (as a server's shutdown sends) would interrupt the clean-up half-way.
    """
    task = asyncio.ensure_future(work)
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    await asyncio.shield(task)


def in_background(work: Coroutine[Any, Any, None]) -> None:
    """Run `work` to its end on its own, awaited by no one."""
    task = asyncio.ensure_future(work)
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
