"""Compensation statements and disputes in the console.

A payee sees their own statements (a sales manager their team's, sales operations all);
each statement has its lines with the rule that produced them, a drill-down per line to
the rule trace and the sales events behind it, PDF and CSV downloads, and a form to
dispute a line. Disputes have their own pages with the comments and the history.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salesdev.analytics.compensation_runs import run_lineage
from salesdev.core.errors import (
    ErrorDetail,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RuleViolation,
    SalesdevError,
)
from salesdev.core.ids import parse_id
from salesdev.core.periods import Period
from salesdev.domains.access import Family, authorize
from salesdev.domains.settlement import (
    DisputeStatus,
    comment_dispute,
    dispute_history,
    get_dispute,
    get_statement,
    list_disputes,
    list_statements,
    raise_dispute,
    statement_csv,
    statement_id,
    statement_pdf,
    transition_dispute,
)
from salesdev.domains.settlement.disputes import NEXT
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.choices import text_of
from salesdev.web.flash import set_flash
from salesdev.web.forms import parse_version
from salesdev.web.protection import read_form
from salesdev.web.routing import status_of
from salesdev.web.templating import render
from salesdev.web.urls import with_query

BASE = "/compensation/statements"
DISPUTES = "/compensation/disputes"
PAGE = 50


def line_events(runtime: Runtime, run_id: uuid.UUID, payee_id: uuid.UUID, line: Any) -> Any:
    """The sales events behind a line, from the run's lineage (None when the run kept none)."""
    try:
        table = run_lineage(
            runtime.settings,
            run_id=run_id,
            payee_id=payee_id,
            component_id=line.component_id,
            product_family=line.product_family,
            limit=100,
            offset=0,
        )
    except (SalesdevError, OSError):
        return None
    hidden = {"payee_kind", "payee_id", "component_key", "component_id", "plan_code"}
    return [
        {key: value for key, value in row.items() if key not in hidden}
        for row in table.to_pylist()
        if row.get("basis", line.basis) == line.basis
    ]


