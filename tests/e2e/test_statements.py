"""Browser journey: the demo rep opens their October 2026 statement, traces a line and
disputes it with a comment; the dispute is open."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from salesdev.core.clock import FixedClock
from salesdev.db.models import User
from salesdev.demo import DemoSummary
from salesdev.domains.access import Role
from salesdev.runtime import Runtime
from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def clock() -> FixedClock:
    """November 2026: the demo's last complete month, calculated by the demo, is October."""
    return FixedClock(datetime(2026, 11, 10, 9, 30, tzinfo=UTC))


def test_a_rep_opens_their_october_statement_and_raises_a_dispute(
    live_server: str, runtime: Runtime, demo: DemoSummary, desktop: Page
) -> None:
    page = desktop
    with runtime.session_factory() as session:
        rep = session.scalar(select(User).where(User.login == "rep"))
        assert rep is not None and rep.sales_person_id is not None
        statement = f"2026-10_{rep.sales_person_id}"

    log_in(page, live_server, demo, Role.SALES_REP, next_path="/compensation/statements")
    expect(page.get_by_role("heading", name="Compensation statements")).to_be_visible()
    # only their own statements are listed
    rows = page.locator("table.data-table tbody tr")
    assert rows.count() == 1
    page.get_by_role("link", name="2026-10").click()
    page.wait_for_url(re.compile(re.escape(statement) + "$"))
    expect(page.locator("h1")).to_contain_text("Statement 2026-10")
    expect(page.locator("#total-payable")).to_contain_text("EUR")
    screenshot(page, "statement-rep-desktop")
    # the earnings table fits a 1280 px wide screen: nothing to scroll sideways
    overflow = page.locator("#lines-caption").evaluate(
        "c => { const w = c.closest('.table-wrap'); return w.scrollWidth - w.clientWidth; }"
    )
    assert overflow <= 0

    # drill into the first line: rule trace and the events behind it
    page.get_by_role("link", name=re.compile(r"^Trace ")).first.click()
    expect(page.get_by_role("heading", name="Rule trace")).to_be_visible()
    expect(page.locator("#rule-trace")).to_contain_text("REPS-STD")
    expect(page.get_by_role("heading", name="Sales events behind the line")).to_be_visible()
    events = page.locator("table.data-table tbody tr")
    assert events.count() > 0
    screenshot(page, "statement-line-trace")

    # back to the statement, dispute the line
    page.get_by_role("link", name=re.compile("Back to the statement")).click()
    options = page.locator("#dispute-line option").all_inner_texts()
    assert len(options) >= 2
    page.locator("#dispute-line").select_option(index=1)
    page.locator("#dispute-subject").fill("My order ORD-4711 of 3 October is missing")
    page.get_by_role("button", name="Raise dispute").click()
    page.wait_for_url(re.compile(r"/compensation/disputes/[0-9a-f-]+$"))
    expect(page.locator("#dispute-status")).to_have_text("Open")

    page.locator("#comment-text").fill("The order was activated on 5 October.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator(".flash")).to_have_text("Comment added.")
    expect(page.locator("#dispute-history")).to_contain_text(
        "The order was activated on 5 October."
    )
    expect(page.locator("#dispute-status")).to_have_text("Open")
    screenshot(page, "dispute-open")

    # the dispute list shows it open
    page.goto(live_server + "/compensation/disputes?status=open")
    expect(page.locator("table.data-table")).to_contain_text("My order ORD-4711")
    screenshot(page, "disputes-list")
