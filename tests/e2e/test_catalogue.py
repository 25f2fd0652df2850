"""Browser journey: a product manager finds a bundle through its catalog and reads its
components with their option limits and its prices, with the forms to change them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from salesdev.db.models import (
    Catalog,
    Category,
    ProductOffering,
    ProductOfferingBundleItem,
    category_offering,
)
from salesdev.db.session import unit_of_work
from salesdev.demo import DemoSummary
from salesdev.domains.access import SYSTEM, Role
from salesdev.domains.catalog import list_offering_prices
from salesdev.runtime import Runtime
from salesdev.web.format import format_amount
from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_a_product_manager_opens_a_bundle_and_sees_its_components_and_prices(
    live_server: str, runtime: Runtime, demo: DemoSummary, desktop: Page
) -> None:
    with unit_of_work(runtime.session_factory) as s:
        bundle = s.scalars(select(ProductOffering).where(ProductOffering.is_bundle.is_(True))
                           .order_by(ProductOffering.code).limit(1)).one()  # fmt: skip
        item = ProductOfferingBundleItem
        components = list(s.execute(
            select(ProductOffering.code, item.number_lower_limit, item.number_default,
                   item.number_upper_limit)
            .join(item, item.component_id == ProductOffering.id)
            .where(item.bundle_id == bundle.id).order_by(item.position)))  # fmt: skip
        prices = [f"{format_amount(p.amount)} {p.currency}"
                  for p in list_offering_prices(s, principal=SYSTEM, offering_id=bundle.id)]  # fmt: skip
        catalog = s.scalars(
            select(Catalog.name)
            .join(Category, Category.catalog_id == Catalog.id)
            .join(category_offering, category_offering.c.category_id == Category.id)
            .where(category_offering.c.product_offering_id == bundle.id)
            .order_by(Catalog.name)
            .limit(1)
        ).one()
        code, name = bundle.code, bundle.name
    assert components and prices

    page = desktop
    log_in(page, live_server, demo, Role.PRODUCT_MANAGER, next_path="/catalogue")
    page.locator("#site-nav").get_by_role("link", name="Catalogs").click()
    page.get_by_role("link", name=catalog, exact=True).click()
    page.locator("main").get_by_role("link", name=name, exact=True).first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    rows = page.locator("#components-table tbody tr")
    expect(rows).to_have_count(len(components))
    for index, (component, lower, default, upper) in enumerate(components):
        expect(rows.nth(index)).to_contain_text(component)
        cells = rows.nth(index).locator("td.num")
        expect(cells).to_have_text([str(lower), str(default), str(upper)])
    price_rows = page.locator("#prices-table tbody tr")
    expect(price_rows).to_have_count(len(prices))
    for amount in prices:
        expect(page.locator("#prices-table")).to_contain_text(amount)
    # A product manager may write: the forms are there.
    expect(page.get_by_role("button", name="Add price")).to_be_visible()
    expect(page.get_by_role("button", name="Add component")).to_be_visible()
    assert page.url.endswith(f"/product-offerings/{bundle.id}"), code
    screenshot(page, "catalogue-bundle-offering-desktop")
