"""Run a compiled compensation plan on Apache Spark (PySpark), for a CSP that outgrows one machine.

The stages are the same syntax trees the DuckDB runner executes, rendered as Spark
SQL (``CompiledPlan.statements("spark")``). Each stage is materialised (a local
checkpoint) and registered under its table name, in order, exactly as DuckDB
materialises its ``cmp_*`` tables. The result is cast to the DuckDB result's
types and canonicalised the same way, so equal results are equal bytes
(``tests/integration/spark/test_equivalence.py`` requires it).

pyspark is optional (a development dependency): it is imported only by
:func:`local_session`; :func:`calculate_on_spark` takes any ``SparkSession``.
Spark must run with its session time zone UTC, ANSI mode, and decimal
arithmetic that never drops scale (``SPARK_CONF``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Final

import pyarrow as pa

from salesdev.analytics.compensation.inputs import prepare_inputs
from salesdev.analytics.compensation.result import CalculationResult
from salesdev.analytics.compensation.runner import (
    LOADED_COLUMNS,
    canonical_table,
    check_error,
    conformed_events,
)
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.periods import Period
from salesdev.engine.compensation import EVENTS_INPUT, Plan, compile_plan, validate_plan

DIALECT: Final[str] = "spark"
SPARK_CONF: Final[dict[str, str]] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    # Keep every decimal place: with precision loss allowed, Spark rounds a
    # product or sum whose exact type would exceed 38 digits.
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.adaptive.enabled": "false",
    # Small data: compiling whole-stage Java code costs more than it saves.
    "spark.sql.codegen.wholeStage": "false",
}


@contextmanager
def local_session(app_name: str = "salesdev-compensation") -> Iterator[Any]:
    """A Spark session in local mode on one core, configured for exact, UTC calculation."""
    from pyspark.sql import SparkSession  # optional dependency: imported here only

    builder = SparkSession.builder.master("local[1]").appName(app_name)
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()


def calculate_on_spark(
    *,
    spark: Any,
    plan: Plan,
    events: pa.Table,
    quotas: Mapping[str, Decimal] | Mapping[uuid.UUID, Decimal],
    period: Period,
    product_families: Collection[str],
    lineage: bool = False,
    payees: Collection[str] | None = None,
    hierarchy: pa.Table | None = None,
    credit_splits: pa.Table | None = None,
) -> CalculationResult:
    """What :func:`salesdev.analytics.compensation.calculate` returns, computed by Spark.

    Every stage is checkpointed before the next reads it: as views, Spark would
    inline the whole chain into each later query (its plan outgrew a 1 GB heap).
    """
    if period.start < plan.period.start:
        raise InvalidInput(
            "Plan not yet in effect",
            [ErrorDetail("period", f"plan {plan.id!r} applies from {plan.period}, not {period}")],
        )
    started = time.perf_counter()
    inputs = prepare_inputs(
        plan=plan, quotas=quotas, payees=payees, hierarchy=hierarchy, credit_splits=credit_splits
    )
    validate_plan(plan, product_families=set(product_families))
    compiled = compile_plan(plan, period=period, lineage=lineage, options=inputs.options)
    source = conformed_events(events).select(list(LOADED_COLUMNS))
    _register(spark, EVENTS_INPUT, source)
    for name, relation in inputs.relations().items():
        _register(spark, name, relation)
    for stage in compiled.stages:
        frame = spark.sql(stage.query.sql(dialect=DIALECT))
        if not stage.view:
            frame = frame.localCheckpoint(eager=True)
        frame.createOrReplaceTempView(stage.table)
        if stage is compiled.load_stages[-1]:  # loaded: drop what only the load read
            for loaded in compiled.load_stages:
                if loaded.transient:
                    spark.catalog.dropTempView(loaded.table)
    for check in compiled.checks:
        rows = [tuple(row) for row in spark.sql(check.sql(DIALECT)).collect()]
        if rows:
            raise check_error(check.name, rows)
    table = canonical_table(spark.sql(compiled.result_sql(DIALECT)).toArrow())
    lineage_sql = compiled.lineage_sql(DIALECT)
    lineage_table = (
        None if lineage_sql is None else canonical_table(spark.sql(lineage_sql).toArrow())
    )
    return CalculationResult(
        plan_id=plan.id,
        plan_version=plan.version,
        period=period,
        currency=plan.currency,
        table=table,
        lineage=lineage_table,
        seconds={"total": time.perf_counter() - started},
    )


def _register(spark: Any, name: str, table: pa.Table) -> None:
    spark.createDataFrame(table).createOrReplaceTempView(name)
