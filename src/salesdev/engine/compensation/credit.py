"""Credit stage: which payee gets credit for which event, with integer surrogate keys.

Direct credit: every event credits the rep who captured it (``sales_person_id``)
and, for partner sales, the selling partner (``partner_id``), each in full. Split
credit, roll-up and dealer-chain overrides will add rows here (a share column)
without changing the later stages.

Tables:
- ``cmp_event``: the period's events of the types some component measures;
- ``cmp_family``, ``cmp_payee``: dimensions with integer keys, numbered in sort order;
- ``cmp_credit``: one row per (event, credited payee);
- ``cmp_credit_sum``: credit summed per payee, family and event type;
- ``cmp_line``: life of each line concerned (bounty service, residual months),
  read from the whole history before the period end;
- ``cmp_quota``: the quotas by payee key;
- ``cmp_component``: the plan's components by key.
"""

from __future__ import annotations

from sqlglot import exp

from salesdev.core.periods import Period
from salesdev.engine.compensation import sql
from salesdev.engine.compensation.compiled import EVENTS_INPUT, QUOTA_INPUT, Stage
from salesdev.engine.compensation.plan import BountyComponent, Plan, ResidualComponent

STEP = "credit"
LIFECYCLE_EVENT_TYPES = ("activation", "suspension", "resumption", "deactivation")


def component_key(index: int) -> int:
    return index + 1


def credit_stages(plan: Plan, period: Period) -> list[Stage]:
    stages = [
        _events(plan, period),
        _families(),
        _payees(),
        _credit(),
        _credit_sums(),
        _components(plan),
    ]
    if any(isinstance(c, BountyComponent | ResidualComponent) for c in plan.components):
        stages.append(_lines(plan, period))
    return stages


def period_event_types(plan: Plan) -> tuple[str, ...]:
    """Event types read in the period: what components measure, and what claws back."""
    types: set[str] = set()
    for component in plan.components:
        types.update(component.measured_event_types())
        if isinstance(component, BountyComponent):
            types.add("deactivation")
    return tuple(sorted(types))


def history_event_types(plan: Plan) -> tuple[str, ...]:
    """Event types read before the period too: the life of lines (bounties, residuals)."""
    types: set[str] = set()
    for component in plan.components:
        if isinstance(component, BountyComponent):
            types.update(LIFECYCLE_EVENT_TYPES)
            types.update(component.measured_event_types())
        elif isinstance(component, ResidualComponent):
            types.update(LIFECYCLE_EVENT_TYPES)
    return tuple(sorted(types))


def quota_stage() -> Stage:
    return Stage(
        STEP,
        "cmp_quota",
        sql.template(
            f"""
            SELECT p.payee_key, CAST(q.quota AS {sql.MONEY}) AS quota
            FROM {QUOTA_INPUT} AS q JOIN cmp_payee AS p ON p.payee_id = q.payee_id
            """  # noqa: S608
        ),
    )


def _events(plan: Plan, period: Period) -> Stage:
    query = sql.template(
        f"""
        SELECT event_id, line_id, event_type, :event_us AS event_us, product_family_code,
               sales_person_id, partner_id, amount, currency
        FROM {EVENTS_INPUT}
        WHERE event_time >= :start AND event_time < :end AND :types
        """,  # noqa: S608
        event_us=sql.epoch_us(exp.column("event_time")),
        start=sql.timestamp(period.start),
        end=sql.timestamp(period.end),
        types=sql.is_in(exp.column("event_type"), list(period_event_types(plan))),
    )
    return Stage(STEP, "cmp_event", query)


def _families() -> Stage:
    return Stage(
        STEP,
        "cmp_family",
        sql.template(
            """
            SELECT CAST(ROW_NUMBER() OVER (ORDER BY product_family_code) AS INTEGER) AS family_key,
                   product_family_code
            FROM (SELECT DISTINCT product_family_code FROM cmp_event) AS f
            """
        ),
    )


def _payees() -> Stage:
    return Stage(
        STEP,
        "cmp_payee",
        sql.template(
            """
            SELECT CAST(ROW_NUMBER() OVER (ORDER BY payee_kind, payee_id) AS INTEGER) AS payee_key,
                   payee_kind, payee_id
            FROM (
                SELECT DISTINCT 'sales_person' AS payee_kind, sales_person_id AS payee_id
                FROM cmp_event WHERE sales_person_id IS NOT NULL
                UNION
                SELECT DISTINCT 'partner' AS payee_kind, partner_id AS payee_id
                FROM cmp_event WHERE partner_id IS NOT NULL
            ) AS p
            """
        ),
    )


def _credit() -> Stage:
    return Stage(
        STEP,
        "cmp_credit",
        sql.template(
            """
            SELECT e.event_id, e.line_id, e.event_type, e.event_us, f.family_key, p.payee_key,
                   e.amount
            FROM cmp_event AS e
            JOIN cmp_family AS f ON f.product_family_code = e.product_family_code
            JOIN cmp_payee AS p ON p.payee_kind = 'sales_person' AND p.payee_id = e.sales_person_id
            UNION ALL
            SELECT e.event_id, e.line_id, e.event_type, e.event_us, f.family_key, p.payee_key,
                   e.amount
            FROM cmp_event AS e
            JOIN cmp_family AS f ON f.product_family_code = e.product_family_code
            JOIN cmp_payee AS p ON p.payee_kind = 'partner' AND p.payee_id = e.partner_id
            """
        ),
    )


