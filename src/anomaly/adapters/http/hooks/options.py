"""Answers OPTIONS with every method of the path."""

from functools import cache
from typing import Any

from litestar import Litestar, Request, Response
from litestar.status_codes import HTTP_204_NO_CONTENT


# Litestar 2 builds its automatic OPTIONS answer when a path's first handler is registered, so a path
# served by several handlers (GET and DELETE of one version) advertises only one of them in `Allow`.
def answer_options(request: Request[Any, Any, Any]) -> Response[None] | None:
    """The answer to an OPTIONS request, with the path's every method; None for other methods."""
    if request.method != "OPTIONS":
        return None
    allowed = _methods(request.app).get(request.scope.get("path_template", ""))
    if not allowed:
        return None
    return Response(None, status_code=HTTP_204_NO_CONTENT, headers={"Allow": allowed})


@cache
def _methods(app: Litestar) -> dict[str, str]:
    # Keyed like scope["path_template"]: the path without parameter types.
    return {
        route.path_format: ", ".join(sorted(route.methods))
        for route in app.routes
        if hasattr(route, "methods")
    }
