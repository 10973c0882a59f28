"""`make bench`: the service and a bare-stack reference, measured side by side in one run.

Starts each server on loopback in turn (PostgreSQL-backed service, SQLite-backed service, the
reference in bench/reference.py), drives it with wrk, stops it, and prints one table of
requests/s, p50/p99 latency, server CPU per request, errors and peak RSS with each scenario's ratio
to its reference; the table is also written as JSON under bench/results/.

Server CPU per request is the user and system CPU time of every process of the server (the
supervisor and its workers) over the wrk run, divided by the requests wrk completed: unlike
requests/s it does not depend on what else the machine's cores were doing. The pinned scenarios
run one worker on one core and wrk on the other, so that its CPU is the one worker's alone.
"""

import argparse
import asyncio
import http.client
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import msgspec

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
WORKERS = 2  # the documented production setting on this 2-core machine: one worker per core
CONNECTIONS = 64
# Each throughput scenario runs reference, service, reference, service...: on a shared machine one
# run of a pair can be slowed by a neighbour, and alternating spreads that over both sides.
ROUNDS = 2
# The pinned scenarios: one server process on one core, wrk on another.
PINNED = "1 worker pinned"
SERVER_CORE, LOAD_CORE = 0, 1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SMALL_POINTS = 100
LARGE_POINTS = 1_000_000
SERVICE = "service (PostgreSQL)"  # the service as deployed, which every check compares
ADMIN_URL = os.environ.get("ANOMALY_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[%(body)s]]
local path = "%(path)s"
local unique = %(unique)s
local threads = 0
setup = function(thread) thread:set("tid", threads); threads = threads + 1 end
local n = 0
request = function()
  if not unique then return wrk.format(nil, path) end
  n = n + 1
  return wrk.format(nil, path .. tid .. "-" .. n)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %%d, "duration_us": %%d, "errors": %%d, "p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass
class Row:
    scenario: str
    target: str  # what was measured: "service (PostgreSQL)", "reference", ...
    requests_per_s: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    server_cpu_ms_per_request: float | None = None
    server_ms: float | None = None
    errors: int = 0
    peak_rss_mb: float | None = None
    rss_above_idle_mb: float | None = None
    notes: dict[str, float] = field(default_factory=dict)


# ---- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str

    def workers(self) -> list[int]:
        """The processes serving requests: the supervisor's children, or the server alone if it has none."""
        children = [pid for pid, parent in _parents().items() if parent == self.process.pid]
        return children or [self.process.pid]

    def processes(self) -> list[int]:
        """The server's every process: the one started, its children, theirs, and so on."""
        parents = _parents()
        found = [self.process.pid]
        index = 0
        while index < len(found):
            found += [pid for pid, parent in parents.items() if parent == found[index]]
            index += 1
        return found


def _parents() -> dict[int, int]:
    """Every process's parent, by process id."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
    return parents


@contextmanager
def serving(command: list[str], env: dict[str, str], cwd: Path) -> Iterator[Server]:
    port = free_port()
    log = (cwd / f"server-{port}.log").open("wb")
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command} exited: {(cwd / log.name).read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        time.sleep(1.0)  # let every worker finish its start-up
        yield server
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def rss_kb(pid: int, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def peak_rss_mb(server: Server) -> float:
    return max(rss_kb(pid, "VmHWM") for pid in server.workers()) / 1024


def cpu_ticks(pids: list[int]) -> dict[int, int]:
    """User plus system CPU time of each process (all its threads), in clock ticks."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited
        ticks[pid] = int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of stat
    return ticks


# ---- load ---------------------------------------------------------------------------------------


def pinned(core: int | None, command: list[str]) -> list[str]:
    """`command` run on `core` alone; as it is when `core` is None."""
    return command if core is None else ["taskset", "-c", str(core), *command]


def wrk(
    server: Server, path: str, body: bytes, seconds: int, unique: bool, core: int | None = None
) -> dict[str, float]:
    """wrk's summary, with `server_cpu_s`: the server's CPU time from wrk's start to its end.

    On one core (`core`) wrk runs one thread; otherwise two.
    """
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        WRK_SCRIPT % {"body": body.decode(), "path": path, "unique": "true" if unique else "false"}
    )
    command = pinned(
        core,
        [
            "wrk",
            f"-t{1 if core is not None else 2}",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            server.base,
        ],
    )
    try:
        # The process list is read before the window; a process started within it counts whole.
        before = cpu_ticks(server.processes())
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        after = cpu_ticks(server.processes())
    finally:
        script.unlink()
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result: dict[str, float] = json.loads(line.removeprefix("BENCH "))
    result["server_cpu_s"] = sum(ticks - before.get(pid, 0) for pid, ticks in after.items()) / CLOCK_TICKS
    return result


