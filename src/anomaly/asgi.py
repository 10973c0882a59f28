"""The ASGI entry point that servers import: the app built from the environment's settings."""

import gc

from litestar import Litestar

from anomaly.allocator import release_large_blocks
from anomaly.bootstrap import create_app
from anomaly.settings import Settings


def app_from_environment() -> Litestar:
    app = create_app(Settings.from_env())
    app.on_startup.append(_freeze_what_start_up_made)
    # Only a server process: tests build many apps in one process and measure nothing of this.
    release_large_blocks()
    return app


def _freeze_what_start_up_made() -> None:
    # A server process keeps what import and start-up made (frameworks, the OpenAPI schema, the
    # adapters) for its whole life: moved out of the collector's generations, it is no longer
    # walked by every full collection, which otherwise took ~70 ms each, several times a minute
    # under load. Only a server process does this: tests build many apps in one process.
    gc.collect()
    gc.freeze()
