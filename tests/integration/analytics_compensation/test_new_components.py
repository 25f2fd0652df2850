"""SPIFFs, overrides and caps per component and per plan: the worked examples of the guide."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from salesdev.engine.compensation import (
    BountyComponent,
    FamilyRate,
    ManagerOverrideComponent,
    RateComponent,
    SpiffComponent,
    Tier,
    TieredComponent,
    TierMode,
)
from tests.integration.analytics_compensation.builders import (
    REP_A,
    REP_B,
    at,
    event,
    payments,
    plan,
    run,
)

D = Decimal
PROMO = "00000000-0000-4000-8000-000000000202"
WINDOW = {"window_start": date(2026, 10, 5), "window_end": date(2026, 10, 12)}


def test_a_per_unit_spiff_pays_the_units_of_its_offerings_sold_in_its_window() -> None:
    spiff = SpiffComponent(id="promo", amount=D("15"), offering_ids=(PROMO,), **WINDOW)
    result = run(
        plan(spiff),
        event("E1", "order", at(10, 4, 23, 59), offering=PROMO, quantity=2),  # before
        event("E2", "order", at(10, 5), offering=PROMO, quantity=2),
        event("E3", "order", at(10, 11, 23, 59), offering=PROMO, quantity=1),
        event("E4", "order", at(10, 12), offering=PROMO, quantity=5),  # window end: excluded
        event("E5", "order", at(10, 6), quantity=3),  # another offering
        event("E6", "activation", at(10, 6), offering=PROMO),  # not an order
    )
    # then 3 units x 15.00
    assert payments(result) == {(REP_A, "promo", None, "spiff"): D("45.00")}
    line = result.lines()[0]
    assert (line.measure, line.unit_amount, line.event_count) == (D("3"), D("15"), 2)


def test_a_rate_spiff_pays_a_rate_of_the_window_revenue_of_its_families() -> None:
    spiff = SpiffComponent(id="promo", rate=D("0.02"), product_families=("TV",), **WINDOW)
    result = run(
        plan(spiff),
        event("E1", "order", at(10, 6), amount="49.99", family="TV"),
        event("E2", "order", at(10, 7), amount="100", family="FIBRE"),
    )
    # 49.99 x 0.02 = 0.9998 -> 1.00
    assert payments(result) == {(REP_A, "promo", None, "spiff"): D("1.00")}


def test_a_component_cap_takes_the_excess_off_all_its_lines_of_the_period() -> None:
    # given 5 % on FIBRE and 2 % on TV, capped at 30.00 per payee and period
    component = RateComponent(
        id="revenue",
        rates=(FamilyRate("FIBRE", D("0.05")), FamilyRate("TV", D("0.02"))),
        cap=D("30"),
    )
    result = run(
        plan(component),
        event("E1", "order", at(10, 2), amount="500"),  # 25.00
        event("E2", "order", at(10, 3), amount="400", family="TV"),  # 8.00
        event("E3", "order", at(10, 3), amount="100", rep=REP_B),  # 5.00, under the cap
    )
    assert payments(result) == {
        (REP_A, "revenue", "FIBRE", "revenue"): D("25.00"),
        (REP_A, "revenue", "TV", "revenue"): D("8.00"),
        (REP_A, "revenue", None, "cap"): D("-3.00"),
        (REP_B, "revenue", "FIBRE", "revenue"): D("5.00"),
    }
    cap_line = next(line for line in result.lines() if line.basis == "cap")
    assert (cap_line.measure, cap_line.unit_amount, cap_line.capped) == (D("33"), D("30"), True)


def test_a_plan_cap_limits_the_payee_total_after_the_component_caps() -> None:
    the_plan = replace(
        plan(
            RateComponent(id="revenue", default_rate=D("0.1"), cap=D("50")),
            BountyComponent(id="bounty", amount=D("40"), chargeback_days=30),
        ),
        cap=D("75.50"),
    )
    result = run(
        the_plan,
        event("E1", "order", at(10, 2), amount="800"),  # 80.00, capped to 50.00
        event("E2", "activation", at(10, 2), line="LN2"),  # 40.00
        event("E3", "activation", at(10, 3), line="LN3", rep=REP_B),  # 40.00, under
    )
    # then A: 80 - 30 + 40 = 90 > 75.50: a plan_cap line of -14.50; B is under the cap
    assert payments(result) == {
        (REP_A, "(plan)", None, "plan_cap"): D("-14.50"),
        (REP_A, "revenue", "FIBRE", "revenue"): D("80.00"),
        (REP_A, "revenue", None, "cap"): D("-30.00"),
        (REP_A, "bounty", None, "bounty"): D("40.00"),
        (REP_B, "bounty", None, "bounty"): D("40.00"),
    }
    assert result.totals_by_payee()[("sales_person", REP_A)] == D("75.50")


def test_a_tiered_component_keeps_its_cap_on_its_one_line() -> None:
    tiered = TieredComponent(
        id="t", tiers=(Tier(D("0"), None, D("0.1")),), mode=TierMode.MARGINAL, cap=D("20")
    )
    result = run(
        plan(tiered), event("E1", "order", at(10, 2), amount="500"), quotas={REP_A: D("1000")}
    )
    assert payments(result) == {(REP_A, "t", None, "attainment"): D("20.00")}


def test_an_override_without_a_hierarchy_pays_nothing() -> None:
    result = run(
        plan(ManagerOverrideComponent(id="override", default_rate=D("0.1"))),
        event("E1", "order", at(10, 2), amount="100"),
    )
    assert result.lines() == []
