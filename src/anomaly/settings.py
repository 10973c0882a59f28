"""Settings, read once from the environment into one immutable object; a bad value stops start-up."""

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/anomaly.db"

# The longest a JSON point can reasonably be: a 19-digit timestamp, a 24-character float, separators.
_BYTES_PER_POINT = 64
_BODY_OVERHEAD = 64 * 1024

# Every accepted spelling of a database URL, and the async driver it means.
_URL_SCHEMES = {
    "postgresql+asyncpg": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "sqlite": "sqlite+aiosqlite",
}


class SettingsError(ValueError):
    """A setting is missing its form; the message names the variable and what it accepts."""


_DEFAULT_MIN_POINTS = 3
_DEFAULT_MAX_POINTS = 1_000_000
_DEFAULT_MODEL_FOLDER = Path("./data/models")
_DEFAULT_DATA_FOLDER = Path("./data/data")
_DEFAULT_POOL_SIZE = 10
_DEFAULT_TIMEOUT_SECONDS = 5.0


def _body_limit(max_points: int) -> int:
    return max_points * _BYTES_PER_POINT + _BODY_OVERHEAD


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    min_training_data_points: int = _DEFAULT_MIN_POINTS
    max_training_data_points: int = _DEFAULT_MAX_POINTS
    model_state_folder: Path = _DEFAULT_MODEL_FOLDER
    training_data_folder: Path = _DEFAULT_DATA_FOLDER
    max_request_body_bytes: int = _body_limit(_DEFAULT_MAX_POINTS)
    database_pool_size: int = _DEFAULT_POOL_SIZE
    database_timeout_seconds: float = _DEFAULT_TIMEOUT_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        min_points = _read(env, "MIN_TRAINING_DATA_POINTS", int, _DEFAULT_MIN_POINTS, minimum=1)
        max_points = _read(env, "MAX_TRAINING_DATA_POINTS", int, _DEFAULT_MAX_POINTS, minimum=min_points)
        return cls(
            database_url=normalise_database_url(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            min_training_data_points=min_points,
            max_training_data_points=max_points,
            model_state_folder=Path(env.get("MODEL_STATE_FOLDER") or _DEFAULT_MODEL_FOLDER),
            training_data_folder=Path(env.get("TRAINING_DATA_FOLDER") or _DEFAULT_DATA_FOLDER),
            max_request_body_bytes=_read(
                env,
                "MAX_REQUEST_BODY_BYTES",
                int,
                _body_limit(max_points),
                minimum=1024,
            ),
            database_pool_size=_read(env, "DATABASE_POOL_SIZE", int, _DEFAULT_POOL_SIZE, minimum=1),
            database_timeout_seconds=_read(
                env, "DATABASE_TIMEOUT_SECONDS", float, _DEFAULT_TIMEOUT_SECONDS, minimum=0.1
            ),
        )


def normalise_database_url(url: str) -> str:
    """Accept the common spellings of a PostgreSQL or SQLite URL and point them at the async driver."""
    scheme, separator, rest = url.partition("://")
    if not separator or scheme not in _URL_SCHEMES:
        accepted = ", ".join(f"{name}://" for name in _URL_SCHEMES)
        raise SettingsError(f"DATABASE_URL: unsupported URL {_redact(url)!r}; use one of {accepted}")
    driver = _URL_SCHEMES[scheme]
    if driver.startswith("sqlite"):
        database = rest.partition("?")[0]
        if database in ("", "/", "/:memory:") or "mode=memory" in rest:
            raise SettingsError(
                "DATABASE_URL: an in-memory SQLite database loses every version at exit; give a file, "
                "e.g. sqlite:///./data/anomaly.db"
            )
    else:
        # libpq's (and psycopg2's) sslmode is asyncpg's ssl, with the same values.
        rest = re.sub(r"([?&])sslmode=", r"\1ssl=", rest)
    return f"{driver}://{rest}"


def _read(env: Mapping[str, str], name: str, kind: Callable[[str], T], default: T, minimum: T) -> T:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected {kind.__name__}, got {raw!r}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise SettingsError(f"{name}: must be a finite number, got {raw!r}")
    if value < minimum:  # type: ignore[operator]
        raise SettingsError(f"{name}: must be at least {minimum}, got {raw!r}")
    return value


def _redact(url: str) -> str:
    # Never echo a password back into logs.
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
