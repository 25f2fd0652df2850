"""Payment stage: the payment lines, rounded once, with their explanation.

Rounding policy: each payment line (payee x component x family x basis) is
rounded once, half-up (half away from zero: 0.125 -> 0.13, -0.125 -> -0.13), to
the minor unit of the plan currency; nothing before this stage is rounded, and
nothing after it (totals are sums of rounded lines). It is the policy of
:meth:`salesdev.core.money.Money.rounded`.
"""

from __future__ import annotations

from sqlglot import exp

from salesdev.core.money import minor_units
from salesdev.engine.compensation import sql
from salesdev.engine.compensation.compiled import Stage
from salesdev.engine.compensation.plan import Plan

STEP = "payment"

# The one order of payment lines: byte-identical results need it everywhere.
LINE_ORDER = "payee_kind, payee_id, component_key, product_family_code NULLS FIRST, basis"
LINEAGE_ORDER = (
    "payee_kind, payee_id, component_key, product_family_code NULLS FIRST, basis, event_id"
)


def payment_stage(plan: Plan) -> Stage:
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
    return Stage(STEP, "cmp_payment", query)


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
        JOIN cmp_family AS f ON f.family_key = l.family_key
        ORDER BY {LINEAGE_ORDER}
        """  # noqa: S608
    )
