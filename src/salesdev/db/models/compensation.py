"""Compensation plans, versions, assignments, effective-dated hierarchies, runs and the ledger.

The ledger is append-only: a run that commits writes a new :class:`LedgerVersion` of its
period with its :class:`LedgerEntry` rows, and earlier versions are never changed. Both
the ORM (listeners below) and the database (triggers created by migration 0010) refuse an
UPDATE or DELETE of ledger rows. Approved plan versions are immutable: only their state
moves on (approved -> superseded), never their definition or effective period.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.core.errors import RuleViolation
from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from salesdev.db.types import Amount, ExactDecimal, UTCDateTime


class CompensationPlan(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A compensation plan: its code (what agreements' commission schedules name), its
    payee population and currency. Its definition lives in versions."""

    __tablename__ = "compensation_plan"
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    payee_type: Mapped[str] = mapped_column(String(16))  # sales_person | partner
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(Text, default="")
    latest_version: Mapped[int] = mapped_column(Integer, default=0)


class CompensationPlanVersion(IdMixin, TimestampMixin, VersionedMixin, Base):
    """One version of a plan's definition (the engine's plan as JSON), in force from a month.

    draft -> submitted -> approved (by someone other than the author) -> superseded by a
    later approved version. Only a draft's definition may change.
    """

    __tablename__ = "compensation_plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("compensation_plan.id"))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), index=True)
    effective_from: Mapped[str] = mapped_column(String(7))  # YYYY-MM, the first period
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    author: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PlanAssignment(IdMixin, TimestampMixin, VersionedMixin, Base):
    """Who a plan pays, during ``[valid_from, valid_to)``: every sales person of a role or a
    channel, the people (or the partner itself) of a partner, or one sales person / partner."""

    __tablename__ = "plan_assignment"
    __table_args__ = (Index("ix_plan_assignment_lookup", "plan_id", "scope", "target"),)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("compensation_plan.id"))
    # role | channel | partner | sales_person; target is the role code or the row's id.
    scope: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Quota(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A payee's quota (the measure of 100 % attainment) for one period."""

    __tablename__ = "compensation_quota"
    __table_args__ = (UniqueConstraint("payee_id", "period"),)
    payee_kind: Mapped[str] = mapped_column(String(16))  # sales_person | partner
    payee_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    period: Mapped[str] = mapped_column(String(7), index=True)
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))


class HierarchyLink(IdMixin, TimestampMixin, VersionedMixin, Base):
    """An effective-dated link: a sales person's manager or a partner's parent.

    History is never rewritten: a change ends the current link (``valid_to``) and adds one.
    """

    __tablename__ = "hierarchy_link"
    __table_args__ = (Index("ix_hierarchy_link_lookup", "relation", "payee_id", "valid_from"),)
    relation: Mapped[str] = mapped_column(String(16))  # manager | partner
    payee_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    parent_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CompensationRun(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A calculation of a period: queued -> running -> succeeded | failed, as a job.

    A committed (not dry) run that succeeds has written ``ledger_version`` of its period.
    """

    __tablename__ = "compensation_run"
    period: Mapped[str] = mapped_column(String(7), index=True)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), index=True)
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    requested_by: Mapped[str] = mapped_column(String(200))
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    ledger_version: Mapped[int | None] = mapped_column(Integer)
    # [{"code", "version", "currency", "payees", "lines", "total"}]
    plans: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # {"EUR": "123.45"}: sums of the rounded lines per currency
    totals: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    # A dry run keeps its lines here (the first ones) instead of in the ledger.
    preview: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RejectedEvent(IdMixin, Base):
    """An event a run left out, and why (the run's rejected-events report)."""

    __tablename__ = "compensation_rejected_event"
    __table_args__ = (Index("ix_compensation_rejected_event_run", "run_id", "event_id"),)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("compensation_run.id"))
    event_id: Mapped[str] = mapped_column(String(128))
    event_type: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)


