"""Measure stage: the credited quantity each component pays on, per payee.

Rate and tiered components and earned bounties read the credit summed per
payee, family and event type (``cmp_credit_sum``); chargebacks and residuals
need each event's line, so they read the credited events joined to the line
life (``cmp_line``). Every measure carries its event count and its first and
last event ids; the lineage stage (``contributions``) lists every event.

Bases: ``revenue`` (rate), ``attainment`` (tiered), ``bounty`` and
``chargeback`` (bounty), ``residual`` (residual).
"""

from __future__ import annotations

from sqlglot import exp

from salesdev.core.periods import Period
from salesdev.engine.compensation import sql
from salesdev.engine.compensation.compiled import Stage
from salesdev.engine.compensation.credit import component_key
from salesdev.engine.compensation.plan import (
    AnyComponent,
    BountyComponent,
    Plan,
    RateComponent,
    ResidualComponent,
    TieredComponent,
)

STEP = "measure"
DAY_US = 86_400_000_000


def measure_stage(plan: Plan, period: Period) -> Stage:
    parts: list[exp.Expr] = []
    for index, component in enumerate(plan.components):
        key = component_key(index)
        if isinstance(component, RateComponent | TieredComponent):
            basis = "revenue" if isinstance(component, RateComponent) else "attainment"
            per_family = isinstance(component, RateComponent)
            parts.append(_summed(component, key, basis, per_family=per_family, count=False))
        elif isinstance(component, BountyComponent):
            parts.append(_summed(component, key, "bounty", per_family=False, count=True))
            parts.append(
                _aggregate(key, "chargeback", _chargebacks(component, key), per_family=False)
            )
        else:
            parts.append(
                _aggregate(key, "residual", _residuals(component, period), per_family=False)
            )
    return Stage(STEP, "cmp_measure", _union_all(parts))


def _summed(
    component: AnyComponent, key: int, basis: str, *, per_family: bool, count: bool
) -> exp.Expr:
    """Measure from the per-type sums (``cmp_credit_sum``): no pass over every event."""
    family = exp.column("family_key") if per_family else sql.cast(exp.null(), "INTEGER")
    group = ["payee_key", "family_key"] if per_family else ["payee_key"]
    value = exp.func("SUM", exp.column("events" if count else "amount"))
    return (
        exp.select(
            "payee_key",
            sql.integer(key).as_("component_key"),
            family.as_("family_key"),
            sql.text(basis).as_("basis"),
            sql.cast(value, sql.MONEY).as_("measure"),
            sql.cast(exp.func("SUM", exp.column("events")), "BIGINT").as_("event_count"),
            exp.func("MIN", exp.column("first_event_id")).as_("first_event_id"),
            exp.func("MAX", exp.column("last_event_id")).as_("last_event_id"),
        )
        .from_("cmp_credit_sum AS c", copy=False)
        .where(
            exp.and_(
                sql.is_in(exp.column("event_type", "c"), list(component.measured_event_types())),
                _family_filter(component),
            ),
            copy=False,
        )
        .group_by(*group, copy=False)
    )


def lineage_stage(plan: Plan, period: Period) -> Stage:
    parts: list[exp.Expr] = []
    for index, component in enumerate(plan.components):
        for _basis, rows in contributions(component, component_key(index), period):
            select = exp.select(
                "payee_key",
                sql.integer(component_key(index)).as_("component_key"),
                "family_key",
                "basis",
                "event_id",
                "value",
            ).from_(sql.subquery(rows, "r"), copy=False)
            parts.append(select)
    return Stage(STEP, "cmp_lineage", _union_all(parts))


def contributions(component: AnyComponent, key: int, period: Period) -> list[tuple[str, exp.Expr]]:
    """(basis, query of payee_key, family_key, basis, event_id, value) for one component."""
    if isinstance(component, RateComponent):
        return [("revenue", _credited(component, "revenue", exp.column("amount", "c")))]
    if isinstance(component, TieredComponent):
        return [("attainment", _credited(component, "attainment", exp.column("amount", "c")))]
    if isinstance(component, BountyComponent):
        return [
            ("bounty", _credited(component, "bounty", sql.cast(sql.integer(1), sql.MONEY))),
            ("chargeback", _chargebacks(component, key)),
        ]
    return [("residual", _residuals(component, period))]


