"""Price resolution: rules, stacking policies and guard-rails, exact and explainable.

For each charge (recurring, one-time) of an offering, starting from its base price:

1. **Considered rules** are those that target the offering (its id, its family, or all).
   A rule outside its promotion window, or whose condition does not hold, is not
   applied (the failing clause is named). A rule for the other charge only is not
   considered for this one.
2. **Stacking.** If any *exclusive* rule is a candidate, only the exclusive rule of
   highest priority applies (ties: by name) and every other candidate loses to it.
   Otherwise the *best-for-customer* candidates compete: the one that alone gives the
   lowest price wins (ties: higher priority, then name), the others lose to it; the
   winner applies together with every *stackable* candidate.
3. **Applied rules add up**: a percentage is always a percentage of the base price,
   so two stackable 10% discounts make 20% (percentages add, they do not compound), and
   the order of application (priority, highest first) never changes the result.
   Amounts are per unit. A price never goes below zero.
4. **Guard-rails** then bound the discount: the price may not fall below the highest of
   the absolute floor, ``floor_percent`` of the base, the base less the maximum total
   discount, and the price giving the minimum margin over the unit cost (the cost is
   compared with the recurring charge when there is one, else the one-time charge).
   Guard-rails limit discounts only: they never raise a price above its base. When the
   rules go below that floor, a guard-rail alteration brings the price back to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_CEILING, Decimal

from salesdev.engine.pricing.model import (
    CHARGES,
    HUNDRED,
    Alteration,
    Charge,
    ChargeResult,
    CompiledRule,
    GuardRail,
    LostRule,
    PricingInput,
    Resolution,
    RuleSet,
)

ZERO = Decimal(0)
_SCALE = Decimal("0.0001")


def resolve(item: PricingInput, rules: RuleSet) -> Resolution:
    """Price one offering with the compiled rules of a version (pure, deterministic)."""
    passed: list[CompiledRule] = []
    refused: list[LostRule] = []
    at, context = item.at, item.context
    for rule in rules.targeting(item.offering_id, item.family_id):
        if (rule.valid_from is not None and at < rule.valid_from) or (
            rule.valid_to is not None and at >= rule.valid_to
        ):
            refused.append((rule, "window", _window_text(rule)))
        elif rule.predicate(context):
            passed.append(rule)
        else:
            refused.append((rule, "condition", None))
    margin_charge = cost_charge(item.base)
    charges = []
    for charge in CHARGES:
        base = item.base.get(charge)
        if base is None:
            continue
        other = "oneTime" if charge is Charge.RECURRING else "recurring"
        candidates = [r for r in passed if r.applies_to != other]
        charges.append(
            _resolve_charge(
                charge,
                base,
                candidates,
                item.guard_rail,
                item.unit_cost if charge is margin_charge else None,
            )
        )
    present = {c.charge.value for c in charges}
    for rule in passed:
        if rule.applies_to != "both" and rule.applies_to not in present:
            refused.append(
                (
                    rule,
                    "noCharge",
                    f"applies to the {rule.applies_to} charge, which this offering does not have",
                )
            )
    return Resolution(item.offering_id, tuple(charges), refused, context)


def _resolve_charge(
    charge: Charge,
    base: Decimal,
    candidates: list[CompiledRule],
    guard_rail: GuardRail | None,
    unit_cost: Decimal | None,
) -> ChargeResult:
    applied, lost = select_rules(base, candidates)
    alterations = [_alteration(rule, base) for rule in applied]
    price = base + sum((a.amount for a in alterations), ZERO)
    if price < ZERO:
        alterations.append(
            Alteration("guardRail", "No negative price", -price, "a price never goes below zero")
        )
        price = ZERO
    if guard_rail is not None:
        floor, reasons = floor_price(base, guard_rail, charge, unit_cost)
        floor = min(floor, base)  # guard-rails limit discounts; they never raise the base
        if price < floor:
            alterations.append(
                Alteration(
                    "guardRail",
                    "Guard-rail",
                    floor - price,
                    "discount capped: " + "; ".join(reasons),
                    guard_rail_id=guard_rail.id,
                )
            )
            price = floor
    return ChargeResult(charge, base, price, tuple(alterations), lost)


def select_rules(
    base: Decimal, candidates: list[CompiledRule]
) -> tuple[list[CompiledRule], list[LostRule]]:
    """Which candidates apply under their stacking policies, and why the others do not.

    ``candidates`` come highest priority first (then by name), as ``RuleSet`` gives them.
    """
    ordered = candidates
    exclusive = next((r for r in ordered if r.stacking == "exclusive"), None)
    if exclusive is not None:
        text = f"lost to exclusive rule {exclusive.name!r} (priority {exclusive.priority})"
        return [exclusive], [(r, "exclusive", text) for r in ordered if r is not exclusive]
    best = [r for r in ordered if r.stacking == "best"]
    if not best:
        return list(ordered), []
    # min() keeps the first of equal prices: the higher priority, then the name.
    winner = min(best, key=lambda r: r.delta(base))
    winner_price = base + winner.delta(base)
    lost: list[LostRule] = [
        (
            rule,
            "best",
            f"best for the customer is {winner.name!r} ({_amt(winner_price)} vs "
            f"{_amt(base + rule.delta(base))} alone)",
        )
        for rule in best
        if rule is not winner
    ]
    applied = [r for r in ordered if r.stacking == "stackable" or r is winner]
    return applied, lost


def _alteration(rule: CompiledRule, base: Decimal) -> Alteration:
    why = (
        "condition holds" if not rule.condition_text else f"condition holds: {rule.condition_text}"
    )
    return Alteration(
        "rule",
        rule.name,
        rule.delta(base),
        f"{rule.stacking} {rule.kind}; {why}",
        rule_id=rule.id,
        percentage=rule.value if rule.method == "percentage" else None,
        priority=rule.priority,
        stacking=rule.stacking,
        rule_kind=rule.kind,
    )


def floor_price(
    base: Decimal, guard_rail: GuardRail, charge: Charge, unit_cost: Decimal | None
) -> tuple[Decimal, list[str]]:
    """The lowest price the guard-rail allows for a charge, and the limits that set it."""
    limits: list[tuple[Decimal, str]] = []
    absolute = guard_rail.floor_amounts.get(charge)
    if absolute is not None:
        limits.append((absolute, f"floor price {_amt(absolute)}"))
    if guard_rail.floor_percent is not None:
        limits.append(
            (
                base * guard_rail.floor_percent / HUNDRED,
                f"floor {_pct(guard_rail.floor_percent)}% of list",
            )
        )
    if guard_rail.max_discount_percent is not None:
        limits.append(
            (
                base * (HUNDRED - guard_rail.max_discount_percent) / HUNDRED,
                f"maximum total discount {_pct(guard_rail.max_discount_percent)}%",
            )
        )
    if (
        unit_cost is not None
        and guard_rail.min_margin_percent is not None
        and guard_rail.min_margin_percent < HUNDRED
    ):
        limits.append(
            (
                # Rounded up at 4 places (the stored scale): exact, and never under the margin.
                (unit_cost * HUNDRED / (HUNDRED - guard_rail.min_margin_percent)).quantize(
                    _SCALE, rounding=ROUND_CEILING
                ),
                f"minimum margin {_pct(guard_rail.min_margin_percent)}% over unit cost {_amt(unit_cost)}",
            )
        )
    if not limits:
        return ZERO, []
    floor = max(limit for limit, _ in limits)
    return floor, [text for limit, text in limits if limit == floor]


def cost_charge(base: Mapping[Charge, Decimal | None]) -> Charge:
    """The charge a unit cost is compared with: recurring if there is one, else one-time."""
    return Charge.RECURRING if base.get(Charge.RECURRING) is not None else Charge.ONE_TIME


def base_violations(
    base: dict[Charge, Decimal | None], unit_cost: Decimal | None, guard_rail: GuardRail
) -> list[str]:
    """How an entry's own prices break a guard-rail (absolute floor or minimum margin)."""
    problems = []
    margin_charge = cost_charge(base)
    for charge in CHARGES:
        amount = base.get(charge)
        if amount is None:
            continue
        absolute = guard_rail.floor_amounts.get(charge)
        if absolute is not None and amount < absolute:
            problems.append(
                f"the {charge} charge {_amt(amount)} is below the floor price {_amt(absolute)}"
            )
        if (
            charge is margin_charge
            and unit_cost is not None
            and guard_rail.min_margin_percent is not None
        ):
            margin = _margin(amount, unit_cost)
            if margin is None or margin < guard_rail.min_margin_percent:
                problems.append(
                    f"the {charge} charge {_amt(amount)} leaves a margin of "
                    f"{_show_margin(margin)} over the unit cost {_amt(unit_cost)}, below the minimum "
                    f"{_pct(guard_rail.min_margin_percent)}%"
                )
    return problems


