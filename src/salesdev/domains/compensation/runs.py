"""Compensation runs, their rejected-events reports and the append-only, versioned ledger.

A run calculates one period: queued -> running -> succeeded | failed. A committed run
that succeeds writes its lines as a new ledger version of the period (1, 2, ...) in one
transaction; a dry run writes none. Ledger rows are never updated or deleted (the ORM
and database triggers refuse it), so every version ever written stays readable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, RuleViolation
from salesdev.core.periods import Period, parse_instant, require_aware
from salesdev.db.models import Partner, ProductFamily, ProductOffering, SalesChannel, SalesPerson
from salesdev.db.models.compensation import (
    CompensationPlan,
    CompensationRun,
    LedgerEntry,
    LedgerVersion,
    RejectedEvent,
)
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.audit import record_event
from salesdev.domains.compensation.assignments import plan_payees
from salesdev.domains.compensation.hierarchy import hierarchy_rows
from salesdev.domains.compensation.plans import engine_plan, version_in_force
from salesdev.domains.compensation.quotas import checked_amount, quotas_for
from salesdev.domains.compensation.splits import split_rows
from salesdev.domains.settlement.periods import require_open
from salesdev.engine.compensation import Plan

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
RUN_STATUSES = (QUEUED, RUNNING, SUCCEEDED, FAILED)
# Rejected events kept per run (the count is always exact).
MAX_REJECTED_ROWS = 50_000
PREVIEW_LINES = 500


def _count(raw: str) -> int:
    value = int(raw)
    if not 0 <= value < 2**31:
        raise ValueError(f"expected 0 to {2**31 - 1}")
    return value


def _money(raw: str) -> Decimal:
    return checked_amount(raw, location="amount")


RUN_ATTRIBUTES: dict[str, Attribute] = {
    "period": Attribute(CompensationRun.period),
    "status": Attribute(CompensationRun.status),
    "dryRun": Attribute(CompensationRun.dry_run, parse=lambda v: v.lower() == "true"),
    "ledgerVersion": Attribute(CompensationRun.ledger_version, parse=_count),
    "createdAt": Attribute(CompensationRun.created_at, parse=parse_instant),
}
LEDGER_ATTRIBUTES: dict[str, Attribute] = {
    "period": Attribute(LedgerEntry.period),
    "ledgerVersion": Attribute(LedgerEntry.ledger_version, parse=_count),
    "runId": Attribute(LedgerEntry.run_id, parse=uuid.UUID),
    "planCode": Attribute(LedgerEntry.plan_code),
    "payeeKind": Attribute(LedgerEntry.payee_kind),
    "payeeId": Attribute(LedgerEntry.payee_id, parse=uuid.UUID),
    "componentId": Attribute(LedgerEntry.component_id),
    "productFamily": Attribute(LedgerEntry.product_family),
    "basis": Attribute(LedgerEntry.basis),
    "amount": Attribute(LedgerEntry.amount, parse=_money),
}


# --- runs ----------------------------------------------------------------------------------


def create_run(
    session: Session, *, principal: Principal, period: str, dry_run: bool, now: datetime
) -> CompensationRun:
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    parsed = Period.parse(str(period))
    if not isinstance(dry_run, bool):
        raise InvalidInput("Invalid run", [ErrorDetail("dryRun", "expected true or false")])
    if not dry_run:
        # A closed, approved or locked period takes no new ledger version (settlement).
        require_open(session, str(parsed))
    run = CompensationRun(
        period=str(parsed),
        dry_run=dry_run,
        status=QUEUED,
        requested_by=principal.actor,
        progress_done=0,
        message="",
        plans=[],
        totals={},
        line_count=0,
        event_count=0,
        rejected_count=0,
        preview=[],
        created_at=now,
        updated_at=now,
    )
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, *, principal: Principal, run_id: uuid.UUID) -> CompensationRun:
    authorize(principal, Family.COMPENSATION, "read")
    run = session.get(CompensationRun, run_id)
    if run is None:
        raise NotFound(f"Compensation run {run_id} does not exist")
    return run


def list_runs(session: Session, *, principal: Principal, query: ListQuery) -> Page[CompensationRun]:
    authorize(principal, Family.COMPENSATION, "read")
    return fetch_page(
        session,
        select(CompensationRun),
        attributes=RUN_ATTRIBUTES,
        query=query,
        tie_breaker=CompensationRun.id,
        default_sort=(SortKey("createdAt", descending=True),),
    )


def start_run(session: Session, *, run_id: uuid.UUID, now: datetime) -> CompensationRun:
    run = _load(session, run_id)
    if run.status != QUEUED:
        raise RuleViolation(f"Compensation run {run_id} is {run.status}; it cannot start again")
    run.status = RUNNING
    run.started_at = now
    run.updated_at = now
    session.flush()
    return run


def report_run_progress(
    session: Session, *, run_id: uuid.UUID, done: int, total: int, message: str, now: datetime
) -> None:
    run = _load(session, run_id)
    run.progress_done = done
    run.progress_total = total
    run.message = message[:2000]
    run.updated_at = now
    session.flush()


def fail_run(session: Session, *, run_id: uuid.UUID, error: str, now: datetime) -> CompensationRun:
    run = _load(session, run_id)
    if run.status in (SUCCEEDED, FAILED):
        return run
    run.status = FAILED
    run.error = error[:4000]
    run.finished_at = now
    run.updated_at = now
    session.flush()
    return run


def _load(session: Session, run_id: uuid.UUID) -> CompensationRun:
    run = session.get(CompensationRun, run_id)
    if run is None:
        raise NotFound(f"Compensation run {run_id} does not exist")
    return run


# --- inputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInput:
    code: str
    version: int
    payee_type: str
    plan: Plan
    payees: frozenset[uuid.UUID]


@dataclass(frozen=True)
class RunInputs:
    """Everything a run reads from the operational store, read once before calculating."""

    period: Period
    plans: list[PlanInput]
    quotas: dict[uuid.UUID, Decimal]
    hierarchy: list[dict[str, Any]]
    product_families: frozenset[str]
    offerings: frozenset[str]
    channels: frozenset[str]
    sales_people: frozenset[str]
    partners: frozenset[str]
    skipped: list[str] = field(default_factory=list)  # plans without a version in force
    # Stored split credit: (order_id, payee_id, share, policy) (domains.compensation.splits)
    credit_splits: list[tuple[str, str, Decimal, str]] = field(default_factory=list)


def resolve_inputs(session: Session, *, period: Period) -> RunInputs:
    plans: list[PlanInput] = []
    skipped: list[str] = []
    for plan in session.scalars(select(CompensationPlan).order_by(CompensationPlan.code)):
        version = version_in_force(session, plan=plan, period=period)
        if version is None:
            skipped.append(plan.code)
            continue
        plans.append(
            PlanInput(
                code=plan.code,
                version=version.number,
                payee_type=plan.payee_type,
                plan=engine_plan(session, plan, version),
                payees=frozenset(plan_payees(session, plan=plan, period=period)),
            )
        )
    return RunInputs(
        period=period,
        plans=plans,
        quotas=quotas_for(session, period=period),
        hierarchy=hierarchy_rows(session, period=period),
        product_families=frozenset(session.scalars(select(ProductFamily.code))),
        offerings=frozenset(str(i) for i in session.scalars(select(ProductOffering.id))),
        channels=frozenset(str(i) for i in session.scalars(select(SalesChannel.id))),
        sales_people=frozenset(str(i) for i in session.scalars(select(SalesPerson.id))),
        partners=frozenset(str(i) for i in session.scalars(select(Partner.id))),
        skipped=skipped,
        credit_splits=split_rows(session),
    )


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    event_id: str
    event_type: str
    reason: str
    detail: str


def finish_run(
    session: Session,
    *,
    run_id: uuid.UUID,
    lines: Sequence[Mapping[str, Any]],
    plans: list[dict[str, Any]],
    rejections: Sequence[Rejection],
    rejected_count: int,
    event_count: int,
    now: datetime,
) -> CompensationRun:
    """Record the run's outcome; a committed run writes the next ledger version of its
    period, all its lines in this one transaction."""
    run = _load(session, run_id)
    if run.status != RUNNING:
        raise RuleViolation(f"Compensation run {run_id} is {run.status}, not running")
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line["currency"]] = totals.get(line["currency"], Decimal(0)) + line["amount"]
    text_totals = {currency: str(total) for currency, total in sorted(totals.items())}
    if rejections:
        session.execute(
            insert(RejectedEvent),
            [
                {
                    "id": uuid.uuid4(),
                    "run_id": run.id,
                    "event_id": r.event_id[:128],
                    "event_type": r.event_type[:32],
                    "reason": r.reason,
                    "detail": r.detail,
                }
                for r in rejections[:MAX_REJECTED_ROWS]
            ],
        )
    if not run.dry_run:
        require_open(session, run.period)
        number = (
            session.scalar(
                select(func.max(LedgerVersion.number)).where(LedgerVersion.period == run.period)
            )
            or 0
        ) + 1
        version = LedgerVersion(
            period=run.period,
            number=number,
            run_id=run.id,
            created_at=now,
            created_by=run.requested_by,
            line_count=len(lines),
            totals=text_totals,
        )
        session.add(version)
        session.flush()
        _insert_lines(session, run, version, lines, now)
        run.ledger_version = number
        record_event(
            session,
            action="compensation.ledger_version",
            object_type="ledger_version",
            object_id=str(version.id),
            after={
                "period": run.period,
                "number": number,
                "run_id": str(run.id),
                "lines": len(lines),
                "totals": text_totals,
            },
        )
    else:
        run.preview = [_json_line(line) for line in lines[:PREVIEW_LINES]]
    run.plans = plans
    run.totals = text_totals
    run.line_count = len(lines)
    run.event_count = event_count
    run.rejected_count = rejected_count
    run.status = SUCCEEDED
    run.finished_at = now
    run.updated_at = now
    if run.progress_total is not None:
        run.progress_done = run.progress_total
    session.flush()
    return run


_LINE_KEYS = (
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


def _insert_lines(
    session: Session,
    run: CompensationRun,
    version: LedgerVersion,
    lines: Iterable[Mapping[str, Any]],
    now: datetime,
) -> None:
    batch: list[dict[str, Any]] = []
    for line in lines:
        row = {key: line[key] for key in _LINE_KEYS}
        row["payee_id"] = uuid.UUID(str(line["payee_id"]))
        row.update(
            id=uuid.uuid4(),
            period=run.period,
            ledger_version=version.number,
            ledger_version_id=version.id,
            run_id=run.id,
            created_at=now,
        )
        batch.append(row)
        if len(batch) >= 5000:
            session.execute(insert(LedgerEntry), batch)
            batch = []
    if batch:
        session.execute(insert(LedgerEntry), batch)


def _json_line(line: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: (str(value) if isinstance(value, Decimal | uuid.UUID) else value)
        for key, value in ((k, line[k]) for k in _LINE_KEYS)
    }


# --- reading the ledger and the report ------------------------------------------------------


def list_ledger_entries(
    session: Session, *, principal: Principal, query: ListQuery
) -> Page[LedgerEntry]:
    authorize(principal, Family.COMPENSATION, "read")
    return fetch_page(
        session,
        select(LedgerEntry),
        attributes=LEDGER_ATTRIBUTES,
        query=query,
        tie_breaker=LedgerEntry.id,
        default_sort=(
            SortKey("period"),
            SortKey("ledgerVersion"),
            SortKey("planCode"),
            SortKey("payeeId"),
            SortKey("componentId"),
        ),
    )


def get_ledger_entry(session: Session, *, principal: Principal, entry_id: uuid.UUID) -> LedgerEntry:
    authorize(principal, Family.COMPENSATION, "read")
    entry = session.get(LedgerEntry, entry_id)
    if entry is None:
        raise NotFound(f"Ledger entry {entry_id} does not exist")
    return entry


def ledger_versions(session: Session, *, principal: Principal, period: str) -> list[LedgerVersion]:
    authorize(principal, Family.COMPENSATION, "read")
    return list(
        session.scalars(
            select(LedgerVersion)
            .where(LedgerVersion.period == str(Period.parse(period)))
            .order_by(LedgerVersion.number)
        )
    )


def latest_ledger_version(session: Session, *, period: str) -> LedgerVersion | None:
    return session.scalars(
        select(LedgerVersion)
        .where(LedgerVersion.period == period)
        .order_by(LedgerVersion.number.desc())
        .limit(1)
    ).first()


def rejected_events(
    session: Session,
    *,
    principal: Principal,
    run_id: uuid.UUID,
    offset: int = 0,
    limit: int | None = None,
) -> list[RejectedEvent]:
    run = get_run(session, principal=principal, run_id=run_id)
    statement = (
        select(RejectedEvent)
        .where(RejectedEvent.run_id == run.id)
        .order_by(RejectedEvent.event_id, RejectedEvent.reason)
        .offset(offset)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))