def _credited(component: AnyComponent, basis: str, value: exp.Expr) -> exp.Expr:
    return sql.template(
        """
        SELECT c.payee_key, c.family_key, :basis AS basis, c.event_id, :value AS value
        FROM cmp_credit AS c
        WHERE :types AND :families
        """,
        basis=sql.text(basis),
        value=value,
        types=sql.is_in(exp.column("event_type", "c"), list(component.measured_event_types())),
        families=_family_filter(component),
    )


def _chargebacks(component: BountyComponent, key: int) -> exp.Expr:
    """Deactivations of lines that earned this bounty, before the window of service.

    Service runs from the bounty event (activation or port-in) to the
    deactivation, less the time suspended; it must reach ``chargeback_days`` whole
    days (to the microsecond) for the bounty to stay. A line that earned no
    such bounty has no bounty instant, so the comparison is unknown and the line
    is left out; no filter on the bounty count is written, because the planner
    would then take the filtered lines for the smaller side of the join and
    build its hash table on them instead of on the period's deactivations.
    """
    return sql.template(
        f"""
        SELECT c.payee_key, c.family_key, 'chargeback' AS basis, c.event_id,
               CAST(l.bounties_{key} AS {sql.MONEY}) AS value
        FROM cmp_credit AS c JOIN cmp_line AS l ON l.line_id = c.line_id
        WHERE c.event_type = 'deactivation' AND :families
          AND c.event_us - l.bounty_us_{key} - l.suspended_us < :window_us
        """,  # noqa: S608
        families=_family_filter(component),
        window_us=sql.integer(component.chargeback_days * DAY_US),
    )


def _residuals(component: ResidualComponent, period: Period) -> exp.Expr:
    """Charges billed in the ``months`` calendar months after the activation month,
    before any deactivation of the line."""
    return sql.template(
        """
        SELECT c.payee_key, c.family_key, 'residual' AS basis, c.event_id, c.amount AS value
        FROM cmp_credit AS c JOIN cmp_line AS l ON l.line_id = c.line_id
        WHERE c.event_type = 'recurring_charge' AND :families
          AND :period_month - l.activation_month BETWEEN 1 AND :months
          AND (l.deactivation_us IS NULL OR c.event_us < l.deactivation_us)
        """,
        families=_family_filter(component),
        period_month=sql.period_month_index(period.year, period.month),
        months=sql.integer(component.months),
    )


def _family_filter(component: AnyComponent) -> exp.Expr:
    families = paid_families(component)
    if families is None:
        return exp.true()
    return sql.template(
        "c.family_key IN (SELECT family_key FROM cmp_family WHERE :codes)",
        codes=sql.is_in(exp.column("product_family_code"), sorted(families)),
    )


def paid_families(component: AnyComponent) -> set[str] | None:
    """The families a component pays on; None for every family."""
    families = set(component.product_families) or None
    if isinstance(component, RateComponent) and component.default_rate is None:
        rated = {r.product_family for r in component.rates}
        families = rated if families is None else families & rated
    return families


def _aggregate(key: int, basis: str, rows: exp.Expr, *, per_family: bool) -> exp.Expr:
    family = exp.column("family_key") if per_family else sql.cast(exp.null(), "INTEGER")
    group = ["payee_key", "family_key"] if per_family else ["payee_key"]
    return (
        exp.select(
            "payee_key",
            sql.integer(key).as_("component_key"),
            family.as_("family_key"),
            sql.text(basis).as_("basis"),
            sql.cast(exp.func("SUM", exp.column("value")), sql.MONEY).as_("measure"),
            sql.cast(exp.func("COUNT", exp.Star()), "BIGINT").as_("event_count"),
            exp.func("MIN", exp.column("event_id")).as_("first_event_id"),
            exp.func("MAX", exp.column("event_id")).as_("last_event_id"),
        )
        .from_(sql.subquery(rows, "r"), copy=False)
        .group_by(*group, copy=False)
    )


def _union_all(parts: list[exp.Expr]) -> exp.Expr:
    query = parts[0]
    for part in parts[1:]:
        query = exp.union(query, part, distinct=False, copy=False)
    return query
