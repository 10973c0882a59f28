"""OPTIONS names every method a path serves, with or without an API key."""

import pytest
from litestar.testing import AsyncTestClient

from anomaly.bootstrap import Adapters, create_app
from anomaly.settings import Settings


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/series/cpu/versions/1", "DELETE, GET, OPTIONS"),
        ("/series/cpu", "DELETE, OPTIONS"),
        ("/fit/cpu", "OPTIONS, POST"),
        ("/predict/cpu", "OPTIONS, POST"),
    ],
)
async def test_options_lists_every_method_of_the_path(
    memory_adapters: Adapters, path: str, allowed: str
) -> None:
    settings = Settings(api_keys=(("options-test-key-0123456789", None),))
    async with AsyncTestClient(app=create_app(settings, adapters=memory_adapters)) as client:
        response = await client.options(path)  # no key: a preflight carries none
    assert response.status_code == 204
    assert response.headers["allow"] == allowed
