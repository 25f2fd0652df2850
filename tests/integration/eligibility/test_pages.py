"""The console: eligibility rules (list, form with the rule editor, history rules) and the
"Qualify offerings" page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from salesdev.db.models.selling import EligibilityRule
from salesdev.db.session import unit_of_work
from salesdev.runtime import Runtime
from tests.integration.qualification.world import World, build_world
from tests.integration.web.conftest import ConsoleClient, console_app, log_in, make_user

RULES = "/pricing/eligibility-rules"


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


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _count(runtime: Runtime) -> int:
    with unit_of_work(runtime.session_factory) as session:
        return session.scalar(select(func.count()).select_from(EligibilityRule)) or 0


FORM = {
    "code": "ENT-CREDIT",
    "name": "Enterprise link needs credit",
    "description": "",
    "kind": "customer",
    "applies_to": "family",
    "family": "ENT",
    "offering": "",
    "condition": '{"attribute": "customer.credit_class", "op": "in", "value": ["A", "B"]}',
    "reason_code": "CREDIT_CLASS",
    "label": "Needs credit class A or B",
    "valid_from": "2027-01-01",
    "valid_to": "",
    "version": "",
}


def test_the_list_shows_each_rule_in_words(console: ConsoleClient) -> None:
    page = console.get(RULES)
    assert page.status_code == 200
    text = _text(page.text)
    assert 'data-rule="HANDSET-CREDIT"' in page.text
    assert "credit class is one of A, B" in text
    assert "Offering HANDSET-FIN" in text
    premise_only = console.get(RULES, params={"kind": "premise"})
    assert re.findall(r'data-rule="([^"]+)"', premise_only.text) == ["5G-PREMISE", "FIBRE-TECH"]
    assert console.get(RULES, params={"kind": "household"}).status_code == 400


def test_a_rule_is_created_with_the_rule_editor(console: ConsoleClient, runtime: Runtime) -> None:
    form = console.get(f"{RULES}/new")
    assert form.status_code == 200
    assert "data-rule-editor" in form.text
    assert 'data-test-url="/rules/test"' in form.text or "data-test-url=" in form.text
    created = console.post(f"{RULES}/new", data=FORM, follow_redirects=False)
    assert created.status_code == 303, created.text
    assert _count(runtime) == 7


def test_a_bad_rule_is_shown_again_with_messages_and_nothing_is_stored(
    console: ConsoleClient, runtime: Runtime
) -> None:
    bad = {
        **FORM,
        "condition": '{"attribute": "customer.credit", "op": "eq", "value": "A"}',
        "family": "",
        "reason_code": "x",
    }
    answer = console.post(f"{RULES}/new", data=bad)
    assert answer.status_code == 400
    text = _text(answer.text)
    assert "unknown attribute" in text.lower()
    assert "is required for a family rule" in text
    assert "e.g. CREDIT_CLASS" in text
    assert _count(runtime) == 6
    assert console.post(f"{RULES}/new", data=FORM, csrf="forged").status_code == 403
    assert _count(runtime) == 6


def test_a_rule_in_force_can_only_be_ended_or_relabelled(
    console: ConsoleClient, runtime: Runtime
) -> None:
    with unit_of_work(runtime.session_factory) as session:
        rule = session.scalar(select(EligibilityRule).where(EligibilityRule.code == "SENIOR-AGE"))
        assert rule is not None
        rule_id, version = rule.id, rule.version
    form = console.get(f"{RULES}/{rule_id}/edit")
    assert "This rule is in force." in form.text
    assert "data-rule-editor" not in form.text
    saved = console.post(
        f"{RULES}/{rule_id}/edit",
        data={**FORM, "code": "SENIOR-AGE", "name": "Seniors", "label": "From 65",
              "valid_to": "2027-01-01", "version": str(version)},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    with unit_of_work(runtime.session_factory) as session:
        after = session.get(EligibilityRule, rule_id)
        assert after is not None
        assert (after.name, after.label, after.reason_code) == ("Seniors", "From 65", "AGE_BAND")
        assert after.valid_to is not None and after.valid_to.year == 2027
    refused = console.post(f"{RULES}/{rule_id}/delete", data={"version": str(version + 1)})
    assert refused.status_code == 422
    assert "end it instead" in refused.text


def test_the_qualify_page_shows_every_offering_with_reasons(console: ConsoleClient) -> None:
    page = console.get(
        "/pricing/qualification",
        params={"channel": "RET", "customer": "BOB", "premise": "PD", "on": "2026-10-15",
                "alternatives": "yes"},
    )  # fmt: skip
    assert page.status_code == 200, page.text
    text = _text(page.text)
    assert "2 of 10 offerings qualify" in text
    assert re.findall(r'data-offering="([^"]+)" class="qualified"', page.text) == [
        "MOB-S",
        "TV-ADDON",
    ]
    assert "AGE_BAND The senior plan is for customers aged 65 or more" in text
    assert "age band is 65+ (it is 25-34)" in text
    unknown = console.get("/pricing/qualification", params={"channel": "RET", "customer": "X"})
    assert unknown.status_code == 400
    assert "no customer has the code &#39;X&#39;" in unknown.text
    blank = console.get("/pricing/qualification")
    assert blank.status_code == 200
    assert "Choose a sales channel" in blank.text
