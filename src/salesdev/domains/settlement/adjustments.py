"""Manual adjustments: an amount for a payee and period with a mandatory reason.

The author is recorded; an adjustment counts (on statements and in payouts) only once
someone other than its author has approved it. Decided adjustments never change.
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
from salesdev.db.models.settlement import CompensationAdjustment
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.access.approval import require_second_person
from salesdev.domains.settlement.common import (
    find_payee,
    parse_component,
    parse_money,
    parse_payee_kind,
    parse_period,
    parse_reason,
)

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


def create_adjustment(
    session: Session,
    *,
    principal: Principal,
    period: str,
    payee_kind: str,
    payee_id: uuid.UUID,
    amount: object,
    currency: str,
    reason: str,
    now: datetime,
    component_id: str | None = None,
) -> CompensationAdjustment:
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    errors: list[ErrorDetail] = []
    values: dict[str, object] = {}
    for name, parse, raw in (
        ("period", parse_period, period),
        ("payee_kind", parse_payee_kind, payee_kind),
        ("amount", parse_money, amount),
        ("currency", parse_currency, currency),
        ("reason", parse_reason, reason),
        ("component_id", parse_component, component_id),
    ):
        try:
            values[name] = parse(raw, location=name)
        except InvalidInput as exc:
            errors += exc.details
    if errors:
        raise InvalidInput("Invalid adjustment", errors)
    payee = find_payee(session, str(values["payee_kind"]), payee_id)
    adjustment = CompensationAdjustment(
        id=new_id(),
        period=values["period"],
        payee_kind=payee.kind,
        payee_id=payee.id,
        component_id=values["component_id"],
        amount=values["amount"],
        currency=values["currency"],
        reason=values["reason"],
        status=PENDING,
        author=principal.actor,
        created_at=now,
        updated_at=now,
    )
    session.add(adjustment)
    session.flush()
    return adjustment


def get_adjustment(
    session: Session, *, principal: Principal, adjustment_id: uuid.UUID
) -> CompensationAdjustment:
    authorize(principal, Family.COMPENSATION, "read")
    adjustment = session.get(CompensationAdjustment, adjustment_id)
    if adjustment is None:
        raise NotFound(f"Adjustment {adjustment_id} does not exist")
    return adjustment


def list_adjustments(
    session: Session,
    *,
    principal: Principal,
    period: str | None = None,
    status: str | None = None,
) -> list[CompensationAdjustment]:
    authorize(principal, Family.COMPENSATION, "read")
    statement = select(CompensationAdjustment)
    if period is not None:
        statement = statement.where(CompensationAdjustment.period == parse_period(period))
    if status is not None:
        statement = statement.where(CompensationAdjustment.status == status)
    return list(
        session.scalars(
            statement.order_by(CompensationAdjustment.created_at, CompensationAdjustment.id)
        )
    )


def decide_adjustment(
    session: Session,
    *,
    principal: Principal,
    adjustment_id: uuid.UUID,
    approve: bool,
    now: datetime,
    comment: str = "",
    expected_version: int | None = None,
) -> CompensationAdjustment:
    """Approve or reject a pending adjustment; never its own author."""
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    comment = parse_reason(comment, location="comment", required=not approve)
    adjustment = get_adjustment(session, principal=principal, adjustment_id=adjustment_id)
    if expected_version is not None and expected_version != adjustment.version:
        raise PreconditionFailed(f"Adjustment {adjustment.id} changed since you read it")
    if adjustment.status != PENDING:
        raise RuleViolation(
            f"The adjustment is already {adjustment.status}",
            [ErrorDetail("status", "only a pending adjustment can be decided")],
        )
    require_second_person(
        principal,
        first=adjustment.author,
        role="author",
        did="wrote this adjustment",
        verb="approve" if approve else "reject",
    )
    adjustment.status = APPROVED if approve else REJECTED
    adjustment.decided_by = principal.actor
    adjustment.decided_at = now
    adjustment.decision_comment = comment
    adjustment.updated_at = now
    session.flush()
    return adjustment


def approved_adjustments(
    session: Session, *, periods: list[str], payee_ids: set[uuid.UUID] | None = None
) -> list[CompensationAdjustment]:
    statement = select(CompensationAdjustment).where(
        CompensationAdjustment.status == APPROVED, CompensationAdjustment.period.in_(periods)
    )
    if payee_ids is not None:
        statement = statement.where(CompensationAdjustment.payee_id.in_(payee_ids))
    return list(
        session.scalars(
            statement.order_by(CompensationAdjustment.created_at, CompensationAdjustment.id)
        )
    )


def adjustment_total(adjustments: list[CompensationAdjustment]) -> Decimal:
    return sum((a.amount for a in adjustments), Decimal(0))
