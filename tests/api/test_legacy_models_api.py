"""Versions stored before model kinds hold an `anomaly.gaussian` v1 artifact: clients get the same
answers from them as from the same model stored today."""

import hashlib
import json
from dataclasses import replace
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.domain.model_version import ArtifactRef
from tests.support.payloads import SMALL, batch

Client = AsyncTestClient[Litestar]

# The fields, in the order, that the service wrote before model kinds.
LEGACY_FIELDS = ("mean", "std", "points_used", "minimum", "maximum", "first_timestamp", "last_timestamp")


def legacy_document(envelope: bytes) -> bytes:
    state = json.loads(envelope)["state"]
    document = {"format": "anomaly.gaussian", "format_version": 1} | {
        name: state[name] for name in LEGACY_FIELDS
    }
    return json.dumps(document, separators=(",", ":")).encode()


async def stored_the_old_way(
    client: Client, artifacts: InMemoryArtifactStore, database: InMemoryDatabase, series: str
) -> None:
    """Fits `series`, then puts its model back as the service stored it before model kinds."""
    assert (await client.post(f"/fit/{series}", json=SMALL)).status_code == 200
    row = database.rows[(series, 1)]
    content = legacy_document(await artifacts.load(row.model))
    artifacts.files[row.model.location] = content
    database.rows[(series, 1)] = replace(
        row, model=ArtifactRef(row.model.location, hashlib.sha256(content).hexdigest(), len(content))
    )


async def answers(client: Client, series: str) -> dict[str, Any]:
    point = {"timestamp": 1_705_000_600, "value": 13.0}
    points = batch([10.0, 13.0, 7.0, 10.1])
    version = (await client.get(f"/series/{series}/versions/1")).json()
    for name in ("series_id", "model_artifact"):
        del version[name]
    detection = (await client.post(f"/detect/{series}", json=points)).json()
    del detection["series_id"]
    return {
        "predict": (await client.post(f"/predict/{series}", json=point)).json(),
        "predict both k=2": (
            await client.post(f"/predict/{series}", json=point, params={"k": "2", "direction": "both"})
        ).json(),
        "detect": detection,
        "version": version,
        "plot": (await client.get("/plot", params={"series_id": series})).text.replace(series, "SERIES"),
    }


async def test_a_version_stored_before_model_kinds_answers_as_it_did(
    memory_client: Client, memory_artifacts: InMemoryArtifactStore, memory_database: InMemoryDatabase
) -> None:
    await stored_the_old_way(memory_client, memory_artifacts, memory_database, "old")
    assert (await memory_client.post("/fit/new", json=SMALL)).status_code == 200
    assert memory_artifacts.files[memory_database.rows[("old", 1)].model.location].startswith(
        b'{"format":"anomaly.gaussian"'
    )

    old, new = await answers(memory_client, "old"), await answers(memory_client, "new")

    assert old == new
    assert old["predict"]["anomaly"] is True
    assert old["predict"]["kind"] == old["detect"]["kind"] == "gaussian"
    assert old["version"]["model"]["points_used"] == 5


async def test_a_version_stored_before_model_kinds_can_be_inspected_and_deleted(
    memory_client: Client, memory_artifacts: InMemoryArtifactStore, memory_database: InMemoryDatabase
) -> None:
    await stored_the_old_way(memory_client, memory_artifacts, memory_database, "old")

    page = await memory_client.get("/series/old/versions/1")
    deleted = await memory_client.delete("/series/old/versions/1")

    assert page.status_code == 200
    assert list(page.json()["model"]) == list(LEGACY_FIELDS)
    assert deleted.status_code == 200
    assert memory_artifacts.files == {}
