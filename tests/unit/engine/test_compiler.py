"""The compiler turns a plan into staged SQL trees, rendered for DuckDB or Spark."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlglot
from sqlglot import exp

from salesdev.core.periods import Period
from salesdev.engine.compensation import (
    BountyComponent,
    RateComponent,
    ResidualComponent,
    compile_plan,
)
from tests.unit.engine.plans import d, plan

OCTOBER = Period(2026, 10)


def test_stages_run_load_then_credit_then_measure_then_incentive_then_payment() -> None:
    compiled = compile_plan(plan(), period=OCTOBER, lineage=True)
    assert [(s.step, s.table) for s in compiled.stages] == [
        ("load", "cmp_load_event"),
        ("load", "cmp_family"),
        ("load", "cmp_payee"),
        ("load", "cmp_line_id"),
        ("load", "cmp_load_lifecycle"),
        ("load", "cmp_lifecycle"),
        ("load", "cmp_event"),
        ("credit", "cmp_credit"),
        ("credit", "cmp_credit_sum"),
        ("credit", "cmp_component"),
        ("credit", "cmp_line"),
        ("credit", "cmp_quota"),
        ("measure", "cmp_measure"),
        ("measure", "cmp_lineage"),
        ("incentive", "cmp_incentive"),
        ("payment", "cmp_payment"),
    ]
    assert [c.name for c in compiled.checks] == ["foreign_currency", "missing_quota"]
    # Only the load stages read the event store; the copy as stored is dropped after it
    assert compiled.load_stages == compiled.stages[:7]
    transient = [s.table for s in compiled.stages if s.transient]
    assert transient == ["cmp_load_event", "cmp_load_lifecycle"]
    readers = [s.table for s in compiled.stages if " events " in s.sql("duckdb") + " "]
    assert readers == transient
    # Crediting is a view over the keyed events: its readers filter it their own way
    assert [s.table for s in compiled.stages if s.view] == ["cmp_credit"]
    assert "CREATE VIEW cmp_credit AS" in compiled.compute_stages[0].sql("duckdb")


def test_the_calculation_groups_and_joins_on_integer_keys_not_on_text_ids() -> None:
    compiled = compile_plan(plan(), period=OCTOBER)
    computing = " ".join(s.sql("duckdb") for s in compiled.compute_stages)
    # The text ids and event types stay in the load; the stages read keys (the event id
    # stays text: a measure names its first and last event by MIN and MAX of the ids)
    for text_column in ("line_id", "sales_person_id", "partner_id", "event_type", "order_id"):
        assert text_column not in computing
    lines = next(s for s in compiled.stages if s.table == "cmp_line").sql("duckdb")
    assert "FROM cmp_lifecycle GROUP BY line_key" in lines
    assert "MIN(CASE WHEN type_key = 9 THEN event_us END) AS deactivation_us" in lines


def test_only_the_lines_a_measure_reads_get_a_key_and_their_history_loaded() -> None:
    # Given a bounty on every family and a residual on FIBRE only
    compiled = compile_plan(
        plan(
            BountyComponent(id="b", amount=d("25"), chargeback_days=30),
            ResidualComponent(id="r", rate=d("0.05"), months=12, product_families=("FIBRE",)),
        ),
        period=OCTOBER,
    )
    line_ids = next(s for s in compiled.stages if s.table == "cmp_line_id").sql("duckdb")
    # Then the lines keyed are those of deactivations and of FIBRE recurring charges
    assert (
        "WHERE event_type = 'deactivation'"
        " OR (event_type = 'recurring_charge' AND product_family_code IN ('FIBRE'))"
    ) in line_ids
    lifecycle = next(s for s in compiled.stages if s.table == "cmp_lifecycle").sql("duckdb")
    assert (
        "FROM cmp_load_lifecycle AS h JOIN cmp_line_id AS k ON k.line_id = h.line_id" in lifecycle
    )


def test_a_plan_without_lifecycle_or_tiers_skips_those_stages() -> None:
    compiled = compile_plan(plan(RateComponent(id="r", default_rate=d("0.01"))), period=OCTOBER)
    tables = [s.table for s in compiled.stages]
    assert "cmp_line" not in tables and "cmp_quota" not in tables
    assert compiled.history_event_types == ()
    assert compiled.period_event_types == ("cancellation", "order", "recurring_charge")


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_every_stage_renders_sql_that_parses_back_in_its_dialect(dialect: str) -> None:
    compiled = compile_plan(plan(), period=OCTOBER, lineage=True)
    texts = [
        *compiled.statements(dialect),
        *(c.sql(dialect) for c in compiled.checks),
        compiled.result_sql(dialect),
        compiled.lineage_sql(dialect),
    ]
    for text in texts:
        assert text is not None
        parsed = sqlglot.parse_one(text, read=dialect)
        assert isinstance(parsed, exp.Create | exp.Select)


def test_dialect_bound_functions_are_rendered_per_dialect() -> None:
    compiled = compile_plan(plan(), period=OCTOBER)
    event_stage = compiled.stages[0]
    assert event_stage.table == "cmp_load_event"
    assert "EPOCH_US(event_time)" in event_stage.sql("duckdb")
    assert "UNIX_MICROS(event_time)" in event_stage.sql("spark")
    assert "CAST('2026-10-01 00:00:00+00:00' AS TIMESTAMPTZ)" in event_stage.sql("duckdb")
    with pytest.raises(ValueError, match="unsupported dialect 'oracle'"):
        event_stage.sql("oracle")


def test_plan_values_enter_the_tree_as_literals_never_as_sql() -> None:
    hostile = "x'); DROP TABLE events; --"
    compiled = compile_plan(
        plan(BountyComponent(id=hostile, amount=d("25"), chargeback_days=30)), period=OCTOBER
    )
    components = next(s for s in compiled.stages if s.table == "cmp_component")
    tree = sqlglot.parse_one(components.sql("duckdb"), read="duckdb")
    assert hostile in [literal.this for literal in tree.find_all(exp.Literal)]
    assert not list(tree.find_all(exp.Drop))


def test_money_stays_exact_and_is_rounded_once_in_the_payment_stage() -> None:
    compiled = compile_plan(plan(), period=OCTOBER)
    rounding = {
        s.table
        for s in compiled.stages
        if any(isinstance(node, exp.Round) for node in s.query.walk())
    }
    assert rounding == {"cmp_payment"}
    payment = compiled.stages[-1].sql("duckdb")
    assert "CAST(ROUND(i.amount, 2) AS DECIMAL(18, 2)) AS payment" in payment
    yen = compile_plan(replace(plan(), currency="JPY"), period=OCTOBER).stages[-1].sql("duckdb")
    assert "CAST(ROUND(i.amount, 0) AS DECIMAL(18, 0)) AS payment" in yen
    assert "FLOAT" not in " ".join(compiled.statements()).upper()
    assert "DOUBLE" not in " ".join(compiled.statements()).upper()


def test_the_activation_month_is_taken_from_epoch_microseconds_in_each_dialect() -> None:
    # DuckDB reads the calendar fields of a TIMESTAMPTZ through ICU: several times slower
    lines = next(s for s in compile_plan(plan(), period=OCTOBER).stages if s.table == "cmp_line")
    assert (
        "YEAR(MAKE_TIMESTAMP(first_us_1)) * 12 + MONTH(MAKE_TIMESTAMP(first_us_1)) - 1"
        " AS activation_month" in lines.sql("duckdb")
    )
    assert "YEAR(TIMESTAMP_MICROS(first_us_1)) * 12" in lines.sql("spark")
