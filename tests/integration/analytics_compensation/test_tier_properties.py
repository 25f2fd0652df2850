"""Properties of tiers, checked through the engine on many payees at once."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesdev.engine.compensation import Tier, TieredComponent, TierMode
from tests.integration.analytics_compensation.builders import at, event, plan, run

QUOTA = Decimal("1000")
amounts = st.lists(
    st.integers(min_value=0, max_value=400_000).map(lambda cents: Decimal(cents) / 100),
    min_size=2,
    max_size=12,
)
bounds = st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=4, unique=True)
rates = st.lists(st.integers(min_value=0, max_value=20_000), min_size=5, max_size=5)


def make_tiers(cuts: list[int], per_tier: list[int]) -> tuple[Tier, ...]:
    edges = [Decimal(0), *(Decimal(c) / 100 for c in sorted(cuts))]
    uppers: list[Decimal | None] = [*edges[1:], None]
    return tuple(
        Tier(lower, upper, Decimal(rate) / 100_000)
        for lower, upper, rate in zip(edges, uppers, per_tier, strict=False)
    )


def paid(tiers: tuple[Tier, ...], mode: TierMode, measures: list[Decimal]) -> list[Decimal]:
    """Payment of one payee per measure, in the order of ``measures``."""
    payees = [f"P{i:03d}" for i in range(len(measures))]
    result = run(
        plan(TieredComponent(id="t", tiers=tiers, mode=mode)),
        *(event(f"E{i:03d}", "order", at(10, 2), amount=str(m), rep=p)
          for i, (m, p) in enumerate(zip(measures, payees, strict=True))),
        quotas=dict.fromkeys(payees, QUOTA),
    )  # fmt: skip
    by_payee = {line.payee_id: line.amount for line in result.lines()}
    return [by_payee[p] for p in payees]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(measures=amounts, cuts=bounds, per_tier=rates)
def test_marginal_payout_never_decreases_as_the_measure_grows(
    measures: list[Decimal], cuts: list[int], per_tier: list[int]
) -> None:
    ordered = sorted(measures)
    payouts = paid(make_tiers(cuts, per_tier), TierMode.MARGINAL, ordered)
    assert payouts == sorted(payouts)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(measures=amounts, cuts=bounds, per_tier=rates)
def test_retroactive_pays_at_least_marginal_when_rates_rise_with_tiers(
    measures: list[Decimal], cuts: list[int], per_tier: list[int]
) -> None:
    tiers = make_tiers(cuts, sorted(per_tier))
    retroactive = paid(tiers, TierMode.RETROACTIVE, measures)
    marginal = paid(tiers, TierMode.MARGINAL, measures)
    assert all(r >= m for r, m in zip(retroactive, marginal, strict=True))
