"""Disputes of a statement line: open -> investigating -> resolved | rejected.

The payee raises one on a line of their own statement (sales operations may raise it on
their behalf); both may comment. Sales operations (compensation write) investigate and
decide: resolving creates an adjustment for the disputed amount, linked to the dispute,
which still needs approval by someone other than its author before it is paid. Every
step is an append-only history entry.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, func, select
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
from salesdev.db.models.settlement import CompensationDispute, CompensationDisputeEntry
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.settlement.adjustments import create_adjustment
from salesdev.domains.settlement.common import parse_reason
from salesdev.domains.settlement.scope import payee_condition
from salesdev.domains.settlement.statements import get_statement


class DisputeStatus(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    REJECTED = "rejected"


D = DisputeStatus
NEXT: dict[DisputeStatus, tuple[DisputeStatus, ...]] = {
    D.OPEN: (D.INVESTIGATING, D.REJECTED),
    D.INVESTIGATING: (D.RESOLVED, D.REJECTED),
    D.RESOLVED: (),
    D.REJECTED: (),
}


def _scope(session: Session, principal: Principal) -> ColumnElement[bool] | None:
    return payee_condition(
        session,
        principal=principal,
        kind_column=CompensationDispute.payee_kind,
        id_column=CompensationDispute.payee_id,
    )


def get_dispute(
    session: Session, *, principal: Principal, dispute_id: uuid.UUID
) -> CompensationDispute:
    authorize(principal, Family.STATEMENTS, "read")
    statement = select(CompensationDispute).where(CompensationDispute.id == dispute_id)
    condition = _scope(session, principal)
    if condition is not None:
        statement = statement.where(condition)
    dispute = session.scalar(statement)
    if dispute is None:
        raise NotFound(f"Dispute {dispute_id} does not exist")
    return dispute


def list_disputes(
    session: Session,
    *,
    principal: Principal,
    status: str | None = None,
    period: str | None = None,
    payee_id: uuid.UUID | None = None,
) -> list[CompensationDispute]:
    authorize(principal, Family.STATEMENTS, "read")
    statement = select(CompensationDispute)
    condition = _scope(session, principal)
    if condition is not None:
        statement = statement.where(condition)
    if status is not None:
        statement = statement.where(CompensationDispute.status == parse_status(status))
    if period is not None:
        statement = statement.where(CompensationDispute.period == period)
    if payee_id is not None:
        statement = statement.where(CompensationDispute.payee_id == payee_id)
    return list(
        session.scalars(
            statement.order_by(CompensationDispute.created_at.desc(), CompensationDispute.id)
        )
    )


def dispute_history(
    session: Session, *, principal: Principal, dispute_id: uuid.UUID
) -> list[CompensationDisputeEntry]:
    dispute = get_dispute(session, principal=principal, dispute_id=dispute_id)
    return list(
        session.scalars(
            select(CompensationDisputeEntry)
            .where(CompensationDisputeEntry.dispute_id == dispute.id)
            .order_by(CompensationDisputeEntry.sequence)
        )
    )


def parse_status(value: object, *, location: str = "status") -> DisputeStatus:
    try:
        return DisputeStatus(str(value))
    except ValueError:
        raise InvalidInput(
            "Unknown dispute status",
            [ErrorDetail(location, f"expected one of {', '.join(D)}; got {value!r}")],
        ) from None


def raise_dispute(
    session: Session,
    *,
    principal: Principal,
    statement: str,
    line: str,
    subject: str,
    now: datetime,
) -> CompensationDispute:
    """A dispute of one line (``component/family/basis``) of a statement the principal sees."""
    authorize(principal, Family.STATEMENTS, "write")
    require_aware(now, location="now")
    subject = parse_reason(subject, location="subject")
    found = get_statement(session, principal=principal, statement=statement)
    try:
        disputed = found.line(line)
    except NotFound:
        keys = ", ".join(item.key for item in found.lines) or "none"
        raise InvalidInput(
            "Unknown statement line", [ErrorDetail("line", f"no line {line!r}; lines: {keys}")]
        ) from None
    dispute = CompensationDispute(
        id=new_id(),
        period=found.period,
        payee_kind=found.payee.kind,
        payee_id=found.payee.id,
        component_id=disputed.component_id,
        product_family=disputed.product_family,
        basis=disputed.basis,
        line_amount=disputed.amount,
        currency=disputed.currency,
        subject=subject,
        status=D.OPEN.value,
        raised_by=principal.actor,
        resolution="",
        created_at=now,
        updated_at=now,
    )
    session.add(dispute)
    session.flush()
    _entry(session, dispute, "raised", None, D.OPEN, principal, now, subject)
    session.flush()
    return dispute


def comment_dispute(
    session: Session,
    *,
    principal: Principal,
    dispute_id: uuid.UUID,
    text: str,
    now: datetime,
) -> CompensationDisputeEntry:
    """A comment by the payee (or anyone who sees the dispute and may write statements)."""
    authorize(principal, Family.STATEMENTS, "write")
    require_aware(now, location="now")
    text = parse_reason(text, location="text")
    dispute = get_dispute(session, principal=principal, dispute_id=dispute_id)
    status = D(dispute.status)
    entry = _entry(session, dispute, "comment", status, status, principal, now, text)
    dispute.updated_at = now
    session.flush()
    return entry


def transition_dispute(
    session: Session,
    *,
    principal: Principal,
    dispute_id: uuid.UUID,
    to_status: str,
    now: datetime,
    comment: str = "",
    amount: object = None,
    expected_version: int | None = None,
) -> CompensationDispute:
    """Investigate, resolve (``amount``: the adjustment to create) or reject; sales ops only."""
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    dispute = get_dispute(session, principal=principal, dispute_id=dispute_id)
    target = parse_status(to_status, location="to_status")
    current = D(dispute.status)
    if expected_version is not None and expected_version != dispute.version:
        raise PreconditionFailed(f"Dispute {dispute.id} changed since you read it")
    if target not in NEXT[current]:
        allowed = " or ".join(NEXT[current]) or f"none: {current} is final"
        raise RuleViolation(
            f"A dispute that is {current} cannot become {target}",
            [ErrorDetail("to_status", f"the next status after {current} is {allowed}")],
        )
    comment = parse_reason(comment, location="comment", required=target in (D.RESOLVED, D.REJECTED))
    if target is D.RESOLVED:
        if amount is None:
            raise InvalidInput(
                "An amount is required",
                [ErrorDetail("amount", "resolving creates an adjustment of this amount")],
            )
        adjustment = create_adjustment(
            session,
            principal=principal,
            period=dispute.period,
            payee_kind=dispute.payee_kind,
            payee_id=dispute.payee_id,
            component_id=dispute.component_id,
            amount=amount,
            currency=dispute.currency,
            reason=f"Dispute {dispute.id}: {comment}",
            now=now,
        )
        dispute.adjustment_id = adjustment.id
    if target in (D.RESOLVED, D.REJECTED):
        dispute.resolution = comment
    dispute.status = target.value
    dispute.updated_at = now
    _entry(session, dispute, "transition", current, target, principal, now, comment)
    session.flush()
    return dispute


def _entry(
    session: Session,
    dispute: CompensationDispute,
    kind: str,
    from_status: DisputeStatus | None,
    to_status: DisputeStatus,
    principal: Principal,
    now: datetime,
    text: str,
) -> CompensationDisputeEntry:
    sequence = session.scalar(
        select(func.coalesce(func.max(CompensationDisputeEntry.sequence), 0)).where(
            CompensationDisputeEntry.dispute_id == dispute.id
        )
    )
    entry = CompensationDisputeEntry(
        id=new_id(),
        dispute_id=dispute.id,
        sequence=int(sequence or 0) + 1,
        kind=kind,
        from_status=None if from_status is None else from_status.value,
        to_status=to_status.value,
        actor=principal.actor,
        occurred_at=now,
        text=text,
    )
    session.add(entry)
    return entry
