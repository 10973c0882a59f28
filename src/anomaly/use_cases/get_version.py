"""Use case: one version's metadata and its model state, read from the verified artifact."""

from dataclasses import dataclass

from anomaly.domain.model import ModelState
from anomaly.domain.model_version import ModelVersion
from anomaly.domain.series_id import SeriesId
from anomaly.ports.unit_of_work import UnitOfWorkFactory
from anomaly.use_cases.model_states import ModelStates
from anomaly.use_cases.resolve_version import load_version


@dataclass(frozen=True, slots=True)
class VersionDetail:
    version: ModelVersion
    state: ModelState


class GetVersion:
    def __init__(self, uow_factory: UnitOfWorkFactory, states: ModelStates) -> None:
        self._uow_factory = uow_factory
        self._states = states

    async def __call__(self, series_id: str, version: int | None) -> VersionDetail:
        stored, state = await load_version(self._uow_factory, self._states, SeriesId(series_id), version)
        return VersionDetail(version=stored, state=state)
