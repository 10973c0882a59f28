"""The service, built by its own factory on an embedded database in a folder of its own, for a client."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from litestar.testing import AsyncTestClient

from anomaly.adapters.sql.migrations import upgrade
from anomaly.bootstrap import create_app
from anomaly.settings import Settings


@asynccontextmanager
async def served(folder: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The production wiring (SQLite, artifact files), in this process, through its HTTP API."""
    url = f"sqlite+aiosqlite:///{folder / 'anomaly.db'}"
    await upgrade(url)
    settings = Settings(
        database_url=url,
        model_state_folder=folder / "models",
        training_data_folder=folder / "data",
        gc_interval_seconds=0,
    )
    async with AsyncTestClient(app=create_app(settings), timeout=60) as client:
        yield client
