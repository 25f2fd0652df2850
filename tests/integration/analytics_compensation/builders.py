"""Hand-written sales events for compensation tests."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa

from salesdev.analytics.compensation import CalculationResult, calculate
from salesdev.analytics.events import EVENT_SCHEMA
from salesdev.core.periods import Period
from salesdev.engine.compensation import AnyComponent, Plan

OCTOBER = Period(2026, 10)
REP_A = "00000000-0000-4000-8000-0000000000a1"
REP_B = "00000000-0000-4000-8000-0000000000b2"
DEALER = "00000000-0000-4000-8000-0000000000d1"
CUSTOMER = "00000000-0000-4000-8000-000000000c01"
OFFERING = "00000000-0000-4000-8000-000000000201"
CHANNEL = "00000000-0000-4000-8000-00000000000a"
FAMILIES = ("DSL", "FIBRE", "MOBILE_POSTPAID", "TV")


def at(month: int, day: int, hour: int = 10, minute: int = 0, *, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def event(
    event_id: str,
    event_type: str,
    when: datetime,
    *,
    amount: str = "0",
    line: str = "LN1",
    family: str = "FIBRE",
    rep: str | None = REP_A,
    partner: str | None = None,
    currency: str = "EUR",
    order: str | None = None,
    quantity: int = 1,
    offering: str = OFFERING,
) -> dict[str, object]:
    return {
        "event_id": event_id,
        "event_type": event_type,
        "event_time": when,
        "line_id": line,
        "order_id": order,
        "customer_id": CUSTOMER,
        "premise_id": None,
        "product_offering_id": offering,
        "product_family_code": family,
        "channel_id": CHANNEL,
        "outlet_id": None,
        "partner_id": partner,
        "sales_person_id": rep,
        "region_code": "AT-9",
        "quantity": quantity,
        "amount": Decimal(amount),
        "currency": currency,
    }


def events(*rows: dict[str, object]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=EVENT_SCHEMA)


def plan(*components: AnyComponent, currency: str = "EUR") -> Plan:
    return Plan(
        id="retail-2026", version=1, currency=currency, period=Period(2026, 1),
        components=components,
    )  # fmt: skip


def run(
    the_plan: Plan,
    *rows: dict[str, object],
    quotas: dict[str, Decimal] | None = None,
    period: Period = OCTOBER,
    lineage: bool = False,
    payees: list[str] | None = None,
    hierarchy: pa.Table | None = None,
    credit_splits: pa.Table | None = None,
) -> CalculationResult:
    return calculate(
        plan=the_plan,
        events=events(*rows),
        quotas=quotas or {},
        period=period,
        product_families=FAMILIES,
        lineage=lineage,
        payees=payees,
        hierarchy=hierarchy,
        credit_splits=credit_splits,
    )


def payments(result: CalculationResult) -> dict[tuple[str, str, str | None, str], Decimal]:
    """Payment per (payee id, component id, family, basis)."""
    return {
        (line.payee_id, line.component_id, line.product_family, line.basis): line.payment
        for line in result.lines()
    }
