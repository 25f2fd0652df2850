"""Compensation settlement over the API: statements, disputes, adjustments, draws, holds,
period approval and payout batches (task-style routes under ``/salesDevelopment/v1``).

- ``compensationStatement`` (family ``statements``): list and read; a payee sees only
  their own (others are 404). ``GET .../compensationStatement/{id}`` answers JSON by
  default, the PDF with ``Accept: application/pdf`` and the CSV with ``Accept: text/csv``.
- ``compensationDispute``: raise and comment (``statements`` write), read its history;
  ``.../transition`` (investigating, resolved with an amount, rejected) needs
  ``compensation`` write. The hub announces ``CompensationDisputeCreateEvent`` when one
  is raised and ``CompensationDisputeStateChangeEvent`` on each transition.
- ``compensationAdjustment``, ``compensationDraw``, ``compensationHold``,
  ``compensationPeriod`` and ``payoutBatch`` (family ``compensation``); the accounts
  payable file of a batch carries bank details and needs ``payouts`` read.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from starlette.responses import Response

from salesdev.analytics.compensation_runs import run_lineage
from salesdev.api.actions import (
    Field,
    body_schema,
    count_headers,
    listed,
    parse_count,
    parse_fields,
    refuse_unknown_parameters,
    renamed,
    request_body,
)
from salesdev.api.toolkit.http import JsonBody, etag_headers, expected_version, json_body_reader
from salesdev.api.toolkit.http import path_id as parse_path_id
from salesdev.api.toolkit.openapi import error_responses, json_content
from salesdev.api.toolkit.patching import JSON
from salesdev.api.toolkit.resource import ApiSpec
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.routes import IF_MATCH_HELP
from salesdev.api.toolkit.security import ApiCall, Guard
from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.core.periods import Period
from salesdev.core.settings import Settings
from salesdev.db.models.settlement import (
    CompensationAdjustment,
    CompensationDispute,
    CompensationDisputeEntry,
    CompensationDraw,
    CompensationHold,
    PayoutBatch,
    SettlementPeriod,
)
from salesdev.domains.access import Family
from salesdev.domains.notifications import format_datetime, publish_event
from salesdev.domains.settlement import (
    DisputeStatus,
    Statement,
    StatementSummary,
    comment_dispute,
    compute_due,
    create_adjustment,
    create_draw,
    decide_adjustment,
    dispute_history,
    export_payout,
    get_adjustment,
    get_batch,
    get_dispute,
    get_draw,
    get_hold,
    get_period,
    get_statement,
    list_adjustments,
    list_batches,
    list_disputes,
    list_draws,
    list_holds,
    list_periods,
    list_statements,
    move_period,
    payables_csv,
    payroll_csv,
    place_hold,
    raise_dispute,
    reconcile,
    release_hold,
    statement_csv,
    statement_pdf,
    transition_dispute,
)
from salesdev.domains.settlement.ledger import LedgerLine
from salesdev.domains.settlement.periods import ACTIONS

PDF, CSV = "application/pdf", "text/csv"
OBJECT: dict[str, Any] = {"type": "object"}
LIST: dict[str, Any] = {"type": "array", "items": OBJECT}


def _money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"unit": currency, "value": amount}


def _dt(value: Any) -> str | None:
    return None if value is None else format_datetime(value)


def _parse_uuid(raw: str | None, *, location: str) -> uuid.UUID | None:
    if raw is None:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise InvalidInput("Invalid query", [ErrorDetail(location, "expected a UUID")]) from None


def _parse_period(raw: str | None, *, location: str = "period") -> str | None:
    return None if raw is None else str(Period.parse(raw, location=location))


def _period_path(raw: str) -> str:
    try:
        return str(Period.parse(raw))
    except InvalidInput:
        raise NotFound(f"Compensation period {raw} does not exist") from None


# --- renderings ------------------------------------------------------------------------


def render_summary(base: str, summary: StatementSummary) -> dict[str, Any]:
    return {
        "id": summary.id,
        "href": f"{base}/compensationStatement/{summary.id}",
        "@type": "CompensationStatement",
        "period": summary.period,
        "payee": {
            "id": str(summary.payee.id),
            "code": summary.payee.code,
            "name": summary.payee.name,
            "@referredType": "SalesPerson" if summary.payee.kind == "sales_person" else "Partner",
        },
        "earnings": _money(summary.earnings, summary.currency),
        "lineCount": summary.line_count,
    }


def render_line(base: str, s: Statement, line: LedgerLine) -> dict[str, Any]:
    """A statement line with its rule trace; ``href`` is its drill-down (with the events)."""
    return {
        "key": line.key,
        "href": f"{base}/compensationStatement/{s.id}/line/{line.key}",
        "componentId": line.component_id,
        "componentKind": line.component_kind,
        "productFamily": line.product_family,
        "basis": line.basis,
        "measure": line.measure,
        "eventCount": line.event_count,
        "quota": line.quota,
        "attainment": None
        if line.attainment is None
        else line.attainment.quantize(Decimal("0.000001")),
        "tier": line.tier,
        "rate": line.rate,
        "unitAmount": line.unit_amount,
        "gated": line.gated,
        "capped": line.capped,
        "floored": line.floored,
        "amount": _money(line.amount, line.currency),
        "planCode": line.plan_code,
        "planVersion": line.plan_version,
        "runId": str(line.run_id),
    }


# Lineage columns that repeat what the line already says (the basis is filtered on).
_LINEAGE_HIDDEN = frozenset(
    {"payee_kind", "payee_id", "component_key", "component_id", "plan_code", "basis",
     "product_family_code"}
)  # fmt: skip


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def line_events(
    settings: Settings, s: Statement, line: LedgerLine, *, offset: int, limit: int
) -> list[dict[str, Any]] | None:
    """A page of the sales events behind ``line`` (by event id) from its run's lineage;
    None when that run kept no lineage."""
    try:
        table = run_lineage(
            settings,
            run_id=line.run_id,
            payee_id=s.payee.id,
            component_id=line.component_id,
            product_family=line.product_family,
            limit=limit,
            offset=offset,
        )
    except NotFound:
        return None
    return [
        {_camel(key): value for key, value in row.items() if key not in _LINEAGE_HIDDEN}
        for row in table.to_pylist()
        if row.get("basis", line.basis) == line.basis
    ]


def render_statement(base: str, s: Statement) -> dict[str, Any]:
    c = s.currency
    return {
        "id": s.id,
        "href": f"{base}/compensationStatement/{s.id}",
        "@type": "CompensationStatement",
        "period": s.period,
        "periodStatus": s.period_status.value,
        "ledgerVersion": s.ledger_version,
        "payee": {
            "id": str(s.payee.id),
            "code": s.payee.code,
            "name": s.payee.name,
            "@referredType": "SalesPerson" if s.payee.kind == "sales_person" else "Partner",
        },
        "line": [render_line(base, s, line) for line in s.lines],
        "adjustment": [render_adjustment(base, a) for a in s.adjustments],
        "draw": [
            {
                "drawId": str(d.draw_id),
                "kind": d.kind,
                "amount": _money(d.amount, c),
                "posted": d.recorded,
            }
            for d in s.draws
        ],
        "hold": [render_hold(base, h) for h in s.holds],
        "priorPeriodDifference": [
            {
                "earningPeriod": p.earning_period,
                "kind": p.kind,
                "componentId": p.component_id,
                "amount": _money(p.amount, c),
                "paid": p.paid,
            }
            for p in s.prior_differences
        ],
        "dispute": [render_dispute(base, d) for d in s.disputes],
        "openingDrawBalance": _money(s.opening_draw_balance, c),
        "closingDrawBalance": _money(s.closing_draw_balance, c),
        "totalEarnings": _money(s.earnings_total, c),
        "totalAdjustments": _money(s.adjustments_total, c),
        "totalDraws": _money(s.draws_total, c),
        "totalPriorPeriods": _money(s.prior_total, c),
        "totalPayable": _money(s.total_payable, c),
        "paid": _money(s.paid, c),
        "held": _money(s.held, c),
        "outstanding": _money(s.outstanding, c),
    }


def render_dispute(base: str, d: CompensationDispute) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "href": f"{base}/compensationDispute/{d.id}",
        "@type": "CompensationDispute",
        "statementId": f"{d.period}_{d.payee_id}",
        "period": d.period,
        "payeeId": str(d.payee_id),
        "line": f"{d.component_id}/{d.product_family or '-'}/{d.basis}",
        "lineAmount": _money(d.line_amount, d.currency),
        "subject": d.subject,
        "status": d.status,
        "raisedBy": d.raised_by,
        "adjustmentId": None if d.adjustment_id is None else str(d.adjustment_id),
        "resolution": d.resolution,
        "creationDate": _dt(d.created_at),
        "lastUpdate": _dt(d.updated_at),
    }


def render_entry(e: CompensationDisputeEntry) -> dict[str, Any]:
    return {
        "sequence": e.sequence,
        "kind": e.kind,
        "fromStatus": e.from_status,
        "toStatus": e.to_status,
        "actor": e.actor,
        "date": _dt(e.occurred_at),
        "text": e.text,
    }


def render_adjustment(base: str, a: CompensationAdjustment) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "href": f"{base}/compensationAdjustment/{a.id}",
        "@type": "CompensationAdjustment",
        "period": a.period,
        "payeeKind": a.payee_kind,
        "payeeId": str(a.payee_id),
        "componentId": a.component_id,
        "amount": _money(a.amount, a.currency),
        "reason": a.reason,
        "status": a.status,
        "author": a.author,
        "decidedBy": a.decided_by,
        "decisionDate": _dt(a.decided_at),
        "decisionComment": a.decision_comment,
        "creationDate": _dt(a.created_at),
    }


def render_draw(base: str, d: CompensationDraw) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "href": f"{base}/compensationDraw/{d.id}",
        "@type": "CompensationDraw",
        "payeeKind": d.payee_kind,
        "payeeId": str(d.payee_id),
        "kind": d.kind,
        "amount": _money(d.amount, d.currency),
        "periodFrom": d.period_from,
        "periodTo": d.period_to,
        "reason": d.reason,
        "author": d.author,
        "status": d.status,
        "creationDate": _dt(d.created_at),
    }


def render_hold(base: str, h: CompensationHold) -> dict[str, Any]:
    return {
        "id": str(h.id),
        "href": f"{base}/compensationHold/{h.id}",
        "@type": "CompensationHold",
        "payeeKind": h.payee_kind,
        "payeeId": str(h.payee_id),
        "componentId": h.component_id,
        "status": h.status,
        "reason": h.reason,
        "heldBy": h.held_by,
        "heldDate": _dt(h.held_at),
        "releasedBy": h.released_by,
        "releaseDate": _dt(h.released_at),
        "releaseReason": h.release_reason,
    }


def render_period(base: str, period: str, row: SettlementPeriod | None) -> dict[str, Any]:
    return {
        "id": period,
        "href": f"{base}/compensationPeriod/{period}",
        "@type": "CompensationPeriod",
        "status": row.status if row else "open",
        "closedBy": row.closed_by if row else None,
        "closedDate": _dt(row.closed_at) if row else None,
        "approvedBy": row.approved_by if row else None,
        "approvedDate": _dt(row.approved_at) if row else None,
        "lockedBy": row.locked_by if row else None,
        "lockedDate": _dt(row.locked_at) if row else None,
    }


def render_batch(base: str, b: PayoutBatch) -> dict[str, Any]:
    return {
        "id": str(b.id),
        "href": f"{base}/payoutBatch/{b.id}",
        "@type": "PayoutBatch",
        "period": b.period,
        "sequence": b.sequence,
        "lineCount": b.line_count,
        "total": [_money(Decimal(v), k) for k, v in sorted(b.totals.items())],
        "createdBy": b.created_by,
        "creationDate": _dt(b.created_at),
    }


# --- request bodies ----------------------------------------------------------------------

DISPUTE = {
    "statementId": Field(required=True, description="The statement: <period>_<payee id>"),
    "line": Field(required=True, description="The line's key: component/family/basis"),
    "subject": Field(required=True, description="What is wrong"),
}
COMMENT = {"text": Field(required=True)}
DISPUTE_TRANSITION = {
    "toStatus": Field(required=True, choices=tuple(DisputeStatus)),
    "comment": Field(description="Required to resolve or reject"),
    "amount": Field(description="Resolving: the adjustment to create (a decimal string)"),
}
ADJUSTMENT = {
    "period": Field(required=True, description="YYYY-MM"),
    "payeeKind": Field(required=True, choices=("sales_person", "partner")),
    "payeeId": Field(required=True),
    "componentId": Field(),
    "amount": Field(required=True, description="A decimal string; negative recovers"),
    "currency": Field(required=True),
    "reason": Field(required=True),
}
DECISION = {"approve": Field(kind="bool", required=True), "comment": Field()}
DRAW = {
    "payeeKind": Field(required=True, choices=("sales_person", "partner")),
    "payeeId": Field(required=True),
    "kind": Field(required=True, choices=("recoverable", "guaranteed")),
    "amount": Field(required=True),
    "currency": Field(required=True),
    "periodFrom": Field(required=True),
    "periodTo": Field(required=True),
    "reason": Field(required=True),
}
HOLD = {
    "payeeKind": Field(required=True, choices=("sales_person", "partner")),
    "payeeId": Field(required=True),
    "componentId": Field(description="Hold only this component's line"),
    "reason": Field(required=True),
}
RELEASE = {"reason": Field(required=True)}
PERIOD_TRANSITION = {
    "action": Field(required=True, choices=tuple(ACTIONS)),
    "comment": Field(description="Required to reopen"),
}
EXPORT = {"period": Field(required=True, description="YYYY-MM, a locked period")}

_RENAMES = {
    "payee_kind": "payeeKind",
    "component_id": "componentId",
    "period_from": "periodFrom",
    "period_to": "periodTo",
    "to_status": "toStatus",
}


def _id(raw: str, *, location: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise InvalidInput("Invalid body", [ErrorDetail(location, "expected a UUID")]) from None


def _publish_dispute(call: ApiCall, api: ApiSpec, event: str, body: dict[str, Any]) -> None:
    """A dispute event for the hub's listeners, in the transaction of the change (outbox)."""
    if api.events:
        publish_event(
            call.session,
            api=api.name,
            resource_type="compensationDispute",
            event_type=f"CompensationDispute{event}",
            resource=body,
            now=call.now,
        )


