"""The console: "Sell to this customer", recommendation rule pages, the simulation page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from salesdev.db.models.guidance import RecommendationRule
from salesdev.db.session import unit_of_work
from salesdev.runtime import Runtime
from tests.integration.qualification.world import World, build_world
from tests.integration.web.conftest import ConsoleClient, console_app, log_in, make_user


@pytest.fixture
def world(runtime: Runtime) -> World:
    with unit_of_work(runtime.session_factory) as session:
        return build_world(session)


@pytest.fixture
def console(runtime: Runtime, world: World) -> Iterator[ConsoleClient]:
    app: FastAPI = console_app(runtime)
    make_user(runtime, "root", ["admin"])
    with ConsoleClient(app) as client:
        assert log_in(client, "root").status_code == 303
        yield client


def _rules(runtime: Runtime) -> int:
    with unit_of_work(runtime.session_factory) as session:
        return session.scalar(select(func.count()).select_from(RecommendationRule)) or 0


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_find_a_customer_then_see_recommendations_and_reasons_on_one_screen(
    console: ConsoleClient, world: World
) -> None:
    found = console.get("/selling", params={"q": "customer"})
    assert found.status_code == 200
    assert "Customers matching" in found.text
    assert f"/selling?customer={world['ADA']}" in found.text
    page = console.get(
        "/selling",
        params={"customer": str(world["ADA"]), "channel": str(world["RET"]),
                "premise": str(world["PF"])},
    )  # fmt: skip
    assert page.status_code == 200, page.text
    text = _text(page.text)
    assert "Customer ADA" in text
    assert "6 offerings qualify" in text
    assert 'data-offering="FIB-100"' in page.text
    assert "Not available to this customer" in text
    assert "NO_5G No 5G coverage at this address" in text


def test_a_customer_without_a_channel_is_asked_for_one(
    console: ConsoleClient, world: World
) -> None:
    page = console.get("/selling", params={"customer": str(world["ADA"])})
    assert page.status_code == 400
    assert "choose the channel you sell in" in page.text


def test_create_a_rule_through_the_form_and_see_it_listed(
    console: ConsoleClient, world: World, runtime: Runtime
) -> None:
    assert console.get("/selling/rules/new").status_code == 200
    bad = console.post(
        "/selling/rules/new",
        data={"name": "Fibre", "target_kind": "family", "target": "NOPE", "score": "5",
              "reason": "r", "valid_from": "2026-01-01", "condition": "{not json"},
    )  # fmt: skip
    assert bad.status_code == 400
    assert "is not valid JSON" in bad.text
    saved = console.post(
        "/selling/rules/new",
        data={"name": "Fibre", "target_kind": "family", "target": "FIBRE", "score": "5",
              "reason": "Fibre-ready", "valid_from": "2026-01-01", "status": "active",
              "condition": '{"attribute": "premise.technologies", "op": "contains", "value": "fibre"}'},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    listed = console.get("/selling/rules")
    assert "serviceable technologies includes fibre" in _text(listed.text)
    assert _rules(runtime) == 1
    unknown = console.post(
        "/selling/rules/new",
        data={"name": "Other", "target_kind": "family", "target": "NOPE", "score": "5",
              "reason": "x", "valid_from": "2026-01-01", "condition": '{"all": []}'},
    )  # fmt: skip
    assert unknown.status_code == 400
    assert "no product family with id or code NOPE" in unknown.text
    assert _rules(runtime) == 1


def test_the_rule_form_needs_the_csrf_token(console: ConsoleClient, world: World) -> None:
    response = console.post("/selling/rules/new", data={"name": "x"}, csrf="forged")
    assert response.status_code == 403


def test_the_simulation_page_lists_versions_and_refuses_bad_months(
    console: ConsoleClient, world: World
) -> None:
    page = console.get("/pricing/simulation")
    assert page.status_code == 200
    assert "Price-change simulation" in page.text
    bad = console.get("/pricing/simulation", params={"months": "0"})
    assert bad.status_code == 400
    assert "a whole number from 1 to 120" in bad.text
