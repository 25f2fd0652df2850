"""Channel agreements through HTTP: terms as attributes, revisions, workflow, versions, diff."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from salesdev.db.models import ChannelAgreementVersion
from salesdev.runtime import Runtime
from tests.integration.api.conftest import BASE, TestClient, bearer, user_token

TERMS: dict[str, Any] = {
    "name": "ACME dealer agreement 2027",
    "validFor": {"startDateTime": "2027-01-01T00:00:00Z", "endDateTime": "2028-01-01T00:00:00Z"},
    "commissionScheduleRef": "DEALER-STD-2027",
    "discountAllowances": {"FIB": "10", "MOB": 5},
    "volumeCommitments": {"2027-01": {"commitment": 100, "target": 150}},
    "paymentTermsDays": 30,
    "clauses": {"exclusivity": "No other operator's fibre in ACME shops."},
}


@pytest.fixture
def partners(client: TestClient) -> dict[str, dict[str, Any]]:
    for code, line in (("FIB", "broadband"), ("MOB", "mobile")):
        client.post(
            f"{BASE}/productFamily", json={"code": code, "name": code, "lineOfBusiness": line}
        )
    channel = client.post(
        f"{BASE}/salesChannel",
        json={"code": "DLR", "name": "Dealers", "channelType": "franchise_dealer"},
    ).json()
    plan = client.post(
        f"{BASE}/compensationPlan",
        json={"code": "DEALER-STD-2027", "name": "Dealers 2027", "payeeType": "partner",
              "currency": "EUR"},
    )  # fmt: skip
    assert plan.status_code == 201, plan.text
    found = {"channel": channel, "plan": plan.json()}
    for code in ("ACME", "RIVAL"):
        found[code] = client.post(
            f"{BASE}/partner",
            json={
                "code": code,
                "name": code.title(),
                "partnerType": "dealer",
                "tier": "gold",
                "channel": {"id": channel["id"]},
            },
        ).json()
    return found


@pytest.fixture
def carla(runtime: Runtime) -> dict[str, str]:
    return bearer(user_token(runtime, "carla", ["channel_manager"]))


@pytest.fixture
def omar(runtime: Runtime) -> dict[str, str]:
    return bearer(user_token(runtime, "omar", ["channel_manager"]))


def create(client: TestClient, partner: dict[str, Any], who: Any, **terms: Any) -> Any:
    response = client.post(
        f"{BASE}/channelAgreement",
        json={**TERMS, **terms, "partner": {"id": partner["id"]}},
        headers=who,
    )
    assert response.status_code == 201, response.text
    return response.json()


def versions(runtime: Runtime) -> int:
    with runtime.session_factory() as session:
        return session.scalar(select(func.count()).select_from(ChannelAgreementVersion)) or 0


def test_an_agreement_is_created_with_canonical_terms_and_listed(
    anonymous: TestClient, partners: dict[str, Any], carla: Any
) -> None:
    created = create(anonymous, partners["ACME"], carla)
    assert {
        k: v
        for k, v in created.items()
        if k not in ("id", "href", "@schemaLocation", "partner", "commissionSchedule")
    } == {
        "@type": "ChannelAgreement",
        "@baseType": "Agreement",
        **TERMS,
        "discountAllowances": {"FIB": "10", "MOB": "5"},
        "channel": None,
        "status": "draft",
        "latestVersion": 1,
        "termsAuthor": "user:carla",
        "creationDate": "2026-10-15T09:30:00Z",
        "lastUpdate": "2026-10-15T09:30:00Z",
    }
    assert created["partner"]["name"] == "Acme"
    plan = partners["plan"]
    assert created["commissionSchedule"] == {
        "id": plan["id"],
        "href": plan["href"],
        "name": "Dealers 2027",
        "@referredType": "CompensationPlan",
    }
    assert anonymous.get(created["href"], headers=carla).json() == created
    listed = anonymous.get(
        f"{BASE}/channelAgreement?partner.id={partners['ACME']['id']}&status=draft", headers=carla
    )
    assert [a["id"] for a in listed.json()] == [created["id"]]
    assert listed.headers["X-Total-Count"] == "1"


def test_bad_terms_are_a_400_naming_each_path_and_nothing_is_written(
    anonymous: TestClient, partners: dict[str, Any], carla: Any, runtime: Runtime
) -> None:
    response = anonymous.post(
        f"{BASE}/channelAgreement",
        json={
            **TERMS,
            "partner": {"id": partners["ACME"]["id"]},
            "discountAllowances": {"TV": "10"},
            "paymentTermsDays": 400,
        },
        headers=carla,
    )
    assert response.status_code == 400
    assert response.json()["details"] == [
        {"location": "discountAllowances.TV", "message": "no product family with code 'TV'"},
        {"location": "paymentTermsDays", "message": "expected a whole number of days, 0 to 365"},
    ]
    both = anonymous.post(
        f"{BASE}/channelAgreement",
        json={
            **TERMS,
            "partner": {"id": partners["ACME"]["id"]},
            "channel": {"id": partners["channel"]["id"]},
        },
        headers=carla,
    )
    assert both.status_code == 400
    assert both.json()["details"][0]["location"] == "partner"
    unknown = anonymous.post(
        f"{BASE}/channelAgreement",
        json={**TERMS, "partner": {"id": partners["ACME"]["id"]},
              "commissionScheduleRef": "DEALER-GOLD"},
        headers=carla,
    )  # fmt: skip
    assert unknown.status_code == 400
    assert (unknown.json()["code"], unknown.json()["details"]) == (
        "SDV-400",
        [
            {
                "location": "commissionScheduleRef",
                "message": "no compensation plan with code 'DEALER-GOLD'; give the code of a plan",
            }
        ],
    )
    set_by_server = anonymous.post(
        f"{BASE}/channelAgreement",
        json={**TERMS, "partner": {"id": partners["ACME"]["id"]},
              "commissionSchedule": {"id": partners["plan"]["id"]}},
        headers=carla,
    )  # fmt: skip
    assert set_by_server.status_code == 400
    assert set_by_server.json()["details"] == [
        {"location": "commissionSchedule", "message": "is set by the server"}
    ]
    assert versions(runtime) == 0


def test_revising_terms_makes_a_version_and_a_stale_if_match_is_412(
    anonymous: TestClient, partners: dict[str, Any], carla: Any, runtime: Runtime
) -> None:
    created = create(anonymous, partners["ACME"], carla)
    etag = anonymous.get(created["href"], headers=carla).headers["ETag"]
    revised = anonymous.patch(
        created["href"],
        json={
            "discountAllowances": {"FIB": "12.5", "MOB": None},
            "paymentTermsDays": 45,
            "validFor": {"endDateTime": None},
            "volumeCommitments": {"2027-02": {"commitment": 120, "target": 180}},
            "comment": "Counter-offer",
        },
        headers={**carla, "If-Match": etag},
    )
    assert revised.status_code == 200, revised.text
    assert revised.json()["latestVersion"] == 2
    assert revised.json()["discountAllowances"] == {"FIB": "12.5"}
    stale = anonymous.patch(
        created["href"], json={"paymentTermsDays": 60}, headers={**carla, "If-Match": etag}
    )
    assert stale.status_code == 412
    assert versions(runtime) == 2
    diff = anonymous.get(f"{created['href']}/diff?from=1&to=2", headers=carla)
    assert diff.json() == {
        "@type": "ChannelAgreementDiff",
        "from": 1,
        "to": 2,
        "differences": [
            {
                "path": "discountAllowances.FIB",
                "change": "changed",
                "before": "10",
                "after": "12.5",
            },
            {"path": "discountAllowances.MOB", "change": "removed", "before": "5", "after": None},
            {"path": "paymentTermsDays", "change": "changed", "before": 30, "after": 45},
            {
                "path": "validFor.endDateTime",
                "change": "removed",
                "before": "2028-01-01T00:00:00Z",
                "after": None,
            },
            {
                "path": "volumeCommitments.2027-02.commitment",
                "change": "added",
                "before": None,
                "after": 120,
            },
            {
                "path": "volumeCommitments.2027-02.target",
                "change": "added",
                "before": None,
                "after": 180,
            },
        ],
    }
    listed = anonymous.get(f"{created['href']}/version", headers=carla)
    assert [(v["number"], v["change"], v["author"], v["comment"]) for v in listed.json()] == [
        (1, "created", "user:carla", ""),
        (2, "revised", "user:carla", "Counter-offer"),
    ]
    one = anonymous.get(f"{created['href']}/version/1", headers=carla).json()
    assert one["terms"]["paymentTermsDays"] == 30
    assert one["href"] == f"{created['href']}/version/1"
    assert anonymous.get(f"{created['href']}/version/9", headers=carla).status_code == 404
    missing = anonymous.get(f"{created['href']}/diff?from=1&to=9", headers=carla)
    assert (missing.status_code, missing.json()["details"][0]["location"]) == (404, "to")
    bad = anonymous.get(f"{created['href']}/diff?from=x", headers=carla)
    assert [d["location"] for d in bad.json()["details"]] == ["from", "to"]


def test_the_workflow_needs_another_user_to_approve(
    anonymous: TestClient, partners: dict[str, Any], carla: Any, omar: Any, runtime: Runtime
) -> None:
    created = create(anonymous, partners["ACME"], carla)

    def move(to: str, who: Any, comment: str = "") -> Any:
        return anonymous.post(
            f"{created['href']}/transition", json={"toStatus": to, "comment": comment}, headers=who
        )

    assert move("in_negotiation", carla).json()["status"] == "in_negotiation"
    own = move("approved", carla)
    assert own.status_code == 422
    assert own.json()["details"] == [
        {"location": "approver", "message": "must differ from the terms' author user:carla"}
    ]
    skipped = move("expired", omar)
    assert (skipped.status_code, skipped.json()["details"][0]["location"]) == (422, "toStatus")
    assert versions(runtime) == 2
    approved = move("approved", omar)
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert approved.json()["latestVersion"] == 3
    frozen = anonymous.patch(created["href"], json={"paymentTermsDays": 10}, headers=carla)
    assert frozen.status_code == 422
    party = anonymous.patch(
        created["href"], json={"partner": {"id": partners["RIVAL"]["id"]}}, headers=carla
    )
    assert party.status_code == 400
    status = anonymous.patch(created["href"], json={"status": "active"}, headers=carla)
    assert status.status_code == 400


def test_a_partner_user_sees_only_its_own_agreements(
    anonymous: TestClient, partners: dict[str, Any], carla: Any, runtime: Runtime
) -> None:
    own = create(anonymous, partners["ACME"], carla)
    other = create(anonymous, partners["RIVAL"], carla, name="RIVAL 2027")
    acme = bearer(
        user_token(
            runtime, "acme-user", ["partner_user"], partner_id=uuid.UUID(partners["ACME"]["id"])
        )
    )
    listed = anonymous.get(f"{BASE}/channelAgreement", headers=acme)
    assert [a["id"] for a in listed.json()] == [own["id"]]
    for url in (other["href"], f"{other['href']}/version", f"{other['href']}/diff?from=1&to=1"):
        assert anonymous.get(url, headers=acme).status_code == 404
    transition = anonymous.post(
        f"{other['href']}/transition", json={"toStatus": "in_negotiation"}, headers=acme
    )
    assert transition.status_code == 404
    assert (
        anonymous.patch(other["href"], json={"paymentTermsDays": 1}, headers=acme).status_code
        == 404
    )