def install_statement_pages(router: APIRouter, runtime: Runtime) -> None:
    def statements_list(request: Request) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.STATEMENTS, "read")
        raw = dict(request.query_params)
        period = text_of(raw, "period")
        errors: list[ErrorDetail] = []
        if period:
            try:
                period = str(Period.parse(period))
            except InvalidInput as error:
                errors += error.details
                period = ""
        try:
            offset = max(int(text_of(raw, "offset") or 0), 0)
        except ValueError:
            offset = 0
        with work(runtime, request) as session:
            items, total = list_statements(
                session, principal=principal, period=period or None, limit=PAGE, offset=offset
            )
        last = offset + len(items)
        return render(
            request,
            "settlement/statements.html",
            {
                "title": "Compensation statements",
                "statements": items,
                "total": total,
                "period": period,
                "errors": {d.location: [d.message] for d in errors},
                "first": offset + 1 if items else 0,
                "last": last,
                "previous_href": with_query(
                    BASE, {"period": period, "offset": max(offset - PAGE, 0)}
                )
                if offset > 0
                else "",
                "next_href": with_query(BASE, {"period": period, "offset": last})
                if last < total
                else "",
            },
            status_code=400 if errors else 200,
        )

    def statement_page(
        request: Request,
        statement_key: str,
        *,
        failure: SalesdevError | None = None,
        values: dict[str, str] | None = None,
    ) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            statement = get_statement(session, principal=principal, statement=statement_key)
        return render(
            request,
            "settlement/statement.html",
            {
                "title": f"Statement {statement.period}: {statement.payee.name}",
                "s": statement,
                "can_dispute": principal.can(Family.STATEMENTS, "write"),
                "failure": failure,
                "field_errors": {d.location: d.message for d in failure.details} if failure else {},
                "values": values or {},
                "line_options": [("", "Choose a line")]
                + [
                    (
                        line.key,
                        " · ".join(
                            part
                            for part in (line.component_id, line.product_family, line.basis)
                            if part
                        )
                        + f" ({line.amount} {line.currency})",
                    )
                    for line in statement.lines
                ],
            },
            status_code=status_of(failure) if failure else 200,
        )

    def statement_view(request: Request, statement_key: str) -> Response:
        return statement_page(request, statement_key)

    def statement_download(request: Request, statement_key: str, kind: str) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            statement = get_statement(session, principal=principal, statement=statement_key)
        name = f"statement-{statement.period}-{statement.payee.code}"
        if kind == "pdf":
            return Response(
                statement_pdf(statement, now=runtime.clock.now()),
                media_type="application/pdf",
                headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
            )
        return Response(
            statement_csv(statement),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )

    def statement_pdf_view(request: Request, statement_key: str) -> Response:
        return statement_download(request, statement_key, "pdf")

    def statement_csv_view(request: Request, statement_key: str) -> Response:
        return statement_download(request, statement_key, "csv")

    def line_view(request: Request, statement_key: str) -> Response:
        principal = principal_of(request)
        key = text_of(dict(request.query_params), "key")
        with work(runtime, request) as session:
            statement = get_statement(session, principal=principal, statement=statement_key)
            line = statement.line(key)
            disputes = [
                d
                for d in statement.disputes
                if f"{d.component_id}/{d.product_family or '-'}/{d.basis}" == key
            ]
        events = line_events(runtime, line.run_id, statement.payee.id, line)
        return render(
            request,
            "settlement/statement_line.html",
            {
                "title": f"Line {key} of statement {statement.period}",
                "s": statement,
                "line": line,
                "events": events,
                "disputes": disputes,
                "can_dispute": principal.can(Family.STATEMENTS, "write"),
            },
        )

    async def raise_view(request: Request, statement_key: str) -> Response:
        form = await read_form(request)
        values = {k: text_of(form, k) for k in ("line", "subject")}
        return await run_in_threadpool(_raise, request, statement_key, values)

    def _raise(request: Request, statement_key: str, values: dict[str, str]) -> Response:
        principal = principal_of(request)
        failure: InvalidInput | None = None
        with work(runtime, request) as session:
            try:
                dispute = raise_dispute(
                    session,
                    principal=principal,
                    statement=statement_key,
                    line=values["line"],
                    subject=values["subject"],
                    now=runtime.clock.now(),
                )
            except InvalidInput as error:
                session.rollback()
                failure = error
            else:
                dispute_id = dispute.id
        if failure is not None:
            return statement_page(request, statement_key, failure=failure, values=values)
        response = RedirectResponse(f"{DISPUTES}/{dispute_id}", status_code=303)
        set_flash(response, "Dispute raised: sales operations will look into it.")
        return response

    # --- disputes ------------------------------------------------------------------------

    def disputes_list(request: Request) -> Response:
        principal = principal_of(request)
        raw = dict(request.query_params)
        status = text_of(raw, "status")
        errors: dict[str, list[str]] = {}
        if status and status not in DisputeStatus.__members__.values():
            errors["status"] = ["choose one of the statuses"]
            status = ""
        with work(runtime, request) as session:
            disputes = list_disputes(session, principal=principal, status=status or None)
        return render(
            request,
            "settlement/disputes.html",
            {
                "title": "Compensation disputes",
                "disputes": disputes,
                "status": status,
                "errors": errors,
                "status_options": [("", "Any"), *((s.value, s.value) for s in DisputeStatus)],
            },
            status_code=400 if errors else 200,
        )

    def dispute_page(
        request: Request,
        dispute_id: uuid.UUID,
        *,
        failure: SalesdevError | None = None,
        form_name: str = "",
    ) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            dispute = get_dispute(session, principal=principal, dispute_id=dispute_id)
            history = dispute_history(session, principal=principal, dispute_id=dispute_id)
        return render(
            request,
            "settlement/dispute.html",
            {
                "title": f"Dispute of {dispute.component_id} ({dispute.period})",
                "d": dispute,
                "history": history,
                "statement_href": f"{BASE}/{statement_id(dispute.period, dispute.payee_id)}",
                "moves": [s.value for s in NEXT[DisputeStatus(dispute.status)]],
                "can_comment": principal.can(Family.STATEMENTS, "write"),
                "can_move": principal.can(Family.COMPENSATION, "write"),
                "failure": failure,
                "form_name": form_name,
            },
            status_code=status_of(failure) if failure else 200,
        )

    def dispute_view(request: Request, dispute_id: str) -> Response:
        return dispute_page(request, parse_id(dispute_id))

    async def dispute_action(request: Request, dispute_id: str, action: str) -> Response:
        form = await read_form(request)
        values = {
            k: text_of(form, k) for k in ("text", "to_status", "comment", "amount", "version")
        }
        return await run_in_threadpool(_dispute_act, request, parse_id(dispute_id), action, values)

    def _dispute_act(
        request: Request, dispute_id: uuid.UUID, action: str, values: dict[str, str]
    ) -> Response:
        principal = principal_of(request)
        now = runtime.clock.now()
        failure: SalesdevError | None = None
        with work(runtime, request) as session:
            try:
                if action == "comment":
                    comment_dispute(
                        session,
                        principal=principal,
                        dispute_id=dispute_id,
                        text=values["text"],
                        now=now,
                    )
                    message = "Comment added."
                else:
                    dispute = transition_dispute(
                        session,
                        principal=principal,
                        dispute_id=dispute_id,
                        to_status=values["to_status"],
                        comment=values["comment"],
                        amount=values["amount"] or None,
                        now=now,
                        expected_version=parse_version(values["version"]),
                    )
                    message = f"The dispute is now {dispute.status}." + (
                        " An adjustment awaits approval by another user."
                        if dispute.adjustment_id
                        else ""
                    )
            except (InvalidInput, RuleViolation, PreconditionFailed, NotFound) as error:
                session.rollback()
                failure = error
        if failure is not None:
            return dispute_page(request, dispute_id, failure=failure, form_name=action)
        response = RedirectResponse(f"{DISPUTES}/{dispute_id}", status_code=303)
        set_flash(response, message)
        return response

    async def dispute_comment(request: Request, dispute_id: str) -> Response:
        return await dispute_action(request, dispute_id, "comment")

    async def dispute_transition(request: Request, dispute_id: str) -> Response:
        return await dispute_action(request, dispute_id, "transition")

    router.add_api_route(BASE, statements_list, methods=["GET"], name="statement_list")
    router.add_api_route(
        f"{BASE}/{{statement_key}}.pdf", statement_pdf_view, methods=["GET"], name="statement_pdf"
    )
    router.add_api_route(
        f"{BASE}/{{statement_key}}.csv", statement_csv_view, methods=["GET"], name="statement_csv"
    )
    router.add_api_route(
        f"{BASE}/{{statement_key}}/line", line_view, methods=["GET"], name="statement_line"
    )
    router.add_api_route(
        f"{BASE}/{{statement_key}}/dispute", raise_view, methods=["POST"], name="statement_dispute"
    )
    router.add_api_route(
        f"{BASE}/{{statement_key}}", statement_view, methods=["GET"], name="statement_detail"
    )
    router.add_api_route(DISPUTES, disputes_list, methods=["GET"], name="dispute_list")
    router.add_api_route(
        f"{DISPUTES}/{{dispute_id}}", dispute_view, methods=["GET"], name="dispute_detail"
    )
    router.add_api_route(
        f"{DISPUTES}/{{dispute_id}}/comment",
        dispute_comment,
        methods=["POST"],
        name="dispute_comment",
    )
    router.add_api_route(
        f"{DISPUTES}/{{dispute_id}}/transition",
        dispute_transition,
        methods=["POST"],
        name="dispute_transition",
    )