def _credit_sums() -> Stage:
    """Credit per payee, family and event type: what the summing measures read."""
    return Stage(
        STEP,
        "cmp_credit_sum",
        sql.template(
            """
            SELECT payee_key, family_key, event_type, SUM(amount) AS amount,
                   COUNT(*) AS events, MIN(event_id) AS first_event_id,
                   MAX(event_id) AS last_event_id
            FROM cmp_credit
            GROUP BY payee_key, family_key, event_type
            """
        ),
    )


def _components(plan: Plan) -> Stage:
    rows = [
        exp.Tuple(
            expressions=[
                sql.integer(component_key(index)),
                sql.text(component.id),
                sql.text(component.kind.value),
            ]
        )
        for index, component in enumerate(plan.components)
    ]
    values = exp.Values(
        expressions=rows,
        alias=exp.TableAlias(
            this=exp.to_identifier("c"),
            columns=[exp.to_identifier(n) for n in ("component_key", "component_id", "kind")],
        ),
    )
    return Stage(
        STEP,
        "cmp_component",
        exp.select(
            sql.cast(exp.column("component_key"), "INTEGER").as_("component_key"),
            "component_id",
            exp.column("kind").as_("component_kind"),
        ).from_(values, copy=False),
    )


def _lines(plan: Plan, period: Period) -> Stage:
    """Per line: activation, deactivation, time suspended, and each bounty's events.

    One pass over the lifecycle events before the period end, grouped by line.
    Every line with such an event gets a row: the measures join only the lines
    of their credited events, and grouping them all is cheaper than first
    finding the lines billed or deactivated in the period (a semi-join on the
    line id as large as the grouping itself). The instant of each event is
    taken once, as epoch microseconds, and the activation month is computed
    per line after grouping, not per event.

    Suspensions and resumptions alternate (docs/data-model.md), so the time
    suspended is the sum of resumption instants minus the sum of suspension
    instants, plus the deactivation instant when the line was deactivated while
    suspended.
    """
    # One COUNT and one MIN per distinct set of event types: an activation bounty
    # reads the same aggregates as the line's activation instead of repeating them.
    first_of: dict[tuple[str, ...], str] = {}
    count_of: dict[tuple[str, ...], str] = {}
    aggregates: list[exp.Expr] = []

    def first_us(types: tuple[str, ...]) -> str:
        if types not in first_of:
            first_of[types] = f"first_us_{len(first_of) + 1}"
            aggregates.append(
                sql.template("MIN(CASE WHEN :is_in THEN event_us END)", is_in=_is_type(types)).as_(
                    first_of[types]
                )
            )
        return first_of[types]

    def count(types: tuple[str, ...]) -> str:
        if types not in count_of:
            count_of[types] = f"events_{len(count_of) + 1}"
            aggregates.append(
                sql.template("COUNT(CASE WHEN :is_in THEN 1 END)", is_in=_is_type(types)).as_(
                    count_of[types]
                )
            )
        return count_of[types]

    activation = first_us(("activation",))
    bounty_outer: list[exp.Expr] = []
    types = set(LIFECYCLE_EVENT_TYPES)
    for index, component in enumerate(plan.components):
        if not isinstance(component, BountyComponent):
            continue
        key = component_key(index)
        bounty_types = tuple(sorted(component.measured_event_types()))
        types.update(bounty_types)
        bounty_outer.append(exp.column(count(bounty_types)).as_(f"bounties_{key}"))
        bounty_outer.append(exp.column(first_us(bounty_types)).as_(f"bounty_us_{key}"))
    lifecycle = sql.template(
        f"""
        SELECT line_id, event_type, :event_us AS event_us
        FROM {EVENTS_INPUT}
        WHERE event_time < :end AND :types
        """,  # noqa: S608
        event_us=sql.epoch_us(exp.column("event_time")),
        end=sql.timestamp(period.end),
        types=sql.is_in(exp.column("event_type"), sorted(types)),
    )
    inner = sql.template(
        """
        SELECT line_id,
               MIN(CASE WHEN event_type = 'deactivation' THEN event_us END) AS deactivation_us,
               SUM(CASE WHEN event_type = 'resumption' THEN event_us
                        WHEN event_type = 'suspension' THEN -event_us ELSE 0 END)
                 AS suspension_balance_us,
               SUM(CASE WHEN event_type = 'suspension' THEN 1
                        WHEN event_type = 'resumption' THEN -1 ELSE 0 END) AS open_suspensions
        FROM :lifecycle
        GROUP BY line_id
        """,
        lifecycle=sql.subquery(lifecycle, "e"),
    )
    assert isinstance(inner, exp.Select)
    inner = inner.select(*aggregates, copy=False)
    suspended = sql.template(
        """
        CASE WHEN open_suspensions > 0 AND deactivation_us IS NOT NULL
             THEN suspension_balance_us + deactivation_us
             ELSE suspension_balance_us END
        """
    )
    outer = exp.select(
        "line_id",
        exp.column(activation).as_("activation_us"),
        sql.month_index(exp.column(activation)).as_("activation_month"),
        "deactivation_us",
        suspended.as_("suspended_us"),
    ).from_(sql.subquery(inner, "l"), copy=False)
    assert isinstance(outer, exp.Select)
    return Stage(STEP, "cmp_line", outer.select(*bounty_outer, copy=False))


def _is_type(types: tuple[str, ...]) -> exp.Expr:
    if len(types) == 1:
        return exp.column("event_type").eq(sql.text(types[0]))
    return sql.is_in(exp.column("event_type"), list(types))
