"""OpenAPI documentation for what the handlers do by hand: bodies they decode, errors they answer."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema

from anomaly.adapters.http.schemas import ErrorResponse

# Every error answers in `ErrorResponse`; `errors` documents each status a handler can return, with
# an example.
_ERROR_EXAMPLES: Mapping[int, tuple[str, str, str, str | None]] = {
    400: ("Not JSON", "malformed_json", "the request body is not valid JSON: ...", "body"),
    404: ("Not found", "series_not_found", "series 'cpu' has no model version", "series_id"),
    409: (
        "Retry too early",
        "idempotency_key_in_use",
        "a request with this Idempotency-Key is still running",
        None,
    ),
    413: ("Too large", "payload_too_large", "the request body is larger than the limit of ...", None),
    422: (
        "Invalid input",
        "invalid_input",
        "timestamps[2]: must be greater than timestamps[1] ...",
        "timestamps[2]",
    ),
    500: ("Unusable model", "model_unreadable", "version 7 of series 'cpu' cannot be used: ...", None),
    503: ("Database down", "database_unavailable", "database unavailable while connecting: ...", None),
    507: ("Disk full", "artifact_storage_full", "no space left to write ...", None),
}


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """Response documentation for the given error statuses, all in the one error shape."""
    specs = {}
    for status in statuses:
        summary, error, message, field = _ERROR_EXAMPLES[status]
        example = ErrorResponse(success=False, error=error, message=message, field=field, series_id="cpu")
        specs[status] = ResponseSpec(
            ErrorResponse,
            description=summary,
            generate_examples=False,
            examples=[Example(summary=summary, value=msgspec.to_builtins(example))],
        )
    return specs


def ok(
    payload_type: type[msgspec.Struct], example: msgspec.Struct, description: str = "Success"
) -> ResponseSpec:
    return ResponseSpec(
        payload_type,
        description=description,
        generate_examples=False,
        examples=[Example(summary="Example", value=msgspec.to_builtins(example))],
    )


# Handlers decode their JSON bodies themselves (strictly, see requests/), so Litestar cannot see them;
# `json_body` documents them from the same msgspec Structs.
def json_body(payload_type: type[msgspec.Struct], example: Mapping[str, Any]) -> type[Operation]:
    """An Operation class whose request body is `payload_type` as JSON, with an example."""
    document = msgspec.json.schema(payload_type)
    body = RequestBody(
        required=True,
        content={
            "application/json": OpenAPIMediaType(
                schema=_schema(document, document.get("$defs", {})),
                examples={"example": Example(summary="Example", value=dict(example))},
            )
        },
    )

    @dataclass
    class OperationWithJsonBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = body

    return OperationWithJsonBody


def _schema(node: Mapping[str, Any], definitions: Mapping[str, Any]) -> Schema:
    """Litestar's Schema objects from a msgspec JSON Schema (the subset msgspec emits for our Structs)."""
    if "$ref" in node:
        return _schema(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
    additional = node.get("additionalProperties")
    return Schema(
        type=OpenAPIType(node["type"]) if "type" in node else None,
        title=node.get("title"),
        description=node.get("description"),
        properties={name: _schema(child, definitions) for name, child in node["properties"].items()}
        if "properties" in node
        else None,
        required=node.get("required"),
        items=_schema(node["items"], definitions) if "items" in node else None,
        any_of=[_schema(child, definitions) for child in node["anyOf"]] if "anyOf" in node else None,
        minimum=node.get("minimum"),
        maximum=node.get("maximum"),
        exclusive_minimum=node.get("exclusiveMinimum"),
        exclusive_maximum=node.get("exclusiveMaximum"),
        multiple_of=node.get("multipleOf"),
        pattern=node.get("pattern"),
        min_length=node.get("minLength"),
        max_length=node.get("maxLength"),
        additional_properties=additional if isinstance(additional, bool) else None,
    )
