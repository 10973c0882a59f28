"""Settings, read once from the environment into one immutable object; a bad value stops start-up."""

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
# Enough for a worker under 64 concurrent requests; workers x this must stay below the server's
# max_connections (100 by default on PostgreSQL: two workers fit).
_DEFAULT_POOL_SIZE = 32
_DEFAULT_TIMEOUT_SECONDS = 5.0
_DEFAULT_GC_SECONDS = 3600.0


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
    # The service sweeps unreferenced artifacts this often (0: never) once they are this old.
    gc_interval_seconds: float = _DEFAULT_GC_SECONDS
    gc_grace_seconds: float = _DEFAULT_GC_SECONDS
    # The sweep also deletes versions past retention (see domain.retention); None: keep them all.
    retain_versions: int | None = None
    retain_days: float | None = None
    # On SIGTERM: answer 503 on /health/ready but keep serving this long, then stop accepting and
    # give in-flight requests up to the grace period to finish.
    shutdown_drain_seconds: float = 0.0
    shutdown_grace_seconds: float = 30.0
    # (secret, series prefix or None); empty: the service is open to anyone who reaches it.
    api_keys: tuple[tuple[str, str | None], ...] = field(default=(), repr=False)

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
            gc_interval_seconds=_read(env, "GC_INTERVAL_SECONDS", float, _DEFAULT_GC_SECONDS, minimum=0.0),
            gc_grace_seconds=_read(env, "GC_GRACE_SECONDS", float, _DEFAULT_GC_SECONDS, minimum=60.0),
            retain_versions=_read_optional(env, "RETAIN_VERSIONS", int, minimum=1),
            retain_days=_read_optional(env, "RETAIN_DAYS", float, minimum=0.001),
            shutdown_drain_seconds=_read(env, "SHUTDOWN_DRAIN_SECONDS", float, 0.0, minimum=0.0),
            shutdown_grace_seconds=_read(env, "SHUTDOWN_GRACE_SECONDS", float, 30.0, minimum=0.0),
            api_keys=_api_keys(env.get("ANOMALY_API_KEYS", "")),
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


def _read_optional(env: Mapping[str, str], name: str, kind: Callable[[str], T], minimum: T) -> T | None:
    """`_read` for a setting that is off unless set."""
    if not env.get(name, "").strip():
        return None
    return _read(env, name, kind, minimum, minimum)


_KEY = re.compile(r"[A-Za-z0-9._~+/=-]{16,256}")
_PREFIX = re.compile(r"[A-Za-z0-9._-]{1,128}")


def _api_keys(raw: str) -> tuple[tuple[str, str | None], ...]:
    """`key[:series-prefix]` entries separated by commas or white space; `@path` reads them from a file.

    In a file, `#` starts a comment. Keys are at least 16 characters; error messages never show one.
    """
    text = raw.strip()
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text()
        except OSError as error:
            raise SettingsError(f"ANOMALY_API_KEYS: cannot read {text[1:]!r}: {error.strerror}") from None
        text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    keys: dict[str, str | None] = {}
    for position, entry in enumerate(re.split(r"[\s,]+", text.strip()), start=1):
        if not entry:
            continue
        secret, separator, prefix = entry.partition(":")
        if not _KEY.fullmatch(secret):
            raise SettingsError(
                f"ANOMALY_API_KEYS: entry {position} is not a key of 16 to 256 characters of "
                "letters, digits and ._~+/=-"
            )
        if separator and not _PREFIX.fullmatch(prefix):
            raise SettingsError(f"ANOMALY_API_KEYS: entry {position} has an invalid series prefix {prefix!r}")
        if secret in keys:
            raise SettingsError(f"ANOMALY_API_KEYS: entry {position} repeats a key")
        keys[secret] = prefix if separator else None
    return tuple(keys.items())


def _redact(url: str) -> str:
    # Never echo a password back into logs.
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
