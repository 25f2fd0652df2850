"""Plan shape: every stage runs hash joins that build on the small side.

The benchmark runs the same check at volume (benchmarks/compensation.py); here a
small data set proves the stages keep their shape, and hand-made bad plans prove
the check catches a planner that goes wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import duckdb
import pytest

from salesdev.analytics.compensation import (
    CalculationResult,
    ShapeProblem,
    calculate,
    plan_shape_problems,
)
from salesdev.analytics.compensation.plan_shape import explain_analyze, hash_join_build_tables
from tests.integration.analytics_compensation.builders import (
    DEALER,
    FAMILIES,
    OCTOBER,
    REP_A,
    REP_B,
    at,
    event,
    events,
    run,
)
from tests.integration.analytics_compensation.crediting import splits
from tests.integration.analytics_compensation.test_calculation_runs import PLAN, QUOTAS


def month_of_events(lines: int) -> list[dict[str, object]]:
    """Per line: an activation before October, then an October order and bill; some churn."""
    rows = []
    for i in range(lines):
        rows += [
            line_event(i, "A", "activation", at(9, 1 + i % 28)),
            line_event(i, "O", "order", at(10, 1 + i % 28), amount=f"{i % 90}.50"),
            line_event(i, "C", "recurring_charge", at(10, 2 + i % 27), amount="29.99"),
        ]
        if i % 5 == 0:
            rows.append(line_event(i, "D", "deactivation", at(10, 28)))
    return rows


def line_event(
    line: int, prefix: str, kind: str, when: datetime, amount: str = "0"
) -> dict[str, object]:
    return event(
        f"{prefix}{line:04d}", kind, when, amount=amount, line=f"L{line:04d}",
        rep=(REP_A, REP_B)[line % 2], partner=DEALER if line % 3 == 0 else None,
        family=FAMILIES[line % len(FAMILIES)],
    )  # fmt: skip


def test_every_stage_runs_hash_joins_that_build_on_the_small_side() -> None:
    # Given a month of 400 lines for three payees, four families and five components
    rows = month_of_events(400)
    # When the calculation runs with every stage profiled
    result = run(PLAN, *rows, quotas=QUOTAS)
    profiled = _profiled(rows)
    # Then the profile changes nothing, every stage has its plan, and the shape holds
    assert profiled.to_ipc_bytes() == result.to_ipc_bytes()
    assert list(profiled.profiles) == [
        "cmp_load_event", "cmp_family", "cmp_payee", "cmp_line_id", "cmp_load_lifecycle",
        "cmp_lifecycle", "cmp_event", "cmp_credit", "cmp_credit_sum", "cmp_component",
        "cmp_line", "cmp_quota", "cmp_measure", "cmp_incentive", "cmp_payment",
    ]  # fmt: skip
    assert plan_shape_problems(profiled.profiles) == []
    # The load keys the events: hash tables built on the dictionaries, probed by the events
    assert [build for _probe, build in hash_join_build_tables(profiled.profiles["cmp_event"])] == [
        frozenset({"cmp_line_id"}),
        frozenset({"cmp_family"}),
        frozenset({"cmp_payee"}),
        frozenset({"cmp_payee"}),
    ]
    # Crediting joins nothing (the keys were looked up at load); the chargebacks build
    # on the life of the lines
    assert hash_join_build_tables(profiled.profiles["cmp_credit"]) == []
    assert [
        build for _probe, build in hash_join_build_tables(profiled.profiles["cmp_lifecycle"])
    ] == [frozenset({"cmp_line_id"})]
    assert [
        build for _probe, build in hash_join_build_tables(profiled.profiles["cmp_measure"])
    ] == [
        frozenset({"cmp_line"}),
        frozenset({"cmp_line"}),
    ]


def test_split_lines_keep_the_shape_and_build_on_the_split_orders() -> None:
    # Given the month with every 10th line sold on an order split between the two reps
    rows = month_of_events(400)
    for row in rows:
        if row["event_type"] == "activation" and int(str(row["line_id"])[1:]) % 10 == 0:
            row["order_id"] = f"OR{row['line_id']}"
    orders = sorted({str(row["order_id"]) for row in rows if row["order_id"] is not None})
    split = splits(*((o, REP_A, "0.6") for o in orders), *((o, REP_B, "0.4") for o in orders))
    # When the calculation runs with every stage profiled
    profiled = _profiled(rows, credit_splits=split)
    # Then the shape holds, and the split lines' credit is built on the split orders
    assert plan_shape_problems(profiled.profiles) == []
    assert frozenset({"cmp_split_order"}) in [
        build
        for _probe, build in hash_join_build_tables(profiled.profiles["cmp_line_split_credit"])
    ]


def _profiled(rows: list[dict[str, object]], **options: object) -> CalculationResult:
    return calculate(
        plan=PLAN, events=events(*rows), quotas=QUOTAS, period=OCTOBER,
        product_families=FAMILIES, profile=True, **options,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.fixture
def planner_as_written() -> Iterator[duckdb.DuckDBPyConnection]:
    """A database whose planner keeps the join order and sides as written in the SQL."""
    connection = duckdb.connect(":memory:")
    connection.execute("SET disabled_optimizers = 'join_order,build_side_probe_side'")
    connection.execute("CREATE TABLE cmp_payee AS SELECT range AS payee_key FROM range(10)")
    connection.execute(
        "CREATE TABLE cmp_credit AS SELECT range AS event_key, range % 10 AS payee_key,"
        " range % 1000 AS line_key FROM range(50000)"
    )
    connection.execute("CREATE TABLE cmp_line AS SELECT range AS line_key FROM range(1000)")
    yield connection
    connection.close()


def test_a_hash_table_built_on_the_facts_instead_of_the_dimension_is_reported(
    planner_as_written: duckdb.DuckDBPyConnection,
) -> None:
    plan = explain_analyze(
        planner_as_written,
        "SELECT count(*) FROM cmp_payee AS p JOIN cmp_credit AS c ON c.payee_key = p.payee_key",
    )
    assert plan_shape_problems({"cmp_credit": plan}) == [
        ShapeProblem(
            "cmp_credit",
            "hash join on payee_key = payee_key builds on the facts (['cmp_credit'], 50,000 rows)"
            " and probes the dimension (['cmp_payee'])",
        )
    ]
    # The same join with the dimension as the build side is sound
    sound = explain_analyze(
        planner_as_written,
        "SELECT count(*) FROM cmp_credit AS c JOIN cmp_payee AS p ON c.payee_key = p.payee_key",
    )
    assert plan_shape_problems({"cmp_credit": sound}) == []


def test_a_hash_table_built_on_the_larger_side_is_reported(
    planner_as_written: duckdb.DuckDBPyConnection,
) -> None:
    plan = explain_analyze(
        planner_as_written,
        "SELECT count(*) FROM cmp_line AS l JOIN cmp_credit AS c ON c.line_key = l.line_key",
    )
    assert plan_shape_problems({"cmp_measure": plan}) == [
        ShapeProblem(
            "cmp_measure",
            "hash join on line_key = line_key builds on the larger side: 50,000 rows"
            " (['cmp_credit']) against 1,000 probing (['cmp_line'])",
        )
    ]


def test_a_join_that_is_not_a_hash_join_is_reported(
    planner_as_written: duckdb.DuckDBPyConnection,
) -> None:
    plan = explain_analyze(
        planner_as_written,
        "SELECT count(*) FROM cmp_line AS l JOIN cmp_payee AS p ON l.line_key < p.payee_key",
    )
    problems = plan_shape_problems({"cmp_measure": plan})
    assert len(problems) == 1
    assert problems[0].stage == "cmp_measure"
    assert problems[0].message.endswith("line_key < payee_key: not a hash join")


def test_a_union_probing_a_hash_join_counts_the_rows_of_its_inputs(
    planner_as_written: duckdb.DuckDBPyConnection,
) -> None:
    # Given a view's UNION ALL of 100,000 credit rows probing a hash table of 50,000
    # (DuckDB reports no rows of its own for a UNION)
    plan = explain_analyze(
        planner_as_written,
        "SELECT count(*) FROM (SELECT line_key FROM cmp_credit"
        " UNION ALL SELECT line_key FROM cmp_credit) AS u"
        " JOIN cmp_credit AS c ON c.line_key = u.line_key",
    )
    # Then the build side is not taken for the larger one
    assert hash_join_build_tables(plan) == [(frozenset({"cmp_credit"}), frozenset({"cmp_credit"}))]
    assert plan_shape_problems({"cmp_measure": plan}) == []
