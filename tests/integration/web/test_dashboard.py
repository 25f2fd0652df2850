"""The home dashboard shows the figures the analytics compute, named from the store."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select

from salesdev.analytics.sales import sales_by_channel_month, sales_totals, top_products
from salesdev.db.models import ProductOffering, SalesChannel
from salesdev.demo import DemoSummary
from salesdev.runtime import Runtime
from salesdev.web.format import format_amount, format_count
from tests.integration.web.pages import main_text

# The test clock reads 2026-10-15: the window is November 2025 to October 2026.
SINCE, UNTIL = date(2025, 11, 1), date(2026, 11, 1)


def test_dashboard_totals_equal_the_analytics(
    tiny_demo: DemoSummary, console: TestClient, runtime: Runtime
) -> None:
    store = runtime.settings.event_store_dir
    totals = sales_totals(event_store_dir=store, since=SINCE, until=UNTIL)
    assert totals.events > 0  # the fixture has sales in the window

    page = main_text(console.get("/").text)

    assert "Last 12 months: November 2025 to October 2026 (UTC)" in page
    assert f"Revenue {format_amount(totals.revenue)} {totals.currency}" in page
    assert f"Orders {format_count(totals.orders)}" in page
    assert f"Activations {format_count(totals.activations)}" in page
    assert f"Churn {format_count(totals.deactivations)}" in page
    assert f"Sales events {format_count(totals.events)}" in page


def test_sales_by_channel_names_each_channel_with_its_totals(
    tiny_demo: DemoSummary, console: TestClient, runtime: Runtime
) -> None:
    rows = sales_by_channel_month(
        event_store_dir=runtime.settings.event_store_dir, since=SINCE, until=UNTIL
    )
    with runtime.session_factory() as s:
        names = {id_: name for id_, name in s.execute(select(SalesChannel.id, SalesChannel.name))}
    expected = {}
    for r in rows:
        orders, activations, revenue = expected.get(r.channel_id, (0, 0, 0))
        expected[r.channel_id] = (
            orders + r.orders,
            activations + r.activations,
            revenue + r.revenue,
        )

    html = console.get("/").text
    page = main_text(html)

    assert '<svg class="chart-svg"' in html and 'role="img"' in html
    assert "Revenue by sales channel and month" in page
    for channel_id, (orders, activations, revenue) in expected.items():
        assert (
            f"{names[channel_id]} {format_count(orders)} {format_count(activations)} "
            f"{format_amount(revenue)}"
        ) in page


def test_top_products_are_named_from_the_catalogue(
    tiny_demo: DemoSummary, console: TestClient, runtime: Runtime
) -> None:
    products = top_products(
        event_store_dir=runtime.settings.event_store_dir, since=SINCE, until=UNTIL, limit=10
    )
    with runtime.session_factory() as s:
        names = {
            id_: name for id_, name in s.execute(select(ProductOffering.id, ProductOffering.name))
        }

    page = main_text(console.get("/").text)

    assert len(products) == 10
    for p in products:
        assert (
            f"{names[p.product_offering_id]} {p.product_family_code} {format_count(p.units)} "
            f"{format_amount(p.revenue)}"
        ) in page


def test_reference_counts_are_shown(
    tiny_demo: DemoSummary, console: TestClient, runtime: Runtime
) -> None:
    html = console.get("/").text

    with runtime.session_factory() as s:
        channels = len(s.scalars(select(SalesChannel.id)).all())
    assert f'data-count="sales_channel">{channels}</p>' in html
    assert f'data-count="customer">{format_count(300)}</p>' in html


def test_without_events_the_dashboard_says_how_to_load_the_demo(console: TestClient) -> None:
    page = main_text(console.get("/").text)

    assert "There are no sales events yet." in page
    assert "salesdev demo load" in page
    assert "Regions 0" in page