def rule_violations(
    rule: CompiledRule,
    guard_rail: GuardRail,
    entries: Iterable[tuple[str, dict[Charge, Decimal | None], Decimal | None]],
) -> list[str]:
    """How a rule applied alone breaks a guard-rail: for every entry it targets
    (``(label, base, unit_cost)``) and, for a percentage discount, whatever the entry."""
    problems = []
    if (
        rule.kind == "discount"
        and rule.method == "percentage"
        and guard_rail.max_discount_percent is not None
        and rule.value > guard_rail.max_discount_percent
    ):
        problems.append(
            f"a {_pct(rule.value)}% discount exceeds the maximum total discount "
            f"{_pct(guard_rail.max_discount_percent)}%"
        )
    if rule.kind != "discount":
        return problems
    for label, base, unit_cost in entries:
        margin_charge = cost_charge(base)
        for charge in CHARGES:
            amount = base.get(charge)
            if amount is None or not rule.applies_to_charge(charge):
                continue
            price = amount + rule.delta(amount)
            floor, reasons = floor_price(
                amount, guard_rail, charge, unit_cost if charge is margin_charge else None
            )
            if price < min(floor, amount):
                problems.append(
                    f"{label}: the {charge} charge would be {_amt(price)}, below "
                    f"{_amt(min(floor, amount))} ({'; '.join(reasons)})"
                )
    return problems


def _amt(value: Decimal) -> str:
    """An amount for a message: two decimals when exact at two, else every digit."""
    cents = value.quantize(Decimal("0.01"))
    return str(cents) if cents == value else format(value.normalize(), "f")


def _pct(value: Decimal) -> str:
    """A percentage as people write it: 20 rather than 20.0000."""
    return format(value.normalize(), "f")


def _margin(price: Decimal, cost: Decimal) -> Decimal | None:
    if price <= ZERO:
        return None
    return (price - cost) * HUNDRED / price


def _show_margin(margin: Decimal | None) -> str:
    return "none" if margin is None else f"{margin.quantize(Decimal('0.01'))}%"


def _window_text(rule: CompiledRule) -> str:
    start = rule.valid_from.isoformat() if rule.valid_from else "any time"
    end = rule.valid_to.isoformat() if rule.valid_to else "open-ended"
    return f"outside the promotion window [{start}, {end})"
