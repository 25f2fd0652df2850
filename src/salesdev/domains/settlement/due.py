"""Amounts due: what a payout of a period would pay now, item by item.

For the period and for every earlier period that was paid out before and is locked again
(a recalculation after payment), per payee and component:

    due = latest ledger version's payment - what earlier payout lines already paid

so a recalculation pays (or recovers, when negative) only the difference; paid lines are
never changed. Approved adjustments are due once (amount - paid). Draw postings (see
``draws``) are computed once per draw and period. Items of a payee or line on hold are
``held``; when a payee's unheld items sum to less than zero, nothing is paid to them and
the items are ``carried`` to a later payout.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.db.models.settlement import CompensationDraw, PayoutLine, SettlementPeriod
from salesdev.domains.settlement.adjustments import approved_adjustments
from salesdev.domains.settlement.holds import active_holds
from salesdev.domains.settlement.ledger import LedgerLine, ledger_lines

ZERO = Decimal(0)
EARNING, ADJUSTMENT, GUARANTEE, DRAW_ADVANCE, DRAW_RECOVERY = (
    "earning",
    "adjustment",
    "guarantee",
    "draw_advance",
    "draw_recovery",
)
KINDS = (EARNING, ADJUSTMENT, GUARANTEE, DRAW_ADVANCE, DRAW_RECOVERY)


@dataclass(frozen=True)
class DueItem:
    earning_period: str
    payee_kind: str
    payee_id: uuid.UUID
    kind: str
    component_id: str | None
    adjustment_id: uuid.UUID | None
    draw_id: uuid.UUID | None
    ledger_version: int | None
    latest: Decimal  # the ledger's payment, the adjustment or the posting
    paid: Decimal  # already paid by earlier payout lines
    currency: str
    held: bool = False
    carried: bool = False

    @property
    def due(self) -> Decimal:
        return self.latest - self.paid

    @property
    def payable(self) -> bool:
        return not self.held and not self.carried


@dataclass(frozen=True)
class Settlement:
    period: str
    ledger_version: int | None
    lines: list[LedgerLine]  # the period's latest ledger lines
    items: list[DueItem]


def repaid_periods(session: Session, period: str) -> list[str]:
    """Earlier periods paid out before and locked again: their differences are due now."""
    earlier = select(PayoutLine.earning_period).where(PayoutLine.earning_period < period).distinct()
    return list(
        session.scalars(
            select(SettlementPeriod.period)
            .where(SettlementPeriod.period.in_(earlier), SettlementPeriod.status == "locked")
            .order_by(SettlementPeriod.period)
        )
    )


def compute_due(
    session: Session, period: str, *, payee_ids: Collection[uuid.UUID] | None = None
) -> Settlement:
    ids = None if payee_ids is None else set(payee_ids)
    periods = [*repaid_periods(session, period), period]
    items: list[DueItem] = []
    version: int | None = None
    current: list[LedgerLine] = []
    earnings_of_period: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for q in periods:
        number, lines = ledger_lines(session, q, payee_ids=ids)
        if q == period:
            version, current = number, lines
            for line in lines:
                earnings_of_period[line.payee_id] += line.amount
        items += _earnings(session, q, number, lines, ids)
    adjustments = approved_adjustments(session, periods=periods, payee_ids=ids)
    paid_adjustments = _paid_by(session, PayoutLine.adjustment_id, [a.id for a in adjustments])
    for adjustment in adjustments:
        if adjustment.period == period:
            earnings_of_period[adjustment.payee_id] += adjustment.amount
        paid = paid_adjustments.get(adjustment.id, ZERO)
        if adjustment.amount != paid:
            items.append(
                DueItem(
                    earning_period=adjustment.period,
                    payee_kind=adjustment.payee_kind,
                    payee_id=adjustment.payee_id,
                    kind=ADJUSTMENT,
                    component_id=adjustment.component_id,
                    adjustment_id=adjustment.id,
                    draw_id=None,
                    ledger_version=None,
                    latest=adjustment.amount,
                    paid=paid,
                    currency=adjustment.currency,
                )
            )
    items += _draw_postings(session, period, ids, earnings_of_period)
    items = _apply_holds_and_carry(session, items, ids)
    items.sort(key=_order)
    return Settlement(period=period, ledger_version=version, lines=current, items=items)


def _order(item: DueItem) -> tuple[uuid.UUID, str, int, str, str]:
    extra = item.adjustment_id or item.draw_id
    return (
        item.payee_id,
        item.earning_period,
        KINDS.index(item.kind),
        item.component_id or "",
        "" if extra is None else str(extra),
    )


def _earnings(
    session: Session,
    period: str,
    version: int | None,
    lines: list[LedgerLine],
    ids: set[uuid.UUID] | None,
) -> list[DueItem]:
    latest: dict[tuple[uuid.UUID, str], tuple[str, Decimal, str]] = {}
    for line in lines:
        key = (line.payee_id, line.component_id)
        kind, amount, currency = latest.get(key, (line.payee_kind, ZERO, line.currency))
        latest[key] = (kind, amount + line.amount, currency)
    statement = (
        select(
            PayoutLine.payee_id,
            PayoutLine.component_id,
            PayoutLine.payee_kind,
            PayoutLine.currency,
            func.sum(PayoutLine.amount),
        )
        .where(PayoutLine.earning_period == period, PayoutLine.kind == EARNING)
        .group_by(
            PayoutLine.payee_id, PayoutLine.component_id, PayoutLine.payee_kind, PayoutLine.currency
        )
    )
    if ids is not None:
        statement = statement.where(PayoutLine.payee_id.in_(ids))
    paid: dict[tuple[uuid.UUID, str], tuple[str, Decimal, str]] = {
        (payee_id, str(component)): (kind, _decimal(total), currency)
        for payee_id, component, kind, currency, total in session.execute(statement)
    }
    items = []
    for key in sorted(set(latest) | set(paid)):
        kind, amount, currency = latest.get(key) or (paid[key][0], ZERO, paid[key][2])
        already = paid.get(key, (kind, ZERO, currency))[1]
        if amount == already:
            continue
        items.append(
            DueItem(
                earning_period=period,
                payee_kind=kind,
                payee_id=key[0],
                kind=EARNING,
                component_id=key[1],
                adjustment_id=None,
                draw_id=None,
                ledger_version=version,
                latest=amount,
                paid=already,
                currency=currency,
            )
        )
    return items


def _decimal(value: object) -> Decimal:
    """A SUM over an Amount column: Decimal on PostgreSQL, a scaled integer on SQLite."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    return (Decimal(int(str(value))) / Decimal(10000)).quantize(Decimal("0.0001"))


