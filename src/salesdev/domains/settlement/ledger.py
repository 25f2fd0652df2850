"""What settlement reads from the compensation ledger: the latest version of a period.

The ledger (``LedgerVersion``/``LedgerEntry``) is written by compensation runs; this is
the one place settlement reads it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.db.models.compensation import LedgerEntry, LedgerVersion


@dataclass(frozen=True)
class LedgerLine:
    period: str
    ledger_version: int
    run_id: uuid.UUID
    plan_code: str
    plan_version: int
    payee_kind: str
    payee_id: uuid.UUID
    component_id: str
    component_kind: str
    product_family: str | None
    basis: str
    measure: Decimal
    event_count: int
    quota: Decimal | None
    tier: int | None
    rate: Decimal | None
    unit_amount: Decimal | None
    gated: bool
    capped: bool
    floored: bool
    amount: Decimal  # the payment, rounded once by the engine
    currency: str

    @property
    def key(self) -> str:
        """The line's key within a statement: component, family, basis."""
        return f"{self.component_id}/{self.product_family or '-'}/{self.basis}"

    @property
    def attainment(self) -> Decimal | None:
        if self.quota is None or self.quota == 0:
            return None
        return self.measure / self.quota


def latest_version(session: Session, period: str) -> LedgerVersion | None:
    return session.scalar(
        select(LedgerVersion)
        .where(LedgerVersion.period == period)
        .order_by(LedgerVersion.number.desc())
        .limit(1)
    )


def latest_versions(session: Session, periods: Collection[str]) -> dict[str, int]:
    if not periods:
        return {}
    rows = session.execute(
        select(LedgerVersion.period, func.max(LedgerVersion.number))
        .where(LedgerVersion.period.in_(list(periods)))
        .group_by(LedgerVersion.period)
    )
    return {period: int(number) for period, number in rows}


def ledger_lines(
    session: Session, period: str, *, payee_ids: Collection[uuid.UUID] | None = None
) -> tuple[int | None, list[LedgerLine]]:
    """The latest ledger version of the period and its lines (optionally of some payees)."""
    version = latest_version(session, period)
    if version is None:
        return None, []
    columns = [getattr(LedgerEntry, name) for name in _COLUMNS]
    statement = select(*columns).where(
        LedgerEntry.period == period, LedgerEntry.ledger_version == version.number
    )
    if payee_ids is not None:
        statement = statement.where(LedgerEntry.payee_id.in_(list(payee_ids)))
    statement = statement.order_by(
        LedgerEntry.payee_id,
        LedgerEntry.component_id,
        LedgerEntry.product_family,
        LedgerEntry.basis,
    )
    # Plain rows, not ORM objects: a period has a line per payee and component.
    return version.number, [LedgerLine(*row) for row in session.execute(statement)]


_COLUMNS = (
    "period",
    "ledger_version",
    "run_id",
    "plan_code",
    "plan_version",
    "payee_kind",
    "payee_id",
    "component_id",
    "component_kind",
    "product_family",
    "basis",
    "measure",
    "event_count",
    "quota",
    "tier",
    "rate",
    "unit_amount",
    "gated",
    "capped",
    "floored",
    "amount",
    "currency",
)
