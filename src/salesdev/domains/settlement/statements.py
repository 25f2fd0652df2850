"""Statements: one payee's compensation for one period, read from the ledger and settlement.

A statement is not stored: it is assembled from the latest ledger version of the period,
the approved (and pending) adjustments, draw postings, holds, earlier periods'
differences and the payout lines. Its id is ``<period>_<payee id>``.

    total payable = earnings + approved adjustments + draws + prior-period differences
    outstanding   = total payable - paid            (held and carried amounts stay in it)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import NotFound
from salesdev.db.models.compensation import LedgerEntry, LedgerVersion
from salesdev.db.models.settlement import (
    CompensationAdjustment,
    CompensationDispute,
    CompensationDraw,
    CompensationHold,
    PayoutBatch,
    PayoutLine,
)
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.settlement.common import Payee, find_payee, parse_period, payee_names
from salesdev.domains.settlement.due import (
    DRAW_ADVANCE,
    DRAW_RECOVERY,
    GUARANTEE,
    ZERO,
    compute_due,
    draw_balances,
)
from salesdev.domains.settlement.ledger import LedgerLine, ledger_lines
from salesdev.domains.settlement.periods import PeriodStatus, period_status
from salesdev.domains.settlement.scope import can_see, payee_condition

DRAW_KINDS = (GUARANTEE, DRAW_ADVANCE, DRAW_RECOVERY)


def statement_id(period: str, payee_id: uuid.UUID) -> str:
    return f"{period}_{payee_id}"


def parse_statement_id(value: str) -> tuple[str, uuid.UUID]:
    """(period, payee id), or NotFound: an id that cannot exist names no statement."""
    period, _, rest = value.partition("_")
    try:
        return parse_period(period), uuid.UUID(rest)
    except (ValueError, Exception):
        raise NotFound(f"Statement {value} does not exist") from None


@dataclass(frozen=True)
class StatementSummary:
    id: str
    period: str
    payee: Payee
    currency: str
    earnings: Decimal
    line_count: int


def list_statements(
    session: Session,
    *,
    principal: Principal,
    period: str | None = None,
    payee_id: uuid.UUID | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[StatementSummary], int]:
    """Statements the principal may see, newest period first; and how many there are."""
    authorize(principal, Family.STATEMENTS, "read")
    latest = (
        select(LedgerVersion.period, func.max(LedgerVersion.number).label("number"))
        .group_by(LedgerVersion.period)
        .subquery()
    )
    statement = select(
        LedgerEntry.period,
        LedgerEntry.payee_kind,
        LedgerEntry.payee_id,
        LedgerEntry.currency,
        func.sum(LedgerEntry.amount).label("earnings"),
        func.count().label("lines"),
    ).join(
        latest,
        and_(LedgerEntry.period == latest.c.period, LedgerEntry.ledger_version == latest.c.number),
    )
    if period is not None:
        statement = statement.where(LedgerEntry.period == parse_period(period))
    if payee_id is not None:
        statement = statement.where(LedgerEntry.payee_id == payee_id)
    condition = payee_condition(
        session,
        principal=principal,
        kind_column=LedgerEntry.payee_kind,
        id_column=LedgerEntry.payee_id,
    )
    if condition is not None:
        statement = statement.where(condition)
    statement = statement.group_by(
        LedgerEntry.period, LedgerEntry.payee_kind, LedgerEntry.payee_id, LedgerEntry.currency
    )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = list(
        session.execute(
            statement.order_by(LedgerEntry.period.desc(), LedgerEntry.payee_id)
            .limit(limit)
            .offset(offset)
        )
    )
    names = payee_names(session, {row.payee_id for row in rows})
    return [
        StatementSummary(
            id=statement_id(row.period, row.payee_id),
            period=row.period,
            payee=names.get(row.payee_id)
            or Payee(row.payee_kind, row.payee_id, "?", str(row.payee_id)),
            currency=row.currency,
            earnings=row.earnings,
            line_count=row.lines,
        )
        for row in rows
    ], total


@dataclass(frozen=True)
class DrawPosting:
    draw_id: uuid.UUID
    kind: str
    amount: Decimal
    recorded: bool  # written by a payout; False: what the next payout would post


@dataclass(frozen=True)
class PriorDifference:
    earning_period: str
    kind: str
    component_id: str | None
    amount: Decimal
    paid: bool  # paid by this period's payout; False: due with the next payout


@dataclass(frozen=True)
class Statement:
    id: str
    period: str
    payee: Payee
    currency: str
    period_status: PeriodStatus
    ledger_version: int | None
    lines: list[LedgerLine]
    paid_by_component: dict[str, Decimal]
    adjustments: list[CompensationAdjustment]
    draws: list[DrawPosting]
    opening_draw_balance: Decimal
    closing_draw_balance: Decimal
    holds: list[CompensationHold]
    prior_differences: list[PriorDifference]
    disputes: list[CompensationDispute]
    earnings_total: Decimal
    adjustments_total: Decimal
    draws_total: Decimal
    prior_total: Decimal
    total_payable: Decimal
    paid: Decimal
    held: Decimal
    outstanding: Decimal

    def line(self, key: str) -> LedgerLine:
        for line in self.lines:
            if line.key == key:
                return line
        raise NotFound(f"Statement {self.id} has no line {key}")


def get_statement(session: Session, *, principal: Principal, statement: str) -> Statement:
    authorize(principal, Family.STATEMENTS, "read")
    period, payee_id = parse_statement_id(statement)
    version, lines = ledger_lines(session, period, payee_ids=[payee_id])
    adjustments = list(
        session.scalars(
            select(CompensationAdjustment)
            .where(
                CompensationAdjustment.period == period,
                CompensationAdjustment.payee_id == payee_id,
                CompensationAdjustment.status != "rejected",
            )
            .order_by(CompensationAdjustment.created_at, CompensationAdjustment.id)
        )
    )
    kind = lines[0].payee_kind if lines else adjustments[0].payee_kind if adjustments else None
    if kind is None or not can_see(session, principal=principal, kind=kind, payee_id=payee_id):
        raise NotFound(f"Statement {statement} does not exist")
    payee = find_payee(session, kind, payee_id)
    currency = lines[0].currency if lines else adjustments[0].currency
    due = compute_due(session, period, payee_ids=[payee_id])
    recorded = list(
        session.scalars(
            select(PayoutLine)
            .join(PayoutBatch, PayoutBatch.id == PayoutLine.batch_id)
            .where(
                PayoutLine.payee_id == payee_id,
                or_(
                    PayoutLine.earning_period == period,
                    and_(PayoutBatch.period == period, PayoutLine.earning_period < period),
                ),
            )
            .order_by(PayoutLine.earning_period, PayoutLine.kind, PayoutLine.id)
        )
    )
    paid_by_component: dict[str, Decimal] = {}
    for row in recorded:
        if row.kind == "earning" and row.earning_period == period and row.component_id:
            paid_by_component[row.component_id] = (
                paid_by_component.get(row.component_id, ZERO) + row.amount
            )
    draws = [
        DrawPosting(row.draw_id, row.kind, row.amount, True)
        for row in recorded
        if row.kind in DRAW_KINDS and row.earning_period == period and row.draw_id
    ] + [
        DrawPosting(item.draw_id, item.kind, item.due, False)
        for item in due.items
        if item.kind in DRAW_KINDS and item.draw_id
    ]
    draw_ids = list({d.draw_id for d in draws} | _draw_ids(session, payee_id))
    opening = sum(draw_balances(session, draw_ids, before=period).values(), ZERO)
    closing = opening + sum(
        (d.amount for d in draws if d.kind in (DRAW_ADVANCE, DRAW_RECOVERY)), ZERO
    )
    prior = [
        PriorDifference(row.earning_period, row.kind, row.component_id, row.amount, True)
        for row in recorded
        if row.earning_period < period
    ] + [
        PriorDifference(item.earning_period, item.kind, item.component_id, item.due, False)
        for item in due.items
        if item.earning_period < period
    ]
    holds = list(
        session.scalars(
            select(CompensationHold)
            .where(CompensationHold.payee_id == payee_id, CompensationHold.status == "active")
            .order_by(CompensationHold.held_at)
        )
    )
    disputes = list(
        session.scalars(
            select(CompensationDispute)
            .where(CompensationDispute.period == period, CompensationDispute.payee_id == payee_id)
            .order_by(CompensationDispute.created_at, CompensationDispute.id)
        )
    )
    earnings = sum((line.amount for line in lines), ZERO)
    adjustments_total = sum((a.amount for a in adjustments if a.status == "approved"), ZERO)
    draws_total = sum((d.amount for d in draws), ZERO)
    prior_total = sum((p.amount for p in prior), ZERO)
    payable = earnings + adjustments_total + draws_total + prior_total
    paid = sum((row.amount for row in recorded), ZERO)
    held = sum((item.due for item in due.items if item.held), ZERO)
    return Statement(
        id=statement_id(period, payee_id),
        period=period,
        payee=payee,
        currency=currency,
        period_status=period_status(session, period),
        ledger_version=version,
        lines=lines,
        paid_by_component=paid_by_component,
        adjustments=adjustments,
        draws=draws,
        opening_draw_balance=opening,
        closing_draw_balance=closing,
        holds=holds,
        prior_differences=prior,
        disputes=disputes,
        earnings_total=earnings,
        adjustments_total=adjustments_total,
        draws_total=draws_total,
        prior_total=prior_total,
        total_payable=payable,
        paid=paid,
        held=held,
        outstanding=payable - paid,
    )


def _draw_ids(session: Session, payee_id: uuid.UUID) -> set[uuid.UUID]:
    return set(
        session.scalars(select(CompensationDraw.id).where(CompensationDraw.payee_id == payee_id))
    )
