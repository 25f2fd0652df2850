"""The console's rule editor: the macro's markup, reading the field, and the test endpoint."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape

import pytest
from sqlalchemy import func, select

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.models import AuditEvent
from salesdev.db.session import unit_of_work
from salesdev.engine.rules import SALE_VOCABULARY, TRUE, Comparison, parse_condition
from salesdev.runtime import Runtime
from salesdev.web.rule_editor import (
    RULE_TEST_PATH,
    condition_json,
    read_condition,
    vocabulary_json,
)
from salesdev.web.templating import env
from tests.integration.rules.world import World, build_world
from tests.integration.web.conftest import ConsoleClient, console_app, log_in, make_user

CONDITION = json.dumps(
    {
        "all": [
            {"attribute": "customer.segment", "op": "eq", "value": "consumer"},
            {"attribute": "customer.tenure_months", "op": "ge", "value": 24},
            {"attribute": "premise.technologies", "op": "contains", "value": "fibre"},
        ]
    }
)


def test_the_macro_renders_the_field_as_json_text_with_the_vocabulary() -> None:
    # given a condition and the sale vocabulary
    condition = parse_condition(json.loads(CONDITION))
    template = env.from_string(
        '{% from "_rule_editor.html" import rule_editor %}'
        "{{ rule_editor('rule.condition', c, v, u, label='Applies when', errors=['bad']) }}"
    )
    # when the macro renders
    html = template.render(c=condition_json(condition), v=vocabulary_json(), u=RULE_TEST_PATH)
    # then the field is a text area named as asked, holding the condition's JSON
    field = re.search(r'<textarea id="rule-rule-condition" name="rule.condition"[^>]*>(.*?)</textarea>',
                      html, re.S)  # fmt: skip
    assert field is not None
    assert parse_condition(json.loads(unescape(field.group(1)))) == condition
    # and the editor gets the vocabulary and the test URL, and loads its own assets
    vocabulary = re.search(r'data-vocabulary="([^"]*)"', html)
    assert vocabulary is not None
    assert json.loads(unescape(vocabulary.group(1))) == SALE_VOCABULARY.to_json()
    assert 'data-test-url="/rules/test"' in html
    assert '<label for="rule-rule-condition" class="rule-editor-label">Applies when</label>' in html
    assert '<ul class="field-errors" id="rule-rule-condition-error"><li>bad</li></ul>' in html
    assert '<script src="/static/rule-editor.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/rule-editor.css">' in html
    assert "style=" not in html and "onclick" not in html


def test_read_condition_locates_errors_at_the_field() -> None:
    assert read_condition("", location="condition") == TRUE
    assert read_condition(
        '{"attribute": "sale.quantity", "op": "ge", "value": 2}', location="condition"
    ) == Comparison("sale.quantity", "ge", 2)
    with pytest.raises(InvalidInput) as caught:
        read_condition('{"all": [', location="rules[0].condition")
    assert caught.value.details == [
        ErrorDetail("rules[0].condition", "is not valid JSON (line 1, column 10)")
    ]
    with pytest.raises(InvalidInput) as caught:
        read_condition('{"all": [{"attribute": "x", "op": "eq", "value": 1}]}', location="when")
    assert caught.value.details == [ErrorDetail("when.all[0].attribute", "unknown attribute 'x'")]


@pytest.fixture
def world(runtime: Runtime) -> World:
    with unit_of_work(runtime.session_factory) as session:
        return build_world(session)


@pytest.fixture
def manager(runtime: Runtime) -> Iterator[ConsoleClient]:
    make_user(runtime, "cm", ["channel_manager"])
    with ConsoleClient(console_app(runtime)) as client:
        assert log_in(client, "cm").status_code == 303
        yield client


def test_a_sample_is_tested_against_the_rule(manager: ConsoleClient) -> None:
    # when the rule is tested with typed sample values
    sample = {
        "customer.segment": "consumer",
        "customer.tenure_months": "13",
        "premise.technologies": "fibre, 5g",
    }
    response = manager.post(
        RULE_TEST_PATH, data={"condition": CONDITION, "sample": json.dumps(sample)}
    )
    # then the answer says it does not match, and why
    assert response.status_code == 200
    assert response.json() == {
        "matched": False,
        "failed": ["tenure (months) is at least 24 (it is 13)"],
        "description": "customer segment is consumer and tenure (months) is at least 24"
        " and serviceable technologies includes fibre",
        "context": [
            ["Customer segment", "consumer"],
            ["Tenure (months)", "13"],
            ["Serviceable technologies", "5g, fibre"],
        ],
    }


def test_codes_build_a_real_sale_from_the_database(manager: ConsoleClient, world: World) -> None:
    # given the customer CU1 (13 whole months at 2026-03-10, fibre at premise P1)
    data = {
        "condition": CONDITION,
        "channel_code": "DEALERS",
        "customer_code": "CU1",
        "premise_code": "P1",
        "offering_code": "PACK-1",
        "at": "2026-03-10",
        # a sample value overrides the database's
        "sample": json.dumps({"customer.tenure_months": "30"}),
    }
    response = manager.post(RULE_TEST_PATH, data=data)
    assert response.status_code == 200
    body = response.json()
    assert (body["matched"], body["failed"]) == (True, [])
    context = dict(body["context"])
    assert context["Installed products"] == "FIB-1G, MOB-S"
    assert context["Offering code"] == "PACK-1"
    assert context["Offering is a bundle"] == "yes"
    assert context["Tenure (months)"] == "30"


def test_bad_input_is_answered_with_located_errors(manager: ConsoleClient, world: World) -> None:
    bad_condition = manager.post(
        RULE_TEST_PATH,
        data={"condition": '{"attribute": "customer.segment", "op": "eq", "value": "retail"}'},
    )
    assert bad_condition.status_code == 400
    assert bad_condition.json()["errors"] == [
        {
            "location": "condition.value",
            "message": "'retail' is not a value of customer.segment; expected one of consumer, "
            "small_business, enterprise, public_sector",
        }
    ]
    unknown = manager.post(
        RULE_TEST_PATH,
        data={"condition": CONDITION, "channel_code": "DEALERS", "customer_code": "NOPE"},
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == [
        {"location": "customer_code", "message": "no customer has the code 'NOPE'"}
    ]
    bad_sample = manager.post(
        RULE_TEST_PATH,
        data={
            "condition": CONDITION,
            "sample": json.dumps({"customer.tenure_months": "many", "colour": "red"}),
        },
    )
    assert bad_sample.status_code == 400
    assert bad_sample.json()["errors"] == [
        {
            "location": "sample.customer.tenure_months",
            "message": "expected a whole number, got 'many'",
        },
        {"location": "sample.colour", "message": "is not an attribute of a sale"},
    ]


@pytest.mark.parametrize("csrf", [None, "forged-token"], ids=["missing", "wrong"])
def test_without_the_csrf_token_the_test_is_refused_and_recorded(
    manager: ConsoleClient, runtime: Runtime, csrf: str | None
) -> None:
    response = manager.post(RULE_TEST_PATH, data={"condition": CONDITION}, csrf=csrf)
    assert response.status_code == 403
    assert "nothing was changed" in response.text
    with unit_of_work(runtime.session_factory) as session:
        refused = session.scalar(select(func.count()).where(AuditEvent.action == "csrf.rejected"))
    assert refused == 1


def test_signed_out_visitors_are_sent_to_the_login_page(runtime: Runtime) -> None:
    with ConsoleClient(console_app(runtime)) as client:
        response = client.post(
            RULE_TEST_PATH, data={"condition": CONDITION}, follow_redirects=False
        )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
