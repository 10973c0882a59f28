"""The composition root: the one place that chooses adapters and wires them into the HTTP app."""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin

from anomaly.adapters.clock import SystemClock
from anomaly.adapters.files.artifact_store import FileArtifactStore
from anomaly.adapters.http.error_handlers import EXCEPTION_HANDLERS
from anomaly.adapters.http.fit_controller import FitController
from anomaly.adapters.sql.engine import create_engine
from anomaly.adapters.sql.unit_of_work import unit_of_work_factory
from anomaly.domain.time_series import BatchLimits
from anomaly.ports.artifact_store import ArtifactStore
from anomaly.ports.clock import Clock
from anomaly.ports.unit_of_work import UnitOfWorkFactory
from anomaly.settings import Settings
from anomaly.use_cases.fit_model import FitModel

VERSION = "0.1.0"


@dataclass(frozen=True, slots=True)
class Adapters:
    """One implementation of each port."""

    uow_factory: UnitOfWorkFactory
    artifacts: ArtifactStore
    clock: Clock


@asynccontextmanager
async def production_adapters(settings: Settings) -> AsyncIterator[Adapters]:
    """The database named by the settings and artifacts on the local filesystem."""
    engine = create_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        timeout_seconds=settings.database_timeout_seconds,
    )
    try:
        yield Adapters(
            uow_factory=unit_of_work_factory(engine),
            artifacts=FileArtifactStore(settings.model_state_folder, settings.training_data_folder),
            clock=SystemClock(),
        )
    finally:
        await engine.dispose()


def create_app(settings: Settings, *, adapters: Adapters | None = None) -> Litestar:
    """Build the service; production passes only settings, tests pass other adapters the same way."""

    def open_adapters() -> AbstractAsyncContextManager[Adapters]:
        return nullcontext(adapters) if adapters is not None else production_adapters(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_adapters() as opened:
            app.state.fit_model = FitModel(
                opened.uow_factory,
                opened.artifacts,
                opened.clock,
                BatchLimits(settings.min_training_data_points, settings.max_training_data_points),
            )
            yield

    return Litestar(
        route_handlers=[FitController],
        dependencies={"fit_model": Provide(_fit_model, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        request_max_body_size=settings.max_request_body_bytes,
        openapi_config=OpenAPIConfig(
            title="anomaly",
            version=VERSION,
            # The document only: the browsable renderers load their scripts from CDNs.
            render_plugins=[JsonRenderPlugin()],
        ),
    )


def _fit_model(state: State) -> FitModel:
    fit_model: FitModel = state.fit_model
    return fit_model
