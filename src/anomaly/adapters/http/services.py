"""The use cases the HTTP edge calls, built once by the composition root and kept in the app's state."""

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection

from anomaly.use_cases.delete_versions import DeleteVersions
from anomaly.use_cases.detect import Detect
from anomaly.use_cases.fit_model import FitModel
from anomaly.use_cases.get_version import GetVersion
from anomaly.use_cases.idempotent_fit import IdempotentFit
from anomaly.use_cases.idempotent_update import IdempotentUpdate
from anomaly.use_cases.list_series import ListSeries
from anomaly.use_cases.list_versions import ListVersions
from anomaly.use_cases.predict import Predict
from anomaly.use_cases.service_status import ServiceStatus
from anomaly.use_cases.training_data import GetTrainingData
from anomaly.use_cases.update_model import UpdateModel


@dataclass(frozen=True, slots=True)
class Services:
    fit_model: FitModel
    idempotent_fit: IdempotentFit
    predict: Predict
    detect: Detect
    update_model: UpdateModel
    idempotent_update: IdempotentUpdate
    list_series: ListSeries
    list_versions: ListVersions
    get_version: GetVersion
    delete_versions: DeleteVersions
    training_data: GetTrainingData
    service_status: ServiceStatus


def services_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Services:
    """A plain lookup rather than Litestar's dependency injection, which per request built a State,
    resolved each dependency and ran a clean-up group: a tenth of a prediction's CPU."""
    services: Services = connection.app.state.services
    return services
