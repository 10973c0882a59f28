"""The bare reference `make bench` measures beside the service: the same stack, no architecture.

Litestar, msgspec, numpy and asyncpg in one file: types checked by msgspec and nothing more, the
same two files written the same durable way (temporary file, write, flush, fsync, rename, fsync of
the folder), the same version counter and row in PostgreSQL, and predict compares a point with a
model cached in memory. What this does per request is what any implementation on this stack must
do; its throughput is the ceiling the service is compared with.

Run: DATABASE_URL=postgresql://... ARTIFACT_FOLDER=... uvicorn bench.reference:app --workers N
"""

import hashlib
import json
import os
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
import asyncpg
import msgspec
import numpy as np
from litestar import Litestar, Request, post

FOLDER = Path(os.environ.get("ARTIFACT_FOLDER", "./reference-data"))
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

SCHEMA = """
CREATE TABLE IF NOT EXISTS reference_series (
    series_id varchar(128) PRIMARY KEY, last_version integer NOT NULL,
    created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS reference_models (
    series_id varchar(128) NOT NULL, version integer NOT NULL,
    model_path text NOT NULL, model_sha256 varchar(64) NOT NULL, model_size bigint NOT NULL,
    data_path text NOT NULL, data_sha256 varchar(64) NOT NULL, data_size bigint NOT NULL,
    points_used integer NOT NULL, first_timestamp bigint NOT NULL, last_timestamp bigint NOT NULL,
    mean double precision NOT NULL, std double precision NOT NULL,
    min_value double precision NOT NULL, max_value double precision NOT NULL,
    created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL,
    PRIMARY KEY (series_id, version));
"""
ALLOCATE = """
INSERT INTO reference_series (series_id, last_version, created_at, updated_at) VALUES ($1, 1, now(), now())
ON CONFLICT (series_id) DO UPDATE SET last_version = reference_series.last_version + 1, updated_at = now()
RETURNING last_version
"""
INSERT = "INSERT INTO reference_models VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now(), now())"


class Batch(msgspec.Struct):
    timestamps: list[int]
    values: list[float]


class Point(msgspec.Struct):
    timestamp: int
    value: float


batch_decoder = msgspec.json.Decoder(Batch)
point_decoder = msgspec.json.Decoder(Point)
models: dict[str, tuple[float, float]] = {}
state: dict[str, Any] = {}


def write_durably(path: Path, content: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".tmp-{path.name}")
    with temporary.open("xb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    temporary.replace(path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return hashlib.sha256(content).hexdigest()


@post("/fit/{series_id:str}", status_code=200)
async def fit(request: Request[Any, Any, Any], series_id: str) -> dict[str, Any]:
    body = await request.body()
    batch = batch_decoder.decode(body)
    values = np.asarray(batch.values, dtype=np.float64)
    mean, std = float(values.mean()), float(values.std())
    model = json.dumps({"mean": mean, "std": std}).encode()
    name = f"{time.time_ns()}-{secrets.token_hex(4)}"
    model_path, data_path = FOLDER / "models" / series_id / name, FOLDER / "data" / series_id / name

    def write_both() -> tuple[str, str]:
        return write_durably(model_path, model), write_durably(data_path, body)

    model_sha, data_sha = await anyio.to_thread.run_sync(write_both)
    async with state["pool"].acquire() as connection, connection.transaction():
        version = await connection.fetchval(ALLOCATE, series_id)
        await connection.execute(
            INSERT,
            series_id,
            version,
            str(model_path),
            model_sha,
            len(model),
            str(data_path),
            data_sha,
            len(body),
            len(values),
            batch.timestamps[0],
            batch.timestamps[-1],
            mean,
            std,
            float(values.min()),
            float(values.max()),
        )
    models[series_id] = (mean, std)
    return {"series_id": series_id, "success": True, "version": version, "points_used": len(values)}


@post("/predict/{series_id:str}", status_code=200)
async def predict(request: Request[Any, Any, Any], series_id: str) -> dict[str, Any]:
    point = point_decoder.decode(await request.body())
    mean, std = models.get(series_id, (0.0, 1.0))
    return {"anomaly": point.value > mean + 3 * std, "score": (point.value - mean) / std if std else 0.0}


@post("/detect/{series_id:str}", status_code=200)
async def detect(request: Request[Any, Any, Any], series_id: str) -> bytes:
    batch = batch_decoder.decode(await request.body())
    mean, std = models.get(series_id, (0.0, 1.0))
    values = np.asarray(batch.values, dtype=np.float64)
    scores = (values - mean) / std if std else np.zeros_like(values)
    return msgspec.json.encode({"anomaly": (values > mean + 3 * std).tolist(), "score": scores.tolist()})


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    pool = await asyncpg.create_pool(DATABASE_URL, min_size=2, max_size=10)
    async with pool.acquire() as connection:
        await connection.execute("SELECT pg_advisory_lock(20261126)")
        await connection.execute(SCHEMA)
        await connection.execute("SELECT pg_advisory_unlock(20261126)")
    state["pool"] = pool
    try:
        yield
    finally:
        await pool.close()


app = Litestar(route_handlers=[fit, predict, detect], lifespan=[lifespan], request_max_body_size=None)
