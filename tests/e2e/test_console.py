"""Browser journeys through the console over the small demo."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from salesdev.analytics.sales import sales_totals
from salesdev.runtime import Runtime
from salesdev.web.dashboard import window_ending
from salesdev.web.format import format_amount, format_count
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser


def _codes(page: Page) -> list[str]:
    return page.locator("table.data-table tbody th[scope=row]").all_inner_texts()


def test_dashboard_shows_real_figures_and_charts(
    live_server: str, runtime: Runtime, desktop: Page, mobile: Page
) -> None:
    since, until = window_ending(runtime.clock.now())
    totals = sales_totals(
        event_store_dir=runtime.settings.event_store_dir, since=since, until=until
    )
    assert totals.events > 0

    for page, name in ((desktop, "desktop"), (mobile, "mobile")):
        page.goto(live_server + "/")

        expect(page.locator("[data-figure=revenue]")).to_have_text(
            f"{format_amount(totals.revenue)} {totals.currency}"
        )
        expect(page.locator("[data-figure=orders]")).to_have_text(format_count(totals.orders))
        expect(page.locator("[data-figure=churn]")).to_have_text(format_count(totals.deactivations))
        chart = page.get_by_role("img", name="Revenue by sales channel and month")
        expect(chart).to_be_visible()
        assert chart.locator("rect").count() > 12
        screenshot(page, f"dashboard-{name}")
        chart.scroll_into_view_if_needed()
        screenshot(page, f"dashboard-{name}-chart", full_page=False)


def test_partners_list_filters_and_sorts(live_server: str, desktop: Page) -> None:
    page = desktop
    page.goto(live_server + "/partners")
    expect(page.get_by_role("heading", name="Partners", exact=True)).to_be_visible()

    page.get_by_label("Tier").select_option("gold")
    page.get_by_label("Partner type").select_option("franchisee")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"tier=gold"))
    filtered = _codes(page)
    assert filtered and filtered == sorted(filtered)
    tiers = page.locator("table.data-table tbody tr td:nth-child(4)").all_inner_texts()
    assert set(tiers) == {"Gold"}

    page.get_by_role("link", name=re.compile(r"^Name")).click()
    page.wait_for_url(re.compile(r"sort=name"))
    names = page.locator("table.data-table tbody td.col-name").all_inner_texts()
    assert sorted(_codes(page)) == filtered  # the same rows, now ordered by name
    assert names == sorted(names, key=str.casefold) or names == sorted(names)
    expect(page.locator("th[aria-sort=ascending]")).to_have_text(re.compile("Name"))
    screenshot(page, "partners-desktop")


def test_mobile_navigation_folds_behind_the_menu_button(live_server: str, mobile: Page) -> None:
    page = mobile
    page.goto(live_server + "/partners")
    nav_link = page.locator("#site-nav").get_by_role("link", name="Sales channels")
    expect(nav_link).to_be_hidden()

    page.get_by_role("button", name="Menu").click()

    expect(nav_link).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
    screenshot(page, "navigation-mobile")
    page.goto(live_server + "/partners/new")
    screenshot(page, "partner-form-mobile")
