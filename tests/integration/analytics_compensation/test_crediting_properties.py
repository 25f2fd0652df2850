"""Properties of crediting, checked through the engine: a split never creates or loses
money; the chargeback of a split bounty recovers from each payee what it was paid; a
roll-up credits each ancestor exactly once, at its nearest level."""

from __future__ import annotations

from collections import deque
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesdev.core.periods import Period
from salesdev.engine.compensation import BountyComponent, ManagerOverrideComponent, RateComponent
from tests.integration.analytics_compensation.builders import (
    OCTOBER,
    at,
    event,
    payments,
    plan,
    run,
)
from tests.integration.analytics_compensation.crediting import edge, hierarchy, splits

PAYEES = [f"00000000-0000-4000-8000-{n:012d}" for n in range(8)]


@st.composite
def split_orders(draw: st.DrawFn) -> tuple[list[Decimal], list[tuple[str, str, str, str]]]:
    """Orders with random amounts (signed, 4 places) and random shares.

    total_100 shares partition 10,000 units; overlay shares are any in (0, 1].
    """
    amounts: list[Decimal] = []
    rows: list[tuple[str, str, str, str]] = []
    for order in range(draw(st.integers(1, 6))):
        amounts.append(Decimal(draw(st.integers(-(10**9), 10**9))) / 10_000)
        people = draw(st.lists(st.sampled_from(PAYEES), min_size=1, max_size=5, unique=True))
        if draw(st.booleans()):
            cuts = sorted(draw(st.lists(st.integers(1, 9_999), min_size=len(people) - 1,
                                        max_size=len(people) - 1, unique=True)))  # fmt: skip
            units = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
            policy = "total_100"
        else:
            units = [draw(st.integers(1, 10_000)) for _ in people]
            policy = "overlay"
        for person, unit in zip(people, units, strict=True):
            rows.append((f"OR{order}", person, str(Decimal(unit) / 10_000), policy))
    return amounts, rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=split_orders())
def test_a_split_never_creates_or_loses_money(
    case: tuple[list[Decimal], list[tuple[str, str, str, str]]],
) -> None:
    amounts, rows = case
    result = run(
        plan(RateComponent(id="revenue", default_rate=Decimal(1))),
        *(event(f"E{i}", "order", at(10, 2), amount=str(a), order=f"OR{i}", rep=None)
          for i, a in enumerate(amounts)),
        credit_splits=splits(*rows),
        lineage=True,
    )  # fmt: skip
    assert result.lineage is not None
    credited: dict[str, Decimal] = {}
    for row in result.lineage.to_pylist():
        credited[row["event_id"]] = credited.get(row["event_id"], Decimal(0)) + row["value"]
    for i, amount in enumerate(amounts):
        shares = [Decimal(r[2]) for r in rows if r[0] == f"OR{i}"]
        total_share = sum(shares, Decimal(0))
        # total_100: exactly the amount; overlay: amount x total share, rounded half-up once
        expected = (abs(amount) * total_share).quantize(Decimal("0.0001"), "ROUND_HALF_UP")
        assert credited.get(f"E{i}", Decimal(0)) == expected.copy_sign(amount)


@st.composite
def split_bounties(draw: st.DrawFn) -> tuple[Decimal, list[tuple[str, str, str, str]], bool]:
    """A bounty amount (4 places), one order's random split, and whether the line churns
    in the month it was activated (else in the next one)."""
    amount = Decimal(draw(st.integers(1, 10**7))) / 10_000
    people = draw(st.lists(st.sampled_from(PAYEES), min_size=1, max_size=5, unique=True))
    if draw(st.booleans()):
        cuts = sorted(draw(st.lists(st.integers(1, 9_999), min_size=len(people) - 1,
                                    max_size=len(people) - 1, unique=True)))  # fmt: skip
        units = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
        policy = "total_100"
    else:
        units = [draw(st.integers(1, 10_000)) for _ in people]
        policy = "overlay"
    rows = [
        ("OR1", p, str(Decimal(u) / 10_000), policy) for p, u in zip(people, units, strict=True)
    ]
    return amount, rows, draw(st.booleans())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=split_bounties())
def test_a_split_bounty_clawed_back_sums_to_zero_per_payee(
    case: tuple[Decimal, list[tuple[str, str, str, str]], bool],
) -> None:
    amount, rows, same_month = case
    # given a line activated on a split order, which churns within the window
    component = BountyComponent(id="bounty", amount=amount, chargeback_days=30)
    activated = at(9, 20) if not same_month else at(10, 2)
    history = [
        event("A1", "activation", activated, order="OR1", rep=None),
        # churned by a rep who is not a payee of the split
        event("D1", "deactivation", at(10, 10), rep="00000000-0000-4000-8000-999999999999"),
    ]
    bounty: dict[str, Decimal] = {}
    chargeback: dict[str, Decimal] = {}
    # when the month of the activation (and the next, if it churns then) is calculated
    periods = [OCTOBER] if same_month else [Period(2026, 9), OCTOBER]
    for period in periods:
        result = run(plan(component), *history, period=period, credit_splits=splits(*rows))
        for (payee, _component, _family, basis), payment in payments(result).items():
            paid = bounty if basis == "bounty" else chargeback
            paid[payee] = paid.get(payee, Decimal(0)) + payment
    # then each split payee was paid its share of the bounty, rounded once...
    assert bounty == {
        payee: (Decimal(share) * amount).quantize(Decimal("0.01"), "ROUND_HALF_UP")
        for _order, payee, share, _policy in rows
    }
    # ...and the chargeback recovers exactly that from each of them, from nobody else
    assert chargeback == {payee: -paid for payee, paid in bounty.items()}


@st.composite
def dags(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Edges child -> parent between 8 payees, parents always of a higher number (no cycle),
    with repeated paths (diamonds) likely."""
    edges = draw(st.lists(st.tuples(st.integers(0, 6), st.integers(1, 7)), min_size=1, max_size=14))
    return sorted({(a, b) for a, b in edges if a < b})


def nearest_levels(edges: list[tuple[int, int]], start: int) -> dict[int, int]:
    """Every ancestor of ``start`` with the length of its shortest path (breadth first)."""
    levels: dict[int, int] = {}
    queue = deque([(start, 0)])
    while queue:
        node, depth = queue.popleft()
        for child, parent in edges:
            if child == node and parent not in levels:
                levels[parent] = depth + 1
                queue.append((parent, depth + 1))
    return levels


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edges=dags(), seller=st.integers(0, 6))
def test_a_roll_up_credits_each_ancestor_exactly_once_at_its_nearest_level(
    edges: list[tuple[int, int]], seller: int
) -> None:
    result = run(
        plan(ManagerOverrideComponent(id="override", default_rate=Decimal(1))),
        event("E1", "order", at(10, 2), amount="100", rep=PAYEES[seller]),
        hierarchy=hierarchy(*(edge(PAYEES[a], PAYEES[b]) for a, b in edges)),
        lineage=True,
    )
    assert result.lineage is not None
    credited = [(row["payee_id"], row["basis"], row["value"]) for row in result.lineage.to_pylist()]
    expected = sorted(
        (PAYEES[a], f"level_{level}", Decimal(100))
        for a, level in nearest_levels(edges, seller).items()
    )
    assert sorted(credited) == expected
