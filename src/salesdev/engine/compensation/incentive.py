"""Incentive stage: the exact (unrounded) amount each measure earns, and why.

Tier bounds are compared as ``measure >= bound x quota`` instead of dividing,
so attainment never goes through an inexact division. Every amount is kept at
full precision (DECIMAL(38,16)); rounding happens once, in the payment stage.

Tiers: attainment ``a`` is in tier ``[lower, upper)`` when ``lower <= a < upper``,
so a measure exactly on a bound falls in the tier that starts there.
- marginal: sum over tiers of rate x (the part of the measure inside the tier);
- retroactive: the whole measure x the rate of the tier reached.
Then the gate (attainment below ``threshold`` pays 0, floor included), the
floor (raises the amount of a payee who passed the gate) and the cap.
"""

from __future__ import annotations

from decimal import Decimal

from sqlglot import exp

from salesdev.engine.compensation import sql
from salesdev.engine.compensation.compiled import Stage
from salesdev.engine.compensation.credit import component_key
from salesdev.engine.compensation.plan import (
    AnyComponent,
    BountyComponent,
    OverrideComponent,
    Plan,
    RateComponent,
    ResidualComponent,
    SpiffComponent,
    TieredComponent,
    TierMode,
)

STEP = "incentive"
_MEASURE_COLUMNS = (
    "payee_key",
    "component_key",
    "family_key",
    "basis",
    "measure",
    "event_count",
    "first_event_id",
    "last_event_id",
)


def incentive_stage(plan: Plan, rollup_levels: int = 0) -> Stage:
    parts = [
        _component(component, component_key(index), rollup_levels)
        for index, component in enumerate(plan.components)
    ]
    query = parts[0]
    for part in parts[1:]:
        query = exp.union(query, part, distinct=False, copy=False)
    return Stage(STEP, "cmp_incentive", query)


def _component(component: AnyComponent, key: int, rollup_levels: int) -> exp.Expr:
    if isinstance(component, RateComponent):
        return _rate(component, key)
    if isinstance(component, TieredComponent):
        return _tiered(component, key)
    if isinstance(component, BountyComponent):
        return _bounty(component, key)
    if isinstance(component, SpiffComponent):
        return _spiff(component, key)
    if isinstance(component, OverrideComponent):
        return _override(component, key, rollup_levels)
    return _residual(component, key)


def _spiff(component: SpiffComponent, key: int) -> exp.Expr:
    """Units x ``amount``, or revenue x ``rate``."""
    measure = exp.column("measure", "m")
    if component.amount is not None:
        unit = sql.money(component.amount)
        columns = _columns(unit_amount=unit, amount=exp.Mul(this=measure, expression=unit.copy()))
    else:
        assert component.rate is not None
        rate = sql.rate(component.rate)
        columns = _columns(rate=rate, amount=exp.Mul(this=measure, expression=rate.copy()))
    return (
        exp.select(*columns)
        .from_("cmp_measure AS m", copy=False)
        .where(_of_component(key), copy=False)
    )


def _override(component: OverrideComponent, key: int, levels: int) -> exp.Expr:
    """Each level's rolled-up credit x that level's rate (the basis names the level)."""
    ifs = [
        exp.If(this=sql.text(f"level_{level}"), true=sql.rate(rate))
        for level in range(1, levels + 1)
        if (rate := component.rate_for(level)) is not None
    ]
    level_rate: exp.Expr = (
        exp.Case(this=exp.column("basis", "m"), ifs=ifs) if ifs else sql.cast(exp.null(), sql.RATE)
    )
    amount = exp.Mul(this=exp.column("measure", "m"), expression=level_rate.copy())
    return (
        exp.select(*_columns(rate=level_rate, amount=amount))
        .from_("cmp_measure AS m", copy=False)
        .where(_of_component(key), copy=False)
    )


def _columns(
    *,
    quota: exp.Expr | None = None,
    tier: exp.Expr | None = None,
    rate: exp.Expr | None = None,
    unit_amount: exp.Expr | None = None,
    gated: exp.Expr | None = None,
    capped: exp.Expr | None = None,
    floored: exp.Expr | None = None,
    amount: exp.Expr,
) -> list[exp.Expr]:
    """The incentive row: measure columns, then the typed explanation and the amount."""

    def typed(value: exp.Expr | None, sql_type: str, default: exp.Expr) -> exp.Cast:
        return sql.cast(default if value is None else value, sql_type)

    return [
        *(exp.column(name, "m") for name in _MEASURE_COLUMNS),
        typed(quota, sql.MONEY, exp.null()).as_("quota"),
        typed(tier, "INTEGER", exp.null()).as_("tier"),
        typed(rate, sql.RATE, exp.null()).as_("rate"),
        typed(unit_amount, sql.MONEY, exp.null()).as_("unit_amount"),
        typed(gated, "BOOLEAN", exp.false()).as_("gated"),
        typed(capped, "BOOLEAN", exp.false()).as_("capped"),
        typed(floored, "BOOLEAN", exp.false()).as_("floored"),
        sql.cast(amount, sql.EXACT).as_("amount"),
    ]


