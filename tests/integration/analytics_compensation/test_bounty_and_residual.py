"""Bounties with a chargeback window, and residuals for M months while the line stays."""

from __future__ import annotations

from decimal import Decimal

from salesdev.core.periods import Period
from salesdev.engine.compensation import BountyComponent, ResidualComponent
from tests.integration.analytics_compensation.builders import (
    DEALER,
    REP_A,
    at,
    event,
    payments,
    plan,
    run,
)

BOUNTY = BountyComponent(id="activation", amount=Decimal("50"), chargeback_days=30)
PORT_IN = BountyComponent(
    id="port-in", amount=Decimal("20"), chargeback_days=30, event_types=("port_in",)
)
RESIDUAL = ResidualComponent(
    id="residual", rate=Decimal("0.10"), months=3, product_families=("FIBRE",)
)


def test_each_activation_in_the_period_earns_the_bounty() -> None:
    result = run(
        plan(BOUNTY, PORT_IN),
        event("E1", "activation", at(10, 2), amount="30", line="L1"),
        event("E2", "port_in", at(10, 2), line="L1"),
        event("E3", "activation", at(10, 9), amount="30", line="L2", partner=DEALER),
        event("E4", "activation", at(9, 30), amount="30", line="L3"),  # September
    )
    assert payments(result) == {
        (DEALER, "activation", None, "bounty"): Decimal("50.00"),
        (REP_A, "activation", None, "bounty"): Decimal("100.00"),
        (REP_A, "port-in", None, "bounty"): Decimal("20.00"),
    }
    line = result.lines()[1]
    assert (line.measure, line.unit_amount, line.event_count) == (Decimal("2"), Decimal("50"), 2)


def test_churn_at_day_n_minus_1_of_service_claws_back_but_not_at_day_n() -> None:
    # Activated in September (bounty paid then); deactivated in October
    result = run(
        plan(BOUNTY),
        event("A1", "activation", at(9, 5, 10), line="L29"),
        event("D1", "deactivation", at(10, 4, 10), line="L29"),  # 29 days of service
        event("A2", "activation", at(9, 4, 10), line="L30"),
        event("D2", "deactivation", at(10, 4, 10), line="L30"),  # exactly 30 days
        event("A3", "activation", at(9, 4, 10, 1), line="L30-"),
        event("D3", "deactivation", at(10, 4, 10), line="L30-"),  # 30 days less a minute
    )
    (line,) = result.lines()
    assert (line.basis, line.measure, line.payment) == (
        "chargeback",
        Decimal("2"),
        Decimal("-100.00"),
    )
    assert (line.first_event_id, line.last_event_id) == ("D1", "D3")


def test_suspension_days_do_not_count_as_service() -> None:
    result = run(
        plan(BOUNTY),
        # 32 calendar days, 5 of them suspended: 27 days of service -> clawed back
        event("A1", "activation", at(9, 1), line="L1"),
        event("S1", "suspension", at(9, 10), line="L1"),
        event("R1", "resumption", at(9, 15), line="L1"),
        event("D1", "deactivation", at(10, 3), line="L1"),
        # 34 calendar days, suspended from day 24 until the deactivation -> clawed back
        event("A2", "activation", at(9, 1), line="L2"),
        event("S2", "suspension", at(9, 25), line="L2"),
        event("D2", "deactivation", at(10, 5), line="L2"),
        # 40 calendar days, 5 suspended: 35 days of service -> kept
        event("A3", "activation", at(9, 1), line="L3"),
        event("S3", "suspension", at(9, 10), line="L3"),
        event("R3", "resumption", at(9, 15), line="L3"),
        event("D3", "deactivation", at(10, 11), line="L3"),
    )
    (line,) = result.lines()
    assert (line.measure, line.first_event_id, line.last_event_id) == (Decimal("2"), "D1", "D2")


def test_a_bounty_earned_and_clawed_back_in_the_same_period_nets_to_zero() -> None:
    result = run(
        plan(BOUNTY, PORT_IN),
        event("A1", "activation", at(10, 2), line="L1"),
        event("P1", "port_in", at(10, 2), line="L1"),
        event("D1", "deactivation", at(10, 20), line="L1"),
        event("D2", "deactivation", at(10, 20), line="L-without-bounty"),
    )
    assert payments(result) == {
        (REP_A, "activation", None, "bounty"): Decimal("50.00"),
        (REP_A, "activation", None, "chargeback"): Decimal("-50.00"),
        (REP_A, "port-in", None, "bounty"): Decimal("20.00"),
        (REP_A, "port-in", None, "chargeback"): Decimal("-20.00"),
    }
    assert result.total == Decimal("0.00")


def charges(line: str, months: range) -> list[dict[str, object]]:
    return [
        event(f"C-{line}-{m:02d}", "recurring_charge", at(m, 15, 2), amount="30.00", line=line)
        for m in months
    ]


def test_residual_pays_for_m_months_after_the_activation_month() -> None:
    # Activated in June: July, August, September earn the residual; October no more
    rows = [
        event("A1", "activation", at(6, 15), amount="30.00", line="L1"),
        *charges("L1", range(7, 11)),
    ]
    by_month = {
        month: payments(run(plan(RESIDUAL), *rows, period=Period(2026, month)))
        for month in (6, 7, 9, 10)
    }
    assert by_month == {
        6: {},
        7: {(REP_A, "residual", None, "residual"): Decimal("3.00")},
        9: {(REP_A, "residual", None, "residual"): Decimal("3.00")},
        10: {},
    }


def test_residual_stops_at_churn_and_follows_the_family_filter() -> None:
    result = run(
        plan(RESIDUAL),
        event("A1", "activation", at(8, 1), line="L1"),
        event("C1", "recurring_charge", at(10, 1, 2), amount="30.00", line="L1"),
        event("D1", "deactivation", at(10, 20), line="L1"),
        event("C2", "recurring_charge", at(10, 25, 2), amount="30.00", line="L1"),  # after churn
        event("A2", "activation", at(8, 1), line="L2", family="TV"),
        event("C3", "recurring_charge", at(10, 1, 2), amount="99.00", line="L2", family="TV"),
        event("C4", "recurring_charge", at(10, 1, 2), amount="99.00", line="L-never-activated"),
    )
    (line,) = result.lines()
    assert (line.measure, line.rate, line.payment, line.event_count) == (
        Decimal("30"),
        Decimal("0.1"),
        Decimal("3.00"),
        1,
    )
