"""eligibilityRule through HTTP: create, read, filter, change within the history rules, delete."""

from __future__ import annotations

from typing import Any

import pytest

from salesdev.db.session import unit_of_work
from salesdev.runtime import Runtime
from tests.integration.api.conftest import BASE, TestClient
from tests.integration.qualification.world import World, build_world

RULES = f"{BASE}/eligibilityRule"


@pytest.fixture
def world(runtime: Runtime) -> World:
    with unit_of_work(runtime.session_factory) as session:
        return build_world(session, rules=False)


def body(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "code": "HANDSET-CREDIT",
        "name": "Handset financing needs good credit",
        "kind": "customer",
        "appliesTo": "offering",
        "productOffering": {"id": str(world["HANDSET-FIN"])},
        "condition": {"attribute": "customer.credit_class", "op": "in", "value": ["A", "B"]},
        "reasonCode": "CREDIT_CLASS",
        "label": "Needs credit class A or B",
        "validFor": {"startDateTime": "2027-01-01T00:00:00Z"},
        **extra,
    }


def test_create_read_filter_change_and_delete(client: TestClient, world: World) -> None:
    created = client.post(RULES, json=body(world))
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["conditionText"] == "credit class is one of A, B"
    assert rule["productOffering"]["name"] == "Offering HANDSET-FIN"
    assert rule["validFor"] == {"startDateTime": "2027-01-01T00:00:00Z", "endDateTime": None}
    listed = client.get(f"{RULES}?reasonCode=CREDIT_CLASS&fields=code")
    assert listed.json() == [
        {
            "id": rule["id"],
            "href": rule["href"],
            "@type": "EligibilityRule",
            "code": "HANDSET-CREDIT",
        }
    ]
    assert client.get(f"{RULES}?kind=premise").headers["X-Total-Count"] == "0"
    changed = client.patch(
        rule["href"],
        json={"condition": {"attribute": "customer.credit_class", "op": "eq", "value": "A"}},
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["conditionText"] == "credit class is A"
    assert client.delete(rule["href"]).status_code == 204
    assert client.get(rule["href"]).status_code == 404


def test_bad_rules_are_400_naming_the_tmf_attributes(client: TestClient, world: World) -> None:
    bad = client.post(
        RULES,
        json=body(
            world,
            condition={"attribute": "customer.credit", "op": "eq", "value": "A"},
            appliesTo="family",
            reasonCode="bad code",
        ),
    )
    assert bad.status_code == 400
    assert [d["location"] for d in bad.json()["details"]] == [
        "reasonCode",
        "productOffering.id",
        "productFamily.id",
        "condition.attribute",
    ]
    assert client.get(RULES).headers["X-Total-Count"] == "0"


def test_a_rule_in_force_is_ended_not_rewritten(client: TestClient, world: World) -> None:
    rule = client.post(
        RULES, json=body(world, validFor={"startDateTime": "2026-01-01T00:00:00Z"})
    ).json()
    rewrite = client.patch(rule["href"], json={"reasonCode": "OTHER"})
    assert rewrite.status_code == 422
    assert rewrite.json()["details"][0]["location"] == "reasonCode"
    assert client.delete(rule["href"]).status_code == 422
    ended = client.patch(
        rule["href"],
        json={"validFor": {"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2027-01-01"}},
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["validFor"]["endDateTime"] == "2027-01-01T00:00:00Z"
