"""Holds: stop paying a payee (or one component's line) until released with a reason.

While a hold is active, payouts leave the held amounts unpaid; they stay due and are
paid by the first payout after the release.
"""

from __future__ import annotations

import uuid
from datetime import datetime

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
from salesdev.core.periods import require_aware
from salesdev.db.models.settlement import CompensationHold
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.settlement.common import (
    find_payee,
    parse_component,
    parse_payee_kind,
    parse_reason,
)

ACTIVE, RELEASED = "active", "released"


def place_hold(
    session: Session,
    *,
    principal: Principal,
    payee_kind: str,
    payee_id: uuid.UUID,
    reason: str,
    now: datetime,
    component_id: str | None = None,
) -> CompensationHold:
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    errors: list[ErrorDetail] = []
    values: dict[str, object] = {}
    for name, parse, raw in (
        ("payee_kind", parse_payee_kind, payee_kind),
        ("reason", parse_reason, reason),
        ("component_id", parse_component, component_id),
    ):
        try:
            values[name] = parse(raw, location=name)
        except InvalidInput as exc:
            errors += exc.details
    if errors:
        raise InvalidInput("Invalid hold", errors)
    payee = find_payee(session, str(values["payee_kind"]), payee_id)
    hold = CompensationHold(
        id=new_id(),
        payee_kind=payee.kind,
        payee_id=payee.id,
        component_id=values["component_id"],
        status=ACTIVE,
        reason=values["reason"],
        held_by=principal.actor,
        held_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(hold)
    session.flush()
    return hold


def get_hold(session: Session, *, principal: Principal, hold_id: uuid.UUID) -> CompensationHold:
    authorize(principal, Family.COMPENSATION, "read")
    hold = session.get(CompensationHold, hold_id)
    if hold is None:
        raise NotFound(f"Hold {hold_id} does not exist")
    return hold


def list_holds(
    session: Session, *, principal: Principal, active_only: bool = False
) -> list[CompensationHold]:
    authorize(principal, Family.COMPENSATION, "read")
    statement = select(CompensationHold)
    if active_only:
        statement = statement.where(CompensationHold.status == ACTIVE)
    return list(session.scalars(statement.order_by(CompensationHold.held_at, CompensationHold.id)))


def release_hold(
    session: Session,
    *,
    principal: Principal,
    hold_id: uuid.UUID,
    reason: str,
    now: datetime,
    expected_version: int | None = None,
) -> CompensationHold:
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    reason = parse_reason(reason)
    hold = get_hold(session, principal=principal, hold_id=hold_id)
    if expected_version is not None and expected_version != hold.version:
        raise PreconditionFailed(f"Hold {hold.id} changed since you read it")
    if hold.status != ACTIVE:
        raise RuleViolation(
            "The hold is already released", [ErrorDetail("status", "only an active hold")]
        )
    hold.status = RELEASED
    hold.released_by = principal.actor
    hold.released_at = now
    hold.release_reason = reason
    hold.updated_at = now
    session.flush()
    return hold


def active_holds(
    session: Session, *, payee_ids: set[uuid.UUID] | None = None
) -> list[CompensationHold]:
    statement = select(CompensationHold).where(CompensationHold.status == ACTIVE)
    if payee_ids is not None:
        statement = statement.where(CompensationHold.payee_id.in_(payee_ids))
    return list(session.scalars(statement))
