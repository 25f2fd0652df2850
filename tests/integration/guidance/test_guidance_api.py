"""Guided selling through HTTP: recommendationRule CRUD, POST recommendation, scoping."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from salesdev.db.models import SalesPerson
from salesdev.db.models.guidance import RecommendationRule
from salesdev.db.session import unit_of_work
from salesdev.runtime import Runtime
from tests.conftest import T0
from tests.integration.api.conftest import BASE, bearer, user_token
from tests.integration.qualification.world import World, build_world

RULES = f"{BASE}/recommendationRule"
RECOMMEND = f"{BASE}/recommendation"


@pytest.fixture
def world(runtime: Runtime) -> World:
    with unit_of_work(runtime.session_factory) as session:
        return build_world(session)


def _rule(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Fibre-ready premise",
        "productFamily": {"id": "FIBRE"},
        "score": 50,
        "reason": "The premise is fibre-ready",
        "condition": {"attribute": "premise.technologies", "op": "contains", "value": "fibre"},
        "validFor": {"startDateTime": "2026-01-01T00:00:00Z"},
    }
    body.update(overrides)
    return body


def _count(runtime: Runtime) -> int:
    with unit_of_work(runtime.session_factory) as session:
        return session.scalar(select(func.count()).select_from(RecommendationRule)) or 0


def test_rule_crud(client: TestClient, world: World, runtime: Runtime) -> None:
    created = client.post(RULES, json=_rule())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["@type"] == "RecommendationRule"
    assert body["productFamily"]["id"] == str(world["family:FIBRE"])
    assert body["productOffering"] is None
    assert body["score"] == 50
    assert body["status"] == "active"
    assert body["author"] == "user:admin"
    rule = f"{RULES}/{body['id']}"
    listed = client.get(RULES, params={"status": "active"})
    assert listed.headers["X-Total-Count"] == "1"
    patched = client.patch(rule, json={"score": "12.5"}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200, patched.text
    assert patched.json()["score"] == 12.5
    stale = client.patch(rule, json={"score": "1"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert client.delete(rule).status_code == 204
    assert client.get(rule).status_code == 404


def test_a_bad_rule_is_a_400_naming_the_field_and_nothing_is_stored(
    client: TestClient, world: World, runtime: Runtime
) -> None:
    response = client.post(
        RULES,
        json=_rule(condition={"attribute": "customer.segmnt", "op": "eq", "value": "consumer"}),
    )
    assert response.status_code == 400
    assert "customer.segmnt" in response.json()["message"]
    assert _count(runtime) == 0


def test_recommendation_is_ranked_priced_and_explains_the_unavailable(
    client: TestClient, world: World
) -> None:
    assert client.post(RULES, json=_rule()).status_code == 201
    response = client.post(
        RECOMMEND,
        json={
            "customer": {"id": str(world["ADA"])},
            "channel": {"id": str(world["RET"])},
            "premise": {"id": str(world["PF"])},
            "limit": 2,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@type"] == "Recommendation"
    assert body["strategy"] == "rules"
    assert body["at"] == "2026-10-15T09:30:00Z"
    assert body["qualifiedCount"] == 6
    first = body["recommendedOffering"][0]
    assert (first["rank"], first["productOffering"]["code"], first["score"]) == (1, "FIB-1G", 50)
    assert first["price"]["finalRecurring"] == {"unit": "EUR", "value": 60}
    assert first["reason"] == [
        {"text": "The premise is fibre-ready", "rule": "Fibre-ready premise", "weight": 50}
    ]
    assert [o["productOffering"]["code"] for o in body["recommendedOffering"]] == [
        "FIB-1G",
        "FIB-500",
    ]
    unavailable = {
        o["productOffering"]["code"]: [r["code"] for r in o["eligibilityUnavailabilityReason"]]
        for o in body["unavailableOffering"]
    }
    assert unavailable == {
        "ENT-LINK": ["SEGMENT"],
        "MOB-5G": ["NO_5G"],
        "OLD": ["LIFECYCLE"],
        "TV-ADDON": ["BASE_PRODUCT"],
    }
    assert body["customer"]["code"] == "ADA"
    assert body["premise"]["technologies"] == ["dsl", "fibre"]


@pytest.mark.parametrize(
    ("payload", "location"),
    [
        ({}, "customer"),
        ({"customer": "ADA", "channel": {"id": "x"}}, "customer"),
        ({"customer": {"id": "nope"}, "channel": {"id": "x"}}, "customer.id"),
        ({"customer": {"id": "0" * 32}, "channel": {"id": "0" * 32}, "limit": 0}, "limit"),
        ({"customer": {"id": "0" * 32}, "channel": {"id": "0" * 32}, "colour": 1}, "colour"),
        ({"customer": {"id": "0" * 32}, "channel": {"id": "0" * 32}, "strategy": "x"}, "strategy"),
        ({"customer": {"id": "0" * 32}, "channel": {"id": "0" * 32}, "at": "soon"}, "at"),
    ],
)
def test_bad_recommendation_requests_are_400(
    client: TestClient, world: World, payload: dict[str, Any], location: str
) -> None:
    response = client.post(RECOMMEND, json=payload)
    assert response.status_code == 400, response.text
    assert location in response.json()["message"]


def test_unknown_customer_is_404(client: TestClient, world: World) -> None:
    response = client.post(
        RECOMMEND,
        json={"customer": {"id": str(world["RET"])}, "channel": {"id": str(world["RET"])}},
    )
    assert response.status_code == 404


def test_a_rep_only_in_their_channel(
    app: Any, client: TestClient, world: World, runtime: Runtime
) -> None:
    with unit_of_work(runtime.session_factory) as session:
        person = SalesPerson(
            code="REP1", name="Rita", role="rep", channel_id=world["ONL"], created_at=T0,
            updated_at=T0,
        )  # fmt: skip
        session.add(person)
        session.flush()
        person_id = person.id
    token = user_token(runtime, "rita", ["sales_rep"], sales_person_id=person_id)
    with TestClient(app, headers=bearer(token)) as rep:
        other = rep.post(
            RECOMMEND,
            json={"customer": {"id": str(world["ADA"])}, "channel": {"id": str(world["RET"])}},
        )
        assert other.status_code == 404
        own = rep.post(
            RECOMMEND,
            json={"customer": {"id": str(world["ADA"])}, "channel": {"id": str(world["ONL"])}},
        )
        assert own.status_code == 200
        assert rep.post(RULES, json=_rule()).status_code == 403
