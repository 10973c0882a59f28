"""The names this store gives its files: unique, time-ordered, and recognisable by the sweeper; and
the keys that name them in version rows."""

import random
import re
import time
from dataclasses import dataclass

from anomaly.domain.errors import InvalidInput
from anomaly.domain.series_id import SeriesId

# <20-digit nanosecond time>-<8 hex>.<model|data>.json, or that name as a temporary file:
# .tmp-<name>.<8 hex>. Nothing else in the artifact folders is ever touched.
ARTIFACT_NAME = re.compile(r"(?:\.tmp-)?[0-9]{20}-[0-9a-f]{8}\.(?P<kind>model|data)\.json(?:\.[0-9a-f]{8})?")
MODEL = "model"
DATA = "data"


def unique_name() -> str:
    # Unique, not secret: the random module (reseeded in every forked process) asks the kernel for
    # nothing, where `secrets` makes a system call per name.
    return f"{time.time_ns():020d}-{random.getrandbits(32):08x}"


@dataclass(frozen=True, slots=True)
class Key:
    """Where a file lives relative to its store: `<series_id>/<name>`, in the folder of its kind.

    A version row holds the key, never a path, so the folders can move (or become an object
    store's prefixes) without a row changing.
    """

    series_id: SeriesId
    name: str
    kind: str  # MODEL or DATA

    def __str__(self) -> str:
        return f"{self.series_id.value}/{self.name}"


def parse_key(key: str) -> Key | None:
    """The key `key` spells, or None if no file of this store can have it (a path, `..`, a stranger)."""
    series, separator, name = key.partition("/")
    found = ARTIFACT_NAME.fullmatch(name)
    if not separator or found is None:
        return None
    try:
        return Key(SeriesId(series), name, found["kind"])
    except InvalidInput:
        return None
