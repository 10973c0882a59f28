"""Versions deleted over HTTP while another request reads them: that request answers with the newest
version left, or 404 for a series gone; never 500 for damage, nor 404 for a version it never named."""

import asyncio
from typing import Any

import httpx
import msgspec
import pytest

from anomaly.bootstrap import create_app
from anomaly.settings import Settings
from anomaly.use_cases.fit_model import FitCommand
from tests.support.concurrent_client import served_in_this_loop
from tests.support.fakes import Fakes, GatedReads
from tests.support.payloads import SMALL

READS_OF_LATEST: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "predict": ("POST", "/predict/cpu", {"timestamp": 1_705_000_300, "value": 10.0}),
    "detect": ("POST", "/detect/cpu", {"timestamps": [1_705_000_300], "values": [10.0]}),
    "plot": ("GET", "/plot?series_id=cpu", None),
}


def answered_version(endpoint: str, response: httpx.Response) -> int:
    if endpoint == "plot":
        return 1 if "cpu, version 1<" in response.text else -1
    version: int = response.json()["model_version"]
    return version


async def read_while_deleting(endpoint: str, versions: int, deletes: list[str | None]) -> httpx.Response:
    """Fit `versions` versions, then read the latest through `endpoint`; before the n-th artifact
    read of that request lets go, `deletes[n]` (a path, or None for nothing) is deleted over HTTP."""
    store = GatedReads(len(deletes))
    fakes = Fakes(artifacts=store)
    for _ in range(versions):
        await fakes.fit_model()(FitCommand("cpu", msgspec.json.encode(SMALL)))
    async with served_in_this_loop(create_app(Settings(), adapters=fakes.adapters())) as client:
        method, path, body = READS_OF_LATEST[endpoint]
        reading = asyncio.create_task(client.request(method, path, json=body))
        for gate, deleted in enumerate(deletes):
            await asyncio.wait_for(store.entered[gate].wait(), timeout=10)
            if deleted is not None:
                assert (await client.delete(deleted)).status_code == 200
            store.proceed[gate].set()
        return await asyncio.wait_for(reading, timeout=10)


@pytest.mark.parametrize("endpoint", sorted(READS_OF_LATEST))
async def test_two_deletes_during_one_read_answer_with_the_newest_version_left(endpoint: str) -> None:
    # The model of version 3 vanishes as it is read, then that of version 2, found next.
    response = await read_while_deleting(endpoint, 3, ["/series/cpu/versions/3", "/series/cpu/versions/2"])
    assert response.status_code == 200, response.text
    assert answered_version(endpoint, response) == 1


async def test_training_data_deleted_as_the_plot_reads_it_is_drawn_from_the_newest_version_left() -> None:
    # Version 2's model is read whole; its training data vanishes as it is read.
    response = await read_while_deleting("plot", 2, [None, "/series/cpu/versions/2"])
    assert response.status_code == 200, response.text
    assert answered_version("plot", response) == 1


async def test_a_series_deleted_as_its_plot_is_read_is_not_found() -> None:
    response = await read_while_deleting("plot", 1, [None, "/series/cpu"])
    assert response.status_code == 404
    assert response.json()["error"] == "series_not_found"