def _of_component(key: int) -> exp.Expr:
    return exp.column("component_key", "m").eq(sql.integer(key))


def _rate(component: RateComponent, key: int) -> exp.Expr:
    default = None if component.default_rate is None else sql.rate(component.default_rate)
    family_rate: exp.Expr = exp.Case(
        this=exp.column("product_family_code", "f"),
        ifs=[
            exp.If(this=sql.text(r.product_family), true=sql.rate(r.rate))
            for r in sorted(component.rates, key=lambda r: r.product_family)
        ],
        default=default,
    )
    if not component.rates and default is not None:  # a CASE needs a WHEN
        family_rate = default
    amount = exp.Mul(this=exp.column("measure", "m"), expression=family_rate.copy())
    return (
        exp.select(*_columns(rate=family_rate, amount=amount))
        .from_("cmp_measure AS m", copy=False)
        .join("cmp_family AS f", on="f.family_key = m.family_key", copy=False)
        .where(_of_component(key), copy=False)
    )


def _tiered(component: TieredComponent, key: int) -> exp.Expr:
    measure = exp.column("measure", "m")
    quota = exp.column("quota", "q")

    def bound(fraction: Decimal) -> exp.Expr:
        return exp.Mul(this=sql.rate(fraction), expression=quota.copy())

    tiers = list(enumerate(component.tiers, start=1))
    # Highest tier first: the first bound the measure reaches names the tier.
    tier = exp.Case(
        ifs=[
            exp.If(
                this=exp.GTE(this=measure.copy(), expression=bound(t.lower)), true=sql.integer(n)
            )
            for n, t in reversed(tiers)
        ]
    )
    tier_rate = exp.Case(
        this=tier.copy(), ifs=[exp.If(this=sql.integer(n), true=sql.rate(t.rate)) for n, t in tiers]
    )
    if component.mode is TierMode.RETROACTIVE:
        raw: exp.Expr = exp.func(
            "COALESCE", exp.Mul(this=measure.copy(), expression=tier_rate.copy()), sql.integer(0)
        )
    else:
        slices: list[exp.Expr] = []
        for _n, t in tiers:
            top = (
                measure.copy()
                if t.upper is None
                else exp.func("LEAST", measure.copy(), bound(t.upper))
            )
            inside = exp.func(
                "GREATEST", exp.Sub(this=top, expression=bound(t.lower)), sql.integer(0)
            )
            slices.append(exp.Mul(this=sql.cast(inside, sql.SLICE), expression=sql.rate(t.rate)))
        raw = slices[0]
        for part in slices[1:]:
            raw = exp.Add(this=raw, expression=part)
    raw = sql.cast(raw, sql.EXACT)
    gated: exp.Expr = (
        exp.false()
        if component.threshold is None
        else exp.LT(this=measure.copy(), expression=bound(component.threshold))
    )
    amount: exp.Expr = raw.copy()
    capped: exp.Expr = exp.false()
    floored: exp.Expr = exp.false()
    if component.floor is not None:
        amount = exp.func("GREATEST", amount, sql.money(component.floor))
        floored = exp.LT(this=raw.copy(), expression=sql.money(component.floor))
    if component.cap is not None:
        amount = exp.func("LEAST", amount, sql.money(component.cap))
        capped = exp.GT(this=raw.copy(), expression=sql.money(component.cap))
    not_gated = exp.Not(this=exp.Paren(this=gated.copy()))
    return (
        exp.select(
            *_columns(
                quota=quota.copy(),
                tier=tier,
                rate=tier_rate,
                gated=gated.copy(),
                capped=exp.and_(not_gated.copy(), capped),
                floored=exp.and_(not_gated.copy(), floored),
                amount=exp.Case(ifs=[exp.If(this=gated, true=sql.integer(0))], default=amount),
            )
        )
        .from_("cmp_measure AS m", copy=False)
        .join("cmp_quota AS q", on="q.payee_key = m.payee_key", join_type="LEFT", copy=False)
        .where(_of_component(key), copy=False)
    )


def _bounty(component: BountyComponent, key: int) -> exp.Expr:
    sign = exp.Case(
        ifs=[
            exp.If(this=exp.column("basis", "m").eq(sql.text("chargeback")), true=sql.integer(-1))
        ],
        default=sql.integer(1),
    )
    unit = sql.money(component.amount)
    amount = exp.Mul(
        this=exp.Mul(this=exp.column("measure", "m"), expression=unit.copy()), expression=sign
    )
    return (
        exp.select(*_columns(unit_amount=unit, amount=amount))
        .from_("cmp_measure AS m", copy=False)
        .where(_of_component(key), copy=False)
    )


def _residual(component: ResidualComponent, key: int) -> exp.Expr:
    rate = sql.rate(component.rate)
    amount = exp.Mul(this=exp.column("measure", "m"), expression=rate.copy())
    return (
        exp.select(*_columns(rate=rate, amount=amount))
        .from_("cmp_measure AS m", copy=False)
        .where(_of_component(key), copy=False)
    )
