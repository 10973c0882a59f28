"""Bodies as servers deliver them: in one message or many, with or without a length, within the limit."""

import json
from collections.abc import Sequence
from typing import Any

from litestar.testing import AsyncTestClient

from anomaly.adapters.memory.artifacts import InMemoryArtifactStore
from anomaly.adapters.memory.database import InMemoryDatabase
from anomaly.bootstrap import create_app
from anomaly.settings import Settings
from tests.support.payloads import batch

BODY = json.dumps(batch([float(index % 7) for index in range(2_000)])).encode()
LIMIT = len(BODY) + 10


async def post(
    app: Any, path: str, chunks: Sequence[bytes], length: int | None
) -> tuple[int, dict[str, Any]]:
    """POST straight through ASGI, the body in `chunks`, one `http.request` message each."""
    messages = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"content-type", b"application/json"), (b"host", b"test")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)
    status = next(message["status"] for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return status, json.loads(body)


def slices(body: bytes, count: int) -> list[bytes]:
    size = -(-len(body) // count)
    return [body[start : start + size] for start in range(0, len(body), size)]


async def test_a_body_in_many_messages_is_stored_exactly_with_or_without_its_length(
    memory_adapters: Any, memory_database: InMemoryDatabase, memory_artifacts: InMemoryArtifactStore
) -> None:
    app = create_app(Settings(max_request_body_bytes=LIMIT), adapters=memory_adapters)
    async with AsyncTestClient(app=app):
        for version, (chunks, length) in enumerate(
            [
                (slices(BODY, 5), len(BODY)),
                (slices(BODY, 3), None),  # chunked transfer: no length announced
                ([b"", *slices(BODY, 2), b""], len(BODY)),
                ([BODY], len(BODY)),
            ],
            start=1,
        ):
            status, answer = await post(app, "/fit/cpu", chunks, length)
            assert (status, answer["version"]) == (200, version)
            stored = memory_database.rows[("cpu", version)]
            assert await memory_artifacts.load(stored.data) == BODY


async def test_a_body_over_the_limit_is_a_413_however_it_arrives(memory_adapters: Any) -> None:
    app = create_app(Settings(max_request_body_bytes=len(BODY) - 1), adapters=memory_adapters)
    async with AsyncTestClient(app=app):
        for chunks, length in [
            ([BODY], len(BODY)),  # one message
            (slices(BODY, 4), len(BODY)),  # refused on its announced length
            (slices(BODY, 4), None),  # refused once the bytes pass the limit
        ]:
            status, answer = await post(app, "/fit/cpu", chunks, length)
            assert (status, answer["error"]) == (413, "payload_too_large"), (len(chunks), length)
        point = json.dumps({"timestamp": 1, "value": 1.0}).encode()
        small = create_app(Settings(max_request_body_bytes=len(point) - 1), adapters=memory_adapters)
        async with AsyncTestClient(app=small):
            status, answer = await post(small, "/predict/cpu", [point], len(point))
            assert status == 413
