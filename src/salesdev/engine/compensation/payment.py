"""Payment stage: the payment lines, rounded once, with their explanation.

Rounding policy: each payment line (payee x component x family x basis) is
rounded once, half-up (half away from zero: 0.125 -> 0.13, -0.125 -> -0.13), to
the minor unit of the plan currency; nothing before this stage is rounded, and
nothing after it (totals are sums of rounded lines). It is the policy of
:meth:`salesdev.core.money.Money.rounded`.
"""

from __future__ import annotations

from decimal import Decimal

from sqlglot import exp

from salesdev.core.money import minor_units
from salesdev.engine.compensation import sql
from salesdev.engine.compensation.compiled import Stage
from salesdev.engine.compensation.credit import component_key
from salesdev.engine.compensation.plan import Plan, TieredComponent

STEP = "payment"

# The one order of payment lines: byte-identical results need it everywhere.
LINE_ORDER = "payee_kind, payee_id, component_key, product_family_code NULLS FIRST, basis"
LINEAGE_ORDER = (
    "payee_kind, payee_id, component_key, product_family_code NULLS FIRST, basis, event_id"
)


PLAN_COMPONENT_ID = "(plan)"


def capped_components(plan: Plan) -> list[tuple[int, Decimal]]:
    """(component key, cap) of the components capped over all their lines.

    A tiered component has one line per payee and caps it in the incentive stage.
    """
    return [
        (component_key(index), component.cap)
        for index, component in enumerate(plan.components)
        if component.cap is not None and not isinstance(component, TieredComponent)
    ]


def payment_stages(plan: Plan) -> list[Stage]:
    """The payment lines; then, when the plan has caps, the lines that take off the excess.

    - ``cmp_payment_line``: one rounded line per payee x component x family x basis;
    - ``cmp_cap_line``: per payee and capped component whose lines total more than
      the cap, a ``cap`` line of ``cap - total`` (negative), rounded once;
    - ``cmp_payment``: the lines, the cap lines and, when the plan has a cap, per
      payee whose lines (after component caps) total more, a ``plan_cap`` line on
      the pseudo-component ``(plan)`` (key 0).
    The caps compare the **rounded** lines, so a capped total is exactly the cap
    (rounded to the currency's minor unit).
    """
    components = capped_components(plan)
    if not components and plan.cap is None:
        return [payment_stage(plan)]
    lines = payment_stage(plan, table="cmp_payment_line")
    stages = [lines]
    parts = ["SELECT * FROM cmp_payment_line"]
    if components:
        cap = exp.Case(
            this=exp.column("component_key"),
            ifs=[exp.If(this=sql.integer(key), true=sql.money(value)) for key, value in components],
        )
        stages.append(
            Stage(
                STEP,
                "cmp_cap_line",
                sql.template(
                    """
                    SELECT payee_kind, payee_id, component_key, component_id, component_kind,
                           total, cap
                    FROM (
                        SELECT payee_kind, payee_id, component_key, component_id, component_kind,
                               SUM(payment) AS total, :cap AS cap
                        FROM cmp_payment_line
                        WHERE :capped
                        GROUP BY payee_kind, payee_id, component_key, component_id, component_kind
                    ) AS t
                    WHERE total > cap
                    """,
                    cap=cap,
                    capped=exp.In(
                        this=exp.column("component_key"),
                        expressions=[sql.integer(key) for key, _ in components],
                    ),
                ),
            )
        )
        parts.append(_cap_rows("cmp_cap_line", "cap", plan))
    if plan.cap is not None:
        before = " UNION ALL ".join(parts)
        parts.append(
            _cap_rows(
                f"""(
                    SELECT payee_kind, payee_id, 0 AS component_key,
                           '{PLAN_COMPONENT_ID}' AS component_id, 'plan' AS component_kind,
                           total, cap
                    FROM (
                        SELECT payee_kind, payee_id, SUM(payment) AS total,
                               {sql.render(sql.money(plan.cap))} AS cap
                        FROM ({before}) AS l
                        GROUP BY payee_kind, payee_id
                    ) AS t
                    WHERE total > cap
                )""",  # noqa: S608
                "plan_cap",
                plan,
            )
        )
    stages.append(Stage(STEP, "cmp_payment", sql.template(" UNION ALL ".join(parts))))
    return stages


def _cap_rows(source: str, basis: str, plan: Plan) -> str:
    """Cap lines with the columns of a payment line: the cap in ``unit_amount``,
    the total before it in ``measure``, ``cap - total`` as the amount."""
    places = minor_units(plan.currency)
    return f"""
        SELECT payee_kind, payee_id, CAST(component_key AS INTEGER) AS component_key,
               component_id, component_kind,
               CAST(NULL AS VARCHAR) AS product_family_code, '{basis}' AS basis,
               CAST(total AS {sql.MONEY}) AS measure, CAST(0 AS BIGINT) AS event_count,
               CAST(NULL AS VARCHAR) AS first_event_id, CAST(NULL AS VARCHAR) AS last_event_id,
               CAST(NULL AS {sql.MONEY}) AS quota, CAST(NULL AS INTEGER) AS tier,
               CAST(NULL AS {sql.RATE}) AS rate, CAST(cap AS {sql.MONEY}) AS unit_amount,
               FALSE AS gated, TRUE AS capped, FALSE AS floored,
               CAST(cap - total AS {sql.EXACT}) AS amount,
               CAST(ROUND(CAST(cap - total AS {sql.EXACT}), {places}) AS DECIMAL(18, {places}))
                 AS payment,
               '{plan.currency}' AS currency
        FROM {source} AS c
    """  # noqa: S608


def payment_stage(plan: Plan, *, table: str = "cmp_payment") -> Stage:
    places = minor_units(plan.currency)
    query = sql.template(
        f"""
        SELECT p.payee_kind, p.payee_id, i.component_key, c.component_id, c.component_kind,
               f.product_family_code, i.basis, i.measure, i.event_count, i.first_event_id,
               i.last_event_id, i.quota, i.tier, i.rate, i.unit_amount, i.gated, i.capped,
               i.floored, i.amount,
               CAST(ROUND(i.amount, :places) AS DECIMAL(18, {places})) AS payment,
               :currency AS currency
        FROM cmp_incentive AS i
        JOIN cmp_payee AS p ON p.payee_key = i.payee_key
        JOIN cmp_component AS c ON c.component_key = i.component_key
        LEFT JOIN cmp_family AS f ON f.family_key = i.family_key
        """,  # noqa: S608
        places=sql.integer(places),
        currency=sql.text(plan.currency),
    )
    return Stage(STEP, table, query)


def result_query() -> exp.Expr:
    return sql.template(f"SELECT * FROM cmp_payment ORDER BY {LINE_ORDER}")  # noqa: S608


def lineage_query() -> exp.Expr:
    return sql.template(
        f"""
        SELECT p.payee_kind, p.payee_id, l.component_key, c.component_id, f.product_family_code,
               l.basis, l.event_id, l.value
        FROM cmp_lineage AS l
        JOIN cmp_payee AS p ON p.payee_key = l.payee_key
        JOIN cmp_component AS c ON c.component_key = l.component_key
        LEFT JOIN cmp_family AS f ON f.family_key = l.family_key
        ORDER BY {LINEAGE_ORDER}
        """  # noqa: S608
    )
