"""Small pieces shared by the task-style routes (POST .../transition and the like): strict
parsing of small JSON bodies and query values, and list answers with TMF count headers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from fastapi import Request
from starlette.responses import Response

from salesdev.api.toolkit.openapi import json_content
from salesdev.api.toolkit.resource import RenderContext, Resource
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.core import periods
from salesdev.core.errors import ErrorDetail, InvalidInput, SalesdevError

FieldKind = Literal["str", "bool"]


@dataclass(frozen=True)
class Field:
    kind: FieldKind = "str"
    required: bool = False
    choices: tuple[str, ...] | None = None
    description: str = ""

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string" if self.kind == "str" else "boolean"}
        if self.choices:
            schema["enum"] = list(self.choices)
        if self.description:
            schema["description"] = self.description
        return schema


def body_schema(title: str, fields: Mapping[str, Field]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "title": title,
        "properties": {name: f.schema() for name, f in fields.items()},
        "additionalProperties": False,
    }
    required = [name for name, f in fields.items() if f.required]
    if required:
        schema["required"] = required
    return schema


def request_body(schema: dict[str, Any], *media_types: str) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": json_content(schema, *media_types)}}


def parse_fields(body: Any, fields: Mapping[str, Field], *, label: str) -> dict[str, Any]:
    """The body's values by name; every unknown, missing or mistyped field is reported."""
    if not isinstance(body, Mapping):
        raise InvalidInput(f"Invalid {label}", [ErrorDetail("body", "expected a JSON object")])
    known = ", ".join(fields)
    errors = [
        ErrorDetail(str(key), f"unknown attribute; known: {known}")
        for key in body
        if key not in fields
    ]
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        raw = body.get(name)
        if raw is None:
            if spec.required:
                errors.append(ErrorDetail(name, "is required"))
            continue
        if spec.kind == "bool" and not isinstance(raw, bool):
            errors.append(ErrorDetail(name, "expected true or false"))
        elif spec.kind == "str" and not isinstance(raw, str):
            errors.append(ErrorDetail(name, "expected a string"))
        elif spec.choices and raw not in spec.choices:
            errors.append(
                ErrorDetail(name, f"expected one of {', '.join(spec.choices)}; got {raw!r}")
            )
        else:
            values[name] = raw
    if errors:
        raise InvalidInput(f"Invalid {label}", errors)
    return values


def parse_instant(raw: Any, *, location: str) -> datetime:
    """An instant from a request (ISO 8601 with a timezone, or a date: midnight UTC)."""
    try:
        return periods.parse_instant(raw)
    except ValueError as exc:
        raise InvalidInput("Invalid date-time", [ErrorDetail(location, str(exc))]) from None


def parse_count(raw: str | None, *, location: str, default: int, high: int) -> int:
    if raw is None:
        return default
    text = raw.strip()
    if not text.isdigit() or int(text) > high:
        raise InvalidInput(
            "Invalid query",
            [ErrorDetail(location, f"expected a whole number from 0 to {high}")],
        )
    return int(text)


def refuse_unknown_parameters(request: Request, known: Sequence[str]) -> None:
    unknown = sorted({key for key, _ in request.query_params.multi_items()} - set(known))
    if unknown:
        raise InvalidInput(
            "Invalid query",
            [
                ErrorDetail(key, f"unknown query parameter; known: {', '.join(known)}")
                for key in unknown
            ],
        )


def listed(items: list[dict[str, Any]], total: int | None = None) -> Response:
    headers = {
        "X-Total-Count": str(len(items) if total is None else total),
        "X-Result-Count": str(len(items)),
    }
    return TmfJSONResponse(items, headers=headers)


def count_headers() -> dict[str, Any]:
    return {
        "X-Total-Count": {"schema": {"type": "integer"}},
        "X-Result-Count": {"schema": {"type": "integer"}},
    }


def render_context(request: Request, resource: Resource, session: Any) -> RenderContext:
    return RenderContext(api=resource.spec, base_url=str(request.base_url), session=session)


@contextmanager
def renamed(mapping: Mapping[str, str]) -> Iterator[None]:
    """A service error's field names, as the client wrote them in the body."""
    try:
        yield
    except SalesdevError as exc:
        if not exc.details or not any(d.location in mapping for d in exc.details):
            raise
        details = [ErrorDetail(mapping.get(d.location, d.location), d.message) for d in exc.details]
        raise type(exc)(exc.message, details) from None
