"""The metadata database's ports, as the contract tests drive them on every backend."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.adapters.memory.database_identity import InMemoryDatabaseIdentity
from anomaly.adapters.memory.series_changes import InMemorySeriesChanges
from anomaly.adapters.memory.version_rows import InMemoryVersionRows
from anomaly.adapters.sql.database import open_database
from anomaly.ports.store_pairing import DatabaseIdentities
from anomaly.ports.units_of_work import Reads, Writes
from anomaly.ports.version_recorder import VersionRecorder
from anomaly.ports.version_rows import VersionRows
from tests.support.fakes import Fakes


@dataclass(frozen=True)
class Registry:
    reads: Reads
    writes: Writes
    rows: VersionRows  # outside any unit of work, uncached
    recorder: VersionRecorder
    changes: InMemorySeriesChanges  # what the adapters marked
    identity: DatabaseIdentities


def registry_on(engine: AsyncEngine | None, memory: InMemoryDatabase) -> Registry:
    """On `engine`, or in memory when there is none."""
    changes = InMemorySeriesChanges()
    if engine is None:
        fakes = Fakes(database=memory, changes=changes)
        return Registry(
            fakes.reads,
            fakes.writes,
            InMemoryVersionRows(memory),
            fakes.version_recorder(),
            changes,
            InMemoryDatabaseIdentity(memory),
        )
    database = open_database(engine, changes, timeout_seconds=10)
    return Registry(
        database.reads, database.writes, database.rows, database.recorder, changes, database.identity
    )
