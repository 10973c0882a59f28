"""The composition root: the one place that chooses adapters and wires them into the HTTP app."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext, suppress
from dataclasses import dataclass
from datetime import timedelta

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin

from anomaly.adapters.caching.models import CachedModels
from anomaly.adapters.caching.version_rows import CachedVersionRows
from anomaly.adapters.clock import SystemClock
from anomaly.adapters.files.artifact_store import FileArtifactStore
from anomaly.adapters.files.series_changes import open_series_changes
from anomaly.adapters.http.draining import Drain
from anomaly.adapters.http.errors import EXCEPTION_HANDLERS
from anomaly.adapters.http.hooks.api_keys import ApiKeys
from anomaly.adapters.http.hooks.before_request import before_request
from anomaly.adapters.http.latency import Latencies
from anomaly.adapters.http.requests.batch import JsonBatchReader
from anomaly.adapters.http.routes import ROUTES
from anomaly.adapters.http.services import Services
from anomaly.adapters.sql.database import open_database
from anomaly.adapters.sql.database_probe import SqlDatabaseProbe
from anomaly.adapters.sql.engine import create_engine
from anomaly.domain.retention import Retention
from anomaly.domain.time_series import BatchLimits
from anomaly.ports.artifacts import ArtifactStore
from anomaly.ports.clock import Clock
from anomaly.ports.database_probe import DatabaseProbe
from anomaly.ports.errors import ArtifactStoreOfAnotherDatabase, StorageError
from anomaly.ports.series_changes import SeriesChanges
from anomaly.ports.store_pairing import DatabaseIdentities
from anomaly.ports.units_of_work import Reads, Writes
from anomaly.ports.version_recorder import VersionRecorder
from anomaly.ports.version_rows import VersionRows
from anomaly.settings import Settings
from anomaly.use_cases.collect_garbage import CollectGarbage, collect_periodically
from anomaly.use_cases.delete_versions import DeleteVersions
from anomaly.use_cases.detect import Detect
from anomaly.use_cases.fit_model import FitModel
from anomaly.use_cases.get_version import GetVersion
from anomaly.use_cases.idempotent import Idempotent
from anomaly.use_cases.idempotent_fit import IdempotentFit
from anomaly.use_cases.idempotent_update import IdempotentUpdate
from anomaly.use_cases.list_series import ListSeries
from anomaly.use_cases.list_versions import ListVersions
from anomaly.use_cases.pair_store import PairStore
from anomaly.use_cases.predict import Predict
from anomaly.use_cases.service_status import ServiceStatus
from anomaly.use_cases.training_data import GetTrainingData
from anomaly.use_cases.update_model import UpdateModel

VERSION = "0.1.0"

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Adapters:
    """One implementation of each port."""

    reads: Reads
    writes: Writes
    rows: VersionRows
    recorder: VersionRecorder
    artifacts: ArtifactStore
    changes: SeriesChanges
    clock: Clock
    probe: DatabaseProbe
    identity: DatabaseIdentities


@asynccontextmanager
async def production_adapters(settings: Settings) -> AsyncIterator[Adapters]:
    """The database named by the settings and artifacts on the local filesystem."""
    engine = create_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        timeout_seconds=settings.database_timeout_seconds,
    )
    changes = open_series_changes(settings.model_state_folder)
    database = open_database(engine, changes, settings.database_timeout_seconds)
    try:
        yield Adapters(
            reads=database.reads,
            writes=database.writes,
            rows=database.rows,
            recorder=database.recorder,
            artifacts=FileArtifactStore(settings.model_state_folder, settings.training_data_folder),
            changes=changes,
            clock=SystemClock(),
            probe=SqlDatabaseProbe(engine, settings.database_timeout_seconds),
            identity=database.identity,
        )
    finally:
        await engine.dispose()
        changes.close()


def build_services(settings: Settings, adapters: Adapters) -> Services:
    reads, writes, artifacts = adapters.reads, adapters.writes, adapters.artifacts
    # What never or rarely changes is kept in memory: models for good, version rows until
    # their series changes (see CachedVersionRows).
    rows = CachedVersionRows(adapters.rows, adapters.changes)
    # Through the cache, so that a model just fitted or updated is not read back from disk.
    models = CachedModels(artifacts, artifacts)
    fit_model = FitModel(
        JsonBatchReader(),
        models,
        adapters.recorder,
        adapters.clock,
        BatchLimits(settings.min_training_data_points, settings.max_training_data_points),
    )
    update_model = UpdateModel(
        rows,
        JsonBatchReader(),
        models,
        models,
        adapters.recorder,
        adapters.clock,
        settings.max_training_data_points,
    )
    idempotent = Idempotent(writes, adapters.clock)
    return Services(
        fit_model=fit_model,
        idempotent_fit=IdempotentFit(idempotent, fit_model),
        predict=Predict(rows, models),
        detect=Detect(rows, models, settings.max_training_data_points),
        update_model=update_model,
        idempotent_update=IdempotentUpdate(idempotent, update_model),
        list_series=ListSeries(reads),
        list_versions=ListVersions(reads),
        get_version=GetVersion(rows, models),
        delete_versions=DeleteVersions(writes, artifacts),
        training_data=GetTrainingData(rows, models),
        service_status=ServiceStatus(reads, adapters.probe, artifacts),
    )


def store_pairing(adapters: Adapters) -> PairStore:
    return PairStore(adapters.identity, adapters.artifacts, adapters.artifacts, adapters.reads)


def garbage_collector(settings: Settings, adapters: Adapters) -> CollectGarbage:
    """The sweep, with the retention the settings ask for (see domain.retention)."""
    retention = Retention(
        keep_newest=settings.retain_versions,
        keep_younger_than=None if settings.retain_days is None else timedelta(days=settings.retain_days),
    )
    return CollectGarbage(
        adapters.reads,
        adapters.writes,
        adapters.artifacts,
        adapters.artifacts,
        adapters.clock,
        retention,
        pairing=store_pairing(adapters),
    )


async def pair_at_start_up(adapters: Adapters) -> None:
    """Refuse to start with an artifact store of another database (see PairStore). If the database or
    the store cannot tell yet (unreachable, never migrated, not writable), start all the same, as
    for any outage: the sweep checks the pairing again before each run."""
    try:
        identity = await store_pairing(adapters)()
    except ArtifactStoreOfAnotherDatabase as error:
        logger.error("refusing to start: %s", error)
        raise
    except StorageError as error:
        logger.warning(
            "cannot check that the artifact store belongs to the database yet (%s); the sweep "
            "checks before it runs",
            error,
        )
        return
    logger.info("the artifact store belongs to the database %s (id %s)", identity.name, identity.id)


def create_app(settings: Settings, *, adapters: Adapters | None = None) -> Litestar:
    """Build the service; production passes only settings, tests pass other adapters the same way."""

    def open_adapters() -> AbstractAsyncContextManager[Adapters]:
        return nullcontext(adapters) if adapters is not None else production_adapters(settings)

    api_keys = ApiKeys(settings.api_keys)
    drain = Drain()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if not api_keys.enabled:
            logger.warning(
                "ANOMALY_API_KEYS is not set: every endpoint is OPEN to anyone who can reach this "
                "service. Set it to require `Authorization: Bearer <key>`."
            )
        async with open_adapters() as opened:
            await pair_at_start_up(opened)
            app.state.services = build_services(settings, opened)
            sweeper = None
            if settings.gc_interval_seconds > 0:
                collect = garbage_collector(settings, opened)
                grace = timedelta(seconds=settings.gc_grace_seconds)
                sweeper = asyncio.create_task(
                    collect_periodically(collect, settings.gc_interval_seconds, grace)
                )
            undo_drain = (
                drain.install(settings.shutdown_drain_seconds) if settings.shutdown_drain_seconds else None
            )
            try:
                yield
            finally:
                if undo_drain is not None:
                    undo_drain()
                if sweeper is not None:
                    sweeper.cancel()
                    with suppress(asyncio.CancelledError):
                        await sweeper

    return Litestar(
        route_handlers=ROUTES,
        before_request=before_request,
        state=State({"api_keys": api_keys, "drain": drain, "latencies": Latencies()}),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        request_max_body_size=settings.max_request_body_bytes,
        # Logging belongs to the process (`anomaly serve` configures it), not to the app.
        logging_config=None,
        openapi_config=OpenAPIConfig(
            title="anomaly",
            version=VERSION,
            # The document only: the browsable renderers load their scripts from CDNs.
            render_plugins=[JsonRenderPlugin()],
        ),
    )
