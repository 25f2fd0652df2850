"""Settlement for sales operations: one page per period with its approval, the amounts
due, the reconciliation, payout batches (payroll and accounts-payable files),
adjustments, holds and draws."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salesdev.core.errors import InvalidInput, NotFound, PreconditionFailed, RuleViolation
from salesdev.core.ids import parse_id
from salesdev.core.periods import Period
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.settlement import (
    compute_due,
    create_adjustment,
    create_draw,
    decide_adjustment,
    export_payout,
    get_period,
    list_adjustments,
    list_batches,
    list_draws,
    list_holds,
    move_period,
    payables_csv,
    payroll_csv,
    period_history,
    place_hold,
    reconcile,
    release_hold,
)
from salesdev.domains.settlement.common import payee_by_code, payee_names
from salesdev.domains.settlement.periods import ACTIONS
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.choices import text_of
from salesdev.web.flash import set_flash
from salesdev.web.protection import read_form
from salesdev.web.templating import render
from salesdev.web.urls import with_query

BASE = "/compensation/settlement"
PAYEE_ROWS = 100
ZERO = Decimal(0)
FIELDS = (
    "period",
    "action",
    "comment",
    "payee",
    "component",
    "amount",
    "currency",
    "reason",
    "kind",
    "period_from",
    "period_to",
    "id",
    "decision",
)


def _period(raw: str, now: datetime) -> str:
    if not raw:
        return str(Period.containing(now).previous())
    return str(Period.parse(raw))


def install_settlement_pages(router: APIRouter, runtime: Runtime) -> None:
    def page(request: Request) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.COMPENSATION, "read")
        raw = text_of(dict(request.query_params), "period")
        try:
            period = _period(raw, runtime.clock.now())
        except InvalidInput:
            raise NotFound(f"No compensation period {raw}") from None
        with work(runtime, request) as session:
            row = get_period(session, principal=principal, period=period)
            history = period_history(session, principal=principal, period=period)
            due = compute_due(session, period)
            reconciliation = reconcile(session, principal=principal, period=period)
            batches = list_batches(session, principal=principal, period=period)
            adjustments = list_adjustments(session, principal=principal, period=period)
            holds = list_holds(session, principal=principal, active_only=True)
            draws = list_draws(session, principal=principal)
            names = payee_names(
                session,
                {i.payee_id for i in due.items}
                | {a.payee_id for a in adjustments}
                | {h.payee_id for h in holds}
                | {d.payee_id for d in draws},
            )
        status = row.status if row else "open"
        by_payee: dict[uuid.UUID, dict[str, Any]] = {}
        for item in due.items:
            entry = by_payee.setdefault(
                item.payee_id,
                {"payee_id": item.payee_id, "items": 0, "payable": ZERO, "held": ZERO,
                 "carried": ZERO, "currency": item.currency},
            )  # fmt: skip
            entry["items"] += 1
            bucket = "held" if item.held else "carried" if item.carried else "payable"
            entry[bucket] += item.due
        payees = sorted(by_payee.values(), key=lambda e: (-e["payable"], str(e["payee_id"])))
        return render(
            request,
            "settlement/settlement.html",
            {
                "title": f"Settlement {period}",
                "period": period,
                "status": status,
                "row": row,
                "history": history,
                "actions": [a for a, (allowed, _) in ACTIONS.items() if status in allowed],
                "item_count": len(due.items),
                "payees": payees[:PAYEE_ROWS],
                "payee_count": len(payees),
                "ledger_version": due.ledger_version,
                "reconciliation": reconciliation,
                "batches": batches,
                "adjustments": adjustments,
                "holds": holds,
                "draws": draws,
                "names": names,
                "can_write": principal.can(Family.COMPENSATION, "write"),
                "can_payables": principal.can(Family.PAYOUTS, "read"),
                "actor": principal.actor,
            },
        )

    def act(name: str, run: Callable[[Session, Principal, dict[str, str]], str]) -> Any:
        async def post(request: Request) -> Response:
            form = await read_form(request)
            values = {k: text_of(form, k) for k in FIELDS}
            return await run_in_threadpool(_act, request, values)

        def _act(request: Request, values: dict[str, str]) -> Response:
            principal = principal_of(request)
            period = values["period"]
            with work(runtime, request) as session:
                try:
                    message = run(session, principal, values)
                    level = "success"
                except (InvalidInput, RuleViolation, PreconditionFailed, NotFound) as error:
                    session.rollback()
                    details = "; ".join(f"{d.location}: {d.message}" for d in error.details)
                    message = f"Not done: {error.message}" + (f" ({details})" if details else "")
                    level = "error"
            response = RedirectResponse(with_query(BASE, {"period": period}), status_code=303)
            set_flash(response, message, level=level)  # type: ignore[arg-type]
            return response

        router.add_api_route(f"{BASE}/{name}", post, methods=["POST"], name=f"settlement_{name}")

    def now() -> datetime:
        return runtime.clock.now()

    def _move(session: Session, principal: Principal, v: dict[str, str]) -> str:
        row = move_period(
            session,
            principal=principal,
            period=v["period"],
            action=v["action"],
            comment=v["comment"],
            now=now(),
        )
        return f"Period {row.period} is now {row.status}."

    def _export(session: Session, principal: Principal, v: dict[str, str]) -> str:
        result = export_payout(session, principal=principal, period=v["period"], now=now())
        if result.created and result.batch:
            return (
                f"Payout batch {result.batch.sequence} written ({result.batch.line_count} lines)."
            )
        return "Nothing is due: no batch written (nothing is paid twice)."

    def _adjust(session: Session, principal: Principal, v: dict[str, str]) -> str:
        payee = payee_by_code(session, v["payee"])
        create_adjustment(
            session,
            principal=principal,
            period=v["period"],
            payee_kind=payee.kind,
            payee_id=payee.id,
            component_id=v["component"] or None,
            amount=v["amount"],
            currency=v["currency"] or "EUR",
            reason=v["reason"],
            now=now(),
        )
        return "Adjustment recorded: another user must approve it."

    def _decide(session: Session, principal: Principal, v: dict[str, str]) -> str:
        adjustment = decide_adjustment(
            session,
            principal=principal,
            adjustment_id=parse_id(v["id"]),
            approve=v["decision"] == "approve",
            comment=v["comment"],
            now=now(),
        )
        return f"Adjustment {adjustment.status}."

    def _hold(session: Session, principal: Principal, v: dict[str, str]) -> str:
        payee = payee_by_code(session, v["payee"])
        place_hold(
            session,
            principal=principal,
            payee_kind=payee.kind,
            payee_id=payee.id,
            component_id=v["component"] or None,
            reason=v["reason"],
            now=now(),
        )
        return f"Payments of {payee.code} are held."

    def _release(session: Session, principal: Principal, v: dict[str, str]) -> str:
        release_hold(
            session, principal=principal, hold_id=parse_id(v["id"]), reason=v["reason"], now=now()
        )
        return "Hold released: the next payout pays what was held."

    def _draw(session: Session, principal: Principal, v: dict[str, str]) -> str:
        payee = payee_by_code(session, v["payee"])
        create_draw(
            session,
            principal=principal,
            payee_kind=payee.kind,
            payee_id=payee.id,
            kind=v["kind"],
            amount=v["amount"],
            currency=v["currency"] or "EUR",
            period_from=v["period_from"],
            period_to=v["period_to"],
            reason=v["reason"],
            now=now(),
        )
        return f"Draw recorded for {payee.code}."

    def download(kind: str) -> Any:
        def get(request: Request, batch_id: str) -> Response:
            principal = principal_of(request)
            identifier: uuid.UUID = parse_id(batch_id)
            with work(runtime, request) as session:
                if kind == "payroll":
                    text = payroll_csv(session, principal=principal, batch_id=identifier)
                else:
                    text = payables_csv(session, principal=principal, batch_id=identifier)
            return Response(
                text,
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{kind}-{batch_id}.csv"'},
            )

        return get

    router.add_api_route(BASE, page, methods=["GET"], name="settlement_page")
    for name, run in (
        ("period", _move),
        ("export", _export),
        ("adjustment", _adjust),
        ("decision", _decide),
        ("hold", _hold),
        ("release", _release),
        ("draw", _draw),
    ):
        act(name, run)
    for kind in ("payroll", "payables"):
        router.add_api_route(
            f"/compensation/payouts/{{batch_id}}/{kind}.csv",
            download(kind),
            methods=["GET"],
            name=f"payout_{kind}",
        )