def throughput(
    scenario: str,
    target: str,
    server: Server,
    path: str,
    body: bytes,
    seconds: int,
    unique: bool,
    core: int | None = None,
) -> Row:
    result = wrk(server, path, body, seconds, unique, core)
    return Row(
        scenario=scenario,
        target=target,
        requests_per_s=result["requests"] / (result["duration_us"] / 1e6),
        p50_ms=result["p50_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        server_cpu_ms_per_request=(
            result["server_cpu_s"] * 1000 / result["requests"] if result["requests"] else None
        ),
        errors=int(result["errors"]),
        peak_rss_mb=peak_rss_mb(server),
    )


def mean_of(rounds: list[Row]) -> Row:
    """One row for a target's rounds of a scenario: means of rates and latencies, every error."""
    return Row(
        scenario=rounds[0].scenario,
        target=rounds[0].target,
        requests_per_s=statistics.fmean(row.requests_per_s or 0 for row in rounds),
        p50_ms=statistics.fmean(row.p50_ms or 0 for row in rounds),
        p99_ms=statistics.fmean(row.p99_ms or 0 for row in rounds),
        server_cpu_ms_per_request=statistics.fmean(row.server_cpu_ms_per_request or 0 for row in rounds),
        errors=sum(row.errors for row in rounds),
        peak_rss_mb=max(row.peak_rss_mb or 0 for row in rounds),
        notes={
            **{f"round {index + 1} req/s": row.requests_per_s or 0 for index, row in enumerate(rounds)},
            **{
                f"round {index + 1} server CPU ms/req": row.server_cpu_ms_per_request or 0
                for index, row in enumerate(rounds)
            },
        },
    )


LARGE_REPEATS = 5  # a single request's time on a shared machine is noise; the median is not


def large_requests(scenario: str, target: str, server: Server, path: str, body: bytes) -> Row:
    """Server time: from the last byte of a request sent to the first byte of its answer, the
    median of LARGE_REPEATS requests on a fresh server; peak RSS over them, above the idle worker's."""
    idle = {pid: rss_kb(pid, "VmRSS") for pid in server.workers()}
    host, port = server.base.removeprefix("http://").split(":")
    first_bytes, last_bytes, errors, answer = [], [], 0, b""
    for _ in range(LARGE_REPEATS):
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        sent = time.perf_counter()
        response = connection.getresponse()
        first_bytes.append(time.perf_counter() - sent)
        answer = response.read()
        last_bytes.append(time.perf_counter() - sent)
        connection.close()
        errors += response.status != 200
    growth = max(rss_kb(pid, "VmHWM") - idle[pid] for pid in idle) / 1024
    return Row(
        scenario=scenario,
        target=target,
        server_ms=statistics.median(first_bytes) * 1000,
        errors=errors,
        peak_rss_mb=peak_rss_mb(server),
        rss_above_idle_mb=growth,
        notes={
            "body_mb": len(body) / 2**20,
            "response_mb": len(answer) / 2**20,
            "total_ms": statistics.median(last_bytes) * 1000,
        },
    )


UPDATE_REPEATS = 41  # sequential requests of each kind, alternating; the medians are compared


def update_against_fit(server: Server, nonce: str) -> list[Row]:
    """An update of SMALL_POINTS onto a seasonal version that has absorbed LARGE_POINTS, against a
    fresh seasonal fit of SMALL_POINTS: one request at a time, alternating, timed by their medians."""
    series = f"/{nonce}-u"
    post(server, f"/fit{series}", seasonal_body(LARGE_POINTS))
    update = following_body(SMALL_POINTS, LARGE_POINTS)
    fit = seasonal_body(SMALL_POINTS)
    updates, fits = [], []
    for index in range(UPDATE_REPEATS):
        # Pinned to the large version, so that every update folds into a 1,000,000-point model.
        updates.append(_timed(lambda: post(server, f"/update{series}?version=1", update)))
        fits.append(_timed(lambda index=index: post(server, f"/fit{series}-fresh-{index}", fit)))
    return [
        Row(
            scenario="update 100 onto 1M seasonal",
            target=SERVICE,
            server_ms=statistics.median(updates) * 1000,
        ),
        Row(scenario="fit 100 seasonal", target=SERVICE, server_ms=statistics.median(fits) * 1000),
    ]


