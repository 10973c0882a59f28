"""Refuses a query parameter the endpoint does not take, as an unknown body field is refused."""

from functools import cache
from typing import Any

from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from anomaly.domain.errors import InvalidInput


def refuse_unknown_query_parameters(request: Request[Any, Any, Any]) -> None:
    """`InvalidInput` naming the first query parameter the endpoint does not take: a misspelt one
    (`?windw=288`, `?versoin=3`) would otherwise be ignored, and the request served as if it were
    absent."""
    if not request.scope.get("query_string"):
        return  # nearly every request: nothing to parse
    taken = _query_parameters(request.app).get(request.route_handler, frozenset())
    for name in request.query_params:
        if name not in taken:
            accepted = ", ".join(sorted(taken)) if taken else "none"
            endpoint = f"{request.method} {request.url.path}"
            raise InvalidInput(name, f"is not a query parameter of {endpoint} (it takes: {accepted})")


@cache
def _query_parameters(app: Litestar) -> dict[HTTPRouteHandler, frozenset[str]]:
    # Litestar's own reading of each handler's signature, as it extracts the parameters.
    return {
        handler: frozenset(parameter.field_alias for parameter in parameters.expected_query_params)
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler, parameters in route.route_handler_map.values()
    }
