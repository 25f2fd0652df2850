"""Browser journey: a sales rep sells to a customer on one screen ("Sell to this customer")."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from salesdev.analytics.pricing_simulation import simulate_version
from salesdev.db.models import Customer, Premise, ProductFamily, ProductOffering, SalesChannel
from salesdev.db.session import unit_of_work
from salesdev.demo import DemoSummary
from salesdev.domains.access import SYSTEM, Role
from salesdev.domains.catalog import list_prices
from salesdev.domains.eligibility import RuleInput, create_rule
from salesdev.domains.pricing import (
    EntryInput,
    PriceListInput,
    create_price_list,
    create_version,
    set_entries,
)
from salesdev.runtime import Runtime
from salesdev.web.format import format_amount
from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

CENT = Decimal("0.01")
NO_FIBRE = "Fibre is not available at this address (browser test)"


def test_a_rep_sees_ranked_priced_recommendations_and_why_not(
    live_server: str, runtime: Runtime, demo: DemoSummary, desktop: Page
) -> None:
    # Given a consumer customer whose only premise cannot take fibre, and an eligibility
    # rule that fibre needs fibre at the premise
    with unit_of_work(runtime.session_factory) as s:
        now = runtime.clock.now()
        customer, premise = s.execute(
            select(Customer, Premise)
            .join(Premise, Premise.customer_id == Customer.id)
            .where(Customer.segment == "consumer", Customer.kind == "customer",
                   Premise.technologies.not_like("%fibre%"), Premise.technologies.like("%dsl%"))
            .order_by(Customer.code)
            .limit(1)
        ).one()  # fmt: skip
        premises = s.scalars(select(Premise.id).where(Premise.customer_id == customer.id)).all()
        assert len(premises) == 1
        fibre = s.scalar(select(ProductFamily.id).where(ProductFamily.code == "FIBRE"))
        create_rule(
            s,
            principal=SYSTEM,
            rule=RuleInput(
                code="E2E-FIBRE-TECH",
                name="Fibre needs fibre at the premise (browser test)",
                kind="premise",
                applies_to="family",
                condition={"attribute": "premise.technologies", "op": "contains", "value": "fibre"},
                reason_code="E2E_NO_FIBRE",
                label=NO_FIBRE,
                valid_from=now - timedelta(days=1),
                product_family_id=fibre,
            ),
            now=now,
        )
        code, name, address = customer.code, customer.name, premise.address

    page = desktop
    # When the rep signs in, opens "Sell to this customer" and finds the customer by code
    log_in(page, live_server, demo, Role.SALES_REP)
    page.get_by_role("link", name="Sell to this customer").first.click()
    expect(page.get_by_role("heading", name="Sell to this customer")).to_be_visible()
    page.get_by_label("Customer code or name").fill(code)
    page.get_by_role("button", name="Find customer").click()

    # Then one screen shows the customer's facts with their premise, their own channel chosen
    expect(page.get_by_role("heading", name=f"{name} {code}")).to_be_visible()
    expect(page.locator('[data-fact="premise"]')).to_contain_text(address)
    expect(page.get_by_label("Sales channel")).not_to_have_value("")
    # ... ranked recommendations, each priced and with its reason
    rows = page.locator("tr.recommendation")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 3
    first = rows.first
    expect(first.locator('[data-price="recurring"]')).to_contain_text("EUR")
    expect(first.locator("ul.reasons li").first).not_to_be_empty()
    # ... and the offerings not available, each with why
    unavailable = page.locator("tr.unavailable-offering")
    expect(unavailable.first).to_be_visible()
    expect(unavailable.filter(has_text=NO_FIBRE).first).to_contain_text("E2E_NO_FIBRE")
    screenshot(page, "guided-selling-desktop")


def test_a_channel_manager_edits_a_recommendation_rule(
    live_server: str, demo: DemoSummary, desktop: Page
) -> None:
    page = desktop
    log_in(page, live_server, demo, Role.CHANNEL_MANAGER, next_path="/selling/rules")
    rule = page.locator('tr[data-rule="Senior plan for 65 and over"]')
    expect(rule).to_contain_text("age band is 65+")
    rule.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_label("Weight")).to_have_value("60")
    page.get_by_label("Weight").fill("75")
    screenshot(page, "recommendation-rule-form")
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator(".flash")).to_contain_text(
        "Recommendation rule Senior plan for 65 and over saved."
    )
    expect(page.locator('tr[data-rule="Senior plan for 65 and over"]')).to_contain_text("75.00")


def test_a_product_manager_simulates_a_price_change(
    live_server: str, runtime: Runtime, demo: DemoSummary, desktop: Page
) -> None:
    # Given a draft version for own retail stores raising every monthly charge by 10 %
    with unit_of_work(runtime.session_factory) as s:
        now = runtime.clock.now()
        retail = s.scalar(select(SalesChannel).where(SalesChannel.code == "RETAIL"))
        assert retail is not None
        offerings = list(s.scalars(select(ProductOffering).order_by(ProductOffering.code)))
        prices = list_prices(s, offering_ids=[o.id for o in offerings], at=now)
        price_list = create_price_list(
            s,
            principal=SYSTEM,
            values=PriceListInput(name="Retail 2027", channel_id=retail.id, currency="EUR"),
            now=now,
        )
        version = create_version(
            s, principal=SYSTEM, price_list_id=price_list.id, valid_from=now + timedelta(days=60),
            now=now,
        )  # fmt: skip
        entries = [
            EntryInput(o.code, recurring=(p.recurring.amount * Decimal("1.1")).quantize(CENT),
                       unit_cost=(p.recurring.amount * Decimal("0.4")).quantize(CENT))
            for o in offerings
            if (p := prices[o.id]).recurring is not None and p.recurring.amount > 0
        ]  # fmt: skip
        set_entries(s, principal=SYSTEM, version_id=version.id, entries=entries, now=now)
        expected = simulate_version(
            s,
            principal=SYSTEM,
            version_id=version.id,
            months=6,
            now=now,
            event_store_dir=runtime.settings.event_store_dir,
        ).totals
    assert expected.events > 0

    page = desktop
    log_in(page, live_server, demo, Role.PRODUCT_MANAGER, next_path="/pricing/simulation")
    page.get_by_label("Price-list version").select_option(label="Retail 2027 v1 (draft)")
    page.get_by_label("Months of sales").fill("6")
    page.get_by_role("button", name="Simulate").click()
    expect(page.locator('[data-figure="revenue-delta"]')).to_have_text(
        format_amount(expected.revenue_delta)
    )
    expect(page.locator('[data-figure="margin-delta"]')).to_have_text(
        format_amount(expected.margin_delta)
    )
    expect(page.locator("table.simulation tbody tr").first).to_be_visible()
    expect(page.locator("svg").first).to_be_visible()
    screenshot(page, "price-simulation")
