"""The `anomaly` command: `anomaly migrate` and `anomaly serve`."""

import argparse
import asyncio
import logging
import logging.config
import math
import sys
from collections.abc import Sequence
from datetime import timedelta

import uvicorn

from anomaly.adapters.sql.migrations import upgrade
from anomaly.bootstrap import garbage_collector, pair_at_start_up, production_adapters
from anomaly.logs import logging_config
from anomaly.ports.errors import ArtifactStoreOfAnotherDatabase, StorageError
from anomaly.settings import Settings, SettingsError
from anomaly.use_cases.collect_garbage import GarbageReport

logger = logging.getLogger("anomaly")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    logging.config.dictConfig(logging_config())
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"anomaly: bad setting: {error}", file=sys.stderr)
        return 2
    if arguments.command == "migrate":
        return _migrate(settings)
    if arguments.command == "gc":
        grace = settings.gc_grace_seconds if arguments.grace_seconds is None else arguments.grace_seconds
        return _collect_garbage(settings, timedelta(seconds=grace), arguments.dry_run)
    return _serve(settings, arguments.host, arguments.port, arguments.workers, arguments.access_log)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="anomaly", description="Time series anomaly detection service.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations to DATABASE_URL")
    gc = commands.add_parser(
        "gc", help="remove unreferenced and temporary artifact files, and expired idempotency keys"
    )
    gc.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    gc.add_argument(
        "--grace-seconds",
        type=_grace_seconds,
        default=None,
        help="only files older than this (default: GC_GRACE_SECONDS, 3600); 0 is safe only when no fit runs",
    )
    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    serve.add_argument("--port", type=_port, default=8000, help="port to bind (default: %(default)s)")
    serve.add_argument("--workers", type=_positive, default=1, help="worker processes (default: %(default)s)")
    serve.add_argument(
        "--access-log", action="store_true", help="log every request (off by default: it costs throughput)"
    )
    return parser


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be from 0 to 65535")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


# Any longer and "older than now minus the grace" falls before the first year a datetime can hold.
_LONGEST_GRACE_SECONDS = timedelta(days=36_500).total_seconds()


def _grace_seconds(text: str) -> float:
    # A negative grace would have meant 0, which removes the files of fits still running: the
    # operator must ask for 0 by name. NaN and infinity are no duration at all.
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not 0 <= value <= _LONGEST_GRACE_SECONDS:  # NaN compares false
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds from 0 (only when no fit runs) to {_LONGEST_GRACE_SECONDS:.0f} "
            f"(100 years), got {text!r}"
        )
    return value


def _migrate(settings: Settings) -> int:
    try:
        asyncio.run(upgrade(settings.database_url))
    except Exception as error:
        print(f"anomaly: migration failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    logger.info("database schema is up to date")
    return 0


def _collect_garbage(settings: Settings, grace: timedelta, dry_run: bool) -> int:
    try:
        report = asyncio.run(_collect_once(settings, grace, dry_run))
    except StorageError as error:
        print(f"anomaly: garbage collection failed: {error}", file=sys.stderr)
        return 1
    verb = "would remove" if dry_run else "removed"
    for version in report.retired:
        print(f"{verb} version {version.version} of {version.series_id.value!r}, past retention")
    for location in report.orphans:
        print(f"{verb} orphaned artifact {location}")
    for location in report.temporaries:
        print(f"{verb} temporary file {location}")
    print(
        f"{verb} {len(report.retired)} versions past retention, "
        f"{len(report.orphans)} orphaned and {len(report.temporaries)} temporary files; "
        f"kept {report.kept_young} younger than {grace.total_seconds():g} s; "
        f"{report.expired_keys} expired idempotency keys forgotten"
    )
    return 0


async def _collect_once(settings: Settings, grace: timedelta, dry_run: bool) -> GarbageReport:
    async with production_adapters(settings) as adapters:
        return await garbage_collector(settings, adapters)(grace, dry_run)


async def _check_pairing(settings: Settings) -> None:
    async with production_adapters(settings) as adapters:
        await pair_at_start_up(adapters)


def _serve(settings: Settings, host: str, port: int, workers: int, access_log: bool) -> int:
    # Once here, to stop with one clear line; each worker checks again as its app starts.
    try:
        asyncio.run(_check_pairing(settings))
    except ArtifactStoreOfAnotherDatabase:
        return 1  # pair_at_start_up said why
    logger.info(
        "serving on http://%s:%d with %d worker(s); metadata in %s, artifacts under %s and %s",
        host,
        port,
        workers,
        settings.database_url.split("://", 1)[0],
        settings.model_state_folder,
        settings.training_data_folder,
    )
    uvicorn.run(
        "anomaly.asgi:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Each worker configures its logging from this alone (see anomaly.logs).
        log_config=logging_config(),
        log_level="info",
        access_log=access_log,
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_seconds),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
