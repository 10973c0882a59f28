"""One table maps every failure family to a status and the one JSON error shape."""

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from anomaly.adapters.http.requests.headers import RepeatedHeader
from anomaly.adapters.http.requests.strict_json import MalformedBody
from anomaly.adapters.http.schemas import ErrorResponse
from anomaly.domain.errors import InvalidInput, SeriesNotFound, VersionConflict, VersionNotFound
from anomaly.domain.idempotency import IdempotencyKeyInUse, IdempotencyKeyReused
from anomaly.ports.errors import (
    ArtifactStorageFull,
    ArtifactStorageUnavailable,
    DatabaseUnavailable,
    ModelUnreadable,
    SchemaMissing,
    StorageError,
)

logger = logging.getLogger(__name__)

AnyRequest = Request[Any, Any, Any]

# Stable names for the statuses clients meet most; HTTP's phrases have changed across versions.
_HTTP_ERROR_NAMES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}
Handler = Callable[[AnyRequest, Exception], Response[ErrorResponse]]
# A request under an idempotency key usually ends within a second (its claim lapses after a minute
# at the latest, see domain.idempotency.LEASE): a retry told to wait is told when to come back.
RETRY_WHILE_IN_USE_AFTER = {"Retry-After": "1"}


def error_response(
    request: AnyRequest,
    status: int,
    error: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response[ErrorResponse]:
    # Path parameters are parsed only once a route matched; a 404 or 405 has none.
    series_id = request.scope.get("path_params", {}).get("series_id") or request.query_params.get("series_id")
    return Response(
        ErrorResponse(success=False, error=error, message=message, field=field, series_id=series_id),
        status_code=status,
        media_type=MediaType.JSON,
        headers=headers,
    )


def _invalid_input(request: AnyRequest, exc: Exception) -> Response[ErrorResponse]:
    assert isinstance(exc, InvalidInput)
    return error_response(request, 422, "invalid_input", str(exc), field=exc.field)


def _series_not_found(request: AnyRequest, exc: Exception) -> Response[ErrorResponse]:
    return error_response(request, 404, "series_not_found", str(exc), field="series_id")


def _version_not_found(request: AnyRequest, exc: Exception) -> Response[ErrorResponse]:
    return error_response(request, 404, "version_not_found", str(exc), field="version")


def _invalid_parameter(request: AnyRequest, exc: Exception) -> Response[ErrorResponse]:
    # Litestar's own parsing of path and query parameters: name the parameter, as for body fields.
    assert isinstance(exc, ValidationException)
    problems = exc.extra if isinstance(exc.extra, list) else []
    first = problems[0] if problems and isinstance(problems[0], dict) else {}
    field = first.get("key")
    message = f"{field}: {first.get('message', exc.detail)}" if field else exc.detail
    return error_response(request, 422, "invalid_input", message, field=field)


def _client(status: int, error: str, headers: dict[str, str] | None = None) -> Handler:
    def handle(request: AnyRequest, exc: Exception) -> Response[ErrorResponse]:
        return error_response(request, status, error, str(exc), headers=headers)

    return handle


def _malformed_body(request: AnyRequest, exc: Exception) -> Response[ErrorResponse]:
    return error_response(request, 400, "malformed_json", str(exc), field="body")


def _repeated_header(request: AnyRequest, exc: Exception) -> Response[ErrorResponse]:
    assert isinstance(exc, RepeatedHeader)
    return error_response(request, 400, "bad_request", str(exc), field=exc.field)


def _ours(status: int, error: str) -> Handler:
    def handle(request: AnyRequest, exc: Exception) -> Response[ErrorResponse]:
        # The details (hosts, paths, driver errors) are for the log; the client gets what failed.
        logger.error("%s %s failed: %s", request.method, request.url.path, exc)
        assert isinstance(exc, StorageError)
        return error_response(request, status, error, exc.public_message)

    return handle


def _http(request: AnyRequest, exc: Exception) -> Response[ErrorResponse]:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if status >= 500:
        logger.error("%s %s failed: %s", request.method, request.url.path, exc.detail)
    error = _HTTP_ERROR_NAMES.get(status) or HTTPStatus(status).phrase.lower().replace(" ", "_")
    message = exc.detail
    if status == 413:
        limit = request.route_handler.resolve_request_max_body_size()
        message = f"the request body is larger than the limit of {limit} bytes (MAX_REQUEST_BODY_BYTES)"
    return error_response(request, status, error, message, headers=exc.headers)


def _unexpected(request: AnyRequest, exc: Exception) -> Response[ErrorResponse]:
    logger.exception("%s %s failed unexpectedly", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "internal_error", f"internal error: {type(exc).__name__}")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    InvalidInput: _invalid_input,
    SeriesNotFound: _series_not_found,
    VersionNotFound: _version_not_found,
    ValidationException: _invalid_parameter,
    ModelUnreadable: _ours(500, "model_unreadable"),
    IdempotencyKeyInUse: _client(409, "idempotency_key_in_use", RETRY_WHILE_IN_USE_AFTER),
    VersionConflict: _client(409, "version_conflict"),
    IdempotencyKeyReused: _client(422, "idempotency_key_reused"),
    MalformedBody: _malformed_body,
    RepeatedHeader: _repeated_header,
    DatabaseUnavailable: _ours(503, "database_unavailable"),
    ArtifactStorageFull: _ours(507, "artifact_storage_full"),
    ArtifactStorageUnavailable: _ours(503, "artifact_storage_unavailable"),
    SchemaMissing: _ours(500, "schema_missing"),
    StorageError: _ours(500, "storage_error"),
    HTTPException: _http,
    Exception: _unexpected,
}
