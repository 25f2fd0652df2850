"""Draws: a minimum paid per period, recoverable or not.

For each period from ``period_from`` to ``period_to`` (inclusive) a payee with a draw of
amount D and earnings E for the period (latest ledger plus approved adjustments):

- ``guaranteed`` (non-recoverable): pays a top-up of max(0, D - E); never recovered.
- ``recoverable``: when E < D, pays an advance of D - E, which adds to the draw balance;
  when E > D, recovers min(balance, E - D) from the earnings. After ``period_to``, all
  earnings count towards recovery (min(balance, E)) until the balance is repaid.

Postings are written once per draw and period, as payout lines, when the period is paid
out; the balance is the sum of those postings (paid history is never changed).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    ErrorDetail,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RuleViolation,
)
from salesdev.core.ids import new_id
from salesdev.core.money import parse_currency
from salesdev.core.periods import require_aware
from salesdev.db.models.settlement import CompensationDraw
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.settlement.common import (
    find_payee,
    parse_money,
    parse_payee_kind,
    parse_period,
    parse_reason,
)

DRAW_KINDS = ("recoverable", "guaranteed")


def create_draw(
    session: Session,
    *,
    principal: Principal,
    payee_kind: str,
    payee_id: uuid.UUID,
    kind: str,
    amount: object,
    currency: str,
    period_from: str,
    period_to: str,
    reason: str,
    now: datetime,
) -> CompensationDraw:
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    errors: list[ErrorDetail] = []
    values: dict[str, object] = {}
    for name, parse, raw in (
        ("payee_kind", parse_payee_kind, payee_kind),
        ("amount", parse_money, amount),
        ("currency", parse_currency, currency),
        ("period_from", parse_period, period_from),
        ("period_to", parse_period, period_to),
        ("reason", parse_reason, reason),
    ):
        try:
            values[name] = parse(raw, location=name)
        except InvalidInput as exc:
            errors += exc.details
    if kind not in DRAW_KINDS:
        errors.append(ErrorDetail("kind", f"expected one of {', '.join(DRAW_KINDS)}; got {kind!r}"))
    amount = values.get("amount")
    if isinstance(amount, Decimal) and amount < 0:
        errors.append(ErrorDetail("amount", "a draw must be positive"))
    if (
        "period_from" in values
        and "period_to" in values
        and str(values["period_to"]) < str(values["period_from"])
    ):
        errors.append(ErrorDetail("period_to", "must not be before period_from"))
    if errors:
        raise InvalidInput("Invalid draw", errors)
    payee = find_payee(session, str(values["payee_kind"]), payee_id)
    draw = CompensationDraw(
        id=new_id(),
        payee_kind=payee.kind,
        payee_id=payee.id,
        kind=kind,
        amount=values["amount"],
        currency=values["currency"],
        period_from=values["period_from"],
        period_to=values["period_to"],
        reason=values["reason"],
        author=principal.actor,
        status="active",
        created_at=now,
        updated_at=now,
    )
    session.add(draw)
    session.flush()
    return draw


def get_draw(session: Session, *, principal: Principal, draw_id: uuid.UUID) -> CompensationDraw:
    authorize(principal, Family.COMPENSATION, "read")
    draw = session.get(CompensationDraw, draw_id)
    if draw is None:
        raise NotFound(f"Draw {draw_id} does not exist")
    return draw


def list_draws(
    session: Session, *, principal: Principal, payee_id: uuid.UUID | None = None
) -> list[CompensationDraw]:
    authorize(principal, Family.COMPENSATION, "read")
    statement = select(CompensationDraw)
    if payee_id is not None:
        statement = statement.where(CompensationDraw.payee_id == payee_id)
    return list(
        session.scalars(statement.order_by(CompensationDraw.period_from, CompensationDraw.id))
    )


def end_draw(
    session: Session,
    *,
    principal: Principal,
    draw_id: uuid.UUID,
    period_to: str,
    now: datetime,
    expected_version: int | None = None,
) -> CompensationDraw:
    """Shorten a draw (its last period); periods already paid keep their postings."""
    authorize(principal, Family.COMPENSATION, "write")
    draw = get_draw(session, principal=principal, draw_id=draw_id)
    if expected_version is not None and expected_version != draw.version:
        raise PreconditionFailed(f"Draw {draw.id} changed since you read it")
    last = parse_period(period_to, location="period_to")
    if last < draw.period_from:
        raise RuleViolation(
            "Invalid end", [ErrorDetail("period_to", f"must not be before {draw.period_from}")]
        )
    draw.period_to = last
    draw.updated_at = now
    session.flush()
    return draw