class LedgerVersion(IdMixin, Base):
    """Version ``number`` of a period's ledger, written by one run (append-only)."""

    __tablename__ = "ledger_version"
    __table_args__ = (UniqueConstraint("period", "number"),)
    period: Mapped[str] = mapped_column(String(7))
    number: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("compensation_run.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    line_count: Mapped[int] = mapped_column(Integer)
    totals: Mapped[dict[str, str]] = mapped_column(JSON)


class LedgerEntry(IdMixin, Base):
    """One payment line of a ledger version: a payee's earnings on one component (and
    family, for rate components), with what explains it (append-only)."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        Index("ix_ledger_entry_version", "period", "ledger_version", "payee_id"),
        Index("ix_ledger_entry_run", "run_id", "payee_id"),
    )
    period: Mapped[str] = mapped_column(String(7))
    ledger_version: Mapped[int] = mapped_column(Integer)
    ledger_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ledger_version.id"))
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("compensation_run.id"))
    plan_code: Mapped[str] = mapped_column(String(64))
    plan_version: Mapped[int] = mapped_column(Integer)
    payee_kind: Mapped[str] = mapped_column(String(16))
    payee_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    component_id: Mapped[str] = mapped_column(String(64))
    component_kind: Mapped[str] = mapped_column(String(32))
    product_family: Mapped[str | None] = mapped_column(String(64))
    basis: Mapped[str] = mapped_column(String(32))
    measure: Mapped[Decimal] = mapped_column(Amount)
    event_count: Mapped[int] = mapped_column(Integer)
    quota: Mapped[Decimal | None] = mapped_column(Amount)
    tier: Mapped[int | None] = mapped_column(Integer)
    rate: Mapped[Decimal | None] = mapped_column(ExactDecimal(scale=6, precision=12))
    unit_amount: Mapped[Decimal | None] = mapped_column(Amount)
    gated: Mapped[bool] = mapped_column(Boolean)
    capped: Mapped[bool] = mapped_column(Boolean)
    floored: Mapped[bool] = mapped_column(Boolean)
    amount: Mapped[Decimal] = mapped_column(Amount)  # the payment: rounded once
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CreditSplit(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A payee's share of an order's credit (split credit), as the runs pass it to the
    engine. An import replaces every split of the orders it names (the audit trail keeps
    the replaced rows)."""

    __tablename__ = "compensation_credit_split"
    __table_args__ = (
        UniqueConstraint("order_id", "payee_id"),
        Index("ix_compensation_credit_split_order", "order_id"),
    )
    order_id: Mapped[str] = mapped_column(String(128))
    payee_kind: Mapped[str] = mapped_column(String(16))  # sales_person | partner
    payee_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    share: Mapped[Decimal] = mapped_column(ExactDecimal(scale=4, precision=5))
    policy: Mapped[str] = mapped_column(String(16))  # total_100 | overlay
    created_by: Mapped[str] = mapped_column(String(200))


APPEND_ONLY_TABLES = ("ledger_version", "ledger_entry")


def _refuse_rewrite(_mapper: Any, _connection: Any, target: Any) -> None:
    raise RuleViolation(f"{target.__tablename__} rows are append-only and cannot be changed")


for _model in (LedgerVersion, LedgerEntry, RejectedEvent):
    event.listen(_model, "before_update", _refuse_rewrite)
    event.listen(_model, "before_delete", _refuse_rewrite)

_FROZEN_FIELDS = ("definition", "effective_from", "number", "plan_id", "author")


def _refuse_version_rewrite(_mapper: Any, _connection: Any, target: Any) -> None:
    """A version that left draft keeps its definition, whatever a service does."""
    state = inspect(target)
    before = state.attrs.state.history.deleted
    committed_state = before[0] if before else target.state
    if committed_state == "draft":
        return
    changed = [name for name in _FROZEN_FIELDS if state.attrs[name].history.has_changes()]
    if changed:
        raise RuleViolation(
            f"Version {target.number} of the plan is {committed_state}: its "
            f"{', '.join(changed)} cannot change"
        )


def _refuse_version_delete(_mapper: Any, _connection: Any, target: Any) -> None:
    if target.state != "draft":
        raise RuleViolation(f"Version {target.number} of the plan is {target.state}; kept forever")


event.listen(CompensationPlanVersion, "before_update", _refuse_version_rewrite)
event.listen(CompensationPlanVersion, "before_delete", _refuse_version_delete)
