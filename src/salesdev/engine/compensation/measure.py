"""Measure stage: the credited quantity each component pays on, per payee.

Rate and tiered components and earned bounties read the credit summed per
payee, family and event type (``cmp_credit_sum``); chargebacks and residuals
need each event's line, so they read the credited events joined to the line
life (``cmp_line``). Every measure carries its event count and its first and
last event ids; the lineage stage (``contributions``) lists every event.

Bases: ``revenue`` (rate), ``attainment`` (tiered), ``bounty`` and
``chargeback`` (bounty), ``residual`` (residual), ``spiff`` (SPIFF: units or
revenue in the window), ``level_<n>`` (overrides: the credit rolled up from
``n`` levels below, from ``cmp_rollup``).
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlglot import exp

from salesdev.core.periods import Period
from salesdev.engine.compensation import sql
from salesdev.engine.compensation.compiled import CreditOptions, Stage
from salesdev.engine.compensation.credit import component_key, epoch_us
from salesdev.engine.compensation.plan import (
    AnyComponent,
    BountyComponent,
    Component,
    OverrideComponent,
    Plan,
    RateComponent,
    ResidualComponent,
    SpiffComponent,
    TieredComponent,
)

STEP = "measure"
DAY_US = 86_400_000_000


def measure_stage(plan: Plan, period: Period, options: CreditOptions | None = None) -> Stage:
    options = options or CreditOptions()
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
                _aggregate(
                    key,
                    "chargeback",
                    _chargebacks(component, key, split=options.splits),
                    per_family=False,
                )
            )
        elif isinstance(component, ResidualComponent):
            parts.append(
                _aggregate(
                    key,
                    "residual",
                    _residuals(component, period, split=options.splits),
                    per_family=False,
                )
            )
        elif isinstance(component, SpiffComponent):
            parts.append(
                _aggregate(key, "spiff", _spiff(component, split=options.splits), per_family=False)
            )
        else:
            parts.extend(_overrides(component, key, options.rollup_levels))
    if not parts:  # overrides without a hierarchy: no measure at all
        parts.append(_no_measure())
    query = _union_all(parts)
    if options.payees:
        query = sql.template(
            "SELECT * FROM :measures WHERE payee_key IN (SELECT payee_key FROM cmp_selected)",
            measures=sql.subquery(query, "m"),
        )
    return Stage(STEP, "cmp_measure", query)


def _no_measure() -> exp.Expr:
    return sql.template(
        f"""
        SELECT CAST(NULL AS INTEGER) AS payee_key, CAST(NULL AS INTEGER) AS component_key,
               CAST(NULL AS INTEGER) AS family_key, CAST(NULL AS VARCHAR) AS basis,
               CAST(NULL AS {sql.MONEY}) AS measure, CAST(NULL AS BIGINT) AS event_count,
               CAST(NULL AS VARCHAR) AS first_event_id, CAST(NULL AS VARCHAR) AS last_event_id
        FROM cmp_component WHERE 1 = 0
        """  # noqa: S608
    )


def levels_paid(component: OverrideComponent, levels: int) -> list[int]:
    """The roll-up levels (1..levels) at which ``component`` pays a rate."""
    return [level for level in range(1, levels + 1) if component.rate_for(level) is not None]


def _overrides(component: OverrideComponent, key: int, levels: int) -> list[exp.Expr]:
    """One measure per paid level: the credit rolled up to the payee from that level."""
    parts: list[exp.Expr] = []
    for level in levels_paid(component, levels):
        parts.append(
            exp.select(
                "payee_key",
                sql.integer(key).as_("component_key"),
                sql.cast(exp.null(), "INTEGER").as_("family_key"),
                sql.text(f"level_{level}").as_("basis"),
                sql.cast(exp.func("SUM", exp.column("amount")), sql.MONEY).as_("measure"),
                sql.cast(exp.func("SUM", exp.column("events")), "BIGINT").as_("event_count"),
                exp.func("MIN", exp.column("first_event_id")).as_("first_event_id"),
                exp.func("MAX", exp.column("last_event_id")).as_("last_event_id"),
            )
            .from_("cmp_rollup AS c", copy=False)
            .where(_rolled_up(component, level), copy=False)
            .group_by("payee_key", copy=False)
        )
    return parts


def _rolled_up(component: OverrideComponent, level: int) -> exp.Expr:
    return exp.and_(
        exp.column("relation", "c").eq(sql.text(component.relation.value)),
        exp.column("level", "c").eq(sql.integer(level)),
        sql.type_in(exp.column("type_key", "c"), list(component.measured_event_types())),
        _family_filter(component),
    )


def _spiff(component: SpiffComponent, *, split: bool) -> exp.Expr:
    """Credited units (quantity x share) or revenue of the window's events."""
    if component.amount is not None:
        units: exp.Expr = exp.column("quantity", "c")
        if split:
            units = exp.Mul(this=units, expression=exp.column("share", "c"))
        value: exp.Expr = sql.cast(units, sql.MONEY)
    else:
        value = exp.column("amount", "c")
    offerings: exp.Expr = exp.true()
    if component.offering_ids:
        offerings = sql.is_in(exp.column("product_offering_id", "c"), list(component.offering_ids))
    start = datetime.combine(component.window_start, time(), tzinfo=UTC)
    end = datetime.combine(component.window_end, time(), tzinfo=UTC)
    return sql.template(
        """
        SELECT c.payee_key, c.family_key, 'spiff' AS basis, c.event_id, :value AS value
        FROM cmp_credit AS c
        WHERE :types AND :families AND :offerings
          AND c.event_us >= :start_us AND c.event_us < :end_us
        """,
        value=value,
        types=sql.type_in(exp.column("type_key", "c"), list(component.measured_event_types())),
        families=_family_filter(component),
        offerings=offerings,
        start_us=sql.integer(epoch_us(start)),
        end_us=sql.integer(epoch_us(end)),
    )


