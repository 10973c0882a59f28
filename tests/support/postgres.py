"""A throwaway PostgreSQL database per test run, on the server named by ANOMALY_TEST_DATABASE_URL."""

import asyncio
import os
import secrets

import asyncpg
import pytest

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    return os.environ.get("ANOMALY_TEST_DATABASE_URL", DEFAULT_ADMIN_URL)


def require_postgres() -> str:
    """The admin URL when the server answers; otherwise a visible skip, or a failure under CI=true."""
    url = admin_url()
    try:
        asyncio.run(_ping(url))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        reason = f"PostgreSQL is not reachable at {plain_url(url)} ({type(error).__name__}: {error})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; under CI=true the PostgreSQL tests must run", pytrace=False)
        pytest.skip(reason)
    return url


def create_database(url: str) -> tuple[str, str]:
    """Create a uniquely named database; return its name and its SQLAlchemy (asyncpg) URL."""
    name = f"anomaly_test_{os.getpid()}_{secrets.token_hex(4)}"
    asyncio.run(_execute(url, f'CREATE DATABASE "{name}"'))
    base, _, _ = plain_url(url).rpartition("/")
    return name, f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)


def drop_database(url: str, name: str) -> None:
    asyncio.run(_execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _ping(url: str) -> None:
    connection = await asyncpg.connect(plain_url(url), timeout=3)
    await connection.close()


async def _execute(url: str, statement: str) -> None:
    connection = await asyncpg.connect(plain_url(url), timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def plain_url(url: str) -> str:
    # asyncpg speaks libpq URLs, without the SQLAlchemy driver suffix.
    scheme, _, rest = url.partition("://")
    return f"postgresql://{rest}" if scheme.startswith("postgres") else url
