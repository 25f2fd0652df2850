"""Catalogue pages: an offering's full TMF620 view with its prices, terms and bundle
components; adding and ending prices and adding components, each refusal shown next to its
field with nothing changed; read-only for a sales rep; catalogs and specifications."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from salesdev.db.models import ProductOffering, ProductOfferingBundleItem, ProductOfferingPrice
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.reference import create_entity
from salesdev.runtime import Runtime
from tests.integration.web.catalogue_world import Catalogue, build_catalogue
from tests.integration.web.conftest import ConsoleClient, log_in, make_user
from tests.integration.web.pages import field_errors, main_text, text

CSRF_PAGE = "This form has expired or did not come from this site, so nothing was changed."


def _table(html: str, table_id: str) -> list[list[str]]:
    match = re.search(rf'<table [^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert match, f"no table {table_id}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(1), re.S)
    return [[text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]


def _prices(runtime: Runtime, offering: uuid.UUID) -> list[tuple[Any, ...]]:
    p = ProductOfferingPrice
    with runtime.session_factory() as s:
        return [tuple(r) for r in s.execute(
            select(p.name, p.price_type, p.amount, p.valid_from, p.valid_to, p.version)
            .where(p.product_offering_id == offering).order_by(p.valid_from, p.name))]  # fmt: skip


def _components(runtime: Runtime, bundle: uuid.UUID) -> list[tuple[Any, ...]]:
    item = ProductOfferingBundleItem
    with runtime.session_factory() as s:
        version = s.get(ProductOffering, bundle).version  # type: ignore[union-attr]
        rows = s.execute(select(item.component_id, item.number_lower_limit, item.number_default,
                                item.number_upper_limit).where(item.bundle_id == bundle)
                         .order_by(item.position))  # fmt: skip
        return [version, *(tuple(r) for r in rows)]


@pytest.fixture
def world(runtime: Runtime) -> Catalogue:
    return build_catalogue(runtime)


def test_the_offering_page_shows_its_tmf620_attributes_prices_and_terms(
    console: ConsoleClient, world: Catalogue
) -> None:
    page = console.get(f"/product-offerings/{world.offerings['FIBRE-1G']}")

    assert page.status_code == 200
    summary = main_text(page.text)
    for shown in ("Lifecycle status Active", "Valid from 2026-01-01 00:00 UTC no end",
                  "Kind Single offering · Sellable", "Product specification Fibre access SPEC-FIBRE",
                  "Categories Consumer / Fibre", "Sales channels Channel DEALERS (DEALERS)",
                  "Market segments Consumer", "Component of Offering DUO (DUO)"):  # fmt: skip
        assert shown in summary, shown
    assert _table(page.text, "terms-table") == [
        ["24-month commitment", "24 months", "always", ""],
    ]
    assert _table(page.text, "prices-table") == [
        ["Installation In force", "One-time", "—", "19.00 EUR", "2026-01-01 00:00 UTC", "no end",
         "Active", "End price Installation from 2026-01-01 00:00 UTC"],
        ["Monthly", "Recurring", "every month", "49.99 EUR", "2026-01-01 00:00 UTC",
         "2026-03-01 00:00 UTC", "Active", ""],
        ["Monthly 2026 In force", "Recurring", "every month", "54.99 EUR", "2026-03-01 00:00 UTC",
         "no end", "Active", "End price Monthly 2026 from 2026-03-01 00:00 UTC"],
    ]  # fmt: skip
    assert 'id="add-price"' in page.text
    assert 'id="components-table"' not in page.text  # not a bundle


def test_a_bundle_page_shows_its_components_with_option_limits(
    console: ConsoleClient, world: Catalogue
) -> None:
    page = console.get(f"/product-offerings/{world.offerings['DUO']}")

    assert "Kind Bundle of 2 · Sellable" in main_text(page.text)
    assert _table(page.text, "components-table") == [
        ["Offering FIBRE-1G FIBRE-1G", "Single", "1", "1", "1"],
        ["Offering MOB-10 MOB-10", "Single", "0", "1", "4"],
    ]
    assert _table(page.text, "prices-table")[0][:4] == [
        "Monthly In force", "Recurring", "every month", "19.99 EUR",
    ]  # fmt: skip
    assert 'id="add-component"' in page.text


def test_a_price_is_added_with_its_exact_amount(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    offering = world.offerings["MOB-10"]

    response = console.post(f"/product-offerings/{offering}/prices", follow_redirects=False, data={
        "name": "Data", "price_type": "usage", "amount": "2.05", "currency": "EUR",
        "unit_amount": "1", "units": "GB", "valid_from": "2026-11-01",
        "lifecycle_status": "Active"})  # fmt: skip

    assert response.status_code == 303
    assert response.headers["location"] == f"/product-offerings/{offering}#prices"
    assert _prices(runtime, offering)[-1] == (
        "Data", "usage", Decimal("2.05"), datetime(2026, 11, 1, tzinfo=UTC), None, 1,
    )  # fmt: skip
    rows = _table(console.get(response.headers["location"]).text, "prices-table")
    assert rows[-1][:6] == ["Data", "Usage", "per 1 GB", "2.05 EUR", "2026-11-01 00:00 UTC",
                            "no end"]  # fmt: skip


def test_a_price_overlapping_another_of_its_kind_is_refused_next_to_its_start(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    offering = world.offerings["FIBRE-1G"]
    before = _prices(runtime, offering)

    response = console.post(f"/product-offerings/{offering}/prices", data={
        "name": "Monthly 2027", "price_type": "recurring", "amount": "59.99", "currency": "EUR",
        "period_type": "month", "period_length": "1", "valid_from": "2026-06-01",
        "lifecycle_status": "Active"})  # fmt: skip

    assert response.status_code == 422
    errors = field_errors(response.text, "price-valid-from")
    assert len(errors) == 1 and errors[0].startswith("price 'Monthly 2026' (")
    assert errors[0].endswith("is valid from 2026-03-01T00:00:00Z to no end")
    assert "Not saved. The period overlaps another recurring price (every month) of the offering" \
        in main_text(response.text)  # fmt: skip
    # What was typed is kept for a correction.
    assert 'id="price-amount" name="amount" value="59.99"' in response.text
    assert _prices(runtime, offering) == before


def test_a_price_with_wrong_fields_names_each_next_to_it(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    offering = world.offerings["MOB-10"]
    before = _prices(runtime, offering)

    response = console.post(f"/product-offerings/{offering}/prices", data={
        "name": "", "price_type": "discount", "amount": "", "percentage": "150",
        "valid_from": "2026-11-01", "valid_to": "2026-10-01"})  # fmt: skip

    assert response.status_code == 400
    assert field_errors(response.text, "price-name") == ["is required"]
    assert field_errors(response.text, "price-percentage") == [
        "must be more than 0 and at most 100; got 150"
    ]
    assert field_errors(response.text, "price-valid-to") == ["must be after startDateTime"]
    assert _prices(runtime, offering) == before


def test_ending_a_price_sets_its_validity_end_and_keeps_the_rest(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    offering = world.offerings["FIBRE-1G"]
    current = _prices(runtime, offering)[2]
    with runtime.session_factory() as s:
        price_id = s.scalars(select(ProductOfferingPrice.id)
                             .where(ProductOfferingPrice.name == "Monthly 2026")).one()  # fmt: skip
    url = f"/product-offerings/{offering}/prices/{price_id}/end"
    assert 'value="2026-10-16"' in console.get(url).text  # tomorrow, proposed

    response = console.post(url, data={"valid_to": "2027-01-01", "version": "1"},
                            follow_redirects=False)  # fmt: skip

    assert response.status_code == 303
    assert _prices(runtime, offering)[2] == (
        *current[:4], datetime(2027, 1, 1, tzinfo=UTC), 2,
    )  # fmt: skip
    assert len(_prices(runtime, offering)) == 3  # nothing added, nothing removed


def test_a_price_cannot_be_ended_in_the_past(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    offering = world.offerings["MOB-10"]
    before = _prices(runtime, offering)
    with runtime.session_factory() as s:
        price_id = s.scalars(select(ProductOfferingPrice.id)
                             .where(ProductOfferingPrice.product_offering_id == offering)).one()  # fmt: skip

    response = console.post(f"/product-offerings/{offering}/prices/{price_id}/end",
                            data={"valid_to": "2026-06-01", "version": "1"})  # fmt: skip

    assert response.status_code == 400
    assert field_errors(response.text, "f-valid_to") == [
        "cannot be in the past: price history is never rewritten"
    ]
    assert _prices(runtime, offering) == before


def test_a_component_is_added_with_its_option_limits(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    duo = world.offerings["DUO"]

    response = console.post(f"/product-offerings/{world.offerings['OUTER']}/components",
                            follow_redirects=False,
                            data={"component": "MOB-10", "lower": "0", "default": "0",
                                  "upper": "2", "version": "1"})  # fmt: skip

    assert response.status_code == 303
    assert _components(runtime, world.offerings["OUTER"]) == [
        2, (duo, 1, 1, 1), (world.offerings["MOB-10"], 0, 0, 2),
    ]  # fmt: skip


def test_a_component_that_would_make_a_cycle_is_refused_next_to_it(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    duo = world.offerings["DUO"]
    before = _components(runtime, duo)

    response = console.post(f"/product-offerings/{duo}/components",
                            data={"component": "OUTER", "lower": "1", "default": "1",
                                  "upper": "1", "version": "1"})  # fmt: skip

    assert response.status_code == 422
    assert field_errors(response.text, "component-code") == [
        "would create a cycle: DUO -> OUTER -> DUO"
    ]
    assert "Not saved. Product offering 'DUO' would contain itself" in main_text(response.text)
    assert _components(runtime, duo) == before


def test_inconsistent_option_limits_are_refused_next_to_them(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    outer = world.offerings["OUTER"]
    before = _components(runtime, outer)

    response = console.post(f"/product-offerings/{outer}/components",
                            data={"component": "MOB-10", "lower": "2", "default": "1",
                                  "upper": "3", "version": "1"})  # fmt: skip

    assert response.status_code == 400
    assert field_errors(response.text, "component-limits") == [
        "the limits must satisfy lower <= default <= upper; got lower 2, default 1, upper 3"
    ]
    assert _components(runtime, outer) == before


def test_a_sales_rep_reads_the_offering_without_write_controls_and_is_refused_writes(
    app: FastAPI, runtime: Runtime, world: Catalogue
) -> None:
    with unit_of_work(runtime.session_factory) as s:
        rita = create_entity(s, principal=SYSTEM, kind="sales_person", now=runtime.clock.now(),
                             values={"code": "RITA", "name": "Rita", "role": "rep"})  # fmt: skip
        rita_id = rita.id
    make_user(runtime, "rita", ["sales_rep"], sales_person_id=rita_id)
    rep = ConsoleClient(app)
    assert log_in(rep, "rita").status_code == 303
    duo, fibre = world.offerings["DUO"], world.offerings["FIBRE-1G"]
    before = (_prices(runtime, fibre), _components(runtime, duo))

    page = rep.get(f"/product-offerings/{fibre}")
    bundle = rep.get(f"/product-offerings/{duo}")

    assert page.status_code == 200 and "54.99 EUR" in page.text
    for html in (page.text, bundle.text):
        assert 'id="add-price"' not in html and 'id="add-component"' not in html
        assert "/end" not in html and "/edit" not in html
    with runtime.session_factory() as s:
        price_id = s.scalars(select(ProductOfferingPrice.id)
                             .where(ProductOfferingPrice.name == "Installation")).one()  # fmt: skip
    for url, data in ((f"/product-offerings/{fibre}/prices",
                       {"name": "X", "price_type": "oneTime", "amount": "1", "currency": "EUR",
                        "valid_from": "2027-01-01"}),
                      (f"/product-offerings/{fibre}/prices/{price_id}/end",
                       {"valid_to": "2027-01-01", "version": "1"}),
                      (f"/product-offerings/{duo}/components",
                       {"component": "FIBRE-1G", "version": "1"})):  # fmt: skip
        response = rep.post(url, data=data)
        assert response.status_code == 403, url
        assert "Permission denied" in main_text(response.text)
    assert rep.get(f"/product-offerings/{fibre}/prices/{price_id}/end").status_code == 403
    assert (_prices(runtime, fibre), _components(runtime, duo)) == before


def test_catalogue_forms_without_the_session_token_are_refused_and_change_nothing(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    duo, fibre = world.offerings["DUO"], world.offerings["FIBRE-1G"]
    before = (_prices(runtime, fibre), _components(runtime, duo))
    with runtime.session_factory() as s:
        price_id = s.scalars(select(ProductOfferingPrice.id)
                             .where(ProductOfferingPrice.name == "Installation")).one()  # fmt: skip
    for url, data in ((f"/product-offerings/{fibre}/prices",
                       {"name": "X", "price_type": "oneTime", "amount": "1", "currency": "EUR",
                        "valid_from": "2027-01-01"}),
                      (f"/product-offerings/{fibre}/prices/{price_id}/end",
                       {"valid_to": "2027-01-01", "version": "1"}),
                      (f"/product-offerings/{duo}/components",
                       {"component": "FIBRE-1G", "version": "1"})):  # fmt: skip
        response = console.post(url, data=data, csrf=None)

        assert response.status_code == 403, url
        assert CSRF_PAGE in main_text(response.text)
    assert (_prices(runtime, fibre), _components(runtime, duo)) == before


def test_a_catalog_shows_its_category_tree_with_the_offerings_of_each(
    console: ConsoleClient, world: Catalogue
) -> None:
    listing = console.get("/catalogs")
    page = console.get(f"/catalogs/{world.catalog}")

    assert _table(listing.text, "catalogs-table") == [
        ["Consumer", "retail", "Active", "2026-01-01 00:00 UTC", "no end", "2"],
    ]
    nodes = re.findall(r'<li class="category-node depth-(\d)" id="category-([^"]+)"', page.text)
    assert nodes == [("0", str(world.broadband)), ("1", str(world.fibre_category))]
    shown = main_text(page.text)
    assert ("Broadband (2 offerings) Offering DUO DUO Bundle Active Offering MOB-10 MOB-10 Active "
            "↳ Subcategory: Fibre (1 offering) Offering FIBRE-1G FIBRE-1G Active") in shown  # fmt: skip


def test_a_specification_lists_its_characteristics_and_offerings(
    console: ConsoleClient, world: Catalogue
) -> None:
    listing = console.get("/product-specifications")
    page = console.get(f"/product-specifications/{world.specification}")

    assert _table(listing.text, "specifications-table") == [
        ["Fibre access", "SPEC-FIBRE", "", "Single", "Active", "1"],
    ]
    assert _table(page.text, "characteristics-table") == [["downloadSpeed", "", "1 Gbit/s", ""]]
    assert "Offerings built on it Offering FIBRE-1G FIBRE-1G Active" in main_text(page.text)


def test_the_catalogue_section_links_its_pages(console: ConsoleClient) -> None:
    nav = re.search(r'<nav id="site-nav".*?</nav>', console.get("/catalogue").text, re.S)

    assert nav is not None
    for href in ("/catalogs", "/product-families", "/product-offerings",
                 "/product-specifications"):  # fmt: skip
        assert f'<a href="{href}"' in nav.group(0)
