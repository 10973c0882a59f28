"""What the tables hold: the committed state every in-memory unit of work shares."""

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import TypeVar

from anomaly.domain.idempotency import IdempotencyRecord
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.store_pairing import DatabaseIdentity

K = TypeVar("K")
V = TypeVar("V")


@dataclass
class InMemoryDatabase:
    last_versions: dict[str, int] = field(default_factory=dict)
    rows: dict[tuple[str, int], ModelVersion] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)
    # Plays the part of a database's write lock: one write unit of work at a time.
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Made with the database, as the SQL schema's migration makes one.
    identity: DatabaseIdentity = field(
        default_factory=lambda: DatabaseIdentity(id=uuid.uuid4().hex, name="an in-memory database")
    )


@dataclass
class Staged:
    """A write unit of work's changes, applied together at commit; None marks a removal."""

    rows: dict[tuple[str, int], ModelVersion | None] = field(default_factory=dict)
    last_versions: dict[str, int] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], IdempotencyRecord | None] = field(default_factory=dict)

    def apply_to(self, database: InMemoryDatabase) -> None:
        database.last_versions.update(self.last_versions)
        _overlay(database.rows, self.rows)
        _overlay(database.idempotency, self.idempotency)


def _overlay(target: dict[K, V], changes: dict[K, V | None]) -> None:
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