def _paid_by(session: Session, column: object, keys: list[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    if not keys:
        return {}
    rows = session.execute(
        select(column, func.sum(PayoutLine.amount))  # type: ignore[call-overload]
        .where(column.in_(keys))  # type: ignore[attr-defined]
        .group_by(column)
    )
    return {key: _decimal(total) for key, total in rows}


def draw_balances(
    session: Session, draw_ids: list[uuid.UUID], *, before: str | None = None
) -> dict[uuid.UUID, Decimal]:
    """Advances minus recoveries posted so far (optionally for periods before ``before``)."""
    if not draw_ids:
        return {}
    statement = select(PayoutLine.draw_id, func.sum(PayoutLine.amount)).where(
        PayoutLine.draw_id.in_(draw_ids),
        PayoutLine.kind.in_((DRAW_ADVANCE, DRAW_RECOVERY)),
    )
    if before is not None:
        statement = statement.where(PayoutLine.earning_period < before)
    rows = session.execute(statement.group_by(PayoutLine.draw_id))
    return {key: _decimal(total) for key, total in rows if key is not None}


def _draw_postings(
    session: Session,
    period: str,
    ids: set[uuid.UUID] | None,
    earnings: dict[uuid.UUID, Decimal],
) -> list[DueItem]:
    statement = select(CompensationDraw).where(
        CompensationDraw.status == "active", CompensationDraw.period_from <= period
    )
    if ids is not None:
        statement = statement.where(CompensationDraw.payee_id.in_(ids))
    draws = list(session.scalars(statement.order_by(CompensationDraw.id)))
    if not draws:
        return []
    posted = set(
        session.scalars(
            select(PayoutLine.draw_id).where(
                PayoutLine.draw_id.in_([d.id for d in draws]), PayoutLine.earning_period == period
            )
        )
    )
    balances = draw_balances(session, [d.id for d in draws])
    items = []
    for draw in draws:
        if draw.id in posted:
            continue
        earned = earnings.get(draw.payee_id, ZERO)
        in_range = period <= draw.period_to
        balance = balances.get(draw.id, ZERO)
        kind, amount = "", ZERO
        if draw.kind == "guaranteed":
            if in_range and earned < draw.amount:
                kind, amount = GUARANTEE, draw.amount - earned
        elif in_range and earned < draw.amount:
            kind, amount = DRAW_ADVANCE, draw.amount - earned
        elif balance > 0:
            excess = earned - draw.amount if in_range else earned
            if excess > 0:
                kind, amount = DRAW_RECOVERY, -min(balance, excess)
        if kind:
            items.append(
                DueItem(
                    earning_period=period,
                    payee_kind=draw.payee_kind,
                    payee_id=draw.payee_id,
                    kind=kind,
                    component_id=None,
                    adjustment_id=None,
                    draw_id=draw.id,
                    ledger_version=None,
                    latest=amount,
                    paid=ZERO,
                    currency=draw.currency,
                )
            )
    return items


def _apply_holds_and_carry(
    session: Session, items: list[DueItem], ids: set[uuid.UUID] | None
) -> list[DueItem]:
    holds = active_holds(session, payee_ids=ids)
    whole = {h.payee_id for h in holds if h.component_id is None}
    lines = {(h.payee_id, h.component_id) for h in holds if h.component_id is not None}
    held = [
        replace(item, held=True)
        if item.payee_id in whole
        or (item.kind == EARNING and (item.payee_id, item.component_id) in lines)
        else item
        for item in items
    ]
    net: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for item in held:
        if not item.held:
            net[item.payee_id] += item.due
    negative = {payee for payee, total in net.items() if total < 0}
    return [
        replace(item, carried=True) if not item.held and item.payee_id in negative else item
        for item in held
    ]
