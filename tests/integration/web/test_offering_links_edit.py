"""Editing an offering's categories, channels, market segments and terms on the console:
the stored links are exactly those chosen; a refused duration is shown next to it, a stale
version gets 412, and a sales rep is refused; each time nothing changes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from salesdev.db.models import MarketSegment, ProductOffering, SalesChannel
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.catalog import offering_input
from salesdev.domains.reference import create_entity
from salesdev.runtime import Runtime
from tests.integration.web.catalogue_world import Catalogue, build_catalogue
from tests.integration.web.conftest import ConsoleClient, log_in, make_user
from tests.integration.web.pages import field_errors, main_text


@pytest.fixture
def world(runtime: Runtime) -> Catalogue:
    return build_catalogue(runtime)


def _stored(runtime: Runtime, offering: uuid.UUID) -> tuple[Any, ...]:
    with runtime.session_factory() as s:
        row = s.get(ProductOffering, offering)
        assert row is not None
        given = offering_input(s, row)
        terms = [(t.name, t.description, t.duration_amount, t.duration_units) for t in given.terms]
        return (row.version, set(given.category_ids), set(given.channel_ids),
                set(given.market_segment_ids), terms)  # fmt: skip


def _id_of(runtime: Runtime, model: Any, code: str) -> uuid.UUID:
    with runtime.session_factory() as s:
        found: uuid.UUID = s.scalars(select(model.id).where(model.code == code)).one()
        return found


def _other_segment(runtime: Runtime) -> uuid.UUID:
    with runtime.session_factory() as s:
        found: uuid.UUID = s.scalars(select(MarketSegment.id).where(
            MarketSegment.code != "consumer").order_by(MarketSegment.code)).first()  # type: ignore[assignment]  # fmt: skip
        return found


def _form(world: Catalogue, runtime: Runtime, **terms: list[str]) -> dict[str, Any]:
    return {
        "version": "1",
        "categories": [str(world.broadband), str(world.fibre_category)],
        "channels": [str(_id_of(runtime, SalesChannel, "DEALERS"))],
        "segments": [str(_other_segment(runtime))],
        "term_name": ["24-month commitment", ""],
        "term_description": ["Two years", ""],
        "term_amount": ["24", ""],
        "term_units": ["month", ""],
        "term_valid_from": ["", ""],
        "term_valid_to": ["", ""],
        **terms,
    }


def test_a_writer_sees_the_link_and_sets_exactly_the_chosen_links_and_terms(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    fibre = world.offerings["FIBRE-1G"]
    page = console.get(f"/product-offerings/{fibre}")
    assert "Edit categories, channels, segments and terms" in page.text
    assert console.get(f"/product-offerings/{fibre}/links").status_code == 200

    response = console.post(f"/product-offerings/{fibre}/links", data=_form(world, runtime),
                            follow_redirects=False)  # fmt: skip

    assert response.status_code == 303
    assert _stored(runtime, fibre) == (
        2,
        {world.broadband, world.fibre_category},
        {_id_of(runtime, SalesChannel, "DEALERS")},
        {_other_segment(runtime)},
        [("24-month commitment", "Two years", 24, "month")],
    )


@pytest.mark.parametrize(
    ("amount", "units", "field", "message"),
    [
        ("24", "fortnight", "term-0-units", "expected one of day, week, month, year; got 'fortnight'"),
        ("two", "month", "term-0-amount", "expected a whole number, got 'two'"),
        ("0", "month", "term-0-amount", "must be 1 or more; got 0"),
    ],
)  # fmt: skip
def test_an_invalid_term_duration_is_shown_next_to_it_and_nothing_changes(
    console: ConsoleClient, runtime: Runtime, world: Catalogue,
    amount: str, units: str, field: str, message: str,
) -> None:  # fmt: skip
    fibre = world.offerings["FIBRE-1G"]
    before = _stored(runtime, fibre)

    response = console.post(f"/product-offerings/{fibre}/links",
                            data=_form(world, runtime, term_amount=[amount, ""],
                                       term_units=[units, ""]))  # fmt: skip

    assert response.status_code == 400
    assert field_errors(response.text, field) == [message]
    assert _stored(runtime, fibre) == before


def test_a_stale_version_gets_412_and_nothing_changes(
    console: ConsoleClient, runtime: Runtime, world: Catalogue
) -> None:
    fibre = world.offerings["FIBRE-1G"]
    before = _stored(runtime, fibre)

    response = console.post(f"/product-offerings/{fibre}/links",
                            data=_form(world, runtime, version=["0"]))  # fmt: skip

    assert response.status_code == 412
    assert "Reload the current values" in response.text
    assert _stored(runtime, fibre) == before


def test_a_sales_rep_sees_no_link_and_is_refused_the_form(
    app: FastAPI, runtime: Runtime, world: Catalogue
) -> None:
    with unit_of_work(runtime.session_factory) as s:
        rita = create_entity(s, principal=SYSTEM, kind="sales_person", now=runtime.clock.now(),
                             values={"code": "RITA", "name": "Rita", "role": "rep"})  # fmt: skip
        rita_id = rita.id
    make_user(runtime, "rita", ["sales_rep"], sales_person_id=rita_id)
    rep = ConsoleClient(app)
    assert log_in(rep, "rita").status_code == 303
    fibre = world.offerings["FIBRE-1G"]
    before = _stored(runtime, fibre)

    page = rep.get(f"/product-offerings/{fibre}")
    form = rep.get(f"/product-offerings/{fibre}/links")
    post = rep.post(f"/product-offerings/{fibre}/links", data=_form(world, runtime))

    assert page.status_code == 200 and "/links" not in page.text
    assert (form.status_code, post.status_code) == (403, 403)
    assert "Permission denied" in main_text(post.text)
    assert _stored(runtime, fibre) == before