def decode_alone(body: bytes) -> Row:
    class Batch(msgspec.Struct):
        timestamps: list[int]
        values: list[float]

    decoder = msgspec.json.Decoder(Batch)
    median = statistics.median(_timed(lambda: decoder.decode(body)) for _ in range(LARGE_REPEATS))
    return Row(scenario="large body", target="msgspec decode alone", server_ms=median * 1000)


def _timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


# ---- bodies -------------------------------------------------------------------------------------


def batch_body(points: int) -> bytes:
    """Minute timestamps and values with every digit a float64 has, as measurements come: a
    1,000,000-point batch is about 30 MB of JSON."""
    start = 1_705_000_000
    values = [50 + 10 * math.sin(index * 0.7919) for index in range(points)]
    return msgspec.json.encode({"timestamps": list(range(start, start + 60 * points, 60)), "values": values})


def seasonal_body(points: int) -> bytes:
    """`batch_body` asking for a seasonal model with a daily period (too few points to detect one)."""
    return batch_body(points)[:-1] + b',"kind":"seasonal","parameters":{"period":"day"}}'


def following_body(points: int, after: int) -> bytes:
    """Points that follow a `batch_body(after)`, for an update."""
    start = 1_705_000_000 + 60 * after
    values = [50 + 10 * math.sin((after + index) * 0.7919) for index in range(points)]
    return msgspec.json.encode({"timestamps": list(range(start, start + 60 * points, 60)), "values": values})


POINT = b'{"timestamp": 1705000010, "value": 13.0}'


# ---- the run ------------------------------------------------------------------------------------


async def checkpoint(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


async def drop_database(name: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def fresh_database(name: str) -> str:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def service_command(workers: int = WORKERS) -> list[str]:
    return [sys.executable, "-m", "anomaly", "serve", "--workers", str(workers)]


def reference_command(workers: int = WORKERS) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.reference:app",
        "--workers",
        str(workers),
        "--no-access-log",
    ]


def _service_env(database_url: str, folder: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "MODEL_STATE_FOLDER": str(folder / "models"),
        "TRAINING_DATA_FOLDER": str(folder / "data"),
    }


def post(server: Server, path: str, body: bytes) -> None:
    host, port = server.base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"POST {path} answered {response.status}")


@dataclass(frozen=True)
class Load:
    """A throughput scenario: what wrk sends, to which servers, with how many workers on which cores."""

    name: str  # as --only names it
    scenario: str  # as the table names it
    targets: tuple[str, ...]
    path: str
    unique: bool  # each request to a path of its own (a new series), or all to `path`
    fit_first: str | None = None  # if set, a batch is fitted at this path and wrk sends a point instead
    service_fit: bytes | None = None  # the batch the service fits first, if not the reference's
    workers: int = WORKERS
    pinned: bool = False  # server on SERVER_CORE, wrk on LOAD_CORE


def loads(nonce: str) -> list[Load]:
    both = ("reference", SERVICE)
    return [
        Load("fit-small", "fit-small", (*both, "service (SQLite)"), f"/fit/{nonce}-", unique=True),
        Load("fit-hot", "fit-hot", both, f"/fit/{nonce}-hot", unique=False),
        Load("predict", "predict", both, f"/predict/{nonce}-p", unique=False, fit_first=f"/fit/{nonce}-p"),
        Load(
            "fit-small-pinned",
            f"fit-small {PINNED}",
            both,
            f"/fit/{nonce}-pinned-",
            unique=True,
            workers=1,
            pinned=True,
        ),
        Load(
            "predict-pinned",
            f"predict {PINNED}",
            both,
            f"/predict/{nonce}-pinned",
            unique=False,
            fit_first=f"/fit/{nonce}-pinned",
            workers=1,
            pinned=True,
        ),
        Load(
            "predict-seasonal",
            "predict seasonal",
            both,
            f"/predict/{nonce}-s",
            unique=False,
            fit_first=f"/fit/{nonce}-s",
            service_fit=seasonal_body(SMALL_POINTS),
        ),
    ]


SCENARIOS = (*(load.name for load in loads("")), "large", "update", "large-seasonal")


