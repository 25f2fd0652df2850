"""Browser journeys through the console over the small demo."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from salesdev.analytics.sales import sales_totals
from salesdev.db.models import Partner, User
from salesdev.demo import DemoSummary
from salesdev.domains.access import Role
from salesdev.runtime import Runtime
from salesdev.web.dashboard import window_ending
from salesdev.web.format import format_amount, format_count
from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def _codes(page: Page) -> list[str]:
    return page.locator("table.data-table tbody th[scope=row]").all_inner_texts()


def test_dashboard_shows_real_figures_and_charts(
    live_server: str, runtime: Runtime, demo: DemoSummary, desktop: Page, mobile: Page
) -> None:
    since, until = window_ending(runtime.clock.now())
    totals = sales_totals(
        event_store_dir=runtime.settings.event_store_dir, since=since, until=until
    )
    assert totals.events > 0

    for page, name in ((desktop, "desktop"), (mobile, "mobile")):
        log_in(page, live_server, demo, Role.CHANNEL_MANAGER)
        expect(page.locator(".user-roles")).to_have_text("Channel manager")

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


def test_partners_list_filters_and_sorts(
    live_server: str, demo: DemoSummary, desktop: Page
) -> None:
    page = desktop
    log_in(page, live_server, demo, Role.CHANNEL_MANAGER, next_path="/partners")
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


def test_mobile_navigation_folds_behind_the_menu_button(
    live_server: str, demo: DemoSummary, mobile: Page
) -> None:
    page = mobile
    log_in(page, live_server, demo, Role.CHANNEL_MANAGER, next_path="/partners")
    nav_link = page.locator("#site-nav").get_by_role("link", name="Sales channels")
    expect(nav_link).to_be_hidden()

    page.get_by_role("button", name="Menu").click()

    expect(nav_link).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
    screenshot(page, "navigation-mobile")
    page.goto(live_server + "/partners/new")
    screenshot(page, "partner-form-mobile")


def test_login_page_then_back_to_the_page_asked_for(
    live_server: str, demo: DemoSummary, desktop: Page, mobile: Page
) -> None:
    for page, name in ((desktop, "desktop"), (mobile, "mobile")):
        page.goto(live_server + "/sales-channels")
        expect(page).to_have_url(re.compile(r"/login\?next=%2Fsales-channels$"))
        expect(page.get_by_role("heading", name="Log in to salesdev")).to_be_visible()
        screenshot(page, f"login-{name}")

    page = desktop
    page.get_by_label("Login").fill("channels")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid login or password.")
    screenshot(page, "login-failed-desktop")
    log_in(page, live_server, demo, Role.CHANNEL_MANAGER, next_path="/sales-channels")
    expect(page).to_have_url(live_server + "/sales-channels")


def test_a_partner_user_sees_only_its_dealer_tree(
    live_server: str, runtime: Runtime, demo: DemoSummary, desktop: Page
) -> None:
    partner_login = next(x for x in demo.logins if x.role == Role.PARTNER_USER)
    with runtime.session_factory() as s:
        user = s.scalars(select(User).where(User.login == partner_login.login)).one()
        partners = list(s.scalars(select(Partner)))
    tree = {user.partner_id}
    while below := {p.id for p in partners if p.parent_id in tree} - tree:
        tree |= below
    mine = sorted(p.code for p in partners if p.id in tree)
    assert 1 < len(mine) < len(partners)

    page = desktop
    log_in(page, live_server, demo, Role.PARTNER_USER, next_path="/partners?limit=200")

    assert _codes(page) == mine
    nav = page.locator("#site-nav")
    expect(nav.get_by_role("link", name="Administration")).to_have_count(0)
    expect(page.get_by_role("link", name="New partner")).to_have_count(0)
    screenshot(page, "partners-partner-user")


def test_audit_viewer_shows_changes_and_verifies_the_chain(
    live_server: str, demo: DemoSummary, desktop: Page
) -> None:
    page = desktop
    log_in(page, live_server, demo, Role.ADMIN, next_path="/regions")
    page.get_by_role("link", name=re.compile("^Regions")).first.click()
    first_region = page.locator("table.data-table tbody th[scope=row] a").first
    first_region.click()
    page.get_by_role("link", name="Edit", exact=True).click()
    name = page.get_by_label("Name")
    name.fill(name.input_value() + " (renamed)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("saved")

    page.goto(live_server + "/admin/audit")
    first = page.locator("table.audit-table tbody tr").first
    expect(first).to_contain_text("update")
    expect(first.locator("ins")).to_contain_text("(renamed)")
    page.get_by_role("button", name="Verify the chain").click()
    expect(page.locator("#verification")).to_contain_text("The chain is intact")
    screenshot(page, "audit-viewer-desktop", full_page=False)
