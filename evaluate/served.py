"""The service, built by its own factory on an embedded database in a folder of its own, for a client."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from anomaly.adapters.sql.migrations import upgrade
from anomaly.bootstrap import create_app
from anomaly.settings import Settings

# A stream records a version per update (tens of thousands over NAB): the sweep keeps the newest
# few of each series, so storage stays bounded however long the stream runs.
RETAIN_VERSIONS = 5
# How often the sweep runs (the first time at a random point within the interval).
GC_INTERVAL_SECONDS = 2.0


@asynccontextmanager
async def served(folder: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The production wiring (SQLite, artifact files), in this process, through its HTTP API.

    The app runs on the client's event loop (httpx's ASGI transport), so concurrent requests are
    served concurrently. Litestar's AsyncTestClient would run it on a thread of its own and block
    the caller's loop for the length of each request, one request at a time.
    """
    url = f"sqlite+aiosqlite:///{folder / 'anomaly.db'}"
    await upgrade(url)
    settings = Settings(
        database_url=url,
        model_state_folder=folder / "models",
        training_data_folder=folder / "data",
        gc_interval_seconds=GC_INTERVAL_SECONDS,
        retain_versions=RETAIN_VERSIONS,
    )
    app = create_app(settings)
    # Litestar's ASGI types are narrower than httpx's: the same protocol, spelt differently.
    asgi: Any = app
    try:
        async with (
            app.lifespan(),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=asgi), base_url="http://anomaly.test", timeout=60
            ) as client,
        ):
            yield client
    except BaseExceptionGroup as group:
        # The app's lifespan runs a task group, which wraps whatever the caller raised: unwrap it,
        # so that the caller can catch what it raised itself.
        if len(group.exceptions) == 1:
            raise group.exceptions[0] from None
        raise
