"""Catalogue writers create and edit catalogs, categories and product specifications in the
console: exact stored values, each refusal next to its field with nothing changed, a stale
version refused, and a sales rep offered no button and refused every write."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from salesdev.db.models import Catalog, Category, ProductSpecification
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.reference import create_entity
from salesdev.runtime import Runtime
from tests.integration.web.catalogue_world import Catalogue, build_catalogue
from tests.integration.web.conftest import ConsoleClient, log_in, make_user
from tests.integration.web.pages import field_errors

pytestmark = pytest.mark.storage

JAN = datetime(2026, 1, 1, tzinfo=UTC)
T0 = datetime(2026, 10, 15, 9, 30, tzinfo=UTC)


@pytest.fixture
def world(runtime: Runtime) -> Catalogue:
    return build_catalogue(runtime)


def _catalogs(runtime: Runtime) -> list[tuple[Any, ...]]:
    c = Catalog
    with runtime.session_factory() as s:
        return [tuple(r) for r in s.execute(
            select(c.name, c.description, c.catalog_type, c.lifecycle_status, c.valid_from,
                   c.valid_to, c.version).order_by(c.name))]  # fmt: skip


def _categories(runtime: Runtime) -> list[tuple[Any, ...]]:
    c = Category
    with runtime.session_factory() as s:
        return [tuple(r) for r in s.execute(
            select(c.name, c.description, c.parent_id, c.catalog_id, c.version)
            .order_by(c.name))]  # fmt: skip


def _specifications(runtime: Runtime) -> list[tuple[Any, ...]]:
    p = ProductSpecification
    with runtime.session_factory() as s:
        return [tuple(r) for r in s.execute(
            select(p.name, p.brand, p.product_number, p.description, p.lifecycle_status,
                   p.characteristics, p.version).order_by(p.product_number))]  # fmt: skip


def _when(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; the stored instant is what is compared.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _catalog_row(runtime: Runtime, name: str) -> tuple[Any, ...]:
    row = next(r for r in _catalogs(runtime) if r[0] == name)
    return (*row[:4], _when(row[4]), row[5] and _when(row[5]), row[6])


# --- catalogs ----------------------------------------------------------------------------


def test_a_writer_creates_a_catalog_with_exactly_what_was_typed(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    assert 'href="/catalogs/new"' in console.get("/catalogs").text

    response = console.post("/catalogs/new", follow_redirects=False, data={
        "name": "Business", "description": "For companies", "catalog_type": "wholesale",
        "lifecycle_status": "In design", "valid_from": "2026-11-01", "valid_to": "2027-11-01"})  # fmt: skip

    assert response.status_code == 303
    assert _catalog_row(runtime, "Business") == (
        "Business", "For companies", "wholesale", "In design",
        datetime(2026, 11, 1, tzinfo=UTC), datetime(2027, 11, 1, tzinfo=UTC), 1)  # fmt: skip
    assert "Business" in console.get(response.headers["location"]).text


def test_a_catalog_ending_before_it_starts_is_refused_next_to_its_end_and_nothing_stored(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    before = _catalogs(runtime)

    page = console.post("/catalogs/new", data={
        "name": "Business", "lifecycle_status": "Active", "valid_from": "2026-11-01",
        "valid_to": "2026-10-01"})  # fmt: skip

    assert page.status_code == 400
    assert field_errors(page.text, "f-valid_to") == ["must be after startDateTime"]
    assert 'value="Business"' in page.text
    assert _catalogs(runtime) == before


def test_a_writer_edits_a_catalog_and_a_stale_edit_is_refused(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    form = console.get(f"/catalogs/{world.catalog}/edit")
    assert form.status_code == 200 and 'name="version" value="1"' in form.text
    edit = {"name": "Consumer B2C", "description": "Households", "catalog_type": "retail",
            "lifecycle_status": "Launched", "valid_from": "2026-01-01", "valid_to": ""}  # fmt: skip

    saved = console.post(f"/catalogs/{world.catalog}/edit", data={**edit, "version": "1"},
                         follow_redirects=False)  # fmt: skip
    stale = console.post(f"/catalogs/{world.catalog}/edit",
                         data={**edit, "name": "Other", "version": "1"})  # fmt: skip

    assert saved.status_code == 303
    assert stale.status_code == 412 and "changed by someone else" in stale.text
    assert _catalog_row(runtime, "Consumer B2C") == (
        "Consumer B2C", "Households", "retail", "Launched", JAN, None, 2)  # fmt: skip
    assert [r[0] for r in _catalogs(runtime)] == ["Consumer B2C"]


# --- categories --------------------------------------------------------------------------


def test_a_writer_adds_a_subcategory_and_edits_it(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    detail = console.get(f"/catalogs/{world.catalog}")
    assert f'href="/catalogs/{world.catalog}/categories/new"' in detail.text

    created = console.post(f"/catalogs/{world.catalog}/categories/new", follow_redirects=False,
                           data={"name": "Copper", "description": "ADSL and VDSL",
                                 "parent_id": str(world.broadband)})  # fmt: skip
    assert created.status_code == 303
    with runtime.session_factory() as s:
        copper = s.scalar(select(Category.id).where(Category.name == "Copper"))
    edited = console.post(f"/catalogs/{world.catalog}/categories/{copper}/edit",
                          follow_redirects=False,
                          data={"name": "Copper lines", "description": "", "parent_id": "",
                                "version": "1"})  # fmt: skip

    assert edited.status_code == 303
    assert _categories(runtime) == [
        ("Broadband", "", None, world.catalog, 1),
        ("Copper lines", "", None, world.catalog, 2),
        ("Fibre", "", world.broadband, world.catalog, 1),
    ]


def test_a_category_named_like_another_of_its_catalog_is_refused_next_to_its_name(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    before = _categories(runtime)

    page = console.post(f"/catalogs/{world.catalog}/categories/new",
                        data={"name": "Fibre", "description": "again", "parent_id": ""})  # fmt: skip

    assert page.status_code == 409
    assert field_errors(page.text, "f-name") == ["must be unique in its catalog"]
    assert _categories(runtime) == before


def test_a_category_cannot_become_its_own_subcategory(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    before = _categories(runtime)

    page = console.post(f"/catalogs/{world.catalog}/categories/{world.broadband}/edit",
                        data={"name": "Broadband", "description": "",
                              "parent_id": str(world.fibre_category), "version": "1"})  # fmt: skip

    assert page.status_code == 400
    assert field_errors(page.text, "f-parent_id") == [
        "cannot be the category itself or one of its subcategories"]  # fmt: skip
    assert _categories(runtime) == before


# --- product specifications --------------------------------------------------------------


def test_a_writer_creates_and_edits_a_specification_keeping_its_characteristics(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    assert 'href="/product-specifications/new"' in console.get("/product-specifications").text

    created = console.post("/product-specifications/new", follow_redirects=False, data={
        "name": "Mobile SIM", "brand": "Acme", "product_number": "SPEC-SIM",
        "description": "A SIM card", "lifecycle_status": "In test"})  # fmt: skip
    edited = console.post(f"/product-specifications/{world.specification}/edit",
                          follow_redirects=False, data={
        "name": "Fibre access 2", "brand": "Acme", "product_number": "SPEC-FIBRE-2",
        "description": "FTTH", "lifecycle_status": "Launched", "version": "1"})  # fmt: skip

    assert created.status_code == 303 and edited.status_code == 303
    assert _specifications(runtime) == [
        ("Fibre access 2", "Acme", "SPEC-FIBRE-2", "FTTH", "Launched",
         [{"name": "downloadSpeed", "value": "1 Gbit/s"}], 2),
        ("Mobile SIM", "Acme", "SPEC-SIM", "A SIM card", "In test", [], 1),
    ]  # fmt: skip
    with runtime.session_factory() as s:
        sim = s.scalar(
            select(ProductSpecification).where(ProductSpecification.name == "Mobile SIM")
        )
        assert sim is not None and _when(sim.valid_from) == T0


def test_a_taken_product_number_is_refused_next_to_it_and_nothing_stored(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    before = _specifications(runtime)

    page = console.post("/product-specifications/new", data={
        "name": "Copy", "brand": "", "product_number": "SPEC-FIBRE", "description": "",
        "lifecycle_status": "Active"})  # fmt: skip

    assert page.status_code == 409
    assert field_errors(page.text, "f-product_number") == ["must be unique"]
    assert _specifications(runtime) == before


# --- permissions -------------------------------------------------------------------------


def test_a_sales_rep_sees_no_edit_button_and_is_refused_every_catalogue_write(
    app: FastAPI, runtime: Runtime, world: Catalogue
) -> None:
    with unit_of_work(runtime.session_factory) as s:
        rita = create_entity(s, principal=SYSTEM, kind="sales_person", now=runtime.clock.now(),
                             values={"code": "RITA", "name": "Rita", "role": "rep"})  # fmt: skip
        rita_id = rita.id
    make_user(runtime, "rita", ["sales_rep"], sales_person_id=rita_id)
    rep = ConsoleClient(app)
    assert log_in(rep, "rita").status_code == 303
    before = (_catalogs(runtime), _categories(runtime), _specifications(runtime))
    cat, spec = world.catalog, world.specification

    for url in ("/catalogs", f"/catalogs/{cat}", "/product-specifications",
                f"/product-specifications/{spec}"):  # fmt: skip
        page = rep.get(url)
        assert page.status_code == 200 and "/new" not in page.text and "/edit" not in page.text
    for url, data in (
        ("/catalogs/new", {"name": "X", "lifecycle_status": "Active", "valid_from": "2026-11-01"}),
        (f"/catalogs/{cat}/edit", {"name": "X", "lifecycle_status": "Active",
                                   "valid_from": "2026-01-01", "version": "1"}),
        (f"/catalogs/{cat}/categories/new", {"name": "X"}),
        (f"/catalogs/{cat}/categories/{world.broadband}/edit", {"name": "X", "version": "1"}),
        ("/product-specifications/new", {"name": "X", "product_number": "X",
                                         "lifecycle_status": "Active"}),
        (f"/product-specifications/{spec}/edit", {"name": "X", "product_number": "X",
                                                  "lifecycle_status": "Active", "version": "1"}),
    ):  # fmt: skip
        assert rep.post(url, data=data).status_code == 403, url
        assert rep.get(url).status_code == 403, url
    assert (_catalogs(runtime), _categories(runtime), _specifications(runtime)) == before


def test_an_unknown_category_in_the_url_is_not_found(
    console: ConsoleClient, world: Catalogue
) -> None:
    page = console.get(f"/catalogs/{world.catalog}/categories/{uuid.uuid4()}/edit")

    assert page.status_code == 404
