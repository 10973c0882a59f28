"""GET /plot on in-memory adapters: the page for a version, and clear failures when it cannot be drawn."""

import asyncio
import gc
import hashlib
import math
import re
import sys
import time
from dataclasses import replace
from typing import Any

import msgspec
import numpy as np
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from anomaly.adapters.http.responses.plot_page import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH
from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.bootstrap import Adapters, create_app
from anomaly.domain.model_version import ArtifactRef
from anomaly.settings import Settings
from tests.support.concurrent_client import served_in_this_loop

Client = AsyncTestClient[Litestar]

BATCH = {"timestamps": ["2024-01-11T19:06:40Z", 1705000060, 1705000120], "values": [10.0, 10.4, 30.0]}


async def test_a_version_fitted_on_text_timestamps_is_drawn(memory_client: Client) -> None:
    assert (await memory_client.post("/fit/cpu", json=BATCH)).status_code == 200
    page = await memory_client.get("/plot", params={"series_id": "cpu", "k": "1", "direction": "both"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text


async def test_training_data_that_is_no_batch_is_a_500_naming_the_version(
    memory_client: Client, memory_artifacts: InMemoryArtifactStore, memory_database: InMemoryDatabase
) -> None:
    assert (await memory_client.post("/fit/cpu", json=BATCH)).status_code == 200
    row = memory_database.rows[("cpu", 1)]
    content = b'{"not": "a batch"}'
    memory_artifacts.files[row.data.location] = content
    memory_database.rows[("cpu", 1)] = replace(
        row, data=ArtifactRef(row.data.location, hashlib.sha256(content).hexdigest(), len(content))
    )
    page = await memory_client.get("/plot", params={"series_id": "cpu"})
    assert page.status_code == 500
    assert page.json()["error"] == "model_unreadable"
    assert "version 1" in page.json()["message"]
    assert "not a batch" in page.json()["message"]


def drawn_coordinates(page: str) -> list[tuple[float, float]]:
    """Every point the chart draws: its polygon's and polylines' points, and its marks' centres."""
    pairs = [
        (float(x), float(y))
        for points in re.findall(r' points="([^"]*)"', page)
        for x, y in (pair.split(",") for pair in points.split())
    ]
    marks = re.findall(r'<circle cx="([^"]*)" cy="([^"]*)"', page)
    return pairs + [(float(x), float(y)) for x, y in marks]


EXTREMES: dict[str, dict[str, list[Any]]] = {
    "timestamps past 2**62": {"timestamps": [2**62, 2**62 + 1, 2**62 + 2], "values": [1.0, 2.0, 30.0]},
    "timestamps to 2**63 - 1": {"timestamps": [0, 2**62, 2**63 - 1], "values": [1.0, 2.0, 3.0]},
    "values near the float64 limits": {"timestamps": [1, 2, 3], "values": [1e308, -1e308, 1e308]},
    "the largest float64 values": {
        "timestamps": [1, 2, 3],
        "values": [sys.float_info.max, -sys.float_info.max, sys.float_info.max],
    },
    "subnormal values": {"timestamps": [1, 2, 3], "values": [5e-324, -5e-324, 0.0]},
}


@pytest.mark.parametrize("kind", ["gaussian", "seasonal"])
@pytest.mark.parametrize("case", list(EXTREMES))
async def test_any_finite_batch_is_drawn_with_finite_coordinates_inside_the_chart(
    memory_client: Client, kind: str, case: str
) -> None:
    fitted = await memory_client.post("/fit/cpu", json={**EXTREMES[case], "kind": kind})
    assert fitted.status_code == 200, fitted.text

    page = await memory_client.get("/plot", params={"series_id": "cpu", "direction": "both"})

    assert page.status_code == 200, page.text
    coordinates = drawn_coordinates(page.text)
    assert len(coordinates) >= 5 * 3  # the band, the expected value, the data and the bounds
    for x, y in coordinates:
        assert math.isfinite(x), (x, y)
        assert math.isfinite(y), (x, y)
        assert LEFT - 1 <= x <= WIDTH - RIGHT + 1, (x, y)
        assert TOP <= y <= HEIGHT - BOTTOM, (x, y)
    # Each point at its own time: timestamps a float64 cannot tell apart are still three x positions.
    data = re.search(r'id="data" points="([^"]*)"', page.text)
    assert data is not None
    assert len({pair.split(",")[0] for pair in data.group(1).split()}) == 3
    # And the time axis names the first and last timestamps exactly.
    timestamps = EXTREMES[case]["timestamps"]
    assert f">{timestamps[0]}" in page.text
    assert f">{timestamps[-1]}" in page.text


def million_points(**model: str) -> bytes:
    """A body of 1,000,000 points (19-digit timestamps, full-precision values); only its bytes outlive
    the call, not two million Python objects for the collector to walk during the plot."""
    count = 1_000_000
    values = np.random.default_rng(7).normal(10.0, 2.0, count).tolist()
    return msgspec.json.encode({"timestamps": list(range(10**18, 10**18 + count)), "values": values, **model})


# The share of the request that one stall of the loop may take. Measured here: a version fitted on
# a body naming its kind, read back by msgspec (which holds the GIL whatever the thread) 0.42 to
# 0.47, by the column reader 0.04 to 0.08; an update's version drawn on the loop 0.7, off it 0.04
# to 0.2 (0.24 once, on a loaded machine).
LONGEST_STALL = {"a fit naming its kind": 1 / 4, "an update": 1 / 3}


@pytest.mark.parametrize("made_by", list(LONGEST_STALL))
async def test_a_large_version_is_drawn_while_the_event_loop_serves_others(
    memory_adapters: Adapters, made_by: str
) -> None:
    # Reading, judging and drawing a million points takes a few tenths of a second; another client's
    # request must not wait for it. A fit's training data is its body, here one that names its
    # kind; an update's is its plain batch, drawn here against a seasonal band. The loop is sampled
    # every millisecond while the page is drawn.
    fit = {"timestamps": [0, 1200, 2400], "values": [10.0, 11.0, 9.0], "kind": "seasonal"}
    async with served_in_this_loop(create_app(Settings(), adapters=memory_adapters)) as client:
        if made_by == "an update":
            assert (await client.post("/fit/big", json=fit)).status_code == 200
            updated = await client.post("/update/big", content=million_points(), timeout=120)
            assert updated.status_code == 200
        else:
            fitted = await client.post("/fit/big", content=million_points(kind="gaussian"), timeout=120)
            assert fitted.status_code == 200
        await client.get("/plot", params={"series_id": "big"}, timeout=120)  # first use: caches warm up
        gc.collect()  # what earlier tests left is not this plot's to sweep
        stalls: list[float] = []
        drawing = True

        async def sample() -> None:
            last = time.perf_counter()
            while drawing:
                await asyncio.sleep(0.001)
                now = time.perf_counter()
                stalls.append(now - last)
                last = now

        sampler = asyncio.create_task(sample())
        started = time.perf_counter()
        page = await client.get("/plot", params={"series_id": "big"}, timeout=120)
        took = time.perf_counter() - started
        drawing = False
        await sampler

    assert page.status_code == 200
    longest = max(stalls)
    assert longest < took * LONGEST_STALL[made_by], (
        f"the loop stalled {longest * 1000:.0f} of {took * 1000:.0f} ms"
    )
