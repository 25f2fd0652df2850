"""Stored split credit (family ``compensation``): ``GET /creditSplit`` lists the splits,
``POST /creditSplit`` takes a list of splits and replaces the splits of every order it
names (all or nothing; problems are named ``[N].field``, items numbered from 0)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.responses import Response

from salesdev.api.actions import count_headers, listed, parse_count, refuse_unknown_parameters
from salesdev.api.actions import request_body as body_spec
from salesdev.api.toolkit.http import JsonBody, json_body_reader
from salesdev.api.toolkit.openapi import error_responses, json_content
from salesdev.api.toolkit.patching import JSON
from salesdev.api.toolkit.resource import ApiSpec
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.security import ApiCall, Guard
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.ids import parse_id
from salesdev.db.models.compensation import CreditSplit
from salesdev.db.query import Filter, ListQuery
from salesdev.domains.access import Family
from salesdev.domains.compensation.splits import (
    MAX_ROWS,
    POLICIES,
    import_credit_splits,
    list_credit_splits,
)
from salesdev.domains.notifications import format_datetime

PATH = "/creditSplit"
FIELDS = {"orderId": "order_id", "payee": "payee", "share": "share", "policy": "policy"}
MAX_LIMIT = 1000

CREDIT_SPLIT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "CreditSplit",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "@type": {"type": "string"},
        "orderId": {"type": "string"},
        "payeeKind": {"type": "string"},
        "payeeId": {"type": "string", "format": "uuid"},
        "share": {"type": "string"},
        "policy": {"type": "string", "enum": list(POLICIES)},
        "createdBy": {"type": "string"},
        "createdAt": {"type": "string", "format": "date-time"},
    },
}
IMPORT_RESULT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "CreditSplit_ImportResult",
    "properties": {
        "orders": {"type": "integer"},
        "rows": {"type": "integer"},
        "replaced": {"type": "integer"},
    },
}
SPLIT_INPUT_SCHEMA: dict[str, Any] = {
    "type": "array",
    "title": "CreditSplit_Import",
    "minItems": 1,
    "items": {
        "type": "object",
        "properties": {
            "orderId": {"type": "string", "maxLength": 128},
            "payee": {"type": "string", "description": "A sales person's code or id"},
            "share": {"type": "string", "description": "In (0, 1], at most 4 places"},
            "policy": {"type": "string", "enum": list(POLICIES)},
        },
        "required": ["orderId", "payee", "share"],
        "additionalProperties": False,
    },
}


def render_split(split: CreditSplit) -> dict[str, Any]:
    return {
        "id": str(split.id),
        "@type": "CreditSplit",
        "orderId": split.order_id,
        "payeeKind": split.payee_kind,
        "payeeId": str(split.payee_id),
        "share": format(split.share, "f"),
        "policy": split.policy,
        "createdBy": split.created_by,
        "createdAt": format_datetime(split.created_at),
    }


def _rows(body: Any) -> list[dict[str, object]]:
    if not isinstance(body, list):
        raise InvalidInput("Invalid credit splits", [ErrorDetail("body", "expected a JSON array")])
    if len(body) > MAX_ROWS:
        raise InvalidInput("Invalid credit splits", [ErrorDetail("body", f"at most {MAX_ROWS}")])
    problems: list[ErrorDetail] = []
    rows: list[dict[str, object]] = []
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            problems.append(ErrorDetail(f"[{index}]", "expected a JSON object"))
            continue
        row: dict[str, object] = {}
        for key, value in item.items():
            if key not in FIELDS:
                problems.append(
                    ErrorDetail(
                        f"[{index}].{key}", f"unknown attribute; known: {', '.join(FIELDS)}"
                    )
                )
            elif value is None:
                continue
            elif isinstance(value, str) or (
                key == "share" and isinstance(value, int | Decimal) and not isinstance(value, bool)
            ):
                row[FIELDS[key]] = value
            else:
                problems.append(ErrorDetail(f"[{index}].{key}", "expected a string"))
        rows.append(row)
    if problems:
        raise InvalidInput("Invalid credit splits", problems)
    return rows


def _renamed(detail: ErrorDetail) -> ErrorDetail:
    """The service's ``row N.field`` as the body's ``[N-1].field`` (items numbered from 0)."""
    location = detail.location
    if location.startswith("row "):
        number, dot, field = location[4:].partition(".")
        if number.isdigit():
            name = {"order_id": "orderId"}.get(field, field)
            return ErrorDetail(f"[{int(number) - 1}]{dot}{name}", detail.message)
    return detail


def install_credit_splits(app: FastAPI, guard: Guard, api: ApiSpec) -> None:
    router = APIRouter(tags=["Compensation"])
    reading = Depends(guard.requires(Family.COMPENSATION, "read"))
    writing = Depends(guard.requires(Family.COMPENSATION, "write"))
    read_body = json_body_reader(guard.runtime.settings.max_request_bytes)
    path = f"{api.base_path}{PATH}"

    @router.get(
        path,
        summary="The stored split credit (filter by orderId, payeeId)",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "Splits, by order",
                "content": json_content({"type": "array", "items": CREDIT_SPLIT_SCHEMA}),
                "headers": count_headers(),
            },
            **error_responses(400),
        },
    )
    def list_splits(request: Request, call: ApiCall = reading) -> Response:
        params = request.query_params
        refuse_unknown_parameters(request, ("orderId", "payeeId", "offset", "limit"))
        filters: list[Filter] = []
        order_id = params.get("orderId")
        if order_id is not None:
            if "\x00" in order_id or len(order_id) > 128:
                raise InvalidInput("Invalid query", [ErrorDetail("orderId", "not an order id")])
            filters.append(Filter("orderId", "eq", (order_id,)))
        payee_id = params.get("payeeId")
        if payee_id is not None:
            filters.append(Filter("payeeId", "eq", (str(parse_id(payee_id, location="payeeId")),)))
        page = list_credit_splits(
            call.session,
            principal=call.principal,
            query=ListQuery(
                filters=tuple(filters),
                offset=parse_count(params.get("offset"), location="offset", default=0, high=10**9),
                limit=parse_count(
                    params.get("limit"), location="limit", default=MAX_LIMIT, high=MAX_LIMIT
                ),
            ),
        )
        return listed([render_split(s) for s in page.items], page.total)

    @router.post(
        path,
        summary="Replace the splits of the orders named (all or nothing)",
        status_code=201,
        response_class=TmfJSONResponse,
        responses={
            201: {
                "description": "How many orders and splits were stored, and replaced",
                "content": json_content(IMPORT_RESULT_SCHEMA),
            },
            **error_responses(400, 413, 415),
        },
        openapi_extra=body_spec(SPLIT_INPUT_SCHEMA),
    )
    def import_splits(
        request: Request, call: ApiCall = writing, body: JsonBody = Depends(read_body)
    ) -> Response:
        rows = _rows(body.require(JSON))
        try:
            result = import_credit_splits(
                call.session, principal=call.principal, rows=rows, now=call.now
            )
        except InvalidInput as error:
            raise InvalidInput(error.message, [_renamed(d) for d in error.details]) from None
        return TmfJSONResponse(
            {"orders": result.orders, "rows": result.rows, "replaced": result.replaced},
            status_code=201,
        )

    app.include_router(router)
