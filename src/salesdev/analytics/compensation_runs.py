"""Compensation runs over the event store: validate the period's events, calculate every
plan in force, keep the lineage as Parquet, and hand the lines to the ledger.

A run reads its inputs from the operational store (:func:`prepare_run`), calculates with
no transaction open (:func:`calculate_run`, the long part, which reports progress), then
records the outcome in one transaction (:func:`record_run`: the next ledger version of the
period, or nothing for a dry run). :func:`run_period` does all three in one session, for
tests, the demo and the command line's synchronous mode.

Events are checked before calculating; a bad event is left out and listed in the run's
rejected-events report (never dropped silently): an unknown event type, product
(offering or family), channel or payee, a duplicate event id, a currency no plan pays in,
a malformed amount (missing, or of the wrong sign for its type).

Lineage: every event behind every line, per run and plan, under
``<data_dir>/compensation/runs/<run id>/<plan code>.parquet``; :func:`run_lineage` reads it.
"""

from __future__ import annotations

import contextlib
import inspect
import shutil
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.analytics.compensation import CalculationResult, calculate
from salesdev.analytics.events import EVENT_SCHEMA, EVENT_TYPES, event_files_glob, has_events
from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.core.periods import Period
from salesdev.core.settings import Settings
from salesdev.db.models import Partner, ProductFamily, ProductOffering, SalesChannel, SalesPerson
from salesdev.db.models.compensation import CompensationRun
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.compensation import (
    PlanInput,
    Rejection,
    RunInputs,
    create_run,
    fail_run,
    finish_run,
    get_plan,
    get_version,
    hierarchy_rows,
    plan_payees,
    quotas_for,
    resolve_inputs,
    start_run,
    version_in_force,
)
from salesdev.domains.compensation.plans import engine_plan
from salesdev.domains.compensation.splits import split_rows
from salesdev.engine.compensation import Plan

Progress = Callable[[int, int | None, str], None]

REJECTION_REASONS = (
    "duplicate_event_id",
    "unknown_event_type",
    "unknown_product",
    "unknown_channel",
    "unknown_payee",
    "wrong_currency",
    "malformed_amount",
)
# Event types whose amount is never negative, and never positive.
_POSITIVE = ("order", "recurring_charge", "payment")
_NEGATIVE = ("cancellation",)
LINEAGE_DIR = Path("compensation") / "runs"
DEFAULT_LINEAGE_LIMIT = 1000


def _no_progress(done: int, total: int | None, message: str) -> None:
    return None


@dataclass
class RunOutcome:
    lines: list[dict[str, Any]]
    plans: list[dict[str, Any]]
    rejections: list[Rejection]
    rejected_count: int
    event_count: int
    skipped: list[str] = field(default_factory=list)


# --- the three phases ----------------------------------------------------------------------


def prepare_run(session: Session, *, run_id: uuid.UUID, now: datetime) -> RunInputs:
    run = start_run(session, run_id=run_id, now=now)
    return resolve_inputs(session, period=Period.parse(run.period))


def calculate_run(
    inputs: RunInputs,
    *,
    run_id: uuid.UUID,
    event_store_dir: Path,
    data_dir: Path,
    dry_run: bool,
    progress: Progress | None = None,
) -> RunOutcome:
    report = progress or _no_progress
    total = len(inputs.plans) + 2
    report(0, total, "Checking the period's events")
    lineage_dir = None if dry_run else lineage_directory(data_dir, run_id)
    try:
        with _checked_events(event_store_dir, inputs) as checked:
            report(1, total, f"{checked.rejected_count} event(s) rejected")
            lines: list[dict[str, Any]] = []
            plans: list[dict[str, Any]] = []
            for index, plan_input in enumerate(inputs.plans, start=1):
                result = _calculate_plan(
                    checked, plan_input, inputs, lineage=lineage_dir is not None
                )
                plan_lines = _lines(result, plan_input)
                lines += plan_lines
                plans.append(_plan_summary(plan_input, plan_lines))
                if lineage_dir is not None and result.lineage is not None:
                    _write_lineage(lineage_dir, plan_input.code, result.lineage)
                report(1 + index, total, f"Calculated plan {plan_input.code}")
            outcome = RunOutcome(
                lines=lines,
                plans=plans,
                rejections=checked.rejections,
                rejected_count=checked.rejected_count,
                event_count=checked.event_count,
                skipped=list(inputs.skipped),
            )
    except BaseException:
        if lineage_dir is not None:
            shutil.rmtree(lineage_dir, ignore_errors=True)
        raise
    report(total - 1, total, "Writing the ledger")
    return outcome


