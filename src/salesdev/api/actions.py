"""Small pieces shared by the task-style routes (POST .../transition and the like): strict
parsing of small JSON bodies and query values, list answers with TMF count headers, and
:func:`action_route` for a task on one row that answers with the row."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Request
from starlette.responses import Response

from salesdev.api.toolkit.http import (
    JsonBody,
    etag_headers,
    expected_version,
    json_body_reader,
    path_id,
)
from salesdev.api.toolkit.openapi import error_responses, json_content, ref
from salesdev.api.toolkit.patching import JSON
from salesdev.api.toolkit.resource import RenderContext, Resource
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.routes import IF_MATCH_HELP, change_events, publish
from salesdev.api.toolkit.security import ApiCall, Guard, permit_write
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


# What an action does once the route has read the row, checked the right to write it,
# parsed the body and the If-Match: (call, row, body values, expected version) -> the row.
Perform = Callable[[ApiCall, Any, dict[str, Any], int | None], Any]


def action_route(
    router: APIRouter,
    guard: Guard,
    resource: Resource,
    *,
    action: str,
    name: str,
    summary: str,
    answer: str,
    request_schema: str,
    fields: Mapping[str, Field],
    label: str,
    perform: Perform,
) -> None:
    """``POST {resource}/{id}/{action}``: a task on one row that answers with the row.

    In order: the row as the caller may see it (404 outside its scope), the right to write
    it (403), the body's ``fields`` (400, as ``label``), the ``If-Match`` (412); then
    ``perform``, the row's change events, and 200 with the row and its ETag. ``name`` is
    the operation's name (its OpenAPI operationId); ``request_schema`` the body's schema.
    """
    family = resource.family
    writing_row = Depends(guard.requires_row_write(family))
    read_body = json_body_reader(guard.runtime.settings.max_request_bytes)
    ops = resource.operations

    def act(
        request: Request,
        id: str,
        call: ApiCall = writing_row,
        body: JsonBody = Depends(read_body),
        if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
    ) -> Response:
        entity = ops.get(
            call.session, principal=call.principal, entity_id=path_id(id, label=ops.label)
        )
        permit_write(call, family)
        given = parse_fields(body.require(JSON), fields, label=label)
        version = expected_version(if_match, entity, label=ops.label)
        ctx = render_context(request, resource, call.session)
        before = resource.render(entity, ctx)
        entity = perform(call, entity, given, version)
        after = resource.render(entity, ctx)
        for event in change_events(before, after):
            publish(call.session, resource, event, after, call.now)
        return TmfJSONResponse(after, headers=etag_headers(entity))

    router.add_api_route(
        f"{resource.path}/{{id}}/{action}",
        act,
        methods=["POST"],
        name=name,
        summary=summary,
        response_class=TmfJSONResponse,
        responses={
            200: {"description": answer, "content": json_content(ref(resource.type))},
            **error_responses(400, 404, 412, 415, 422),
        },
        openapi_extra=request_body(ref(request_schema)),
    )
