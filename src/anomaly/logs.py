"""How every process of the `anomaly` command logs: the command's own, and each server worker.

uvicorn starts each worker of `--workers N` as a fresh interpreter that runs none of the
command's code before the app: it configures logging there from its `log_config` alone. So this
one configuration is handed to uvicorn too, and every process logs from INFO up, in one format.
"""

from typing import Any

FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
# uvicorn's access lines (--access-log) in the same format, the request after the logger's name:
# ... INFO [4242] uvicorn.access: 127.0.0.1:50000 - "GET /health/ready HTTP/1.1" 200 OK
ACCESS_FORMAT = (
    '%(asctime)s %(levelname)s [%(process)d] %(name)s: %(client_addr)s - "%(request_line)s" %(status_code)s'
)


def logging_config() -> dict[str, Any]:
    """A `logging.config.dictConfig` configuration; a fresh one each call (uvicorn may edit it)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "default": {"format": FORMAT},
            "access": {"()": "uvicorn.logging.AccessFormatter", "fmt": ACCESS_FORMAT, "use_colors": False},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            },
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        },
        "root": {"level": "INFO", "handlers": ["default"]},
        "loggers": {
            # uvicorn's own loggers pass their records to the root's handler, as ours do.
            "uvicorn": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
    }