def run(seconds: int, only: frozenset[str] = frozenset(SCENARIOS)) -> list[Row]:
    nonce = secrets.token_hex(3)
    small, large = batch_body(SMALL_POINTS), batch_body(LARGE_POINTS)
    rows: list[Row] = []
    work = Path(tempfile.mkdtemp(prefix="anomaly-bench-"))
    # A database of this run's own: two runs on one machine must not drop each other's.
    database = f"anomaly_bench_{nonce}"
    try:
        pg_url = asyncio.run(fresh_database(database))
        subprocess.run(
            [sys.executable, "-m", "anomaly", "migrate"],
            env={**os.environ, "DATABASE_URL": pg_url},
            check=True,
            cwd=work,
        )
        services = {
            SERVICE: _service_env(pg_url, work / "pg"),
            "service (SQLite)": _service_env(f"sqlite:///{work / 'sqlite' / 'anomaly.db'}", work / "sqlite"),
        }
        subprocess.run(
            [sys.executable, "-m", "anomaly", "migrate"],
            env={**os.environ, **services["service (SQLite)"]},
            check=True,
            cwd=work,
        )
        reference_env = {
            "DATABASE_URL": pg_url,
            "ARTIFACT_FOLDER": str(work / "reference"),
            "PYTHONPATH": str(ROOT),
        }

        # Throughput, scenario by scenario: the reference and then the service, each on a fresh
        # server after a CHECKPOINT, so that PostgreSQL's background work after one run's writes
        # (checkpoints, autovacuum) falls on neither the next run nor one side more than the other.
        environments = {"reference": reference_env, **services}
        for load in loads(nonce):
            if load.name not in only:
                continue
            rounds: dict[str, list[Row]] = {name: [] for name in load.targets}
            server_core, load_core = (SERVER_CORE, LOAD_CORE) if load.pinned else (None, None)
            for round_number in range(ROUNDS):
                for target in load.targets:
                    command = (reference_command if target == "reference" else service_command)(load.workers)
                    asyncio.run(checkpoint(pg_url))
                    with serving(pinned(server_core, command), environments[target], work) as server:
                        body = small
                        if load.fit_first is not None:
                            service_fit = load.service_fit if target != "reference" else None
                            post(server, load.fit_first, service_fit or small)
                            body = POINT
                        prefix = f"{load.path}{round_number}-" if load.unique else load.path
                        rounds[target].append(
                            throughput(
                                load.scenario, target, server, prefix, body, seconds, load.unique, load_core
                            )
                        )
            rows.extend(mean_of(measured) for measured in rounds.values())
        if "update" in only:
            with serving(service_command(), services[SERVICE], work) as server:
                rows.extend(update_against_fit(server, nonce))
        if only & {"large", "large-seasonal"}:
            rows.append(decode_alone(large))
        # Large batches: a fresh service for each request kind, so its peak RSS is these requests'.
        if "large" in only:
            with serving(service_command(), services[SERVICE], work) as server:
                rows.append(large_requests("fit-large", SERVICE, server, f"/fit/{nonce}-large", large))
            with serving(service_command(), services[SERVICE], work) as server:
                post(server, f"/fit/{nonce}-d", small)
                rows.append(large_requests("detect-large", SERVICE, server, f"/detect/{nonce}-d", large))
        if "large-seasonal" in only:
            with serving(service_command(), services[SERVICE], work) as server:
                post(server, f"/fit/{nonce}-ds", seasonal_body(SMALL_POINTS))
                rows.append(
                    large_requests("detect-large seasonal", SERVICE, server, f"/detect/{nonce}-ds", large)
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        asyncio.run(drop_database(database))
    return rows


# ---- the table ----------------------------------------------------------------------------------


def verdicts(rows: list[Row]) -> list[dict[str, object]]:
    by = {(row.scenario, row.target): row for row in rows}
    reference = {row.scenario: row for row in rows if row.target == "reference"}
    checks: list[dict[str, object]] = []

    def check(what: str, ratio: float, limit: float, at_least: bool) -> None:
        checks.append(
            {
                "check": what,
                "ratio": round(ratio, 3),
                "target": f"{'>=' if at_least else '<='} {limit}",
                "met": ratio >= limit if at_least else ratio <= limit,
            }
        )

    for scenario in ("fit-small", "fit-hot"):
        if scenario in reference:
            ours, ref = by[(scenario, SERVICE)], reference[scenario]
            check(f"{scenario} req/s vs reference", ours.requests_per_s / ref.requests_per_s, 0.8, True)  # type: ignore[operator]
            check(f"{scenario} p99 vs reference", ours.p99_ms / ref.p99_ms, 1.5, False)  # type: ignore[operator]
    for scenario in ("predict", "predict seasonal"):
        if scenario in reference:
            ours, ref = by[(scenario, SERVICE)], reference[scenario]
            check(f"{scenario} req/s vs reference", ours.requests_per_s / ref.requests_per_s, 0.85, True)  # type: ignore[operator]
    if ("update 100 onto 1M seasonal", SERVICE) in by:
        update, fresh = by[("update 100 onto 1M seasonal", SERVICE)], by[("fit 100 seasonal", SERVICE)]
        check(
            "update of 100 onto 1M vs fresh fit of 100",
            (update.server_ms or 0) / (fresh.server_ms or 1),
            1.2,
            False,
        )
    # CPU per request on one pinned worker: what each request costs, whatever the machine's load.
    for scenario, limit in ((f"fit-small {PINNED}", 1.25), (f"predict {PINNED}", 1.15)):
        if scenario in reference:
            ours, ref = by[(scenario, SERVICE)], reference[scenario]
            check(
                f"{scenario} server CPU/req vs reference",
                (ours.server_cpu_ms_per_request or math.nan) / (ref.server_cpu_ms_per_request or math.nan),
                limit,
                False,
            )
    if ("large body", "msgspec decode alone") in by:
        decode_ms = by[("large body", "msgspec decode alone")].server_ms or 1.0
        for scenario in ("fit-large", "detect-large", "detect-large seasonal"):
            if (scenario, SERVICE) not in by:
                continue
            row = by[(scenario, SERVICE)]
            check(f"{scenario} server time vs msgspec decode", (row.server_ms or 0) / decode_ms, 1.5, False)
            check(
                f"{scenario} RSS growth vs body size",
                (row.rss_above_idle_mb or 0) / row.notes["body_mb"],
                3.0,
                False,
            )
    if ("fit-small", "service (SQLite)") in by:
        sqlite, postgres = by[("fit-small", "service (SQLite)")], by[("fit-small", SERVICE)]
        check("fit-small SQLite vs PostgreSQL", sqlite.requests_per_s / postgres.requests_per_s, 0.5, True)  # type: ignore[operator]
    return checks


def table(rows: list[Row], checks: list[dict[str, object]]) -> str:
    def cell(value: float | None, digits: int = 1) -> str:
        return "" if value is None else f"{value:,.{digits}f}"

    lines = [
        "| scenario | measured | req/s | p50 ms | p99 ms | server CPU ms/req | server ms | to last byte ms "
        "| errors | peak RSS MB | RSS above idle MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.scenario} | {row.target} | {cell(row.requests_per_s, 0)} | {cell(row.p50_ms)} | {cell(row.p99_ms)} "
            f"| {cell(row.server_cpu_ms_per_request, 3)} | {cell(row.server_ms)} | {cell(row.notes.get('total_ms'))} | {row.errors} "
            f"| {cell(row.peak_rss_mb, 0)} | {cell(row.rss_above_idle_mb, 0)} |"
        )
    lines += ["", "| check | ratio | target | met |", "|---|---:|---|---|"]
    lines += [
        f"| {c['check']} | {c['ratio']} | {c['target']} | {'yes' if c['met'] else 'NO'} |" for c in checks
    ]
    return "\n".join(lines)


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "15")))
    parser.add_argument(
        "--only",
        default=",".join(SCENARIOS),
        help=f"comma-separated subset of {', '.join(SCENARIOS)}; a partial run is not kept as latest.json",
    )
    arguments = parser.parse_args()
    seconds, only = arguments.seconds, frozenset(arguments.only.split(","))
    if unknown := only - set(SCENARIOS):
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    rows = run(seconds, only)
    checks = verdicts(rows)
    machine = f"{_cpu_model()}, {os.cpu_count()} cores, Linux {platform.release()}, Python {platform.python_version()}"
    printed = table(rows, checks)
    print(
        f"\n{machine}; {WORKERS} workers per server ({PINNED}: one on core {SERVER_CORE}, wrk on core "
        f"{LOAD_CORE}), {CONNECTIONS} connections, {ROUNDS} alternating rounds of {seconds} s per "
        "throughput scenario\n"
    )
    print(printed)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {
        "when": stamp,
        "machine": machine,
        "seconds": seconds,
        "workers": WORKERS,
        "connections": CONNECTIONS,
        "rounds": ROUNDS,
        "pinned": {"workers": 1, "server_core": SERVER_CORE, "wrk_core": LOAD_CORE},
        "rows": [asdict(row) for row in rows],
        "checks": checks,
        "table": printed,
    }
    complete = only == frozenset(SCENARIOS)
    if not complete:
        stamp += "-partial"
    for path in (RESULTS / f"{stamp}.json", *([RESULTS / "latest.json"] if complete else [])):
        path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nwritten to {RESULTS / (stamp + '.json')}")


if __name__ == "__main__":
    main()
