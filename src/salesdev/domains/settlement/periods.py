"""Period close -> approval -> lock, and reopening.

- ``close``: no further run or ledger version for the period (``require_open`` is the
  hook compensation runs call) until it is reopened.
- ``approve``: by someone other than the user who closed it.
- ``lock``: the approved figures are final; payout export needs a locked period.
- ``reopen``: back to open, with a reason (e.g. to recalculate; what was already paid stays
  paid, and the next payout pays or recovers only the difference).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, PreconditionFailed, RuleViolation
from salesdev.core.ids import new_id
from salesdev.core.periods import require_aware
from salesdev.db.models.compensation import CompensationRun, LedgerVersion
from salesdev.db.models.settlement import SettlementPeriod, SettlementPeriodEvent
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.access.approval import require_second_person
from salesdev.domains.settlement.common import parse_period, parse_reason


class PeriodStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    APPROVED = "approved"
    LOCKED = "locked"


S = PeriodStatus
ACTIONS: dict[str, tuple[tuple[PeriodStatus, ...], PeriodStatus]] = {
    "close": ((S.OPEN,), S.CLOSED),
    "approve": ((S.CLOSED,), S.APPROVED),
    "lock": ((S.APPROVED,), S.LOCKED),
    "reopen": ((S.CLOSED, S.APPROVED, S.LOCKED), S.OPEN),
}


PAST = {"close": "closed", "approve": "approved", "lock": "locked", "reopen": "reopened"}


def period_status(session: Session, period: str) -> PeriodStatus:
    row = session.scalar(select(SettlementPeriod).where(SettlementPeriod.period == period))
    return S.OPEN if row is None else S(row.status)


def require_open(session: Session, period: str) -> None:
    """Refuse a new run or ledger version of a closed, approved or locked period.

    The hook for compensation runs: call it before writing a ledger version.
    """
    status = period_status(session, period)
    if status is not S.OPEN:
        raise RuleViolation(
            f"Period {period} is {status}: reopen it before recalculating",
            [ErrorDetail("period", f"{period} is {status}")],
        )


def _latest_ledger_version(session: Session, period: str) -> int | None:
    number = session.scalar(
        select(func.max(LedgerVersion.number)).where(LedgerVersion.period == period)
    )
    return None if number is None else int(number)


def _refuse_running(session: Session, period: str) -> None:
    running = session.scalar(
        select(func.count())
        .select_from(CompensationRun)
        .where(
            CompensationRun.period == period,
            CompensationRun.status.in_(("queued", "running")),
            CompensationRun.dry_run.is_(False),
        )
    )
    if running:
        raise RuleViolation(
            f"A calculation of {period} is queued or running: close the period when it ends",
            [ErrorDetail("action", "wait for the run to finish")],
        )


def require_locked(session: Session, period: str) -> None:
    """Refuse to pay out a period that is not locked, or whose ledger changed since it was
    closed (a run that did not check ``require_open``)."""
    row = session.scalar(select(SettlementPeriod).where(SettlementPeriod.period == period))
    status = S.OPEN if row is None else S(row.status)
    if row is None or status is not S.LOCKED:
        raise RuleViolation(
            f"Period {period} is {status}: only a locked period is paid out",
            [ErrorDetail("period", "close, approve and lock the period first")],
        )
    latest = _latest_ledger_version(session, period)
    if row.closed_ledger_version != latest:
        raise RuleViolation(
            f"The ledger of {period} changed since it was closed "
            f"(version {row.closed_ledger_version} then, {latest} now): reopen and close again",
            [ErrorDetail("period", "the locked figures are no longer the latest")],
        )


def get_period(session: Session, *, principal: Principal, period: str) -> SettlementPeriod | None:
    authorize(principal, Family.COMPENSATION, "read")
    period = parse_period(period)
    return session.scalar(select(SettlementPeriod).where(SettlementPeriod.period == period))


def list_periods(session: Session, *, principal: Principal) -> list[SettlementPeriod]:
    authorize(principal, Family.COMPENSATION, "read")
    return list(session.scalars(select(SettlementPeriod).order_by(SettlementPeriod.period.desc())))


def period_history(
    session: Session, *, principal: Principal, period: str
) -> list[SettlementPeriodEvent]:
    row = get_period(session, principal=principal, period=period)
    if row is None:
        return []
    return list(
        session.scalars(
            select(SettlementPeriodEvent)
            .where(SettlementPeriodEvent.period_id == row.id)
            .order_by(SettlementPeriodEvent.sequence)
        )
    )


def move_period(
    session: Session,
    *,
    principal: Principal,
    period: str,
    action: str,
    now: datetime,
    comment: str = "",
    expected_version: int | None = None,
) -> SettlementPeriod:
    """Close, approve, lock or reopen a period (an entry in its history)."""
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    period = parse_period(period)
    if action not in ACTIONS:
        raise InvalidInput(
            "Unknown action",
            [ErrorDetail("action", f"expected one of {', '.join(ACTIONS)}; got {action!r}")],
        )
    comment = parse_reason(comment, location="comment", required=action == "reopen")
    row = session.scalar(
        select(SettlementPeriod).where(SettlementPeriod.period == period).with_for_update()
    )
    if row is None:
        row = SettlementPeriod(
            id=new_id(), period=period, status=S.OPEN.value, created_at=now, updated_at=now
        )
        session.add(row)
        session.flush()
    if expected_version is not None and expected_version != row.version:
        raise PreconditionFailed(
            f"Period {period} changed since you read it (version {row.version})"
        )
    allowed, target = ACTIONS[action]
    current = S(row.status)
    if current not in allowed:
        raise RuleViolation(
            f"Period {period} is {current}; it cannot be {PAST[action]}",
            [ErrorDetail("action", f"{action} needs a period that is {' or '.join(allowed)}")],
        )
    if action == "approve":
        require_second_person(
            principal, first=row.closed_by, role="period's closer", did=f"closed period {period}"
        )
    latest = _latest_ledger_version(session, period)
    if action == "close":
        _refuse_running(session, period)
        row.closed_by, row.closed_at = principal.actor, now
        row.closed_ledger_version = latest
        row.approved_by = row.approved_at = row.locked_by = row.locked_at = None
    elif action in ("approve", "lock") and row.closed_ledger_version != latest:
        # A run wrote a ledger version after the close: what was closed is not what is there.
        raise RuleViolation(
            f"The ledger of {period} changed since it was closed "
            f"(version {row.closed_ledger_version} then, {latest} now): reopen and close again",
            [ErrorDetail("action", "the closed figures are no longer the latest")],
        )
    if action == "approve":
        row.approved_by, row.approved_at = principal.actor, now
    elif action == "lock":
        row.locked_by, row.locked_at = principal.actor, now
    elif action == "reopen":
        row.closed_ledger_version = None
        row.closed_by = row.closed_at = row.approved_by = row.approved_at = None
        row.locked_by = row.locked_at = None
    row.status = target.value
    row.updated_at = now
    sequence = session.scalar(
        select(func.coalesce(func.max(SettlementPeriodEvent.sequence), 0)).where(
            SettlementPeriodEvent.period_id == row.id
        )
    )
    session.add(
        SettlementPeriodEvent(
            id=new_id(),
            period_id=row.id,
            sequence=int(sequence or 0) + 1,
            from_status=current.value,
            to_status=target.value,
            actor=principal.actor,
            occurred_at=now,
            comment=comment,
        )
    )
    session.flush()
    return row
