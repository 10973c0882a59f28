"""The ASGI entry point that servers import: the app built from the environment's settings."""

from litestar import Litestar

from anomaly.bootstrap import create_app
from anomaly.settings import Settings


def app_from_environment() -> Litestar:
    return create_app(Settings.from_env())
