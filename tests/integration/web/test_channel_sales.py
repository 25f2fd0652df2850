""" "Which channels drive the orders": per-channel orders, activations, revenue and shares
over a chosen period, from the event store, in exact decimals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa
from fastapi import FastAPI

from salesdev.analytics.events import EVENT_SCHEMA, EventStoreWriter
from salesdev.runtime import Runtime
from tests.integration.web.channel_world import build_world
from tests.integration.web.conftest import ConsoleClient, log_in, make_user
from tests.integration.web.pages import field_errors, main_text, table_rows

OFFERING = str(uuid.UUID(int=1))


def _write(runtime: Runtime, events: list[tuple[str, datetime, uuid.UUID, str]]) -> None:
    n = len(events)
    table = pa.table(
        {
            "event_id": [f"EV{i:08d}" for i in range(n)],
            "event_type": [e[0] for e in events],
            "event_time": [e[1] for e in events],
            "line_id": ["LN1"] * n, "order_id": [None] * n, "customer_id": ["C1"] * n,
            "premise_id": [None] * n, "product_offering_id": [OFFERING] * n,
            "product_family_code": ["FIBRE"] * n, "channel_id": [str(e[2]) for e in events],
            "outlet_id": [None] * n, "partner_id": [None] * n, "sales_person_id": [None] * n,
            "region_code": ["AT-9"] * n, "quantity": [1] * n,
            "amount": [Decimal(e[3]) for e in events], "currency": ["EUR"] * n,
        },
        schema=EVENT_SCHEMA,
    )  # fmt: skip
    with EventStoreWriter(runtime.settings.event_store_dir) as writer:
        writer.write(table)


def _day(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=UTC)


def test_each_channel_with_its_figures_and_shares_over_the_period(
    console: ConsoleClient, runtime: Runtime
) -> None:
    world = build_world(runtime, authorise=False)
    dealers, online = world.channel, world.other_channel
    _write(runtime, [
        ("order", _day(3, 1), dealers, "49.00"), ("order", _day(3, 2), dealers, "0.00"),
        ("activation", _day(3, 3), dealers, "39.99"), ("recurring_charge", _day(4, 1), dealers, "39.99"),
        ("order", _day(3, 5), online, "99.90"), ("cancellation", _day(3, 6), online, "-99.90"),
        ("order", _day(5, 1), online, "10.00"),  # after the period
    ])  # fmt: skip

    page = console.get("/channels/sales", params={"since": "2026-03-01", "until": "2026-05-01"})

    assert page.status_code == 200
    assert table_rows(page.text.split("channel-sales-caption")[-1]) == [
        ["Channel DEALERS", "2", "66.7 %", "1", "88.99", "100.0 %"],
        ["Channel ONLINE", "1", "33.3 %", "0", "0.00", "0.0 %"],
    ]
    body = main_text(page.text)
    assert "All channels 3 100.0 % 1 88.99 100.0 %" in body
    assert "Revenue 88.99 EUR" in body
    assert 'role="img"' in page.text and "Orders by sales channel" in body


def test_a_wrong_period_is_shown_next_to_its_field(
    console: ConsoleClient, runtime: Runtime
) -> None:
    bad = console.get("/channels/sales", params={"since": "2026-05-01", "until": "2026-03-01"})
    typo = console.get("/channels/sales", params={"since": "May"})

    assert bad.status_code == 400
    assert field_errors(bad.text, "period-until") == ["must be after the first day"]
    assert field_errors(typo.text, "period-since") == ["expected a date as YYYY-MM-DD, got 'May'"]


def test_without_events_it_says_so_and_a_scoped_user_sees_no_company_figures(
    app: FastAPI, console: ConsoleClient, runtime: Runtime
) -> None:
    world = build_world(runtime, authorise=False)
    make_user(runtime, "pat", ["partner_user"], partner_id=world.acme)
    pat = ConsoleClient(app)
    assert log_in(pat, "pat").status_code == 303

    empty = main_text(console.get("/channels/sales").text)
    scoped = main_text(pat.get("/channels/sales").text)

    assert "No sales events from 2025-11-01 to 2026-11-01 (excluded)." in empty
    assert "Company-wide sales figures are shown to the roles" in scoped
