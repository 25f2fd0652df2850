"""Compile a plan into staged SQL: credit -> measure -> incentive -> payment.

Each stage is a query materialised into a table of its own (``cmp_*``), so an
engine runs them one by one and every intermediate result can be inspected. The
load stages come first: they alone read ``events``, and put the period's events
(and the life of the lines a measure reads) into native tables with integer
surrogate keys.
The inputs are two relations the caller provides: ``events`` (the columns of the
sales-event store) and ``quota_input`` (payee_id, quota).
"""

from __future__ import annotations

from sqlglot import exp

from salesdev.core.periods import Period
from salesdev.engine.compensation import sql
from salesdev.engine.compensation.compiled import Check, CompiledPlan, CreditOptions, Stage
from salesdev.engine.compensation.credit import (
    component_key,
    credit_stages,
    history_event_types,
    load_stages,
    period_event_types,
    quota_stage,
)
from salesdev.engine.compensation.incentive import incentive_stage
from salesdev.engine.compensation.measure import lineage_stage, measure_stage
from salesdev.engine.compensation.payment import lineage_query, payment_stages, result_query
from salesdev.engine.compensation.plan import Plan, TieredComponent

# How many offending items a check reports.
CHECK_SAMPLE = 10


def compile_plan(
    plan: Plan, *, period: Period, lineage: bool = False, options: CreditOptions | None = None
) -> CompiledPlan:
    """Stages for ``plan`` over ``period``; the plan is expected validated (validate_plan).

    ``options`` say which optional inputs the credit stage reads (splits, a
    hierarchy unrolled to some levels, a payee selection).
    """
    options = options or CreditOptions()
    stages: list[Stage] = load_stages(plan, period, options) + credit_stages(plan, period, options)
    tiered = [
        component_key(index)
        for index, component in enumerate(plan.components)
        if isinstance(component, TieredComponent)
    ]
    if tiered:
        stages.append(quota_stage())
    stages.append(measure_stage(plan, period, options))
    if lineage:
        stages.append(lineage_stage(plan, period, options))
    stages.append(incentive_stage(plan, options.rollup_levels))
    stages.extend(payment_stages(plan))
    checks = [_foreign_currency(plan)]
    if tiered:
        checks.append(_missing_quota(tiered))
    return CompiledPlan(
        plan=plan,
        period=period,
        stages=tuple(stages),
        checks=tuple(checks),
        result=result_query(),
        lineage=lineage_query() if lineage else None,
        period_event_types=period_event_types(plan),
        history_event_types=history_event_types(plan),
        options=options,
    )


def _foreign_currency(plan: Plan) -> Check:
    return Check(
        "foreign_currency",
        sql.template(
            """
            SELECT event_id, currency FROM cmp_event WHERE currency <> :currency
            ORDER BY event_id LIMIT :sample
            """,
            currency=sql.text(plan.currency),
            sample=sql.integer(CHECK_SAMPLE),
        ),
    )


def _missing_quota(tiered: list[int]) -> Check:
    return Check(
        "missing_quota",
        sql.template(
            """
            SELECT DISTINCT p.payee_kind, p.payee_id
            FROM cmp_measure AS m
            JOIN cmp_payee AS p ON p.payee_key = m.payee_key
            LEFT JOIN cmp_quota AS q ON q.payee_key = m.payee_key
            WHERE :tiered AND q.payee_key IS NULL
            ORDER BY p.payee_kind, p.payee_id LIMIT :sample
            """,
            tiered=exp.In(
                this=exp.column("component_key", "m"),
                expressions=[sql.integer(key) for key in tiered],
            ),
            sample=sql.integer(CHECK_SAMPLE),
        ),
    )
