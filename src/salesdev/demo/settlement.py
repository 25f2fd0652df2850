"""Demo settlement: the last complete month calculated, one adjustment awaiting approval and
one open dispute, so that statements, disputes and the settlement page have something to
show. It runs before the demo logins are created (they come last in the audit trail), so
the dispute is raised by sales operations on behalf of the rep who earned most."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.analytics.compensation_runs import run_period
from salesdev.core.periods import Period
from salesdev.db.models import SalesPerson
from salesdev.db.models.compensation import LedgerEntry, LedgerVersion
from salesdev.domains.access import Principal, Role
from salesdev.domains.settlement import create_adjustment, raise_dispute, statement_id

# Who the demo's settlement records name (not a login: nobody can sign in as it).
OPERATIONS = Principal(
    kind="user", name="demo:sales-operations", roles=frozenset({Role.SALES_OPERATIONS})
)


def setup_demo_settlement(
    session: Session, *, event_store_dir: Path, data_dir: Path, period: Period, now: datetime
) -> str | None:
    """Calculate ``period`` (unless a ledger version exists), then record an adjustment and a
    dispute for the rep who earned most. Returns the period, or None when no rep earned."""
    month = str(period)
    if session.scalar(select(LedgerVersion.id).where(LedgerVersion.period == month)) is None:
        run_period(
            session,
            principal=OPERATIONS,
            event_store_dir=event_store_dir,
            data_dir=data_dir,
            period=month,
            now=now,
        )
    latest = session.scalar(
        select(func.max(LedgerEntry.ledger_version)).where(LedgerEntry.period == month)
    )
    earnings = func.sum(LedgerEntry.amount)
    top = session.execute(
        select(LedgerEntry.payee_id, earnings)
        .join(SalesPerson, SalesPerson.id == LedgerEntry.payee_id)
        .where(
            LedgerEntry.period == month,
            LedgerEntry.ledger_version == latest,
            SalesPerson.role == "rep",
        )
        .group_by(LedgerEntry.payee_id)
        .order_by(earnings.desc(), LedgerEntry.payee_id)
        .limit(1)
    ).first()
    if top is None:
        return None
    payee_id = top[0]
    line = session.scalar(
        select(LedgerEntry)
        .where(
            LedgerEntry.period == month,
            LedgerEntry.ledger_version == latest,
            LedgerEntry.payee_id == payee_id,
        )
        .order_by(LedgerEntry.amount.desc(), LedgerEntry.component_id)
        .limit(1)
    )
    assert line is not None
    create_adjustment(
        session,
        principal=OPERATIONS,
        period=month,
        payee_kind="sales_person",
        payee_id=payee_id,
        component_id=line.component_id,
        amount="25.00",
        currency=line.currency,
        reason="Order ORD-DEMO-1 was credited to the wrong rep",
        now=now,
    )
    raise_dispute(
        session,
        principal=OPERATIONS,
        statement=statement_id(month, payee_id),
        line=f"{line.component_id}/{line.product_family or '-'}/{line.basis}",
        subject="Raised for the rep: a fibre order is missing from this line",
        now=now,
    )
    return month