def _summed(
    component: AnyComponent, key: int, basis: str, *, per_family: bool, count: bool
) -> exp.Expr:
    """Measure from the per-type sums (``cmp_credit_sum``): no pass over every event."""
    family = exp.column("family_key") if per_family else sql.cast(exp.null(), "INTEGER")
    group = ["payee_key", "family_key"] if per_family else ["payee_key"]
    value = exp.func("SUM", exp.column("units" if count else "amount"))
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
                sql.type_in(exp.column("type_key", "c"), list(component.measured_event_types())),
                _family_filter(component),
            ),
            copy=False,
        )
        .group_by(*group, copy=False)
    )


def lineage_stage(plan: Plan, period: Period, options: CreditOptions | None = None) -> Stage:
    options = options or CreditOptions()
    parts: list[exp.Expr] = []
    for index, component in enumerate(plan.components):
        for _basis, rows in contributions(component, component_key(index), period, options):
            select = exp.select(
                "payee_key",
                sql.integer(component_key(index)).as_("component_key"),
                "family_key",
                "basis",
                "event_id",
                "value",
            ).from_(sql.subquery(rows, "r"), copy=False)
            parts.append(select)
    if not parts:
        parts.append(
            sql.template(
                f"""
                SELECT CAST(NULL AS INTEGER) AS payee_key, CAST(NULL AS INTEGER) AS component_key,
                       CAST(NULL AS INTEGER) AS family_key, CAST(NULL AS VARCHAR) AS basis,
                       CAST(NULL AS VARCHAR) AS event_id, CAST(NULL AS {sql.MONEY}) AS value
                FROM cmp_component WHERE 1 = 0
                """  # noqa: S608
            )
        )
    query = _union_all(parts)
    if options.payees:
        query = sql.template(
            "SELECT * FROM :rows WHERE payee_key IN (SELECT payee_key FROM cmp_selected)",
            rows=sql.subquery(query, "l"),
        )
    return Stage(STEP, "cmp_lineage", query)


def contributions(
    component: AnyComponent, key: int, period: Period, options: CreditOptions | None = None
) -> list[tuple[str, exp.Expr]]:
    """(basis, query of payee_key, family_key, basis, event_id, value) for one component."""
    options = options or CreditOptions()
    if isinstance(component, SpiffComponent):
        return [("spiff", _spiff(component, split=options.splits))]
    if isinstance(component, OverrideComponent):
        return [
            (f"level_{level}", _rolled_up_events(component, level))
            for level in levels_paid(component, options.rollup_levels)
        ]
    if isinstance(component, RateComponent):
        return [("revenue", _credited(component, "revenue", exp.column("amount", "c")))]
    if isinstance(component, TieredComponent):
        return [("attainment", _credited(component, "attainment", exp.column("amount", "c")))]
    if isinstance(component, BountyComponent):
        unit = exp.column("share", "c") if options.splits else sql.integer(1)
        return [
            ("bounty", _credited(component, "bounty", sql.cast(unit, sql.MONEY))),
            ("chargeback", _chargebacks(component, key, split=options.splits)),
        ]
    assert isinstance(component, ResidualComponent)
    return [("residual", _residuals(component, period, split=options.splits))]


