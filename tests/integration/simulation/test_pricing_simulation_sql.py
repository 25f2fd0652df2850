"""The price-change simulation over a hand-made event store with known answers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from salesdev.analytics.events import EVENT_SCHEMA, EventStoreWriter
from salesdev.analytics.pricing_simulation import (
    ProposedEntry,
    ProposedVersion,
    SimulationLine,
    simulate_price_change,
    simulation_window,
)
from salesdev.core.errors import InvalidInput, RuleViolation

SHOP = uuid.UUID("00000000-0000-4000-8000-00000000000a")
WEB = uuid.UUID("00000000-0000-4000-8000-00000000000b")
PLAN = uuid.UUID("00000000-0000-4000-8000-000000000101")
PHONE = uuid.UUID("00000000-0000-4000-8000-000000000201")
OTHER = uuid.UUID("00000000-0000-4000-8000-000000000301")
HOME = uuid.UUID("00000000-0000-4000-8000-000000000c01")
FIRM = uuid.UUID("00000000-0000-4000-8000-000000000c02")
GOLD = uuid.UUID("00000000-0000-4000-8000-000000000d01")
NOW = datetime(2026, 10, 15, 9, 30, tzinfo=UTC)


def _at(month: int, day: int, hour: int = 2, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# (type, time, channel, offering, family, quantity, amount, customer, partner, region)
EVENTS = [
    ("recurring_charge", _at(7, 5), SHOP, PLAN, "MOBILE", 1, "20.0000", HOME, GOLD, "AT-9"),
    ("recurring_charge", _at(8, 5), SHOP, PLAN, "MOBILE", 2, "40.0000", HOME, None, "AT-9"),
    ("order", _at(8, 1), SHOP, PLAN, "MOBILE", 1, "49.9000", HOME, GOLD, "AT-9"),
    ("order", _at(9, 10), SHOP, PHONE, "DEVICE", 1, "300.0000", HOME, GOLD, "AT-9"),
    ("cancellation", _at(9, 11), SHOP, PHONE, "DEVICE", 1, "-300.0000", HOME, GOLD, "AT-9"),
    ("order", _at(9, 12), SHOP, PHONE, "DEVICE", 2, "600.0000", FIRM, None, "AT-3"),
    # Not re-priced: another channel, before and after the window, no entry, not revenue.
    ("recurring_charge", _at(8, 5), WEB, PLAN, "MOBILE", 1, "20.0000", HOME, None, "AT-9"),
    (
        "recurring_charge",
        _at(6, 30, 23, 59),
        SHOP,
        PLAN,
        "MOBILE",
        1,
        "20.0000",
        HOME,
        None,
        "AT-9",
    ),
    ("recurring_charge", _at(10, 1, 0, 0), SHOP, PLAN, "MOBILE", 1, "20.0000", HOME, None, "AT-9"),
    ("recurring_charge", _at(8, 5), SHOP, OTHER, "MOBILE", 1, "9.0000", HOME, None, "AT-9"),
    ("activation", _at(8, 2), SHOP, PLAN, "MOBILE", 1, "20.0000", HOME, None, "AT-9"),
    ("payment", _at(8, 9), SHOP, PLAN, "MOBILE", 2, "40.0000", HOME, None, "AT-9"),
]

ENTRIES = (
    ProposedEntry(PLAN, Decimal("25.0000"), Decimal("39.9000"), Decimal("8.0000")),
    ProposedEntry(PHONE, None, Decimal("280.0000"), Decimal("200.0000")),
)


def _table(events: Sequence[Sequence[Any]], currency: str = "EUR") -> pa.Table:
    count = len(events)
    return pa.table(
        {
            "event_id": [f"EV{i + 1:08d}" for i in range(count)],
            "event_type": [e[0] for e in events],
            "event_time": [e[1] for e in events],
            "line_id": ["LN00000001"] * count,
            "order_id": [None] * count,
            "customer_id": [str(e[7]) for e in events],
            "premise_id": [None] * count,
            "product_offering_id": [str(e[3]) for e in events],
            "product_family_code": [e[4] for e in events],
            "channel_id": [str(e[2]) for e in events],
            "outlet_id": [None] * count,
            "partner_id": [None if e[8] is None else str(e[8]) for e in events],
            "sales_person_id": [None] * count,
            "region_code": [e[9] for e in events],
            "quantity": [e[5] for e in events],
            "amount": [Decimal(str(e[6])) for e in events],
            "currency": [currency] * count,
        },
        schema=EVENT_SCHEMA,
    )


@pytest.fixture
def store(tmp_path: Path) -> Path:
    directory = tmp_path / "events"
    with EventStoreWriter(directory) as writer:
        writer.write(_table(EVENTS))
    return directory


def _version(**scope: object) -> ProposedVersion:
    return ProposedVersion(
        label="SHOP 2027",
        currency="EUR",
        channel_id=SHOP,
        entries=ENTRIES,
        segments={HOME: "consumer", FIRM: "enterprise"},
        partner_tiers={GOLD: "gold"},
        **scope,  # type: ignore[arg-type]
    )


def test_the_window_is_the_last_complete_months_before_now() -> None:
    assert simulation_window(NOW, 3) == (datetime(2026, 7, 1).date(), datetime(2026, 10, 1).date())
    assert simulation_window(NOW, 12) == (
        datetime(2025, 10, 1).date(),
        datetime(2026, 10, 1).date(),
    )


def test_revenue_and_margin_by_channel_and_family_under_current_and_proposed_prices(
    store: Path,
) -> None:
    # Given the hand-made store and a version re-pricing the plan and the phone
    # When the last three months are simulated
    result = simulate_price_change(event_store_dir=store, version=_version(), months=3, now=NOW)
    # Then plan charges are re-priced at 25 a unit, its order at 39.90, the phone at 280;
    # cost is 8 per plan charge (recurring offering) and 200 per phone ordered (net)
    assert result.lines == (
        SimulationLine(
            SHOP, "DEVICE", 3, Decimal("600.0000"), Decimal("560.0000"), Decimal("400.0000"), "EUR"
        ),
        SimulationLine(
            SHOP, "MOBILE", 3, Decimal("109.9000"), Decimal("114.9000"), Decimal("24.0000"), "EUR"
        ),
    )
    totals = result.totals
    assert (totals.events, totals.current_revenue, totals.proposed_revenue, totals.cost) == (
        6,
        Decimal("709.9000"),
        Decimal("674.9000"),
        Decimal("424.0000"),
    )
    assert totals.revenue_delta == Decimal("-35.0000")
    assert (totals.current_margin, totals.proposed_margin, totals.margin_delta) == (
        Decimal("285.9000"),
        Decimal("250.9000"),
        Decimal("-35.0000"),
    )
    assert (result.since.isoformat(), result.until.isoformat()) == ("2026-07-01", "2026-10-01")


def test_the_scope_narrows_by_segment_tier_and_region(store: Path) -> None:
    consumer = simulate_price_change(
        event_store_dir=store, version=_version(segment="consumer"), months=3, now=NOW
    )
    assert [
        (x.family_code, x.events, x.current_revenue, x.proposed_revenue) for x in consumer.lines
    ] == [
        ("DEVICE", 2, Decimal("0.0000"), Decimal("0.0000")),
        ("MOBILE", 3, Decimal("109.9000"), Decimal("114.9000")),
    ]
    gold = simulate_price_change(
        event_store_dir=store, version=_version(partner_tier="gold"), months=3, now=NOW
    )
    assert [(x.family_code, x.events, x.proposed_revenue, x.cost) for x in gold.lines] == [
        ("DEVICE", 2, Decimal("0.0000"), Decimal("0.0000")),
        ("MOBILE", 2, Decimal("64.9000"), Decimal("8.0000")),
    ]
    region = simulate_price_change(
        event_store_dir=store,
        version=_version(region_codes=frozenset({"AT-3"})),
        months=3,
        now=NOW,
    )
    assert [(x.family_code, x.events, x.proposed_revenue) for x in region.lines] == [
        ("DEVICE", 1, Decimal("560.0000"))
    ]


def test_an_empty_store_or_version_gives_zero_totals(tmp_path: Path) -> None:
    result = simulate_price_change(
        event_store_dir=tmp_path / "none", version=_version(), months=3, now=NOW
    )
    assert result.lines == ()
    assert result.totals.events == 0
    assert result.totals.proposed_revenue == Decimal(0)


@pytest.mark.parametrize("months", [0, -1, 121])
def test_months_out_of_range_are_refused(store: Path, months: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        simulate_price_change(event_store_dir=store, version=_version(), months=months, now=NOW)
    assert caught.value.details[0].location == "months"
    assert caught.value.details[0].message == f"must be between 1 and 120, got {months}"


def test_a_version_of_another_currency_is_refused(store: Path) -> None:
    version = ProposedVersion(label="SHOP USD", currency="USD", channel_id=SHOP, entries=ENTRIES)
    with pytest.raises(RuleViolation) as caught:
        simulate_price_change(event_store_dir=store, version=version, months=3, now=NOW)
    assert str(caught.value).startswith(
        "Price-list version SHOP USD is in USD but the sales it would re-price are in EUR"
    )
