"""Payout export: a locked period's amounts due, written once as an append-only batch.

``export_payout`` writes the payable items (not held, not carried) as payout lines of a
new batch, numbered per period. Exporting again writes only what became due since (after
a release, a recalculation, an approved adjustment); when nothing is due it writes no
batch and returns the latest one, so exporting twice never pays twice.

The payroll file (sales people) and the accounts-payable file (partners, with their payout
details) are rendered from a batch's lines, so the same batch always gives the same files.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from salesdev.core.errors import NotFound
from salesdev.core.ids import new_id
from salesdev.core.periods import require_aware
from salesdev.db.models import PartnerPayout
from salesdev.db.models.settlement import PayoutBatch, PayoutLine, SettlementPeriod
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.audit import record_event
from salesdev.domains.settlement.common import parse_period, payee_names
from salesdev.domains.settlement.due import EARNING, ZERO, compute_due
from salesdev.domains.settlement.periods import require_locked


@dataclass(frozen=True)
class ExportResult:
    batch: PayoutBatch | None
    created: bool  # False: nothing was due, ``batch`` is the latest existing one


def export_payout(
    session: Session, *, principal: Principal, period: str, now: datetime
) -> ExportResult:
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    period = parse_period(period)
    # Serialise exports (and moves) of a period: PostgreSQL row lock; SQLite writes one at a
    # time. Checked under the lock: a reopen cannot slip between the check and the batch.
    session.scalar(
        select(SettlementPeriod.id).where(SettlementPeriod.period == period).with_for_update()
    )
    require_locked(session, period)
    latest = _latest_batch(session, period)
    settlement = compute_due(session, period)
    payable = [item for item in settlement.items if item.payable and item.due != 0]
    if not payable:
        return ExportResult(batch=latest, created=False)
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in payable:
        totals[item.currency] += item.due
    batch = PayoutBatch(
        id=new_id(),
        period=period,
        sequence=(latest.sequence if latest else 0) + 1,
        created_by=principal.actor,
        line_count=len(payable),
        totals={currency: str(total) for currency, total in sorted(totals.items())},
        created_at=now,
        updated_at=now,
    )
    session.add(batch)
    session.flush()
    # One bulk insert (a batch can hold a line per payee and component) and one audit
    # event summarising it, as other bulk writes do; the lines are append-only.
    session.execute(
        insert(PayoutLine),
        [
            {
                "id": new_id(),
                "batch_id": batch.id,
                "earning_period": item.earning_period,
                "payee_kind": item.payee_kind,
                "payee_id": item.payee_id,
                "kind": item.kind,
                "component_id": item.component_id,
                "adjustment_id": item.adjustment_id,
                "draw_id": item.draw_id,
                "ledger_version": item.ledger_version,
                "amount": item.due,
                "currency": item.currency,
            }
            for item in payable
        ],
    )
    record_event(
        session,
        action="compensation.payout_batch",
        object_type="comp_payout_batch",
        object_id=str(batch.id),
        after={
            "period": period,
            "sequence": batch.sequence,
            "lines": len(payable),
            "totals": batch.totals,
        },
    )
    session.flush()
    return ExportResult(batch=batch, created=True)


def _latest_batch(session: Session, period: str) -> PayoutBatch | None:
    return session.scalar(
        select(PayoutBatch)
        .where(PayoutBatch.period == period)
        .order_by(PayoutBatch.sequence.desc())
        .limit(1)
    )


def list_batches(
    session: Session, *, principal: Principal, period: str | None = None
) -> list[PayoutBatch]:
    authorize(principal, Family.COMPENSATION, "read")
    statement = select(PayoutBatch)
    if period is not None:
        statement = statement.where(PayoutBatch.period == parse_period(period))
    return list(
        session.scalars(statement.order_by(PayoutBatch.period.desc(), PayoutBatch.sequence))
    )


def get_batch(session: Session, *, principal: Principal, batch_id: uuid.UUID) -> PayoutBatch:
    authorize(principal, Family.COMPENSATION, "read")
    batch = session.get(PayoutBatch, batch_id)
    if batch is None:
        raise NotFound(f"Payout batch {batch_id} does not exist")
    return batch


def batch_lines(session: Session, batch: PayoutBatch) -> list[PayoutLine]:
    return list(
        session.scalars(
            select(PayoutLine)
            .where(PayoutLine.batch_id == batch.id)
            .order_by(
                PayoutLine.payee_kind,
                PayoutLine.payee_id,
                PayoutLine.earning_period,
                PayoutLine.kind,
                PayoutLine.component_id,
                PayoutLine.id,
            )
        )
    )


PAYROLL_COLUMNS = (
    "batch",
    "period",
    "employee_code",
    "employee_name",
    "earning_period",
    "kind",
    "component",
    "amount",
    "currency",
)
PAYABLES_COLUMNS = (
    "batch",
    "period",
    "partner_code",
    "partner_name",
    "payee_name",
    "iban",
    "bic",
    "tax_id",
    "payment_terms_days",
    "amount",
    "currency",
)


def payroll_csv(session: Session, *, principal: Principal, batch_id: uuid.UUID) -> str:
    """One row per sales person, earning period, kind and component of the batch."""
    batch = get_batch(session, principal=principal, batch_id=batch_id)
    lines = [line for line in batch_lines(session, batch) if line.payee_kind == "sales_person"]
    names = payee_names(session, {line.payee_id for line in lines})
    sums: dict[tuple[str, str, str, str, str, str], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        payee = names[line.payee_id]
        key = (
            payee.code,
            payee.name,
            line.earning_period,
            line.kind,
            line.component_id or "",
            line.currency,
        )
        sums[key] += line.amount
    out = _Writer()
    out.writerow(PAYROLL_COLUMNS)
    label = f"{batch.period}#{batch.sequence}"
    for (code, name, earning, kind, component, currency), amount in sorted(sums.items()):
        out.writerow([label, batch.period, code, name, earning, kind, component, amount, currency])
    return out.text()


def payables_csv(session: Session, *, principal: Principal, batch_id: uuid.UUID) -> str:
    """One payment per partner of the batch, with its bank details (payouts read needed)."""
    batch = get_batch(session, principal=principal, batch_id=batch_id)
    authorize(principal, Family.PAYOUTS, "read")
    lines = [line for line in batch_lines(session, batch) if line.payee_kind == "partner"]
    names = payee_names(session, {line.payee_id for line in lines})
    sums: dict[tuple[uuid.UUID, str], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        sums[(line.payee_id, line.currency)] += line.amount
    details = {
        payout.partner_id: payout
        for payout in session.scalars(
            select(PartnerPayout).where(PartnerPayout.partner_id.in_({k[0] for k in sums}))
        )
    }
    out = _Writer()
    out.writerow(PAYABLES_COLUMNS)
    label = f"{batch.period}#{batch.sequence}"
    for (partner_id, currency), amount in sorted(
        sums.items(), key=lambda kv: (names[kv[0][0]].code, kv[0][1])
    ):
        partner = names[partner_id]
        payout = details.get(partner_id)
        out.writerow(
            [
                label,
                batch.period,
                partner.code,
                partner.name,
                payout.payee_name if payout else "",
                payout.iban if payout else "",
                (payout.bic or "") if payout else "",
                payout.tax_id if payout else "",
                payout.payment_terms_days if payout else "",
                amount,
                currency,
            ]
        )
    return out.text()


class _Writer:
    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.csv = csv.writer(self.buffer, lineterminator="\n")

    def writerow(self, row: object) -> None:
        self.csv.writerow(row)  # type: ignore[arg-type]

    def text(self) -> str:
        return self.buffer.getvalue()


@dataclass(frozen=True)
class Reconciliation:
    period: str
    currency: str
    ledger_version: int | None
    ledger_total: Decimal
    paid: Decimal
    held: Decimal
    carried: Decimal
    adjustments_paid: Decimal
    draws_paid: Decimal
    prior_periods_paid: Decimal
    batches_total: Decimal

    @property
    def balanced(self) -> bool:
        return self.ledger_total == self.paid + self.held + self.carried


def reconcile(session: Session, *, principal: Principal, period: str) -> list[Reconciliation]:
    """Per currency: the period's ledger total = paid + held + carried (still due).

    ``paid`` counts earning lines of the period in any batch; ``batches_total`` is every
    line of the period's batches (earnings, adjustments, draws, earlier periods'
    differences) and equals the sum of the batches' recorded totals.
    """
    authorize(principal, Family.COMPENSATION, "read")
    period = parse_period(period)
    settlement = compute_due(session, period)
    currencies = {line.currency for line in settlement.lines} | {
        item.currency for item in settlement.items
    }
    paid_rows = session.execute(
        select(PayoutLine.currency, PayoutLine.kind, func.sum(PayoutLine.amount))
        .where(PayoutLine.earning_period == period)
        .group_by(PayoutLine.currency, PayoutLine.kind)
    )
    paid: dict[tuple[str, str], Decimal] = {}
    for currency, kind, total in paid_rows:
        paid[(currency, kind)] = Decimal(total)
        currencies.add(currency)
    batch_rows = session.execute(
        select(PayoutLine.currency, PayoutLine.earning_period, func.sum(PayoutLine.amount))
        .join(PayoutBatch, PayoutBatch.id == PayoutLine.batch_id)
        .where(PayoutBatch.period == period)
        .group_by(PayoutLine.currency, PayoutLine.earning_period)
    )
    batches: dict[str, Decimal] = defaultdict(lambda: ZERO)
    prior: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for currency, earning, total in batch_rows:
        batches[currency] += Decimal(total)
        if earning < period:
            prior[currency] += Decimal(total)
        currencies.add(currency)
    result = []
    for currency in sorted(currencies):
        ledger_total = sum(
            (line.amount for line in settlement.lines if line.currency == currency), ZERO
        )
        earning_items = [
            i
            for i in settlement.items
            if i.kind == EARNING and i.earning_period == period and i.currency == currency
        ]
        result.append(
            Reconciliation(
                period=period,
                currency=currency,
                ledger_version=settlement.ledger_version,
                ledger_total=ledger_total,
                paid=paid.get((currency, EARNING), ZERO),
                held=sum((i.due for i in earning_items if i.held), ZERO),
                carried=sum((i.due for i in earning_items if not i.held), ZERO),
                adjustments_paid=paid.get((currency, "adjustment"), ZERO),
                draws_paid=sum(
                    (
                        paid.get((currency, kind), ZERO)
                        for kind in ("guarantee", "draw_advance", "draw_recovery")
                    ),
                    ZERO,
                ),
                prior_periods_paid=prior[currency],
                batches_total=batches[currency],
            )
        )
    return result
