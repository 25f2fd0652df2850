"""Running a plan: same inputs give the same bytes; the store and Arrow agree; bad input."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from salesdev.analytics.compensation import calculate
from salesdev.analytics.events import EventStoreWriter
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.periods import Period
from salesdev.engine.compensation import (
    BountyComponent,
    FamilyRate,
    RateComponent,
    ResidualComponent,
    Tier,
    TieredComponent,
    TierMode,
)
from tests.integration.analytics_compensation.builders import (
    DEALER,
    FAMILIES,
    OCTOBER,
    REP_A,
    REP_B,
    at,
    event,
    events,
    plan,
    run,
)

PLAN = plan(
    RateComponent(id="revenue", rates=(FamilyRate("FIBRE", Decimal("0.05")),), default_rate=Decimal("0.01")),
    TieredComponent(
        id="attainment",
        tiers=(Tier(Decimal("0"), Decimal("1"), Decimal("0.02")), Tier(Decimal("1"), None, Decimal("0.04"))),
        mode=TierMode.MARGINAL,
        cap=Decimal("500"),
    ),
    BountyComponent(id="activation", amount=Decimal("25"), chargeback_days=30),
    ResidualComponent(id="residual", rate=Decimal("0.05"), months=12),
)  # fmt: skip
QUOTAS = {REP_A: Decimal("400"), REP_B: Decimal("900"), DEALER: Decimal("5000")}


def sample() -> pa.Table:
    rows = []
    for i in range(60):
        rep = (REP_A, REP_B)[i % 2]
        partner = DEALER if i % 3 == 0 else None
        family = FAMILIES[i % len(FAMILIES)]
        line = f"L{i:03d}"
        rows += [
            event(
                f"A{i:03d}",
                "activation",
                at(8 + i % 3, 1 + i % 27),
                line=line,
                rep=rep,
                partner=partner,
                family=family,
            ),
            event(
                f"O{i:03d}",
                "order",
                at(10, 1 + i % 28),
                amount=f"{i}.{i % 10}5",
                line=line,
                rep=rep,
                partner=partner,
                family=family,
            ),
            event(
                f"C{i:03d}",
                "recurring_charge",
                at(10, 2 + i % 27, 2),
                amount="29.99",
                line=line,
                rep=rep,
                partner=partner,
                family=family,
            ),
        ]
        if i % 7 == 0:
            rows.append(
                event(
                    f"D{i:03d}",
                    "deactivation",
                    at(10, 28),
                    line=line,
                    rep=rep,
                    partner=partner,
                    family=family,
                )
            )
    return events(*rows)  # fmt: skip


def calculate_over(table: pa.Table | Path, *, lineage: bool = False) -> bytes:
    return calculate(
        plan=PLAN, events=table, quotas=QUOTAS, period=OCTOBER,
        product_families=FAMILIES, lineage=lineage,
    ).to_ipc_bytes()  # fmt: skip


def test_the_same_inputs_give_byte_identical_results_whatever_the_row_order() -> None:
    table = sample()
    shuffled = table.take(random.Random(7).sample(range(table.num_rows), table.num_rows))
    first = calculate_over(table)
    assert calculate_over(shuffled) == first
    assert calculate_over(table) == first


def test_the_parquet_store_and_an_arrow_table_give_the_same_result(tmp_path: Path) -> None:
    table = sample()
    with EventStoreWriter(tmp_path / "events") as writer:
        writer.write(table.sort_by("event_time"))
    assert calculate_over(tmp_path / "events") == calculate_over(table)


def test_an_empty_store_gives_no_lines(tmp_path: Path) -> None:
    result = calculate(
        plan=PLAN, events=tmp_path / "none", quotas={}, period=OCTOBER, product_families=FAMILIES
    )
    assert (result.table.num_rows, result.total) == (0, Decimal(0))  # fmt: skip


def test_lineage_lists_every_event_behind_each_line() -> None:
    result = run(
        plan(RateComponent(id="revenue", rates=(), default_rate=Decimal("0.1"))),
        event("E1", "order", at(10, 2), amount="10.00", partner=DEALER),
        event("E2", "order", at(10, 3), amount="20.00"),
        lineage=True,
    )
    assert result.lineage is not None
    assert [
        (row["payee_id"], row["component_id"], row["event_id"], row["value"])
        for row in result.lineage.to_pylist()
    ] == [
        (DEALER, "revenue", "E1", Decimal("10")),
        (REP_A, "revenue", "E1", Decimal("10")),
        (REP_A, "revenue", "E2", Decimal("20")),
    ]
    # The lineage sums to each line's measure
    assert {line.payee_id: line.measure for line in result.lines()} == {
        DEALER: Decimal("10"),
        REP_A: Decimal("30"),
    }


def test_events_in_another_currency_are_refused_by_event_id() -> None:
    with pytest.raises(InvalidInput) as raised:
        run(
            PLAN,
            event("E1", "order", at(10, 2), amount="10.00"),
            event("E2", "order", at(10, 2), amount="10.00", currency="USD"),
            quotas=QUOTAS,
        )
    assert raised.value.details == [ErrorDetail("events[E2].currency", "USD")]


def test_an_invalid_plan_is_refused_before_anything_runs() -> None:
    bad = plan(
        ResidualComponent(
            id="residual", rate=Decimal("0.05"), months=12, product_families=("SATELLITE",)
        )
    )
    with pytest.raises(InvalidInput) as raised:
        # Without a catalogue, the known families are those seen in the events
        calculate(plan=bad, events=sample(), quotas={}, period=OCTOBER)
    assert raised.value.details == [
        ErrorDetail(
            "components[0].product_families[0]",
            "unknown product family 'SATELLITE'; known: DSL, FIBRE, MOBILE_POSTPAID, TV",
        )
    ]  # fmt: skip


def test_a_period_before_the_plan_applies_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        run(PLAN, event("E1", "order", at(10, 2), amount="1"), period=Period(2025, 12))
    assert raised.value.details == [
        ErrorDetail("period", "plan 'retail-2026' applies from 2026-01, not 2025-12")
    ]


def test_events_missing_store_columns_are_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        calculate(
            plan=PLAN, events=sample().drop_columns(["amount"]), quotas=QUOTAS, period=OCTOBER
        )
    assert raised.value.details == [ErrorDetail("events.amount", "missing column")]


def test_a_memory_limit_too_small_to_calculate_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        calculate(
            plan=PLAN, events=sample(), quotas=QUOTAS, period=OCTOBER,
            product_families=FAMILIES, memory_limit_mb=64,
        )  # fmt: skip
    assert raised.value.details == [ErrorDetail("memory_limit_mb", "at least 128, got 64")]


def test_resources_and_spill_directory_do_not_change_the_result(tmp_path: Path) -> None:
    # Given the same events, calculated with default resources
    expected = calculate_over(sample())
    # When calculated on one thread, at the smallest memory limit, spilling into a given directory
    result = calculate(
        plan=PLAN, events=sample(), quotas=QUOTAS, period=OCTOBER, product_families=FAMILIES,
        threads=1, memory_limit_mb=128, spill_dir=tmp_path / "spill",
    )  # fmt: skip
    # Then the bytes are the same
    assert result.to_ipc_bytes() == expected
