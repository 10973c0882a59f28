"""Answers OPTIONS with every method of the path.

Litestar 2 builds its automatic OPTIONS answer when a path's first handler is registered, so a path
served by several handlers (GET and DELETE of one version) advertises only one of them in `Allow`.
"""

from functools import cache

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Receive, Scope, Send


def allow_every_method(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and scope["method"] == "OPTIONS":
            allowed = _methods(scope["litestar_app"]).get(scope.get("path_template", ""))
            if allowed:
                await ASGIResponse(status_code=204, headers={"Allow": allowed})(scope, receive, send)
                return
        await app(scope, receive, send)

    return middleware


@cache
def _methods(app: Litestar) -> dict[str, str]:
    # Keyed like scope["path_template"]: the path without parameter types.
    return {
        route.path_format: ", ".join(sorted(route.methods))
        for route in app.routes
        if hasattr(route, "methods")
    }
