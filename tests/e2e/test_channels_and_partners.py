"""Browser journeys: browsing a channel's catalogue, and moving a partner through on-boarding
with an approval by a second user."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import or_, select

from salesdev.core.money import Money
from salesdev.db.models import (
    ChannelAuthorisation,
    ProductOffering,
    ProductOfferingBundleItem,
    SalesChannel,
)
from salesdev.db.session import unit_of_work
from salesdev.demo import DemoSummary
from salesdev.domains.access import SYSTEM, Role
from salesdev.domains.catalog import ListPrices, list_prices
from salesdev.domains.reference import create_entity
from salesdev.runtime import Runtime
from salesdev.web.format import format_amount
from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

CHECKS = ("Company registration verified", "Credit check passed", "Sanctions screening clear",
          "Bank details verified")  # fmt: skip


def test_browse_a_channels_catalogue_with_a_bundle_and_its_prices(
    live_server: str, runtime: Runtime, demo: DemoSummary, desktop: Page
) -> None:
    with unit_of_work(runtime.session_factory) as s:
        now = runtime.clock.now()
        # A bundle the demo authorises channel-wide, and the first such channel by name.
        bundle, channel = s.execute(
            select(ProductOffering, SalesChannel)
            .join(ChannelAuthorisation, ChannelAuthorisation.product_offering_id == ProductOffering.id)
            .join(SalesChannel, SalesChannel.id == ChannelAuthorisation.channel_id)
            .where(ProductOffering.is_bundle.is_(True), ChannelAuthorisation.partner_id.is_(None),
                   ChannelAuthorisation.status == "active", ChannelAuthorisation.valid_from <= now,
                   or_(ChannelAuthorisation.valid_to.is_(None), ChannelAuthorisation.valid_to > now))
            .order_by(SalesChannel.name, ProductOffering.code).limit(1)).one()  # fmt: skip
        rows = list(s.execute(
            select(ProductOffering.id, ProductOffering.code, ProductOffering.currency)
            .join(ProductOfferingBundleItem, ProductOfferingBundleItem.component_id == ProductOffering.id)
            .where(ProductOfferingBundleItem.bundle_id == bundle.id)
            .order_by(ProductOfferingBundleItem.position, ProductOffering.code)))  # fmt: skip
        prices = list_prices(s, offering_ids=[bundle.id, *(r[0] for r in rows)], at=now)
        components = [(code, _monthly(prices[id_], currency)) for id_, code, currency in rows]
        expected = (bundle.code, _monthly(prices[bundle.id], bundle.currency),
                    f"{channel.name} ({channel.code})")  # fmt: skip
    assert components

    page = desktop
    log_in(page, live_server, demo, Role.CHANNEL_MANAGER, next_path="/channels")
    page.locator("#site-nav").get_by_role("link", name="Catalogue browsing").click()
    page.get_by_label("Sales channel").select_option(label=expected[2])
    page.get_by_role("button", name="Show offerings").click()

    row = page.locator(f'tr.offering-row[data-offering="{expected[0]}"]')
    expect(row).to_contain_text(expected[1])
    expect(row).to_contain_text(f"Bundle of {len(components)}")
    shown = page.locator(f'tr.component-row[data-component-of="{expected[0]}"]')
    expect(shown).to_have_count(len(components))
    for index, (code, monthly) in enumerate(components):
        expect(shown.nth(index)).to_contain_text(code)
        expect(shown.nth(index)).to_contain_text(monthly)
    screenshot(page, "catalogue-browsing-desktop")


def _monthly(prices: ListPrices, currency: str) -> str:
    """The monthly list price as the page shows it (zero where there is none)."""
    money = prices.recurring or Money.zero(currency)
    return f"{format_amount(money.amount)} {money.currency}"


def _log_in_new(
    browser: Browser, live_server: str, demo: DemoSummary, role: Role, path: str
) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, live_server, demo, role, next_path=path)
    return page


def test_a_partner_moves_through_on_boarding_with_a_second_users_approval(
    live_server: str, runtime: Runtime, demo: DemoSummary, browser: Browser, mobile: Page
) -> None:
    # Every demo partner already has its case: a new applicant comes in for this journey.
    with unit_of_work(runtime.session_factory) as s:
        channel = s.scalars(select(SalesChannel).order_by(SalesChannel.code).limit(1)).one()
        partner = create_entity(
            s,
            principal=SYSTEM,
            kind="partner",
            values={"code": "PA-NEW", "name": "Neuer Handel GmbH", "partner_type": "dealer",
                    "tier": "bronze", "channel_id": channel.id},
            now=runtime.clock.now(),
        )  # fmt: skip
    manager = _log_in_new(browser, live_server, demo, Role.CHANNEL_MANAGER, "/onboarding")

    manager.get_by_label("Partner").select_option(label=f"{partner.name} ({partner.code})")
    manager.get_by_label("Comment").fill("Applied at the trade fair")
    manager.get_by_role("button", name="Open case").click()
    expect(manager.locator("li[aria-current=step]")).to_contain_text("Application")
    manager.get_by_role("button", name="Move to due diligence").click()
    expect(manager.locator("li[aria-current=step]")).to_contain_text("Due diligence")
    for check in CHECKS:
        manager.get_by_label(f"Evidence for {check}").fill(f"Document for: {check}")
        manager.get_by_role("button", name=f"Check {check}").click()
        expect(manager.get_by_role("status").first).to_contain_text("Checklist item recorded.")
    manager.get_by_label("Comment").fill("All checks clear")
    manager.get_by_role("button", name="Request move to agreement negotiation").click()
    expect(manager.locator(".waiting")).to_contain_text("Waiting for approval by someone else")
    expect(manager.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    case_url = manager.url
    screenshot(manager, "onboarding-requested-desktop")

    admin = _log_in_new(browser, live_server, demo, Role.ADMIN, case_url.removeprefix(live_server))
    admin.get_by_label("Comment").first.fill("Agreed")
    admin.get_by_role("button", name="Approve the move to agreement negotiation").click()

    expect(admin.get_by_role("status").first).to_contain_text("Approved")
    expect(admin.locator("li[aria-current=step]")).to_contain_text("Agreement negotiation")
    expect(admin.locator("li.step-done")).to_have_count(2)
    history = admin.locator("table.history tbody tr")
    # Opened, moved to due diligence, requested, approved (checks are on the checklist).
    expect(history).to_have_count(4)
    expect(history.nth(3)).to_contain_text("Agreed")
    screenshot(admin, "onboarding-approved-desktop")

    log_in(
        mobile,
        live_server,
        demo,
        Role.CHANNEL_MANAGER,
        next_path=case_url.removeprefix(live_server),
    )
    expect(mobile.locator("li[aria-current=step]")).to_contain_text("Agreement negotiation")
    screenshot(mobile, "onboarding-case-mobile")