def record_run(
    session: Session, *, run_id: uuid.UUID, outcome: RunOutcome, now: datetime
) -> CompensationRun:
    return finish_run(
        session,
        run_id=run_id,
        lines=outcome.lines,
        plans=outcome.plans,
        rejections=outcome.rejections,
        rejected_count=outcome.rejected_count,
        event_count=outcome.event_count,
        now=now,
    )


def run_period(
    session: Session,
    *,
    principal: Principal,
    event_store_dir: Path,
    data_dir: Path,
    period: str,
    now: datetime,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> CompensationRun:
    """Create and carry out a run of ``period`` in the caller's session (flushes only):
    for tests, the demo and ``salesdev compensation run --wait``."""
    run = create_run(session, principal=principal, period=period, dry_run=dry_run, now=now)
    inputs = prepare_run(session, run_id=run.id, now=now)
    outcome = calculate_run(
        inputs,
        run_id=run.id,
        event_store_dir=event_store_dir,
        data_dir=data_dir,
        dry_run=dry_run,
        progress=progress,
    )
    return record_run(session, run_id=run.id, outcome=outcome, now=now)


def mark_failed(session: Session, *, run_id: uuid.UUID, error: str, now: datetime) -> None:
    fail_run(session, run_id=run_id, error=error, now=now)


# --- events --------------------------------------------------------------------------------


@dataclass
class _Checked:
    connection: duckdb.DuckDBPyConnection
    rejections: list[Rejection]
    rejected_count: int
    event_count: int
    # The store itself, when it may be read as it is (see _calculate_plan).
    store: Path | None = None
    currencies: frozenset[str] = frozenset()


@contextlib.contextmanager
def _checked_events(event_store_dir: Path, inputs: RunInputs) -> Any:
    """A DuckDB connection with ``clean``: every event up to the period's end but the
    rejected ones of the period; and the rejections."""
    period = inputs.period
    with contextlib.closing(duckdb.connect(":memory:")) as connection:
        connection.execute("SET TimeZone = 'UTC'")
        if has_events(event_store_dir):
            connection.read_parquet(event_files_glob(event_store_dir)).create_view("store")
        else:
            connection.register("store", EVENT_SCHEMA.empty_table())
        for name, values in (
            ("ref_family", inputs.product_families),
            ("ref_offering", inputs.offerings),
            ("ref_channel", inputs.channels),
            ("ref_person", inputs.sales_people),
            ("ref_partner", inputs.partners),
            ("ref_type", EVENT_TYPES),
            ("ref_currency", {p.plan.currency for p in inputs.plans}),
        ):
            connection.register(name, pa.table({"v": pa.array(sorted(values), pa.string())}))
        params = {"start": period.start, "end": period.end}
        connection.execute(
            "CREATE TEMP TABLE period_events AS SELECT event_id, event_type, "
            "product_offering_id, product_family_code, channel_id, sales_person_id, partner_id, "
            "currency, amount FROM store WHERE event_time >= $start AND event_time < $end",
            params,
        )
        positive = ", ".join(f"'{t}'" for t in _POSITIVE)
        negative = ", ".join(f"'{t}'" for t in _NEGATIVE)
        connection.execute(
            f"""
            CREATE TEMP TABLE rejected AS
            WITH counted AS (
              SELECT *, count(*) OVER (PARTITION BY event_id) AS copies FROM period_events
            ), judged AS (
              SELECT event_id, event_type, CASE
                WHEN copies > 1 THEN 'duplicate_event_id'
                WHEN event_type NOT IN (SELECT v FROM ref_type) THEN 'unknown_event_type'
                WHEN product_offering_id IS NULL
                  OR product_offering_id NOT IN (SELECT v FROM ref_offering)
                  OR product_family_code IS NULL
                  OR product_family_code NOT IN (SELECT v FROM ref_family) THEN 'unknown_product'
                WHEN channel_id IS NULL OR channel_id NOT IN (SELECT v FROM ref_channel)
                  THEN 'unknown_channel'
                WHEN (sales_person_id IS NOT NULL
                      AND sales_person_id NOT IN (SELECT v FROM ref_person))
                  OR (partner_id IS NOT NULL AND partner_id NOT IN (SELECT v FROM ref_partner))
                  THEN 'unknown_payee'
                WHEN currency IS NULL OR currency NOT IN (SELECT v FROM ref_currency)
                  THEN 'wrong_currency'
                WHEN amount IS NULL
                  OR (event_type IN ({positive}) AND amount < 0)
                  OR (event_type IN ({negative}) AND amount > 0) THEN 'malformed_amount'
              END AS reason,
              CASE
                WHEN copies > 1 THEN 'event id ' || event_id || ' appears ' || copies || ' times'
                WHEN event_type NOT IN (SELECT v FROM ref_type) THEN 'event type ' || event_type
                WHEN product_family_code IS NULL
                  OR product_family_code NOT IN (SELECT v FROM ref_family)
                  THEN 'product family ' || coalesce(product_family_code, '(none)')
                WHEN product_offering_id IS NULL
                  OR product_offering_id NOT IN (SELECT v FROM ref_offering)
                  THEN 'product offering ' || coalesce(product_offering_id, '(none)')
                WHEN channel_id IS NULL OR channel_id NOT IN (SELECT v FROM ref_channel)
                  THEN 'channel ' || coalesce(channel_id, '(none)')
                WHEN sales_person_id IS NOT NULL
                  AND sales_person_id NOT IN (SELECT v FROM ref_person)
                  THEN 'sales person ' || sales_person_id
                WHEN partner_id IS NOT NULL AND partner_id NOT IN (SELECT v FROM ref_partner)
                  THEN 'partner ' || partner_id
                WHEN currency IS NULL OR currency NOT IN (SELECT v FROM ref_currency)
                  THEN 'currency ' || coalesce(currency, '(none)')
                ELSE 'amount ' || coalesce(CAST(amount AS VARCHAR), '(none)')
                  || ' for a ' || event_type
              END AS detail
              FROM counted
            )
            SELECT * FROM judged WHERE reason IS NOT NULL
            """  # noqa: S608
        )
        event_count = int(_scalar(connection, "SELECT count(*) FROM period_events"))
        rejected_count = int(_scalar(connection, "SELECT count(*) FROM rejected"))
        rows = connection.execute(
            "SELECT event_id, event_type, reason, detail FROM rejected "
            "ORDER BY event_id, reason, detail"
        ).fetchall()
        rejections = [Rejection(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]
        connection.execute(
            "CREATE TEMP VIEW clean AS SELECT * FROM store WHERE event_time < $end "
            "AND NOT (event_time >= $start AND event_id IN (SELECT event_id FROM rejected))".replace(
                "$end", f"TIMESTAMPTZ '{period.end.isoformat()}'"
            ).replace("$start", f"TIMESTAMPTZ '{period.start.isoformat()}'")
        )
        currencies = frozenset(
            str(row[0])
            for row in connection.execute(
                "SELECT DISTINCT currency FROM period_events WHERE currency IS NOT NULL"
            ).fetchall()
        )
        store = event_store_dir if has_events(event_store_dir) else None
        yield _Checked(connection, rejections, rejected_count, event_count, store, currencies)


def _scalar(connection: duckdb.DuckDBPyConnection, query: str) -> Any:
    rows = connection.execute(query).fetchall()
    return rows[0][0] if rows else 0


def _engine_accepts(name: str) -> bool:
    return name in inspect.signature(calculate).parameters


def _plan_events(
    connection: duckdb.DuckDBPyConnection,
    plan_input: PlanInput,
    *,
    mask_payees: bool,
    source: str = "clean",
) -> pa.Table:
    """The clean events in the plan's currency; without the engine's ``payees``, the
    attribution of anyone the plan does not pay is blanked, so only its payees earn."""
    connection.register(
        "plan_payees",
        pa.table({"v": pa.array(sorted(str(p) for p in plan_input.payees), pa.string())}),
    )
    columns = []
    for name in EVENT_SCHEMA.names:
        if mask_payees and name == "sales_person_id":
            columns.append(
                "NULL::VARCHAR AS sales_person_id"
                if plan_input.payee_type != "sales_person"
                else "CASE WHEN sales_person_id IN (SELECT v FROM plan_payees) "
                "THEN sales_person_id END AS sales_person_id"
            )
        elif mask_payees and name == "partner_id":
            columns.append(
                "NULL::VARCHAR AS partner_id"
                if plan_input.payee_type != "partner"
                else "CASE WHEN partner_id IN (SELECT v FROM plan_payees) "
                "THEN partner_id END AS partner_id"
            )
        else:
            columns.append(name)
    query = f"SELECT {', '.join(columns)} FROM {source} WHERE currency = $currency"  # noqa: S608
    table: pa.Table = connection.sql(
        query, params={"currency": plan_input.plan.currency}
    ).to_arrow_table()
    connection.unregister("plan_payees")
    return table.cast(EVENT_SCHEMA)


def _calculate_plan(
    checked: _Checked,
    plan_input: PlanInput,
    inputs: RunInputs,
    *,
    lineage: bool,
    source: str = "clean",
) -> CalculationResult:
    accepts_payees = _engine_accepts("payees")
    events: Path | pa.Table
    if (
        source == "clean"
        and accepts_payees
        and checked.store is not None
        and checked.rejected_count == 0
        and checked.currencies <= {plan_input.plan.currency}
    ):
        # Nothing to leave out: the engine reads the store itself, pushing its filters
        # into the Parquet scan instead of receiving a copy of every earlier event.
        events = checked.store
    else:
        events = _plan_events(
            checked.connection, plan_input, mask_payees=not accepts_payees, source=source
        )
    return _calculate(
        plan=plan_input.plan,
        events=events,
        payees=plan_input.payees,
        quotas=inputs.quotas,
        hierarchy=inputs.hierarchy,
        period=inputs.period,
        product_families=inputs.product_families,
        lineage=lineage,
        credit_splits=_period_splits(checked.connection, inputs, source=source),
    )


def _period_splits(
    connection: duckdb.DuckDBPyConnection, inputs: RunInputs, *, source: str
) -> pa.Table | None:
    """The stored splits of the orders the run's events carry (None when there are none)."""
    if not inputs.credit_splits:
        return None
    splits = pa.table(
        {
            "order_id": pa.array([r[0] for r in inputs.credit_splits], pa.string()),
            "payee_id": pa.array([r[1] for r in inputs.credit_splits], pa.string()),
            "share": pa.array([format(r[2], "f") for r in inputs.credit_splits], pa.string()),
            "policy": pa.array([r[3] for r in inputs.credit_splits], pa.string()),
        }
    )
    connection.register("stored_splits", splits)
    try:
        found = (
            connection.sql(
                "SELECT * FROM stored_splits WHERE order_id IN "  # noqa: S608
                f"(SELECT order_id FROM {source} WHERE order_id IS NOT NULL) "
                "ORDER BY order_id, payee_id"
            )
            .to_arrow_table()
            .to_pylist()
        )
    finally:
        connection.unregister("stored_splits")
    if not found:
        return None
    return pa.table(
        {
            "order_id": pa.array([r["order_id"] for r in found], pa.string()),
            "payee_id": pa.array([r["payee_id"] for r in found], pa.string()),
            "share": pa.array([Decimal(r["share"]) for r in found], pa.decimal128(18, 4)),
            "policy": pa.array([r["policy"] for r in found], pa.string()),
        }
    )


def _calculate(
    *,
    plan: Plan,
    events: Path | pa.Table,
    payees: Collection[uuid.UUID],
    quotas: Mapping[uuid.UUID, Decimal],
    hierarchy: list[dict[str, Any]],
    period: Period,
    product_families: Collection[str],
    lineage: bool,
    credit_splits: pa.Table | None = None,
) -> CalculationResult:
    """Call the engine with what it accepts (``payees`` and ``hierarchy`` when it has them)."""
    options: dict[str, Any] = {}
    if _engine_accepts("payees"):
        options["payees"] = sorted(str(p) for p in payees)
    if _engine_accepts("hierarchy"):
        options["hierarchy"] = _hierarchy_table(hierarchy)
    if credit_splits is not None:
        options["credit_splits"] = credit_splits
    wanted = {str(p) for p in payees}
    return calculate(
        plan=plan,
        events=events,
        quotas={str(k): v for k, v in quotas.items() if str(k) in wanted},
        period=period,
        product_families=set(product_families),
        lineage=lineage,
        **options,
    )


def _hierarchy_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.table(
        {
            "payee_id": pa.array([r["payee_id"] for r in rows], pa.string()),
            "parent_id": pa.array([r["parent_id"] for r in rows], pa.string()),
            "relation": pa.array([r["relation"] for r in rows], pa.string()),
            "valid_from": pa.array([r["valid_from"] for r in rows], pa.timestamp("us", tz="UTC")),
            "valid_to": pa.array([r["valid_to"] for r in rows], pa.timestamp("us", tz="UTC")),
        }
    )


def _lines(result: CalculationResult, plan_input: PlanInput) -> list[dict[str, Any]]:
    lines = []
    for row in result.table.to_pylist():
        lines.append(
            {
                "plan_code": plan_input.code,
                "plan_version": plan_input.version,
                "payee_kind": row["payee_kind"],
                "payee_id": row["payee_id"],
                "component_id": row["component_id"],
                "component_kind": row["component_kind"],
                "product_family": row.get("product_family_code"),
                "basis": row["basis"],
                "measure": row["measure"],
                "event_count": int(row["event_count"]),
                "quota": row["quota"],
                "tier": row["tier"],
                "rate": row["rate"],
                "unit_amount": row["unit_amount"],
                "gated": bool(row["gated"]),
                "capped": bool(row["capped"]),
                "floored": bool(row["floored"]),
                "amount": row["payment"],
                "currency": row["currency"],
            }
        )
    return lines


def _plan_summary(plan_input: PlanInput, lines: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum((line["amount"] for line in lines), Decimal(0))
    return {
        "code": plan_input.code,
        "version": plan_input.version,
        "currency": plan_input.plan.currency,
        "payees": len(plan_input.payees),
        "lines": len(lines),
        "total": str(total),
    }


# --- lineage -------------------------------------------------------------------------------


def lineage_directory(data_dir: Path, run_id: uuid.UUID) -> Path:
    return data_dir / LINEAGE_DIR / str(run_id)


def _write_lineage(directory: Path, plan_code: str, lineage: pa.Table) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    table = lineage.append_column(
        "plan_code", pa.array([plan_code] * lineage.num_rows, pa.string())
    )
    pq.write_table(table, directory / f"{_safe(plan_code)}.parquet", compression="zstd")


def _safe(code: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in code) or "plan"


def run_lineage(
    settings_or_dir: Settings | Path,
    *,
    run_id: uuid.UUID,
    payee_id: uuid.UUID | str,
    component_id: str,
    product_family: str | None = None,
    limit: int = DEFAULT_LINEAGE_LIMIT,
    offset: int = 0,
) -> pa.Table:
    """The events behind a payee's line on a component (and family) in a run, ordered by
    event id: the lineage columns of the engine plus ``plan_code``. ``settings_or_dir``
    is the settings or the data directory."""
    data_dir = (
        settings_or_dir.data_dir if isinstance(settings_or_dir, Settings) else settings_or_dir
    )
    if limit < 1 or offset < 0:
        raise InvalidInput(
            "Invalid page", [ErrorDetail("limit", "limit at least 1, offset at least 0")]
        )
    directory = lineage_directory(data_dir, run_id)
    files = sorted(directory.glob("*.parquet")) if directory.is_dir() else []
    if not files:
        raise NotFound(
            f"No lineage for compensation run {run_id}",
            [ErrorDetail("run", "a dry run or a failed run keeps no lineage")],
        )
    with contextlib.closing(duckdb.connect(":memory:")) as connection:
        source = connection.read_parquet([str(f) for f in files], union_by_name=True)
        columns = source.columns
        family_column = "product_family_code" if "product_family_code" in columns else None
        conditions = ["payee_id = $payee", "component_id = $component"]
        params: dict[str, Any] = {"payee": str(payee_id), "component": component_id}
        if product_family is not None and family_column is not None:
            conditions.append(f"{family_column} = $family")
            params["family"] = product_family
        source.create_view("lineage")
        query = (
            f"SELECT * FROM lineage WHERE {' AND '.join(conditions)} "  # noqa: S608
            f"ORDER BY event_id LIMIT {int(limit)} OFFSET {int(offset)}"
        )
        table: pa.Table = connection.sql(query, params=params).to_arrow_table()
        return table


# --- what-if and preview -------------------------------------------------------------------


@dataclass(frozen=True)
class PayeeComparison:
    payee_kind: str
    payee_id: str
    a: Decimal
    b: Decimal

    @property
    def difference(self) -> Decimal:
        return self.b - self.a


@dataclass(frozen=True)
class WhatIf:
    plan_code: str
    period: str
    version_a: int
    version_b: int
    currency: str
    payees: list[PayeeComparison]
    total_a: Decimal
    total_b: Decimal
    rejected_count: int

    @property
    def difference(self) -> Decimal:
        return self.total_b - self.total_a


def what_if(
    session: Session,
    *,
    principal: Principal,
    event_store_dir: Path,
    plan_id: uuid.UUID,
    version_a: int,
    version_b: int,
    period: str,
) -> WhatIf:
    """Version ``version_b`` against ``version_a`` (any states, a draft included) on the
    same period's events, for the plan's payees in that period: nothing is written."""
    authorize(principal, Family.COMPENSATION, "read")
    parsed = Period.parse(str(period))
    plan = get_plan(session, principal=principal, plan_id=plan_id)
    engine_plans = []
    for location, number in (("version", version_a), ("against", version_b)):
        version = get_version(session, principal=principal, plan_id=plan.id, number=number)
        if version.effective_from > str(parsed):
            raise InvalidInput(
                "Version not in effect in that period",
                [ErrorDetail(location, f"version {number} applies from {version.effective_from}")],
            )
        engine_plans.append((number, engine_plan(session, plan, version)))
    inputs = _inputs_for(session, plan_payee_type=plan.payee_type, period=parsed, plans=[])
    payees = frozenset(plan_payees(session, plan=plan, period=parsed))
    results: list[dict[tuple[str, str], Decimal]] = []
    rejected = 0
    for number, built in engine_plans:
        plan_input = PlanInput(plan.code, number, plan.payee_type, built, payees)
        scoped = _with_plans(inputs, [plan_input])
        with _checked_events(event_store_dir, scoped) as checked:
            rejected = checked.rejected_count
            result = _calculate_plan(checked, plan_input, scoped, lineage=False)
        results.append({(k, str(p)): v for (k, p), v in result.totals_by_payee().items()})
    keys = sorted(set(results[0]) | set(results[1]), key=lambda k: (k[0], k[1]))
    comparisons = [
        PayeeComparison(kind, payee, results[0].get((kind, payee), Decimal(0)),
                        results[1].get((kind, payee), Decimal(0)))
        for kind, payee in keys
    ]  # fmt: skip
    return WhatIf(
        plan_code=plan.code,
        period=str(parsed),
        version_a=version_a,
        version_b=version_b,
        currency=plan.currency,
        payees=comparisons,
        total_a=sum((c.a for c in comparisons), Decimal(0)),
        total_b=sum((c.b for c in comparisons), Decimal(0)),
        rejected_count=rejected,
    )


@dataclass(frozen=True)
class Preview:
    plan_code: str
    version: int
    period: str
    sample_events: int
    lines: list[dict[str, Any]]
    total: Decimal


def preview_version(
    session: Session,
    *,
    principal: Principal,
    event_store_dir: Path,
    plan_id: uuid.UUID,
    number: int,
    period: str,
    sample_lines: int = 200,
    max_lines: int = 200,
) -> Preview:
    """A version (a draft too) calculated on a sample of the period's events: the events
    of every ``n``-th line (whole lines, so bounties meet their chargebacks), for the
    plan's payees; nothing is written."""
    authorize(principal, Family.COMPENSATION, "read")
    parsed = Period.parse(str(period))
    plan = get_plan(session, principal=principal, plan_id=plan_id)
    version = get_version(session, principal=principal, plan_id=plan.id, number=number)
    built = engine_plan(session, plan, version)
    if version.effective_from > str(parsed):
        raise InvalidInput(
            "Version not in effect in that period",
            [ErrorDetail("period", f"version {number} applies from {version.effective_from}")],
        )
    payees = frozenset(plan_payees(session, plan=plan, period=parsed))
    plan_input = PlanInput(plan.code, number, plan.payee_type, built, payees)
    inputs = _with_plans(
        _inputs_for(session, plan_payee_type=plan.payee_type, period=parsed, plans=[]),
        [plan_input],
    )
    with _checked_events(event_store_dir, inputs) as checked:
        connection = checked.connection
        connection.execute(
            "CREATE TEMP TABLE sample_lines AS SELECT DISTINCT line_id FROM clean "
            "WHERE event_time >= $start ORDER BY hash(line_id), line_id LIMIT $n",
            {"start": parsed.start, "n": int(sample_lines)},
        )
        connection.execute(
            "CREATE TEMP VIEW sampled AS SELECT * FROM clean "
            "WHERE line_id IN (SELECT line_id FROM sample_lines)"
        )
        counted = connection.execute(
            "SELECT count(*) FROM sampled WHERE event_time >= $start", {"start": parsed.start}
        ).fetchall()
        sample_count = int(counted[0][0]) if counted else 0
        result = _calculate_plan(checked, plan_input, inputs, lineage=False, source="sampled")
    lines = _lines(result, plan_input)
    return Preview(
        plan_code=plan.code,
        version=number,
        period=str(parsed),
        sample_events=sample_count,
        lines=lines[:max_lines],
        total=sum((line["amount"] for line in lines), Decimal(0)),
    )


def _inputs_for(
    session: Session, *, plan_payee_type: str, period: Period, plans: list[PlanInput]
) -> RunInputs:
    full = resolve_inputs_light(session, period=period)
    return _with_plans(full, plans)


def resolve_inputs_light(session: Session, *, period: Period) -> RunInputs:
    """Reference sets, quotas and hierarchy of ``period``, with no plan (what-if, preview)."""
    return RunInputs(
        period=period,
        plans=[],
        quotas=quotas_for(session, period=period),
        hierarchy=hierarchy_rows(session, period=period),
        product_families=frozenset(session.scalars(select(ProductFamily.code))),
        offerings=frozenset(str(i) for i in session.scalars(select(ProductOffering.id))),
        channels=frozenset(str(i) for i in session.scalars(select(SalesChannel.id))),
        sales_people=frozenset(str(i) for i in session.scalars(select(SalesPerson.id))),
        partners=frozenset(str(i) for i in session.scalars(select(Partner.id))),
        credit_splits=split_rows(session),
    )


def _with_plans(inputs: RunInputs, plans: list[PlanInput]) -> RunInputs:
    return RunInputs(
        period=inputs.period,
        plans=plans,
        quotas=inputs.quotas,
        hierarchy=inputs.hierarchy,
        product_families=inputs.product_families,
        offerings=inputs.offerings,
        channels=inputs.channels,
        sales_people=inputs.sales_people,
        partners=inputs.partners,
        skipped=inputs.skipped,
        credit_splits=inputs.credit_splits,
    )


__all__ = [
    "REJECTION_REASONS",
    "Preview",
    "RunOutcome",
    "WhatIf",
    "calculate_run",
    "lineage_directory",
    "mark_failed",
    "prepare_run",
    "preview_version",
    "record_run",
    "run_lineage",
    "run_period",
    "version_in_force",
    "what_if",
]
