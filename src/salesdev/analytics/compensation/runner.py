"""Run a compiled compensation plan with DuckDB over the event store or an Arrow table.

Each calculation gets a private in-memory DuckDB database: the stages are
materialised there and dropped with it, so a failed calculation leaves nothing.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Collection, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from salesdev.analytics.compensation.inputs import prepare_inputs
from salesdev.analytics.compensation.plan_shape import Operator, explain_analyze
from salesdev.analytics.compensation.result import CalculationResult
from salesdev.analytics.events import EVENT_SCHEMA, event_files_glob, has_events
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.periods import Period
from salesdev.engine.compensation import (
    EVENTS_INPUT,
    CompiledPlan,
    Plan,
    Stage,
    compile_plan,
    validate_plan,
)

_SOURCE = "events_source"
LOADED_COLUMNS = (
    "event_id",
    "event_type",
    "event_time",
    "line_id",
    "order_id",
    "product_offering_id",
    "product_family_code",
    "quantity",
    "sales_person_id",
    "partner_id",
    "amount",
    "currency",
)
# DuckDB's buffers for one calculation; beyond it, it spills to disk. A month of
# 10 million events fits; 100 million spill.
DEFAULT_MEMORY_LIMIT_MB = 2048
MIN_MEMORY_LIMIT_MB = 128


def calculate(
    *,
    plan: Plan,
    events: Path | pa.Table,
    quotas: Mapping[str, Decimal] | Mapping[uuid.UUID, Decimal],
    period: Period,
    product_families: Collection[str] | None = None,
    lineage: bool = False,
    threads: int | None = None,
    memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB,
    spill_dir: Path | None = None,
    profile: bool = False,
    payees: Collection[str] | None = None,
    hierarchy: pa.Table | None = None,
    credit_splits: pa.Table | None = None,
) -> CalculationResult:
    """Payment lines of ``plan`` for ``period`` over ``events``.

    ``events`` is an event-store directory (docs/data-model.md) or an Arrow table
    with its columns. ``quotas`` maps a payee id (sales person or partner) to the
    period's quota, which tiered components need for every payee they measure.
    ``product_families`` are the catalogue's family codes that plan filters may
    name; without them, the families seen in the events up to the period end.
    ``lineage`` adds every contributing event of every line to the result.

    Resources are set, not left to DuckDB's defaults (every core, 80 % of the
    machine's memory): ``threads`` (default: the CPU count), ``memory_limit_mb``
    for DuckDB's buffers, beyond which hash tables and stage tables spill to
    ``spill_dir`` (default: a private temporary directory, removed afterwards).
    ``profile`` runs every stage under EXPLAIN ANALYZE and keeps its physical
    plan in ``result.profiles`` (for :func:`plan_shape_problems`).

    ``payees`` keeps only the lines of these payee ids (roll-up still reads the
    credit of everyone below them). ``hierarchy`` (payee_id, parent_id, relation
    'manager' | 'partner', valid_from, valid_to) is the effective-dated sales
    hierarchy and partner genealogy the overrides roll credit up. ``credit_splits``
    (order_id, payee_id, share [, policy 'total_100' | 'overlay']) splits the
    credit of orders between sales people. See docs/compensation-engine.md.
    """
    if period.start < plan.period.start:
        raise InvalidInput(
            "Plan not yet in effect",
            [ErrorDetail("period", f"plan {plan.id!r} applies from {plan.period}, not {period}")],
        )
    inputs = prepare_inputs(
        plan=plan, quotas=quotas, payees=payees, hierarchy=hierarchy, credit_splits=credit_splits
    )
    if memory_limit_mb < MIN_MEMORY_LIMIT_MB:
        raise InvalidInput(
            "Too little memory for a calculation",
            [
                ErrorDetail(
                    "memory_limit_mb", f"at least {MIN_MEMORY_LIMIT_MB}, got {memory_limit_mb}"
                )
            ],
        )
    clock = _Stopwatch()
    with contextlib.ExitStack() as cleanup:
        if spill_dir is None:
            spill_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="salesdev-")))
        connection = cleanup.enter_context(contextlib.closing(duckdb.connect(":memory:")))
        _configure(
            connection,
            threads=threads or os.cpu_count() or 1,
            memory_limit_mb=memory_limit_mb,
            spill_dir=spill_dir,
        )
        _register_source(connection, events)
        for name, relation in inputs.relations().items():
            connection.register(name, relation)
        families = (
            set(product_families)
            if product_families is not None
            else _families_seen(connection, period)
        )
        validate_plan(plan, product_families=families)
        compiled = compile_plan(plan, period=period, lineage=lineage, options=inputs.options)
        clock.lap("compile")
        profiles: dict[str, Operator] | None = {} if profile else None
        _load(connection, compiled, clock, profiles)
        clock.lap("load")
        return _run(connection, compiled, clock, profiles)


def _configure(
    connection: duckdb.DuckDBPyConnection, *, threads: int, memory_limit_mb: int, spill_dir: Path
) -> None:
    connection.execute("SET TimeZone = 'UTC'")
    # Stage tables need no insertion order: every result has its own ORDER BY.
    connection.execute("SET preserve_insertion_order = false")
    connection.execute("SET enable_progress_bar = false")
    connection.execute(f"SET threads = {int(threads)}")
    connection.execute(f"SET memory_limit = '{int(memory_limit_mb)}MB'")
    connection.execute("SET temp_directory = $dir", {"dir": str(spill_dir)})


class _Stopwatch:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.stages: dict[str, tuple[float, float]] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self._last
        self._last = now

    def stage(self, table: str, started: tuple[float, float]) -> None:
        """Wall and CPU seconds (every thread of the process) of one stage."""
        self.stages[table] = (time.perf_counter() - started[0], time.process_time() - started[1])


def _load(
    connection: duckdb.DuckDBPyConnection,
    compiled: CompiledPlan,
    clock: _Stopwatch,
    profiles: dict[str, Operator] | None,
) -> None:
    """Load: run the compiled load stages over ``events``, a view of the store's columns.

    They read the store twice, each scan with its own filter that DuckDB pushes into
    the Parquet scan: the period's events of the types the plan reads (the time
    filter skips the other months' row groups by their statistics), and three
    narrow columns of the lifecycle events before the period end. They leave
    native tables with integer surrogate keys (``cmp_event``, ``cmp_lifecycle``,
    the dictionaries); the calculation reads only those. The transient copy of the
    period's events as stored is dropped once the keyed table is built.
    """
    connection.execute(
        f"CREATE VIEW {EVENTS_INPUT} AS SELECT {', '.join(LOADED_COLUMNS)} FROM {_SOURCE}"  # noqa: S608
    )
    _execute(connection, compiled.load_stages, clock, profiles)
    for stage in compiled.load_stages:
        if stage.transient:
            connection.execute(f"DROP TABLE {stage.table}")


def _execute(
    connection: duckdb.DuckDBPyConnection,
    stages: tuple[Stage, ...],
    clock: _Stopwatch,
    profiles: dict[str, Operator] | None,
) -> None:
    for stage in stages:
        started = (time.perf_counter(), time.process_time())
        if profiles is not None:
            profiles[stage.table] = explain_analyze(connection, stage.sql())
        else:
            connection.execute(stage.sql())
        clock.stage(stage.table, started)


def _run(
    connection: duckdb.DuckDBPyConnection,
    compiled: CompiledPlan,
    clock: _Stopwatch,
    profiles: dict[str, Operator] | None,
) -> CalculationResult:
    """Compute: the credit, measure, incentive and payment stages, then the checks;
    then fetch the result (and lineage), mapping keys back to ids."""
    _execute(connection, compiled.compute_stages, clock, profiles)
    for check in compiled.checks:
        rows = connection.execute(check.sql()).fetchall()
        if rows:
            raise check_error(check.name, rows)
    clock.lap("compute")
    table = _fetch(connection, compiled.result_sql())
    lineage_sql = compiled.lineage_sql()
    lineage_table = None if lineage_sql is None else _fetch(connection, lineage_sql)
    clock.lap("fetch")
    plan = compiled.plan
    return CalculationResult(
        plan_id=plan.id,
        plan_version=plan.version,
        period=compiled.period,
        currency=plan.currency,
        table=table,
        lineage=lineage_table,
        seconds=dict(clock.laps),
        profiles=profiles or {},
        stage_seconds=dict(clock.stages),
    )


def _fetch(connection: duckdb.DuckDBPyConnection, query: str) -> pa.Table:
    return canonical_table(connection.sql(query).to_arrow_table())


def canonical_table(table: pa.Table) -> pa.Table:
    """One chunk per column, zeroed null slots, every field nullable, no metadata:
    the same rows give the same bytes, whichever engine produced them."""
    schema = pa.schema([pa.field(f.name, f.type, nullable=True) for f in table.schema])
    return pa.table([_canonical(column) for column in table.columns], schema=schema)


def _canonical(column: pa.ChunkedArray) -> pa.Array:
    """One chunk, with zeroed slots under nulls: equal results become equal bytes.

    The engine leaves whatever was in memory under a null value; Arrow allows
    that, byte-identical output does not.
    """
    array = column.combine_chunks()
    if array.null_count == 0:
        return array
    filled = pc.fill_null(array, _zero(array.type))
    validity = pc.is_valid(array).buffers()[1]
    return pa.Array.from_buffers(
        array.type, len(array), [validity, *filled.buffers()[1:]], null_count=array.null_count
    )


def _zero(data_type: pa.DataType) -> pa.Scalar:
    if pa.types.is_string(data_type):
        return pa.scalar("", data_type)
    if pa.types.is_boolean(data_type):
        return pa.scalar(False, data_type)
    if pa.types.is_decimal(data_type):
        return pa.scalar(Decimal(0), data_type)
    return pa.scalar(0, data_type)


def check_error(name: str, rows: list[tuple[Any, ...]]) -> InvalidInput:
    if name == "foreign_currency":
        return InvalidInput(
            "Events in another currency than the plan's",
            [
                ErrorDetail(f"events[{event_id}].currency", f"{currency}")
                for event_id, currency in rows
            ],
        )
    return InvalidInput(
        "No quota for payees measured by a tiered component",
        [
            ErrorDetail(f"quotas[{payee_id}]", f"missing for {kind} {payee_id}")
            for kind, payee_id in rows
        ],
    )


def _register_source(connection: duckdb.DuckDBPyConnection, events: Path | pa.Table) -> None:
    if isinstance(events, pa.Table):
        connection.register(_SOURCE, conformed_events(events))
    elif has_events(events):
        connection.read_parquet(event_files_glob(events)).create_view(_SOURCE)
    else:
        connection.register(_SOURCE, EVENT_SCHEMA.empty_table())


def conformed_events(events: pa.Table) -> pa.Table:
    missing = [name for name in EVENT_SCHEMA.names if name not in events.column_names]
    if missing:
        raise InvalidInput(
            "Events lack columns of the event store",
            [ErrorDetail(f"events.{name}", "missing column") for name in missing],
        )
    try:
        return events.select(EVENT_SCHEMA.names).cast(EVENT_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
        raise InvalidInput(
            "Events do not match the event-store schema", [ErrorDetail("events", str(error))]
        ) from error


def _families_seen(connection: duckdb.DuckDBPyConnection, period: Period) -> set[str]:
    query = f"SELECT DISTINCT product_family_code FROM {_SOURCE} WHERE event_time < $end"  # noqa: S608
    return {row[0] for row in connection.execute(query, {"end": period.end}).fetchall()}
