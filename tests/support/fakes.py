"""The in-memory adapters, wired together the way the composition root wires the real ones."""

import asyncio
from dataclasses import dataclass, field

from anomaly.adapters.caching.models import CachedModels
from anomaly.adapters.caching.version_rows import CachedVersionRows
from anomaly.adapters.memory.artifacts import InMemoryArtifactStore, InMemoryStagedFit
from anomaly.adapters.memory.clock import FixedClock
from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.adapters.memory.database_identity import InMemoryDatabaseIdentity
from anomaly.adapters.memory.database_probe import AlwaysReady
from anomaly.adapters.memory.series_changes import InMemorySeriesChanges
from anomaly.adapters.memory.units_of_work import InMemoryReadUnitOfWork, InMemoryWriteUnitOfWork
from anomaly.adapters.memory.version_recorder import InMemoryRecorder
from anomaly.adapters.memory.version_rows import InMemoryVersionRows
from anomaly.bootstrap import Adapters
from anomaly.domain.model_kind import Model
from anomaly.domain.model_version import ArtifactRef
from anomaly.domain.retention import Retention
from anomaly.domain.series_id import SeriesId
from anomaly.domain.time_series import BatchLimits
from anomaly.ports.artifacts import ArtifactStore
from anomaly.ports.errors import ArtifactStorageUnavailable
from anomaly.ports.version_recorder import VersionRecorder
from anomaly.use_cases.collect_garbage import CollectGarbage
from anomaly.use_cases.fit_model import FitModel
from anomaly.use_cases.pair_store import PairStore

LIMITS = BatchLimits(min_points=3, max_points=1_000_000)


@dataclass
class Fakes:
    """Each part is a field, so a test can swap one (a failing store, a moved clock) before use."""

    database: InMemoryDatabase = field(default_factory=InMemoryDatabase)
    artifacts: ArtifactStore = field(default_factory=InMemoryArtifactStore)
    changes: InMemorySeriesChanges = field(default_factory=InMemorySeriesChanges)
    clock: FixedClock = field(default_factory=FixedClock)
    recorder: VersionRecorder | None = None  # None: the in-memory recorder on `database`

    def reads(self) -> InMemoryReadUnitOfWork:
        return InMemoryReadUnitOfWork(self.database)

    def writes(self) -> InMemoryWriteUnitOfWork:
        return InMemoryWriteUnitOfWork(self.database, self.changes)

    def rows(self) -> CachedVersionRows:
        """Version lookups as the service makes them: cached until their series changes."""
        return CachedVersionRows(InMemoryVersionRows(self.database), self.changes)

    def states(self) -> CachedModels:
        return CachedModels(self.artifacts, self.artifacts)

    def version_recorder(self) -> VersionRecorder:
        return self.recorder or InMemoryRecorder(self.writes)

    def fit_model(self, limits: BatchLimits = LIMITS) -> FitModel:
        # The JSON reader is the one the service uses: decoding a batch needs nothing outside.
        from anomaly.adapters.http.requests.batch import JsonBatchReader

        return FitModel(JsonBatchReader(), self.artifacts, self.version_recorder(), self.clock, limits)

    def pairing(self) -> PairStore:
        return PairStore(InMemoryDatabaseIdentity(self.database), self.artifacts, self.artifacts, self.reads)

    def collector(self, retention: Retention | None = None) -> CollectGarbage:
        """The sweep, wired as the composition root wires it."""
        artifacts = self.artifacts
        return CollectGarbage(
            self.reads, self.writes, artifacts, artifacts, self.clock, retention, pairing=self.pairing()
        )

    def adapters(self) -> Adapters:
        return Adapters(
            reads=self.reads,
            writes=self.writes,
            rows=InMemoryVersionRows(self.database),
            recorder=self.version_recorder(),
            artifacts=self.artifacts,
            changes=self.changes,
            clock=self.clock,
            probe=AlwaysReady(),
            identity=InMemoryDatabaseIdentity(self.database),
        )


class GatedStore(InMemoryArtifactStore):
    """The n-th fit to keep its artifacts signals `entered[n]`, waits for `proceed[n]`, then keeps
    them or, if `fails[n]`, fails as a vanished disk would. Later fits keep theirs at once."""

    def __init__(self, *fails: bool) -> None:
        super().__init__()
        self.fails = fails
        self.entered = [asyncio.Event() for _ in fails]
        self.proceed = [asyncio.Event() for _ in fails]
        self.calls = 0

    def stage(self, series_id: SeriesId, training_data: bytes | bytearray) -> InMemoryStagedFit:
        return _Gated(self, series_id, bytes(training_data))


class _Gated(InMemoryStagedFit):
    def __init__(self, store: GatedStore, series_id: SeriesId, training_data: bytes) -> None:
        super().__init__(store, series_id, training_data)
        self._gates = store

    async def keep(self, model: Model) -> tuple[ArtifactRef, ArtifactRef]:
        gates = self._gates
        call, gates.calls = gates.calls, gates.calls + 1
        if call < len(gates.fails):
            gates.entered[call].set()
            await gates.proceed[call].wait()
            if gates.fails[call]:
                raise ArtifactStorageUnavailable("disk gone")
        return await super().keep(model)


class GatedReads(InMemoryArtifactStore):
    """The n-th read of an artifact (a model or any other) signals `entered[n]` and waits for
    `proceed[n]` before it reads; later reads go straight through. What happens between the two
    (a delete committing, say) happens between a request finding a version and reading its files."""

    def __init__(self, gates: int) -> None:
        super().__init__()
        self.entered = [asyncio.Event() for _ in range(gates)]
        self.proceed = [asyncio.Event() for _ in range(gates)]
        self.reads = 0

    async def load(self, ref: ArtifactRef) -> bytes:
        read, self.reads = self.reads, self.reads + 1
        if read < len(self.entered):
            self.entered[read].set()
            await self.proceed[read].wait()
        return await super().load(ref)