def _rolled_up_events(component: OverrideComponent, level: int) -> exp.Expr:
    """Every event behind an override measure: the direct credit of the payees below."""
    return sql.template(
        f"""
        SELECT r.ancestor_key AS payee_key, CAST(NULL AS INTEGER) AS family_key,
               :basis AS basis, d.event_id, CAST(SUM(d.amount) AS {sql.MONEY}) AS value
        FROM cmp_credit AS d
        JOIN cmp_segment AS s ON s.payee_key = d.payee_key
        JOIN cmp_reach AS r ON r.payee_key = s.payee_key AND r.seg_from = s.seg_from
        WHERE d.event_us >= s.seg_from AND d.event_us < s.seg_to
          AND r.relation = :relation AND r.level = :level AND :types AND :families
        GROUP BY r.ancestor_key, d.event_id
        """,  # noqa: S608
        basis=sql.text(f"level_{level}"),
        relation=sql.text(component.relation.value),
        level=sql.integer(level),
        types=sql.type_in(exp.column("type_key", "d"), list(component.measured_event_types())),
        families=_family_filter(component, alias="d"),
    )


def _credited(component: AnyComponent, basis: str, value: exp.Expr) -> exp.Expr:
    return sql.template(
        """
        SELECT c.payee_key, c.family_key, :basis AS basis, c.event_id, :value AS value
        FROM cmp_credit AS c
        WHERE :types AND :families
        """,
        basis=sql.text(basis),
        value=value,
        types=sql.type_in(exp.column("type_key", "c"), list(component.measured_event_types())),
        families=_family_filter(component),
    )


def _chargebacks(component: BountyComponent, key: int, *, split: bool = False) -> exp.Expr:
    """Deactivations of lines that earned this bounty, before the window of service.

    Service runs from the bounty event (activation or port-in) to the
    deactivation, less the time suspended; it must reach ``chargeback_days`` whole
    days (to the microsecond) for the bounty to stay. A line that earned no
    such bounty has no bounty instant, so the comparison is unknown and the line
    is left out; no filter on the bounty count is written, because the planner
    would then take the filtered lines for the smaller side of the join and
    build its hash table on them instead of on the period's deactivations.

    ``l.deactivation_us IS NOT NULL`` removes no row (the line of a deactivation
    has that deactivation in its history) but it keeps the lines keyed only for
    residuals out of the join: without it, the hash table held every keyed line
    (1.3 million at 10 M events) against 160,000 deactivations.

    With splits, a line sold on a split order is clawed back from the order's split
    payees, each its share of the bounty (what each was paid), instead of from the
    deactivation's rep (``cmp_line_credit``).
    """
    share = " * c.share" if split else ""
    return sql.template(
        f"""
        SELECT c.payee_key, c.family_key, 'chargeback' AS basis, c.event_id,
               CAST(l.bounties_{key}{share} AS {sql.MONEY}) AS value
        FROM {_line_credit(split)} AS c JOIN cmp_line AS l ON l.line_key = c.line_key
        WHERE c.type_key = :deactivation AND :families AND l.deactivation_us IS NOT NULL
          AND c.event_us - l.bounty_us_{key} - l.suspended_us < :window_us
        """,  # noqa: S608
        deactivation=sql.type_key("deactivation"),
        families=_family_filter(component),
        window_us=sql.integer(component.chargeback_days * DAY_US),
    )


def _line_credit(split: bool) -> str:
    """What the line measures read: with splits, the credit with the split lines' parts."""
    return "cmp_line_credit" if split else "cmp_credit"


def _residuals(component: ResidualComponent, period: Period, *, split: bool = False) -> exp.Expr:
    """Charges billed in the ``months`` calendar months after the activation month,
    before any deactivation of the line. With splits, the charges of a line sold on a
    split order are credited to the order's split payees, exact parts of each charge
    (``cmp_line_credit``), instead of to the charge's rep."""
    return sql.template(
        f"""
        SELECT c.payee_key, c.family_key, 'residual' AS basis, c.event_id, c.amount AS value
        FROM {_line_credit(split)} AS c JOIN cmp_line AS l ON l.line_key = c.line_key
        WHERE c.type_key = :recurring_charge AND :families
          AND :period_month - l.activation_month BETWEEN 1 AND :months
          AND (l.deactivation_us IS NULL OR c.event_us < l.deactivation_us)
        """,  # noqa: S608
        recurring_charge=sql.type_key("recurring_charge"),
        families=_family_filter(component),
        period_month=sql.period_month_index(period.year, period.month),
        months=sql.integer(component.months),
    )


def _family_filter(component: Component, alias: str = "c") -> exp.Expr:
    families = paid_families(component)
    if families is None:
        return exp.true()
    return sql.template(
        f"{alias}.family_key IN (SELECT family_key FROM cmp_family WHERE :codes)",  # noqa: S608
        codes=sql.is_in(exp.column("product_family_code"), sorted(families)),
    )


def paid_families(component: Component) -> set[str] | None:
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
