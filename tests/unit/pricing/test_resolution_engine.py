"""The pure price resolution: stacking policies, windows, conditions and guard-rails."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdev.engine.pricing import (
    Charge,
    CompiledRule,
    GuardRail,
    PricingInput,
    RuleSet,
    base_violations,
    floor_price,
    resolve,
    rule_violations,
)
from salesdev.engine.rules import compile_predicate, explain, parse_condition

T0 = datetime(2026, 10, 15, tzinfo=UTC)
OFFERING = uuid.UUID(int=1)
OTHER = uuid.UUID(int=2)
FAMILY = uuid.UUID(int=10)
D = Decimal


def rule(
    name: str,
    value: str,
    *,
    kind: str = "discount",
    method: str = "percentage",
    stacking: str = "stackable",
    priority: int = 0,
    applies_to: str = "both",
    target: str = "all",
    condition: dict[str, object] | None = None,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
    offerings: frozenset[uuid.UUID] = frozenset(),
) -> CompiledRule:
    parsed = parse_condition(condition or {"all": []})
    return CompiledRule(
        id=uuid.uuid5(uuid.NAMESPACE_OID, name),
        name=name,
        kind=kind,  # type: ignore[arg-type]
        method=method,  # type: ignore[arg-type]
        value=D(value),
        applies_to=applies_to,  # type: ignore[arg-type]
        target=target,  # type: ignore[arg-type]
        priority=priority,
        stacking=stacking,  # type: ignore[arg-type]
        predicate=compile_predicate(parsed),
        explain=lambda ctx, c=parsed: "; ".join(explain(c, ctx).failed),
        family_id=FAMILY if target == "family" else None,
        offering_ids=offerings,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def item(
    recurring: str | None = "40.00",
    one_time: str | None = None,
    *,
    context: dict[str, object] | None = None,
    cost: str | None = None,
    guard: GuardRail | None = None,
) -> PricingInput:
    return PricingInput(
        offering_id=OFFERING,
        family_id=FAMILY,
        base={
            Charge.RECURRING: D(recurring) if recurring is not None else None,
            Charge.ONE_TIME: D(one_time) if one_time is not None else None,
        },
        at=T0,
        context=context or {"customer.segment": "consumer"},
        unit_cost=D(cost) if cost is not None else None,
        guard_rail=guard,
    )


def test_stackable_percentages_add_and_amounts_subtract() -> None:
    # Given two stackable discounts (10% and 5%) and a 2.00 amount off
    rules = RuleSet.of(
        [
            rule("ten", "10", priority=5),
            rule("five", "5", priority=1),
            rule("two off", "2.00", method="amount", priority=3),
        ]
    )
    # When a 40.00 monthly charge is resolved
    result = resolve(item(), rules)
    # Then the percentages add (15% of 40 = 6) and the amount is taken too: 32.00
    charge = result.charge(Charge.RECURRING)
    assert charge is not None
    assert charge.price == D("32.00")
    assert [(a.name, a.amount) for a in charge.alterations] == [
        ("ten", D("-4.00")),
        ("two off", D("-2.00")),
        ("five", D("-2.00")),
    ]
    assert charge.not_applied == ()


def test_exclusive_highest_priority_wins_and_others_lose_to_it() -> None:
    rules = RuleSet.of(
        [
            rule("stack", "10"),
            rule("excl low", "30", stacking="exclusive", priority=1),
            rule("excl high", "20", stacking="exclusive", priority=9),
            rule("best", "25", stacking="best"),
        ]
    )
    charge = resolve(item(), rules).charge(Charge.RECURRING)
    assert charge is not None
    assert charge.price == D("32.00")
    assert [a.name for a in charge.alterations] == ["excl high"]
    assert [(n.name, n.reason) for n in charge.not_applied] == [
        ("excl low", "exclusive"),
        ("best", "exclusive"),
        ("stack", "exclusive"),
    ]
    assert charge.not_applied[0].detail == "lost to exclusive rule 'excl high' (priority 9)"


def test_best_for_customer_picks_the_lowest_price_and_stacks_with_stackables() -> None:
    rules = RuleSet.of(
        [
            rule("best pct", "10", stacking="best", priority=9),
            rule("best amount", "5.00", method="amount", stacking="best"),
            rule("stack", "1.00", method="amount", kind="surcharge"),
        ]
    )
    charge = resolve(item(), rules).charge(Charge.RECURRING)
    assert charge is not None
    # 10% of 40 = 4.00 < 5.00 off: the amount is best; the surcharge stacks: 40 - 5 + 1
    assert charge.price == D("36.00")
    assert [(a.name, a.amount) for a in charge.alterations] == [
        ("best amount", D("-5.00")),
        ("stack", D("1.00")),
    ]
    assert [(n.name, n.reason, n.detail) for n in charge.not_applied] == [
        ("best pct", "best", "best for the customer is 'best amount' (35.00 vs 36.00 alone)")
    ]


def test_condition_window_and_charge_are_explained() -> None:
    rules = RuleSet.of(
        [
            rule(
                "business only",
                "10",
                condition={"attribute": "customer.segment", "op": "eq", "value": "enterprise"},
            ),
            rule("expired promo", "10", valid_to=T0),
            rule("setup only", "50", applies_to="oneTime"),
        ]
    )
    result = resolve(item(), rules)
    assert [(n.name, n.reason) for n in result.not_applied] == [
        ("business only", "condition"),
        ("expired promo", "window"),
        ("setup only", "noCharge"),
    ]
    assert result.not_applied[0].detail == (
        "condition failed: customer segment is enterprise (it is consumer)"
    )
    assert result.not_applied[1].detail == (
        "outside the promotion window [any time, 2026-10-15T00:00:00+00:00)"
    )


def test_rules_target_offerings_families_or_all() -> None:
    rules = RuleSet.of(
        [
            rule(
                "mine", "1.00", method="amount", target="offerings", offerings=frozenset({OFFERING})
            ),
            rule(
                "theirs", "1.00", method="amount", target="offerings", offerings=frozenset({OTHER})
            ),
            rule("family", "2.00", method="amount", target="family"),
        ]
    )
    charge = resolve(item(), rules).charge(Charge.RECURRING)
    assert charge is not None
    assert charge.price == D("37.00")


def test_guard_rail_caps_a_combination_and_records_it() -> None:
    guard = GuardRail(uuid.UUID(int=99), max_discount_percent=D("25"))
    rules = RuleSet.of([rule("a", "20"), rule("b", "15")])
    charge = resolve(item(guard=guard), rules).charge(Charge.RECURRING)
    assert charge is not None
    assert charge.price == D("30.00")
    assert [(a.kind, a.amount) for a in charge.alterations] == [
        ("rule", D("-8.00")),
        ("rule", D("-6.00")),
        ("guardRail", D("4.00")),
    ]
    assert charge.alterations[-1].reason == "discount capped: maximum total discount 25%"


def test_margin_floor_uses_the_unit_cost() -> None:
    guard = GuardRail(uuid.UUID(int=99), min_margin_percent=D("20"))
    charge = resolve(item(cost="30.00", guard=guard), RuleSet.of([rule("a", "20")])).charge(
        Charge.RECURRING
    )
    assert charge is not None
    assert charge.price == D("37.50")  # 30 / (1 - 0.20)


def test_floor_never_raises_a_price_above_its_base() -> None:
    guard = GuardRail(uuid.UUID(int=99), floor_amounts={Charge.RECURRING: D("50.00")})
    charge = resolve(item(guard=guard), RuleSet.of([rule("a", "10")])).charge(Charge.RECURRING)
    assert charge is not None
    assert charge.price == D("40.00")
    assert floor_price(D("40.00"), guard, Charge.RECURRING, None) == (
        D("50.00"),
        ["floor price 50.00"],
    )


def test_price_never_goes_below_zero() -> None:
    charge = resolve(item("3.00"), RuleSet.of([rule("a", "5.00", method="amount")])).charge(
        Charge.RECURRING
    )
    assert charge is not None
    assert charge.price == D(0)
    assert charge.alterations[-1].name == "No negative price"


def test_violations_of_a_rule_or_an_entry_by_themselves() -> None:
    guard = GuardRail(
        uuid.UUID(int=99),
        floor_amounts={Charge.RECURRING: D("20.00")},
        max_discount_percent=D("30"),
        min_margin_percent=D("10"),
    )
    assert base_violations({Charge.RECURRING: D("19.00")}, D("18.00"), guard) == [
        "the recurring charge 19.00 is below the floor price 20.00",
        "the recurring charge 19.00 leaves a margin of 5.26% over the unit cost 18.00, "
        "below the minimum 10%",
    ]
    too_much = rule("half", "50")
    assert rule_violations(
        too_much, guard, [("offering X", {Charge.RECURRING: D("40.00")}, None)]
    ) == [
        "a 50% discount exceeds the maximum total discount 30%",
        "offering X: the recurring charge would be 20.00, below 28.00 (maximum total discount 30%)",
    ]


CHARGE_VALUES = st.decimals(min_value=D("0.01"), max_value=D("500"), places=2)


@st.composite
def random_rule(draw: st.DrawFn) -> CompiledRule:
    index = draw(st.integers(0, 10**6))
    method = draw(st.sampled_from(["percentage", "amount"]))
    value = draw(st.decimals(min_value=D("0.01"), max_value=D("100"), places=2))
    return rule(
        f"r{index}",
        str(value),
        kind=draw(st.sampled_from(["discount", "discount", "surcharge"])),
        method=method,
        stacking=draw(st.sampled_from(["exclusive", "stackable", "best"])),
        priority=draw(st.integers(-5, 5)),
        applies_to=draw(st.sampled_from(["recurring", "oneTime", "both"])),
    )


@settings(max_examples=300, deadline=None)
@given(
    rules=st.lists(random_rule(), max_size=12, unique_by=lambda r: r.name),
    recurring=CHARGE_VALUES,
    one_time=CHARGE_VALUES,
    cost=st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("400"), places=2)),
    floor_percent=st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("100"), places=1)),
    max_discount=st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("100"), places=1)),
    margin=st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("90"), places=1)),
    floor=st.one_of(st.none(), CHARGE_VALUES),
)
def test_no_combination_of_rules_breaks_a_guard_rail(
    rules: list[CompiledRule],
    recurring: Decimal,
    one_time: Decimal,
    cost: Decimal | None,
    floor_percent: Decimal | None,
    max_discount: Decimal | None,
    margin: Decimal | None,
    floor: Decimal | None,
) -> None:
    guard = GuardRail(
        uuid.UUID(int=99),
        floor_amounts={Charge.RECURRING: floor} if floor is not None else {},
        floor_percent=floor_percent,
        max_discount_percent=max_discount,
        min_margin_percent=margin,
    )
    result = resolve(
        item(
            str(recurring), str(one_time), cost=str(cost) if cost is not None else None, guard=guard
        ),
        RuleSet.of(rules),
    )
    for charge in result.charges:
        assert charge.price >= 0
        unit_cost = cost if charge.charge is Charge.RECURRING else None
        lowest, _ = floor_price(charge.base, guard, charge.charge, unit_cost)
        # Guard-rails hold whenever the base itself respects them; never above the base.
        assert charge.price >= min(lowest, charge.base)
        if max_discount is not None:
            assert charge.base - charge.price <= charge.base * max_discount / 100
        # The breakdown adds up to the price.
        assert charge.base + sum(a.amount for a in charge.alterations) == charge.price


@pytest.mark.parametrize("count", [0, 1])
def test_no_rules_leaves_the_base(count: int) -> None:
    rules = RuleSet.of([rule("off", "10", valid_from=datetime(2030, 1, 1, tzinfo=UTC))][:count])
    charge = resolve(item(), rules).charge(Charge.RECURRING)
    assert charge is not None
    assert charge.price == D("40.00")
