"""The routes, one module per resource; `ROUTES` is what the app serves."""

from litestar.types import ControllerRouterHandler

from anomaly.adapters.http.routes.detect import DetectController
from anomaly.adapters.http.routes.fit import FitController
from anomaly.adapters.http.routes.health import HealthController
from anomaly.adapters.http.routes.plot import PlotController
from anomaly.adapters.http.routes.predict import PredictController
from anomaly.adapters.http.routes.series import list_series
from anomaly.adapters.http.routes.update import UpdateController
from anomaly.adapters.http.routes.versions import delete_series, delete_version, get_version, list_versions

# The OpenAPI document lists paths in the order their handlers are registered: this order keeps it
# as published (a controller registers its own handlers sorted by name).
ROUTES: list[ControllerRouterHandler] = [
    FitController,
    DetectController,
    PredictController,
    UpdateController,
    delete_series,
    delete_version,
    get_version,
    list_series,
    list_versions,
    HealthController,
    PlotController,
]
