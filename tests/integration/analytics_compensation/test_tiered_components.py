"""Tiered components on attainment: marginal and retroactive, gate, cap and floor.

Tiers here: [0, 0.5) at 1 %, [0.5, 1.0) at 3 %, [1.0, open) at 5 %; quota 1,000.00.
A measure exactly on a bound falls in the tier that starts there.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.engine.compensation import Tier, TieredComponent, TierMode
from tests.integration.analytics_compensation.builders import (
    REP_A,
    REP_B,
    at,
    event,
    plan,
    run,
)

TIERS = (
    Tier(Decimal("0"), Decimal("0.5"), Decimal("0.01")),
    Tier(Decimal("0.5"), Decimal("1.0"), Decimal("0.03")),
    Tier(Decimal("1.0"), None, Decimal("0.05")),
)
MARGINAL = TieredComponent(id="attainment", tiers=TIERS, mode=TierMode.MARGINAL)
RETROACTIVE = replace(MARGINAL, mode=TierMode.RETROACTIVE)
QUOTA = {REP_A: Decimal("1000.00"), REP_B: Decimal("1000.00")}


def sold(amount: str, rep: str = REP_A) -> dict[str, object]:
    return event(f"E-{rep[-2:]}-{amount}", "order", at(10, 2), amount=amount, rep=rep)


def line_for(component: TieredComponent, amount: str) -> tuple[Decimal, int | None, Decimal | None]:
    (line,) = run(plan(component), sold(amount), quotas=QUOTA).lines()
    return line.payment, line.tier, line.rate


@pytest.mark.parametrize(
    ("amount", "marginal", "retroactive", "tier"),
    [
        ("499.99", "5.00", "5.00", 1),  # 499.99 x 1 % = 4.9999
        ("500.00", "5.00", "15.00", 2),  # on the bound: tier 2 starts at 0.5
        ("999.99", "20.00", "30.00", 2),  # 5 + 499.99 x 3 % = 19.9997; 999.99 x 3 % = 29.9997
        ("1000.00", "20.00", "50.00", 3),  # exactly 100 %: the 5 % tier; no slice above yet
        ("1500.00", "45.00", "75.00", 3),  # 5 + 15 + 500 x 5 %
    ],
)
def test_marginal_and_retroactive_tiers(
    amount: str, marginal: str, retroactive: str, tier: int
) -> None:
    assert line_for(MARGINAL, amount)[:2] == (Decimal(marginal), tier)
    assert line_for(RETROACTIVE, amount)[:2] == (Decimal(retroactive), tier)


def test_the_line_explains_the_attainment_tier_and_rate() -> None:
    (line,) = run(plan(RETROACTIVE), sold("1000.00"), quotas=QUOTA).lines()
    assert (line.measure, line.quota, line.attainment) == (
        Decimal("1000"),
        Decimal("1000"),
        Decimal("1"),
    )
    assert (line.tier, line.rate, line.basis) == (3, Decimal("0.05"), "attainment")


def test_below_the_gate_nothing_is_paid_not_even_the_floor() -> None:
    gated = replace(MARGINAL, threshold=Decimal("0.5"), floor=Decimal("10"))
    result = run(plan(gated), sold("499.99"), sold("500.00", REP_B), quotas=QUOTA)
    lines = {line.payee_id: line for line in result.lines()}
    assert (lines[REP_A].payment, lines[REP_A].gated) == (Decimal("0.00"), True)
    # Exactly at the gate it pays: 5.00 earned, raised to the floor of 10.00
    assert (lines[REP_B].payment, lines[REP_B].gated, lines[REP_B].floored) == (
        Decimal("10.00"),
        False,
        True,
    )


def test_the_cap_limits_the_amount_per_payee_and_period() -> None:
    capped = replace(MARGINAL, cap=Decimal("40"), floor=Decimal("10"))
    result = run(plan(capped), sold("1500.00"), sold("999.99", REP_B), quotas=QUOTA)
    assert [(line.payment, line.capped, line.floored) for line in result.lines()] == [
        (Decimal("40.00"), True, False),  # 45.00 capped at 40.00
        (Decimal("20.00"), False, False),  # 19.9997 between floor and cap
    ]


def test_attainment_is_on_the_period_total_not_per_event() -> None:
    # Three sales of 400: 1,200 in total reaches the 5 % tier (per line it never would)
    result = run(
        plan(RETROACTIVE),
        *(event(f"E{i}", "order", at(10, 2 + i), amount="400.00") for i in range(3)),
        quotas=QUOTA,
    )
    (line,) = result.lines()
    assert (line.payment, line.event_count) == (Decimal("60.00"), 3)


def test_a_measured_payee_without_quota_is_an_error_naming_them() -> None:
    with pytest.raises(InvalidInput) as raised:
        run(plan(MARGINAL), sold("10.00"), sold("20.00", REP_B), quotas={REP_A: Decimal("1000")})
    assert raised.value.details == [
        ErrorDetail(f"quotas[{REP_B}]", f"missing for sales_person {REP_B}")
    ]


def test_quotas_must_be_positive_exact_amounts() -> None:
    with pytest.raises(InvalidInput) as raised:
        run(plan(MARGINAL), sold("10.00"), quotas={REP_A: Decimal("0"), REP_B: 1000.0})  # type: ignore[dict-item]
    assert [d.location for d in raised.value.details] == [f"quotas[{REP_A}]", f"quotas[{REP_B}]"]
    assert raised.value.details[0].message == "a quota must be positive, got 0"
