"""Sales figures over a hand-written event store with known answers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from salesdev.analytics.events import EVENT_SCHEMA, EventStoreWriter, event_files, has_events
from salesdev.analytics.sales import (
    ChannelMonthSales,
    ProductSales,
    SalesTotals,
    sales_by_channel_month,
    sales_totals,
    top_products,
)
from salesdev.core.errors import InvalidInput, RuleViolation

RETAIL = uuid.UUID("00000000-0000-4000-8000-00000000000a")
ONLINE = uuid.UUID("00000000-0000-4000-8000-00000000000b")
PLAN = uuid.UUID("00000000-0000-4000-8000-000000000101")
PHONE = uuid.UUID("00000000-0000-4000-8000-000000000201")
CUSTOMER = "00000000-0000-4000-8000-000000000c01"

# (event_type, event_time, channel, offering, family, quantity, amount)
EVENTS = [
    (
        "order",
        datetime(2025, 1, 10, 10, 0, tzinfo=UTC),
        RETAIL,
        PLAN,
        "MOBILE_POSTPAID",
        1,
        "19.99",
    ),
    ("order", datetime(2025, 1, 10, 10, 0, tzinfo=UTC), RETAIL, PHONE, "DEVICE", 1, "899.00"),
    (
        "activation",
        datetime(2025, 1, 10, 11, 0, tzinfo=UTC),
        RETAIL,
        PLAN,
        "MOBILE_POSTPAID",
        1,
        "24.99",
    ),
    ("order", datetime(2025, 1, 20, 9, 0, tzinfo=UTC), ONLINE, PLAN, "MOBILE_POSTPAID", 2, "39.98"),
    (
        "cancellation",
        datetime(2025, 1, 22, 9, 0, tzinfo=UTC),
        ONLINE,
        PLAN,
        "MOBILE_POSTPAID",
        2,
        "-39.98",
    ),
    (
        "recurring_charge",
        datetime(2025, 2, 10, 2, 0, tzinfo=UTC),
        RETAIL,
        PLAN,
        "MOBILE_POSTPAID",
        1,
        "24.99",
    ),
    (
        "payment",
        datetime(2025, 2, 14, 2, 0, tzinfo=UTC),
        RETAIL,
        PLAN,
        "MOBILE_POSTPAID",
        1,
        "24.99",
    ),
    (
        "deactivation",
        datetime(2025, 2, 28, 23, 59, 59, tzinfo=UTC),
        RETAIL,
        PLAN,
        "MOBILE_POSTPAID",
        1,
        "-24.99",
    ),
    ("order", datetime(2025, 2, 1, 0, 0, tzinfo=UTC), ONLINE, PHONE, "DEVICE", 1, "449.00"),
]


def _table(
    events: list[tuple[str, datetime, uuid.UUID, uuid.UUID, str, int, str]], currency: str = "EUR"
) -> pa.Table:
    count = len(events)
    return pa.table(
        {
            "event_id": [f"EV{i + 1:08d}" for i in range(count)],
            "event_type": [e[0] for e in events],
            "event_time": [e[1] for e in events],
            "line_id": ["LN00000001"] * count,
            "order_id": [None] * count,
            "customer_id": [CUSTOMER] * count,
            "premise_id": [None] * count,
            "product_offering_id": [str(e[3]) for e in events],
            "product_family_code": [e[4] for e in events],
            "channel_id": [str(e[2]) for e in events],
            "outlet_id": [None] * count,
            "partner_id": [None] * count,
            "sales_person_id": [None] * count,
            "region_code": ["AT-9"] * count,
            "quantity": [e[5] for e in events],
            "amount": [Decimal(e[6]) for e in events],
            "currency": [currency] * count,
        },
        schema=EVENT_SCHEMA,
    )


@pytest.fixture
def store(tmp_path: Path) -> Path:
    directory = tmp_path / "events"
    with EventStoreWriter(directory) as writer:
        writer.write(_table(EVENTS))  # not sorted by time: the writer splits by month anyway
    return directory


def test_the_writer_lays_events_out_in_month_partitions(store: Path) -> None:
    assert [p.relative_to(store).as_posix() for p in event_files(store)] == [
        "month=2025-01/part-00000.parquet",
        "month=2025-02/part-00000.parquet",
    ]
    assert has_events(store)
    assert not has_events(store.parent / "elsewhere")


def test_sales_by_channel_month_counts_orders_and_activations_and_sums_revenue(store: Path) -> None:
    assert sales_by_channel_month(event_store_dir=store) == [
        ChannelMonthSales(
            RETAIL,
            date(2025, 1, 1),
            orders=2,
            activations=1,
            revenue=Decimal("918.99"),
            currency="EUR",
        ),
        # The online order was cancelled: it counts as an order, its revenue is reversed.
        ChannelMonthSales(
            ONLINE, date(2025, 1, 1), orders=1, activations=0, revenue=Decimal("0"), currency="EUR"
        ),
        # Recurring charges are revenue; payments and deactivations are not.
        ChannelMonthSales(
            RETAIL,
            date(2025, 2, 1),
            orders=0,
            activations=0,
            revenue=Decimal("24.99"),
            currency="EUR",
        ),
        ChannelMonthSales(
            ONLINE,
            date(2025, 2, 1),
            orders=1,
            activations=0,
            revenue=Decimal("449.00"),
            currency="EUR",
        ),
    ]


def test_date_filters_are_half_open_since_inclusive_until_exclusive(store: Path) -> None:
    february = sales_by_channel_month(event_store_dir=store, since=date(2025, 2, 1))
    assert [(row.channel_id, row.month, row.revenue) for row in february] == [
        (RETAIL, date(2025, 2, 1), Decimal("24.99")),
        (ONLINE, date(2025, 2, 1), Decimal("449.00")),
    ]
    january = sales_totals(event_store_dir=store, until=date(2025, 2, 1))
    assert (january.events, january.revenue) == (5, Decimal("918.99"))


def test_top_products_rank_by_revenue_with_units_net_of_cancellations(store: Path) -> None:
    assert top_products(event_store_dir=store) == [
        ProductSales(PHONE, "DEVICE", units=2, revenue=Decimal("1348.00"), currency="EUR"),
        ProductSales(PLAN, "MOBILE_POSTPAID", units=1, revenue=Decimal("44.98"), currency="EUR"),
    ]
    assert [p.product_offering_id for p in top_products(event_store_dir=store, limit=1)] == [PHONE]


def test_sales_totals_over_the_whole_store(store: Path) -> None:
    assert sales_totals(event_store_dir=store) == SalesTotals(
        events=9,
        orders=4,
        activations=1,
        deactivations=1,
        revenue=Decimal("1392.98"),
        currency="EUR",
        first_event=datetime(2025, 1, 10, 10, 0, tzinfo=UTC),
        last_event=datetime(2025, 2, 28, 23, 59, 59, tzinfo=UTC),
    )


def test_sales_totals_for_a_range_with_no_events(store: Path) -> None:
    totals = sales_totals(event_store_dir=store, since=date(2030, 1, 1))
    assert totals == SalesTotals(0, 0, 0, 0, Decimal(0), None, None, None)


def test_an_empty_or_missing_store_gives_empty_results(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for directory in (tmp_path / "empty", tmp_path / "missing"):
        assert sales_by_channel_month(event_store_dir=directory) == []
        assert top_products(event_store_dir=directory) == []
        assert sales_totals(event_store_dir=directory) == SalesTotals(
            0, 0, 0, 0, Decimal(0), None, None, None
        )


def test_amounts_in_several_currencies_are_never_added_together(store: Path) -> None:
    with EventStoreWriter(store / "more") as writer:
        writer.write(_table(EVENTS[:1], currency="CHF"))
    rows = sales_by_channel_month(event_store_dir=store, until=date(2025, 2, 1))
    assert [(row.channel_id, row.revenue, row.currency) for row in rows] == [
        (RETAIL, Decimal("19.99"), "CHF"),
        (RETAIL, Decimal("918.99"), "EUR"),
        (ONLINE, Decimal("0"), "EUR"),
    ]
    with pytest.raises(RuleViolation) as error:
        sales_totals(event_store_dir=store)
    assert error.value.details[0].message == "CHF, EUR"


def test_invalid_ranges_and_limits_are_refused(store: Path) -> None:
    with pytest.raises(InvalidInput) as error:
        sales_totals(event_store_dir=store, since=date(2025, 2, 1), until=date(2025, 2, 1))
    assert error.value.details[0].location == "until"
    with pytest.raises(InvalidInput) as error:
        top_products(event_store_dir=store, limit=0)
    assert error.value.details[0].location == "limit"
