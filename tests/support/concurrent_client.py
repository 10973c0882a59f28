"""An HTTP client whose requests really run at the same time as each other.

Litestar's AsyncTestClient runs the app on a portal thread and blocks the test's event loop until
each response is complete, so requests sent through it with `asyncio.gather` run one after the
other. Here the app runs on the test's own loop (lifespan included), behind httpx's ASGI transport.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import httpx
from litestar import Litestar

BASE_URL = "http://testserver.local"


@asynccontextmanager
async def served_in_this_loop(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        app.lifespan(),
        # httpx types an ASGI app with plain mappings, Litestar with its own TypedDicts: the same protocol.
        httpx.AsyncClient(transport=httpx.ASGITransport(app=cast(Any, app)), base_url=BASE_URL) as client,
    ):
        yield client
