"""GET /plot on in-memory adapters: the page for a version, and clear failures when it cannot be drawn."""

import hashlib
from dataclasses import replace

from litestar import Litestar
from litestar.testing import AsyncTestClient

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.domain.model_version import ArtifactRef

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
