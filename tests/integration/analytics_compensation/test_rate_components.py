"""Rate components: commission = rate x credited revenue, per product family, exact."""

from __future__ import annotations

from decimal import Decimal

from salesdev.engine.compensation import FamilyRate, RateComponent
from tests.integration.analytics_compensation.builders import (
    DEALER,
    REP_A,
    REP_B,
    at,
    event,
    payments,
    plan,
    run,
)

PER_FAMILY = RateComponent(
    id="revenue",
    rates=(FamilyRate("FIBRE", Decimal("0.05")), FamilyRate("MOBILE_POSTPAID", Decimal("0.02"))),
)


def test_each_family_is_paid_at_its_own_rate_and_unrated_families_not_at_all() -> None:
    # Given FIBRE revenue of 100 + 40 - 20, MOBILE_POSTPAID 19.99 and DSL 500 (no rate)
    result = run(
        plan(PER_FAMILY),
        event("E1", "order", at(10, 2), amount="100.00"),
        event("E2", "recurring_charge", at(10, 3, 2), amount="40.00"),
        event("E3", "cancellation", at(10, 4), amount="-20.00"),
        event("E4", "order", at(10, 5), amount="19.99", family="MOBILE_POSTPAID"),
        event("E5", "order", at(10, 6), amount="500.00", family="DSL"),
        event("E6", "activation", at(10, 6), amount="30.00"),  # MRR, not revenue
        event("E7", "payment", at(10, 9), amount="40.00"),  # cash, not revenue
    )
    # Then FIBRE pays 120 x 0.05 and MOBILE_POSTPAID 19.99 x 0.02 = 0.3998 -> 0.40
    assert payments(result) == {
        (REP_A, "revenue", "FIBRE", "revenue"): Decimal("6.00"),
        (REP_A, "revenue", "MOBILE_POSTPAID", "revenue"): Decimal("0.40"),
    }
    fibre = result.lines()[0]
    assert (fibre.measure, fibre.rate, fibre.event_count) == (Decimal("120"), Decimal("0.05"), 3)
    assert (fibre.first_event_id, fibre.last_event_id) == ("E1", "E3")
    assert result.lines()[1].amount == Decimal("0.3998")


def test_a_default_rate_pays_the_families_without_a_rate_of_their_own() -> None:
    component = RateComponent(
        id="revenue", rates=(FamilyRate("FIBRE", Decimal("0.05")),), default_rate=Decimal("0.01")
    )
    result = run(
        plan(component),
        event("E1", "order", at(10, 2), amount="100.00"),
        event("E2", "order", at(10, 2), amount="500.00", family="DSL"),
    )
    assert payments(result) == {
        (REP_A, "revenue", "DSL", "revenue"): Decimal("5.00"),
        (REP_A, "revenue", "FIBRE", "revenue"): Decimal("5.00"),
    }


def test_decimal_sums_are_exact() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in binary floating point; ten times 0.1 is not 1.0
    component = RateComponent(id="revenue", rates=(), default_rate=Decimal("1"))
    tenths = [event(f"T{i}", "order", at(10, 2), amount="0.1", rep=REP_B) for i in range(10)]
    result = run(
        plan(component),
        event("E1", "order", at(10, 2), amount="0.1"),
        event("E2", "order", at(10, 3), amount="0.2"),
        *tenths,
    )
    measures = {line.payee_id: line.measure for line in result.lines()}
    assert measures == {REP_A: Decimal("0.3"), REP_B: Decimal("1.0")}
    assert str(measures[REP_A]) == "0.3000"


def test_payment_lines_round_half_up_once_including_negatives() -> None:
    # 2.50 x 0.01 = 0.025 (bankers' rounding would give 0.02); -0.025 gives -0.03
    component = RateComponent(id="revenue", rates=(), default_rate=Decimal("0.01"))
    result = run(
        plan(component),
        event("E1", "order", at(10, 2), amount="2.50"),
        event("E2", "cancellation", at(10, 2), amount="-2.50", rep=REP_B),
    )
    assert [(line.amount, line.payment) for line in result.lines()] == [
        (Decimal("0.025"), Decimal("0.03")),
        (Decimal("-0.025"), Decimal("-0.03")),
    ]


def test_dealer_sales_credit_the_rep_and_the_partner_in_full() -> None:
    component = RateComponent(id="revenue", rates=(), default_rate=Decimal("0.10"))
    result = run(
        plan(component),
        event("E1", "order", at(10, 2), amount="50.00", partner=DEALER),
        event("E2", "order", at(10, 2), amount="70.00", rep=None, partner=DEALER),
    )
    assert [(line.payee_kind, line.payee_id, line.payment) for line in result.lines()] == [
        ("partner", DEALER, Decimal("12.00")),
        ("sales_person", REP_A, Decimal("5.00")),
    ]


def test_only_events_inside_the_half_open_period_count() -> None:
    component = RateComponent(id="revenue", rates=(), default_rate=Decimal("1"))
    result = run(
        plan(component),
        event("E1", "order", at(9, 30, 23, 59), amount="1000.00"),  # September
        event("E2", "order", at(10, 1, 0), amount="1.00"),  # first instant of October
        event("E3", "order", at(11, 1, 0), amount="1000.00"),  # first instant of November
    )
    assert payments(result) == {(REP_A, "revenue", "FIBRE", "revenue"): Decimal("1.00")}


def test_event_type_and_family_filters_restrict_what_is_measured() -> None:
    component = RateComponent(
        id="fees",
        rates=(),
        default_rate=Decimal("0.5"),
        event_types=("order",),
        product_families=("FIBRE",),
    )
    result = run(
        plan(component),
        event("E1", "order", at(10, 2), amount="10.00"),
        event("E2", "recurring_charge", at(10, 2), amount="40.00"),
        event("E3", "order", at(10, 2), amount="99.00", family="TV"),
    )
    assert payments(result) == {(REP_A, "fees", "FIBRE", "revenue"): Decimal("5.00")}
