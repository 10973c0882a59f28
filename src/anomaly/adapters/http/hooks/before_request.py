"""What runs before every handler: OPTIONS answered for the whole path, then the API key checked,
then the query parameters."""

from typing import Any

from litestar import Request, Response

from anomaly.adapters.http.hooks.api_keys import require_api_key
from anomaly.adapters.http.hooks.options import answer_options
from anomaly.adapters.http.hooks.query_parameters import refuse_unknown_query_parameters


async def before_request(request: Request[Any, Any, Any]) -> Response[None] | None:
    """A Litestar `before_request` hook: an answer here is the response, and the handler never runs."""
    options = answer_options(request)
    if options is not None:
        return options
    await require_api_key(request)
    refuse_unknown_query_parameters(request)
    return None
