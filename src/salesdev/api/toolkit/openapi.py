"""OpenAPI: the declared resources' schemas, shared TMF shapes, and a description that
says what the API really answers (400, not FastAPI's default 422, for invalid input)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from salesdev.api.toolkit.errors import HTTP_STATUS

_STATE_KEY = "tmf_component_schemas"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict[str, Any], *media_types: str) -> dict[str, Any]:
    return {m: {"schema": schema} for m in media_types or ("application/json",)}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    reasons = {status: cls.reason for cls, status in HTTP_STATUS.items()}
    reasons.update({415: "Unsupported media type", 413: "Request entity too large"})
    return {
        status: {"description": reasons.get(status, "Error"), "content": json_content(ref("Error"))}
        for status in statuses
    }


COMMON_SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "description": "TMF630 error; `code` is stable (see the API guide's table of codes)",
        "required": ["code", "reason", "status", "@type"],
        "properties": {
            "code": {"type": "string", "examples": ["SDV-400"]},
            "reason": {"type": "string"},
            "message": {"type": "string"},
            "status": {"type": "string", "examples": ["400"]},
            "referenceError": {"type": "string", "format": "uri"},
            "@type": {"type": "string", "const": "Error"},
            "details": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"location": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    },
    "EntityRef": {
        "type": "object",
        "required": ["id", "href", "@referredType"],
        "properties": {
            "id": {"type": "string"},
            "href": {"type": "string", "format": "uri"},
            "name": {"type": ["string", "null"]},
            "@referredType": {"type": "string"},
        },
    },
    "EntityRef_FVO": {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string", "format": "uuid"}},
    },
    "Money": {
        "type": "object",
        "required": ["unit", "value"],
        "properties": {
            "unit": {"type": "string", "description": "ISO 4217 currency", "examples": ["EUR"]},
            "value": {
                "type": ["number", "string"],
                "description": "exact decimal, up to 4 places; a string is accepted on input",
            },
        },
    },
    "TimePeriod": {
        "type": "object",
        "properties": {
            "startDateTime": {"type": "string", "format": "date-time"},
            "endDateTime": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "JsonPatch": {
        "type": "array",
        "description": "RFC 6902 operations on the resource's representation",
        "items": {
            "type": "object",
            "required": ["op", "path"],
            "properties": {
                "op": {"enum": ["add", "remove", "replace", "move", "copy", "test"]},
                "path": {"type": "string"},
                "from": {"type": "string"},
                "value": {},
            },
        },
    },
}


def register_schemas(app: FastAPI, schemas: dict[str, dict[str, Any]]) -> None:
    """Add component schemas to the app's OpenAPI document (installed once per app)."""
    registered: dict[str, dict[str, Any]] | None = getattr(app.state, _STATE_KEY, None)
    if registered is None:
        registered = dict(COMMON_SCHEMAS)
        setattr(app.state, _STATE_KEY, registered)
        _wrap_openapi(app, registered)
    registered.update(schemas)
    app.openapi_schema = None


def _wrap_openapi(app: FastAPI, registered: dict[str, dict[str, Any]]) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = generate()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        components.update(registered)
        _drop_fastapi_validation_responses(document)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _drop_fastapi_validation_responses(document: dict[str, Any]) -> None:
    # Request validation errors leave as 400 with the Error body (see errors.py).
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            schema = responses.get("422", {}).get("content", {}).get("application/json", {})
            if schema.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
                del responses["422"]
                responses.setdefault("400", error_responses(400)[400])
    schemas = document.get("components", {}).get("schemas", {})
    text = str(document.get("paths", {}))
    for name in ("HTTPValidationError", "ValidationError"):
        if name in schemas and f"/{name}'" not in text:
            del schemas[name]
