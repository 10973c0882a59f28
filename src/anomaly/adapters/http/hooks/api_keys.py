"""API keys: `Authorization: Bearer <key>` on every endpoint but the health probes."""

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException

from anomaly.domain.caller import ANONYMOUS, Caller
from anomaly.domain.errors import SeriesNotFound

# Handlers marked with this option answer without a key (load balancers and orchestrators call them).
PUBLIC = {"public": True}
CALLER_STATE_KEY = "caller"


@dataclass(frozen=True, slots=True)
class _Entry:
    digest: bytes
    caller: Caller


class ApiKeys:
    """The accepted keys, held as SHA-256 digests: compared in constant time, never kept in clear."""

    def __init__(self, keys: Iterable[tuple[str, str | None]]) -> None:
        self._entries = [
            _Entry(
                digest=_digest(secret),
                caller=Caller(identity=_digest(secret).hex()[:16], series_prefix=prefix),
            )
            for secret, prefix in keys
        ]

    @property
    def enabled(self) -> bool:
        return bool(self._entries)

    def caller_for(self, token: str) -> Caller | None:
        candidate = _digest(token)
        found = None
        for entry in self._entries:
            # No early exit: the time taken does not depend on which key, if any, matched.
            if hmac.compare_digest(candidate, entry.digest):
                found = entry.caller
        return found


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


async def require_api_key(request: Request[Any, Any, Any]) -> None:
    """Identify the caller, refuse strangers, hide series outside the caller's prefix.

    Run before each handler (see before_request), not as a Litestar guard, which copies the route
    handler on every call, nor as middleware, which wraps every route in two more ASGI layers.
    """
    request.scope.setdefault("state", {})[CALLER_STATE_KEY] = _caller(request)


def _caller(request: Request[Any, Any, Any]) -> Caller:
    keys: ApiKeys = request.app.state.api_keys
    if not keys.enabled or request.route_handler.opt.get("public"):
        return ANONYMOUS
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    caller = keys.caller_for(token.strip()) if scheme.lower() == "bearer" else None
    if caller is None:
        raise NotAuthorizedException(
            "missing or unknown API key: send `Authorization: Bearer <key>`",
            headers={"WWW-Authenticate": 'Bearer realm="anomaly"'},
        )
    # Every value counts: a repeated query parameter must not smuggle a second series past the check.
    named = [request.path_params.get("series_id"), *request.query_params.getall("series_id", [])]
    for series_id in named:
        if series_id is not None and not caller.may_access(series_id):
            # As if absent: a key must not learn which other series exist.
            raise SeriesNotFound(series_id)
    return caller


def caller_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Caller:
    """The caller `require_api_key` identified for this request."""
    caller: Caller = connection.scope.get("state", {}).get(CALLER_STATE_KEY, ANONYMOUS)
    return caller
