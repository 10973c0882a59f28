"""What a client sees only through a real server: header lines as sent (the in-process test client
joins repeated ones into one), HEAD answered without its body, and 405 answers."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.payloads import SMALL
from tests.support.server import anomaly, running_server

KEY = "Idempotency-Key"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("edges")
    assert anomaly("migrate", cwd=folder, env={}).returncode == 0
    with running_server(folder, {"GC_INTERVAL_SECONDS": "0"}) as url:
        yield url


@pytest.mark.parametrize("keys", [["first", "second"], ["same", "same"]], ids=["different", "equal"])
def test_two_idempotency_keys_are_a_400_naming_the_header_and_nothing_is_kept(
    base_url: str, keys: list[str]
) -> None:
    series = f"two-keys-{keys[1]}"
    assert httpx.post(f"{base_url}/fit/{series}", json=SMALL).json()["version"] == 1
    points = {"timestamps": [1705000400], "values": [10.0]}

    for path, body in ((f"/fit/{series}", SMALL), (f"/update/{series}", points)):
        response = httpx.post(f"{base_url}{path}", json=body, headers=[(KEY, key) for key in keys])
        assert response.status_code == 400, response.text
        payload = response.json()
        assert (payload["error"], payload["field"]) == ("bad_request", KEY)
        assert KEY in payload["message"]

    versions = httpx.get(f"{base_url}/series/{series}/versions").json()
    assert versions["total"] == 1
    # Each key alone is free: neither request claimed it.
    for key in keys:
        assert httpx.post(f"{base_url}/fit/{series}", json=SMALL, headers={KEY: key}).status_code == 200


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
def test_a_probe_answers_head_as_get_without_the_body(base_url: str, path: str) -> None:
    get = httpx.get(f"{base_url}{path}")
    head = httpx.head(f"{base_url}{path}")

    assert (head.status_code, get.status_code) == (200, 200)
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/health/live", {"GET", "HEAD", "OPTIONS"}),
        ("DELETE", "/health/ready", {"GET", "HEAD", "OPTIONS"}),
        ("HEAD", "/series", {"GET", "OPTIONS"}),
        ("POST", "/series/cpu/versions/1", {"GET", "DELETE", "OPTIONS"}),
        ("GET", "/fit/cpu", {"POST", "OPTIONS"}),
    ],
)
def test_a_405_names_the_methods_allowed(base_url: str, method: str, path: str, allowed: set[str]) -> None:
    response = httpx.request(method, f"{base_url}{path}")

    assert response.status_code == 405
    assert {name.strip() for name in response.headers["allow"].split(",")} == allowed
    if method != "HEAD":
        assert response.json()["error"] == "method_not_allowed"
