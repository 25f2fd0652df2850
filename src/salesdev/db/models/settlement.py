"""Compensation settlement: disputes, adjustments, draws, holds, period approvals, payout batches.

The ledger itself (runs and their versioned lines) belongs to ``compensation``; these
tables record what happens to it afterwards. History tables (period events, dispute
entries, payout lines) are append-only: the ORM refuses to update or delete their rows,
so paid history is never rewritten.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.core.errors import RuleViolation
from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from salesdev.db.types import Amount, UTCDateTime


class SettlementPeriod(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A compensation period's way to payout: open -> closed -> approved -> locked.

    Closed (or later) means no new run or ledger version for the period until it is
    reopened; approval must be by someone other than the closer.
    """

    __tablename__ = "comp_settlement_period"
    period: Mapped[str] = mapped_column(String(7), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The latest ledger version when closed: approval and lock refuse a period whose
    # ledger changed since (a run that slipped past the close).
    closed_ledger_version: Mapped[int | None] = mapped_column(Integer)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(200))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SettlementPeriodEvent(IdMixin, Base):
    """Append-only: every move of a period (closed, approved, locked, reopened)."""

    __tablename__ = "comp_settlement_period_event"
    __table_args__ = (UniqueConstraint("period_id", "sequence"),)
    period_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("comp_settlement_period.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    comment: Mapped[str] = mapped_column(Text, default="")


class CompensationAdjustment(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A manual amount for a payee and period, with a reason; counts once approved by another user."""

    __tablename__ = "comp_adjustment"
    __table_args__ = (Index("ix_comp_adjustment_payee", "period", "payee_id"),)
    period: Mapped[str] = mapped_column(String(7))
    payee_kind: Mapped[str] = mapped_column(String(16))
    payee_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    component_id: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    author: Mapped[str] = mapped_column(String(200))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str] = mapped_column(Text, default="")


class CompensationDraw(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A draw for a payee over a range of periods.

    ``recoverable``: each period pays at least ``amount``; a shortfall is advanced and
    recovered from later earnings until repaid. ``guaranteed``: a non-recoverable
    minimum, topped up and never recovered.
    """

    __tablename__ = "comp_draw"
    payee_kind: Mapped[str] = mapped_column(String(16))
    payee_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    period_from: Mapped[str] = mapped_column(String(7))
    period_to: Mapped[str] = mapped_column(String(7))
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")


class CompensationHold(IdMixin, TimestampMixin, VersionedMixin, Base):
    """Holds a payee's payments (or one component's line when ``component_id`` is set)."""

    __tablename__ = "comp_hold"
    payee_kind: Mapped[str] = mapped_column(String(16))
    payee_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    component_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(Text)
    held_by: Mapped[str] = mapped_column(String(200))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_by: Mapped[str | None] = mapped_column(String(200))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    release_reason: Mapped[str | None] = mapped_column(Text)


class CompensationDispute(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A payee's dispute of one statement line: open -> investigating -> resolved | rejected."""

    __tablename__ = "comp_dispute"
    __table_args__ = (Index("ix_comp_dispute_payee", "period", "payee_id"),)
    period: Mapped[str] = mapped_column(String(7))
    payee_kind: Mapped[str] = mapped_column(String(16))
    payee_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    component_id: Mapped[str] = mapped_column(String(64))
    product_family: Mapped[str | None] = mapped_column(String(32))
    basis: Mapped[str] = mapped_column(String(16))
    line_amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    subject: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    raised_by: Mapped[str] = mapped_column(String(200))
    adjustment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comp_adjustment.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")


class CompensationDisputeEntry(IdMixin, Base):
    """Append-only: a dispute raised, commented on or moved."""

    __tablename__ = "comp_dispute_entry"
    __table_args__ = (UniqueConstraint("dispute_id", "sequence"),)
    dispute_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("comp_dispute.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text, default="")


class PayoutBatch(IdMixin, TimestampMixin, VersionedMixin, Base):
    """One export of a locked period's amounts due; numbered per period."""

    __tablename__ = "comp_payout_batch"
    __table_args__ = (UniqueConstraint("period", "sequence"),)
    period: Mapped[str] = mapped_column(String(7))
    sequence: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
    line_count: Mapped[int] = mapped_column(Integer)
    # {currency: total} as decimal strings.
    totals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PayoutLine(IdMixin, Base):
    """Append-only: an amount paid (or recovered) to a payee in a batch.

    ``kind``: earning (a ledger line's difference), adjustment, guarantee (non-recoverable
    draw top-up), draw_advance (a recoverable draw's shortfall paid) or draw_recovery
    (negative, recovered from earnings).
    """

    __tablename__ = "comp_payout_line"
    __table_args__ = (
        Index("ix_comp_payout_line_payee", "earning_period", "payee_id"),
        Index("ix_comp_payout_line_batch_id", "batch_id"),
    )
    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("comp_payout_batch.id"))
    earning_period: Mapped[str] = mapped_column(String(7))
    payee_kind: Mapped[str] = mapped_column(String(16))
    payee_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(16))
    component_id: Mapped[str | None] = mapped_column(String(64))
    adjustment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comp_adjustment.id"))
    draw_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comp_draw.id"))
    ledger_version: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))


def _refuse_rewrite(_mapper: Any, _connection: Any, target: Any) -> None:
    raise RuleViolation(f"{target.__tablename__} rows are append-only and cannot be changed")


for _model in (SettlementPeriodEvent, CompensationDisputeEntry, PayoutLine):
    event.listen(_model, "before_update", _refuse_rewrite)
    event.listen(_model, "before_delete", _refuse_rewrite)