def install_settlement(app: FastAPI, guard: Guard, api: ApiSpec) -> None:
    base_path = api.base_path
    router = APIRouter(tags=["CompensationSettlement"])
    read_body = json_body_reader(guard.runtime.settings.max_request_bytes)
    statements_read = Depends(guard.requires(Family.STATEMENTS, "read"))
    statements_write = Depends(guard.requires(Family.STATEMENTS, "write"))
    comp_read = Depends(guard.requires(Family.COMPENSATION, "read"))
    comp_write = Depends(guard.requires(Family.COMPENSATION, "write"))
    payouts_read = Depends(guard.requires(Family.PAYOUTS, "read"))

    def base(request: Request) -> str:
        return f"{str(request.base_url).rstrip('/')}{base_path}"

    def answer(description: str, schema: dict[str, Any] = OBJECT, *errors: int) -> Any:
        return {
            200: {"description": description, "content": json_content(schema)},
            **error_responses(*errors),
        }

    def listing(description: str, *errors: int) -> Any:
        return {
            200: {
                "description": description,
                "content": json_content(LIST),
                "headers": count_headers(),
            },
            **error_responses(400, *errors),
        }

    # --- statements ----------------------------------------------------------------------

    @router.get(
        f"{base_path}/compensationStatement",
        summary="Compensation statements the caller may see (a payee: their own)",
        response_class=TmfJSONResponse,
        responses=listing("Statements"),
    )
    def list_compensation_statements(
        request: Request,
        call: ApiCall = statements_read,
        period: str | None = Query(None, description="YYYY-MM"),
        payeeId: str | None = Query(None),  # noqa: N803
        offset: str | None = Query(None),
        limit: str | None = Query(None),
    ) -> Response:
        refuse_unknown_parameters(request, ("period", "payeeId", "offset", "limit"))
        items, total = list_statements(
            call.session,
            principal=call.principal,
            period=_parse_period(period),
            payee_id=_parse_uuid(payeeId, location="payeeId"),
            offset=parse_count(offset, location="offset", default=0, high=10**9),
            limit=parse_count(limit, location="limit", default=100, high=1000),
        )
        return listed([render_summary(base(request), s) for s in items], total)

    @router.get(
        f"{base_path}/compensationStatement/{{id}}",
        summary="A statement: JSON, or the PDF (Accept: application/pdf) or CSV (Accept: text/csv)",
        responses={
            200: {
                "description": "The statement",
                "content": {
                    "application/json": {"schema": OBJECT},
                    PDF: {"schema": {"type": "string", "format": "binary"}},
                    CSV: {"schema": {"type": "string"}},
                },
            },
            **error_responses(404),
        },
    )
    def read_compensation_statement(
        request: Request, id: str, call: ApiCall = statements_read
    ) -> Response:
        statement = get_statement(call.session, principal=call.principal, statement=id)
        accept = request.headers.get("accept", "")
        name = f"statement-{statement.period}-{statement.payee.code}"
        if PDF in accept:
            return Response(
                statement_pdf(statement, now=call.now),
                media_type=PDF,
                headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
            )
        if CSV in accept:
            return Response(
                statement_csv(statement),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
            )
        return TmfJSONResponse(render_statement(base(request), statement))

    @router.get(
        f"{base_path}/compensationStatement/{{id}}/line/{{key:path}}",
        summary="Drill-down of a statement line: its rule trace, disputes and the events behind it",
        response_class=TmfJSONResponse,
        responses=answer("The line", OBJECT, 400, 404),
    )
    def read_compensation_statement_line(
        request: Request,
        id: str,
        key: str,
        call: ApiCall = statements_read,
        offset: str | None = Query(None, description="First event of the page (0)"),
        limit: str | None = Query(None, description="Events per page (100, at most 1000)"),
    ) -> Response:
        refuse_unknown_parameters(request, ("offset", "limit"))
        start = parse_count(offset, location="offset", default=0, high=10**9)
        size = parse_count(limit, location="limit", default=100, high=1000)
        # The same scope as the statement: someone else's statement (and line) is a 404.
        statement = get_statement(call.session, principal=call.principal, statement=id)
        line = statement.line(key)
        events = line_events(guard.runtime.settings, statement, line, offset=start, limit=size)
        here = base(request)
        return TmfJSONResponse(
            {
                **render_line(here, statement, line),
                "@type": "CompensationStatementLine",
                "statement": {
                    "id": statement.id,
                    "href": f"{here}/compensationStatement/{statement.id}",
                },
                "dispute": [
                    render_dispute(here, d)
                    for d in statement.disputes
                    if f"{d.component_id}/{d.product_family or '-'}/{d.basis}" == key
                ],
                "lineageKept": events is not None,
                "event": events or [],
            }
        )

    # --- disputes ------------------------------------------------------------------------

    @router.get(
        f"{base_path}/compensationDispute",
        summary="Disputes the caller may see",
        response_class=TmfJSONResponse,
        responses=listing("Disputes"),
    )
    def list_compensation_disputes(
        request: Request,
        call: ApiCall = statements_read,
        status: str | None = Query(None),
        period: str | None = Query(None),
    ) -> Response:
        refuse_unknown_parameters(request, ("status", "period"))
        disputes = list_disputes(
            call.session, principal=call.principal, status=status, period=_parse_period(period)
        )
        return listed([render_dispute(base(request), d) for d in disputes])

    @router.post(
        f"{base_path}/compensationDispute",
        summary="Raise a dispute on a line of a statement",
        status_code=201,
        response_class=TmfJSONResponse,
        responses={
            201: {"description": "The dispute", "content": json_content(OBJECT)},
            **error_responses(400, 404, 415),
        },
        openapi_extra=request_body(body_schema("CompensationDispute_Create", DISPUTE)),
    )
    def raise_compensation_dispute(
        request: Request, call: ApiCall = statements_write, body: JsonBody = Depends(read_body)
    ) -> Response:
        given = parse_fields(body.require(JSON), DISPUTE, label="dispute")
        with renamed({"statement": "statementId"}):
            dispute = raise_dispute(
                call.session,
                principal=call.principal,
                statement=given["statementId"],
                line=given["line"],
                subject=given["subject"],
                now=call.now,
            )
        rendered = render_dispute(base(request), dispute)
        _publish_dispute(call, api, "CreateEvent", rendered)
        return TmfJSONResponse(rendered, status_code=201, headers=etag_headers(dispute))

    @router.get(
        f"{base_path}/compensationDispute/{{id}}",
        summary="A dispute",
        response_class=TmfJSONResponse,
        responses=answer("The dispute", OBJECT, 404),
    )
    def read_compensation_dispute(
        request: Request, id: str, call: ApiCall = statements_read
    ) -> Response:
        dispute = get_dispute(
            call.session, principal=call.principal, dispute_id=parse_path_id(id, label="Dispute")
        )
        return TmfJSONResponse(
            render_dispute(base(request), dispute), headers=etag_headers(dispute)
        )

    @router.get(
        f"{base_path}/compensationDispute/{{id}}/history",
        summary="A dispute's history: raised, comments, transitions (oldest first)",
        response_class=TmfJSONResponse,
        responses=listing("History", 404),
    )
    def read_compensation_dispute_history(id: str, call: ApiCall = statements_read) -> Response:
        entries = dispute_history(
            call.session, principal=call.principal, dispute_id=parse_path_id(id, label="Dispute")
        )
        return listed([render_entry(e) for e in entries])

    @router.post(
        f"{base_path}/compensationDispute/{{id}}/comment",
        summary="Comment on a dispute",
        status_code=201,
        response_class=TmfJSONResponse,
        responses={
            201: {"description": "The comment", "content": json_content(OBJECT)},
            **error_responses(400, 404, 415),
        },
        openapi_extra=request_body(body_schema("CompensationDisputeComment", COMMENT)),
    )
    def comment_compensation_dispute(
        id: str, call: ApiCall = statements_write, body: JsonBody = Depends(read_body)
    ) -> Response:
        dispute_id = parse_path_id(id, label="Dispute")
        given = parse_fields(body.require(JSON), COMMENT, label="comment")
        entry = comment_dispute(
            call.session,
            principal=call.principal,
            dispute_id=dispute_id,
            text=given["text"],
            now=call.now,
        )
        return TmfJSONResponse(render_entry(entry), status_code=201)

    @router.post(
        f"{base_path}/compensationDispute/{{id}}/transition",
        summary="Investigate, resolve (creates an adjustment) or reject a dispute",
        response_class=TmfJSONResponse,
        responses=answer("The dispute", OBJECT, 400, 404, 412, 415, 422),
        openapi_extra=request_body(
            body_schema("CompensationDisputeTransition", DISPUTE_TRANSITION)
        ),
    )
    def transition_compensation_dispute(
        request: Request,
        id: str,
        call: ApiCall = comp_write,
        body: JsonBody = Depends(read_body),
        if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
    ) -> Response:
        dispute = get_dispute(
            call.session, principal=call.principal, dispute_id=parse_path_id(id, label="Dispute")
        )
        given = parse_fields(body.require(JSON), DISPUTE_TRANSITION, label="transition")
        with renamed(_RENAMES):
            dispute = transition_dispute(
                call.session,
                principal=call.principal,
                dispute_id=dispute.id,
                to_status=given["toStatus"],
                comment=given.get("comment", ""),
                amount=given.get("amount"),
                now=call.now,
                expected_version=expected_version(if_match, dispute, label="Dispute"),
            )
        rendered = render_dispute(base(request), dispute)
        _publish_dispute(call, api, "StateChangeEvent", rendered)
        return TmfJSONResponse(rendered, headers=etag_headers(dispute))

    # --- adjustments, draws, holds -------------------------------------------------------

    def simple_collection(
        name: str,
        label: str,
        fields: dict[str, Field],
        lister: Callable[[ApiCall], list[Any]],
        creator: Callable[[ApiCall, dict[str, Any]], Any],
        getter: Callable[[ApiCall, uuid.UUID], Any],
        render: Callable[[str, Any], dict[str, Any]],
    ) -> None:
        path = f"{base_path}/{name}"

        def list_items(request: Request, call: ApiCall = comp_read) -> Response:
            refuse_unknown_parameters(request, ())
            return listed([render(base(request), item) for item in lister(call)])

        def create_item(
            request: Request, call: ApiCall = comp_write, body: JsonBody = Depends(read_body)
        ) -> Response:
            given = parse_fields(body.require(JSON), fields, label=label)
            with renamed(_RENAMES):
                item = creator(call, given)
            return TmfJSONResponse(
                render(base(request), item), status_code=201, headers=etag_headers(item)
            )

        def read_item(request: Request, id: str, call: ApiCall = comp_read) -> Response:
            item = getter(call, parse_path_id(id, label=label))
            return TmfJSONResponse(render(base(request), item), headers=etag_headers(item))

        router.add_api_route(
            path,
            list_items,
            methods=["GET"],
            summary=f"List {label}s",
            response_class=TmfJSONResponse,
            responses=listing(f"{label}s"),
            name=f"list_{name}",
        )
        router.add_api_route(
            path,
            create_item,
            methods=["POST"],
            summary=f"Create a {label}",
            status_code=201,
            response_class=TmfJSONResponse,
            responses={
                201: {"description": label, "content": json_content(OBJECT)},
                **error_responses(400, 404, 415),
            },
            openapi_extra=request_body(body_schema(f"{name}_Create", fields)),
            name=f"create_{name}",
        )
        router.add_api_route(
            f"{path}/{{id}}",
            read_item,
            methods=["GET"],
            summary=f"A {label}",
            response_class=TmfJSONResponse,
            responses=answer(label, OBJECT, 404),
            name=f"read_{name}",
        )

    simple_collection(
        "compensationAdjustment",
        "adjustment",
        ADJUSTMENT,
        lambda call: list_adjustments(call.session, principal=call.principal),
        lambda call, given: create_adjustment(
            call.session,
            principal=call.principal,
            period=given["period"],
            payee_kind=given["payeeKind"],
            payee_id=_id(given["payeeId"], location="payeeId"),
            component_id=given.get("componentId"),
            amount=given["amount"],
            currency=given["currency"],
            reason=given["reason"],
            now=call.now,
        ),
        lambda call, item_id: get_adjustment(
            call.session, principal=call.principal, adjustment_id=item_id
        ),
        render_adjustment,
    )
    simple_collection(
        "compensationDraw",
        "draw",
        DRAW,
        lambda call: list_draws(call.session, principal=call.principal),
        lambda call, given: create_draw(
            call.session,
            principal=call.principal,
            payee_kind=given["payeeKind"],
            payee_id=_id(given["payeeId"], location="payeeId"),
            kind=given["kind"],
            amount=given["amount"],
            currency=given["currency"],
            period_from=given["periodFrom"],
            period_to=given["periodTo"],
            reason=given["reason"],
            now=call.now,
        ),
        lambda call, item_id: get_draw(call.session, principal=call.principal, draw_id=item_id),
        render_draw,
    )
    simple_collection(
        "compensationHold",
        "hold",
        HOLD,
        lambda call: list_holds(call.session, principal=call.principal),
        lambda call, given: place_hold(
            call.session,
            principal=call.principal,
            payee_kind=given["payeeKind"],
            payee_id=_id(given["payeeId"], location="payeeId"),
            component_id=given.get("componentId"),
            reason=given["reason"],
            now=call.now,
        ),
        lambda call, item_id: get_hold(call.session, principal=call.principal, hold_id=item_id),
        render_hold,
    )

    @router.post(
        f"{base_path}/compensationAdjustment/{{id}}/decision",
        summary="Approve or reject an adjustment (not by its author)",
        response_class=TmfJSONResponse,
        responses=answer("The adjustment", OBJECT, 400, 404, 412, 415, 422),
        openapi_extra=request_body(body_schema("CompensationAdjustmentDecision", DECISION)),
    )
    def decide_compensation_adjustment(
        request: Request,
        id: str,
        call: ApiCall = comp_write,
        body: JsonBody = Depends(read_body),
        if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
    ) -> Response:
        adjustment = get_adjustment(
            call.session,
            principal=call.principal,
            adjustment_id=parse_path_id(id, label="Adjustment"),
        )
        given = parse_fields(body.require(JSON), DECISION, label="decision")
        adjustment = decide_adjustment(
            call.session,
            principal=call.principal,
            adjustment_id=adjustment.id,
            approve=given["approve"],
            comment=given.get("comment", ""),
            now=call.now,
            expected_version=expected_version(if_match, adjustment, label="Adjustment"),
        )
        return TmfJSONResponse(
            render_adjustment(base(request), adjustment), headers=etag_headers(adjustment)
        )

    @router.post(
        f"{base_path}/compensationHold/{{id}}/release",
        summary="Release a hold, with a reason",
        response_class=TmfJSONResponse,
        responses=answer("The hold", OBJECT, 400, 404, 412, 415, 422),
        openapi_extra=request_body(body_schema("CompensationHoldRelease", RELEASE)),
    )
    def release_compensation_hold(
        request: Request,
        id: str,
        call: ApiCall = comp_write,
        body: JsonBody = Depends(read_body),
        if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
    ) -> Response:
        hold = get_hold(
            call.session, principal=call.principal, hold_id=parse_path_id(id, label="Hold")
        )
        given = parse_fields(body.require(JSON), RELEASE, label="release")
        hold = release_hold(
            call.session,
            principal=call.principal,
            hold_id=hold.id,
            reason=given["reason"],
            now=call.now,
            expected_version=expected_version(if_match, hold, label="Hold"),
        )
        return TmfJSONResponse(render_hold(base(request), hold), headers=etag_headers(hold))

    # --- periods -------------------------------------------------------------------------

    @router.get(
        f"{base_path}/compensationPeriod",
        summary="Periods that were closed at least once, newest first",
        response_class=TmfJSONResponse,
        responses=listing("Periods"),
    )
    def list_compensation_periods(request: Request, call: ApiCall = comp_read) -> Response:
        refuse_unknown_parameters(request, ())
        rows = list_periods(call.session, principal=call.principal)
        return listed([render_period(base(request), row.period, row) for row in rows])

    @router.get(
        f"{base_path}/compensationPeriod/{{id}}",
        summary="A period's approval status (id: YYYY-MM)",
        response_class=TmfJSONResponse,
        responses=answer("The period", OBJECT, 404),
    )
    def read_compensation_period(request: Request, id: str, call: ApiCall = comp_read) -> Response:
        period = _period_path(id)
        row = get_period(call.session, principal=call.principal, period=period)
        return TmfJSONResponse(render_period(base(request), period, row))

    @router.post(
        f"{base_path}/compensationPeriod/{{id}}/transition",
        summary="Close, approve (not by the closer), lock or reopen a period",
        response_class=TmfJSONResponse,
        responses=answer("The period", OBJECT, 400, 404, 415, 422),
        openapi_extra=request_body(body_schema("CompensationPeriodTransition", PERIOD_TRANSITION)),
    )
    def transition_compensation_period(
        request: Request, id: str, call: ApiCall = comp_write, body: JsonBody = Depends(read_body)
    ) -> Response:
        period = _period_path(id)
        given = parse_fields(body.require(JSON), PERIOD_TRANSITION, label="transition")
        row = move_period(
            call.session,
            principal=call.principal,
            period=period,
            action=given["action"],
            comment=given.get("comment", ""),
            now=call.now,
        )
        return TmfJSONResponse(render_period(base(request), period, row))

    @router.get(
        f"{base_path}/compensationPeriod/{{id}}/amountDue",
        summary="What a payout of the period would pay now, per payee and component",
        response_class=TmfJSONResponse,
        responses=listing("Amounts due", 404),
    )
    def read_amounts_due(id: str, call: ApiCall = comp_read) -> Response:
        period = _period_path(id)
        get_period(call.session, principal=call.principal, period=period)
        items = compute_due(call.session, period).items
        return listed(
            [
                {
                    "earningPeriod": i.earning_period,
                    "payeeKind": i.payee_kind,
                    "payeeId": str(i.payee_id),
                    "kind": i.kind,
                    "componentId": i.component_id,
                    "ledgerVersion": i.ledger_version,
                    "latest": _money(i.latest, i.currency),
                    "paid": _money(i.paid, i.currency),
                    "due": _money(i.due, i.currency),
                    "held": i.held,
                    "carried": i.carried,
                }
                for i in items
            ]
        )

    @router.get(
        f"{base_path}/compensationPeriod/{{id}}/reconciliation",
        summary="Ledger total = paid + held + carried, per currency",
        response_class=TmfJSONResponse,
        responses=listing("Reconciliation", 404),
    )
    def read_reconciliation(id: str, call: ApiCall = comp_read) -> Response:
        period = _period_path(id)
        rows = reconcile(call.session, principal=call.principal, period=period)
        return listed(
            [
                {
                    "currency": r.currency,
                    "ledgerVersion": r.ledger_version,
                    "ledgerTotal": r.ledger_total,
                    "paid": r.paid,
                    "held": r.held,
                    "carried": r.carried,
                    "balanced": r.balanced,
                    "adjustmentsPaid": r.adjustments_paid,
                    "drawsPaid": r.draws_paid,
                    "priorPeriodsPaid": r.prior_periods_paid,
                    "batchesTotal": r.batches_total,
                }
                for r in rows
            ]
        )

    # --- payout batches ------------------------------------------------------------------

    @router.get(
        f"{base_path}/payoutBatch",
        summary="Payout batches, newest period first",
        response_class=TmfJSONResponse,
        responses=listing("Batches"),
    )
    def list_payout_batches(
        request: Request, call: ApiCall = comp_read, period: str | None = Query(None)
    ) -> Response:
        refuse_unknown_parameters(request, ("period",))
        batches = list_batches(call.session, principal=call.principal, period=_parse_period(period))
        return listed([render_batch(base(request), b) for b in batches])

    @router.post(
        f"{base_path}/payoutBatch",
        summary="Export a locked period's amounts due (201: a new batch; 200: nothing was due)",
        response_class=TmfJSONResponse,
        responses={
            201: {"description": "A new batch", "content": json_content(OBJECT)},
            200: {"description": "Nothing due: the latest batch", "content": json_content(OBJECT)},
            **error_responses(400, 404, 415, 422),
        },
        openapi_extra=request_body(body_schema("PayoutBatch_Create", EXPORT)),
    )
    def export_payout_batch(
        request: Request, call: ApiCall = comp_write, body: JsonBody = Depends(read_body)
    ) -> Response:
        given = parse_fields(body.require(JSON), EXPORT, label="payout")
        result = export_payout(
            call.session, principal=call.principal, period=given["period"], now=call.now
        )
        if result.batch is None:
            raise NotFound(f"Nothing is due for {given['period']} and nothing was paid")
        return TmfJSONResponse(
            render_batch(base(request), result.batch), status_code=201 if result.created else 200
        )

    @router.get(
        f"{base_path}/payoutBatch/{{id}}",
        summary="A payout batch",
        response_class=TmfJSONResponse,
        responses=answer("The batch", OBJECT, 404),
    )
    def read_payout_batch(request: Request, id: str, call: ApiCall = comp_read) -> Response:
        batch = get_batch(
            call.session, principal=call.principal, batch_id=parse_path_id(id, label="Batch")
        )
        return TmfJSONResponse(render_batch(base(request), batch))

    csv_answer = {
        200: {"description": "CSV", "content": {CSV: {"schema": {"type": "string"}}}},
        **error_responses(404),
    }

    @router.get(
        f"{base_path}/payoutBatch/{{id}}/payroll",
        summary="The payroll file of a batch (sales people)",
        responses=csv_answer,
        response_class=Response,
    )
    def read_payroll_file(id: str, call: ApiCall = comp_read) -> Response:
        batch_id = parse_path_id(id, label="Batch")
        text = payroll_csv(call.session, principal=call.principal, batch_id=batch_id)
        return Response(text, media_type="text/csv; charset=utf-8")

    @router.get(
        f"{base_path}/payoutBatch/{{id}}/payables",
        summary="The accounts-payable file of a batch (partners, with bank details)",
        responses=csv_answer,
        response_class=Response,
    )
    def read_payables_file(id: str, call: ApiCall = payouts_read) -> Response:
        batch_id = parse_path_id(id, label="Batch")
        text = payables_csv(call.session, principal=call.principal, batch_id=batch_id)
        return Response(text, media_type="text/csv; charset=utf-8")

    app.include_router(router)
