"""Partner on-boarding through HTTP: cases, transitions, approvals, checklist, history."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from salesdev.db.models import OnboardingHistoryEntry
from salesdev.runtime import Runtime
from tests.integration.api.conftest import BASE, TestClient, bearer, user_token

CHECKS = ("company_registration", "credit_check", "sanctions_screening", "bank_details_verified")


@pytest.fixture
def partners(client: TestClient) -> dict[str, dict[str, Any]]:
    channel = client.post(
        f"{BASE}/salesChannel",
        json={"code": "DLR", "name": "Dealers", "channelType": "franchise_dealer"},
    ).json()
    found = {}
    for code in ("ACME", "RIVAL"):
        response = client.post(
            f"{BASE}/partner",
            json={
                "code": code,
                "name": code.title(),
                "partnerType": "dealer",
                "tier": "gold",
                "channel": {"id": channel["id"]},
            },
        )
        found[code] = response.json()
    return found


@pytest.fixture
def carla(runtime: Runtime) -> dict[str, str]:
    return bearer(user_token(runtime, "carla", ["channel_manager"]))


@pytest.fixture
def omar(runtime: Runtime) -> dict[str, str]:
    return bearer(user_token(runtime, "omar", ["channel_manager"]))


def open_case(client: TestClient, partner: dict[str, Any], headers: dict[str, str]) -> Any:
    response = client.post(
        f"{BASE}/partnerOnboarding",
        json={"partner": {"id": partner["id"]}, "comment": "Applied at the fair"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def act(client: TestClient, case: dict[str, Any], action: str, body: Any, who: Any) -> Any:
    return client.post(f"{case['href']}/{action}", json=body, headers=who)


def history_length(runtime: Runtime) -> int:
    with runtime.session_factory() as session:
        return session.scalar(select(func.count()).select_from(OnboardingHistoryEntry)) or 0


def test_a_partner_goes_from_application_to_active(
    anonymous: TestClient, partners: dict[str, Any], carla: Any, omar: Any
) -> None:
    case = open_case(anonymous, partners["ACME"], carla)
    assert {k: case[k] for k in ("@type", "state", "pendingRequest", "openedBy")} == {
        "@type": "PartnerOnboarding",
        "state": "application",
        "pendingRequest": None,
        "openedBy": "user:carla",
    }
    assert "comment" not in case
    moved = act(anonymous, case, "transition", {"toState": "due_diligence"}, carla)
    assert (moved.status_code, moved.json()["state"]) == (200, "due_diligence")
    for code in CHECKS:
        checked = anonymous.patch(
            f"{case['href']}/checklistItem/{code}",
            json={"evidence": f"doc-{code}.pdf"},
            headers=carla,
        )
        assert checked.status_code == 200, checked.text
    assert checked.json() == {
        "href": f"{case['href']}/checklistItem/bank_details_verified",
        "@type": "OnboardingChecklistItem",
        "code": "bank_details_verified",
        "label": "Bank details verified",
        "mandatory": True,
        "position": 4,
        "evidence": "doc-bank_details_verified.pdf",
        "checkedBy": "user:carla",
        "checkedAt": "2026-10-15T09:30:00Z",
        "partnerOnboarding": {
            "id": case["id"],
            "href": case["href"],
            "@referredType": "PartnerOnboarding",
        },
    }
    requested = act(
        anonymous,
        case,
        "transition",
        {"toState": "agreement_negotiation", "comment": "All clear"},
        carla,
    )
    assert requested.json()["state"] == "due_diligence"
    assert requested.json()["pendingRequest"] == {
        "toState": "agreement_negotiation",
        "requestedBy": "user:carla",
        "requestedAt": "2026-10-15T09:30:00Z",
        "comment": "All clear",
    }
    approved = act(anonymous, case, "approval", {"decision": "approve", "reason": "Agreed"}, omar)
    assert (approved.status_code, approved.json()["state"]) == (200, "agreement_negotiation")
    assert approved.json()["pendingRequest"] is None
    history = anonymous.get(f"{case['href']}/history", headers=carla)
    assert history.headers["X-Total-Count"] == "4"
    assert [
        (
            e["sequence"],
            e["event"],
            e["fromState"],
            e["toState"],
            e["actor"],
            e["requestedBy"],
            e["comment"],
        )
        for e in history.json()
    ] == [
        (1, "opened", None, "application", "user:carla", None, "Applied at the fair"),
        (2, "transitioned", "application", "due_diligence", "user:carla", None, ""),
        (3, "requested", "due_diligence", "agreement_negotiation", "user:carla", None, "All clear"),
        (
            4,
            "approved",
            "due_diligence",
            "agreement_negotiation",
            "user:omar",
            "user:carla",
            "Agreed",
        ),
    ]
    listed = anonymous.get(f"{BASE}/partnerOnboarding?state=agreement_negotiation", headers=omar)
    assert [c["id"] for c in listed.json()] == [case["id"]]


def test_a_skipped_step_is_a_422_and_changes_nothing(
    anonymous: TestClient, partners: dict[str, Any], carla: Any, runtime: Runtime
) -> None:
    case = open_case(anonymous, partners["ACME"], carla)
    skipped = act(anonymous, case, "transition", {"toState": "training"}, carla)
    assert skipped.status_code == 422
    assert skipped.json()["message"] == (
        "An on-boarding case in application cannot move to training: "
        "toState: the next state after application is due_diligence or terminated"
    )
    assert anonymous.get(case["href"], headers=carla).json()["state"] == "application"
    assert history_length(runtime) == 1
    act(anonymous, case, "transition", {"toState": "due_diligence"}, carla)
    incomplete = act(anonymous, case, "transition", {"toState": "agreement_negotiation"}, carla)
    assert incomplete.status_code == 422
    assert [d["location"] for d in incomplete.json()["details"]] == [
        f"checklist.{code}" for code in CHECKS
    ]


def test_self_approval_is_a_422_and_a_rejection_needs_a_reason(
    anonymous: TestClient, partners: dict[str, Any], carla: Any, omar: Any, runtime: Runtime
) -> None:
    case = open_case(anonymous, partners["ACME"], carla)
    act(anonymous, case, "transition", {"toState": "due_diligence"}, carla)
    for code in CHECKS:
        anonymous.patch(
            f"{case['href']}/checklistItem/{code}", json={"evidence": "ok"}, headers=carla
        )
    act(anonymous, case, "transition", {"toState": "agreement_negotiation"}, carla)
    before = history_length(runtime)
    own = act(anonymous, case, "approval", {"decision": "approve"}, carla)
    assert own.status_code == 422
    assert own.json()["message"] == (
        "user:carla requested the move to agreement_negotiation and cannot approve it; "
        "another user must: approver: must differ from the requester user:carla"
    )
    assert own.json()["code"] == "SDV-422"
    no_reason = act(anonymous, case, "approval", {"decision": "reject"}, omar)
    assert no_reason.status_code == 400
    assert no_reason.json()["details"] == [{"location": "reason", "message": "say why"}]
    assert history_length(runtime) == before
    rejected = act(anonymous, case, "approval", {"decision": "reject", "reason": "No"}, omar)
    assert (rejected.json()["state"], rejected.json()["pendingRequest"]) == ("due_diligence", None)


def test_bad_bodies_are_400_with_locations(
    anonymous: TestClient, partners: dict[str, Any], carla: Any
) -> None:
    case = open_case(anonymous, partners["ACME"], carla)
    bad = act(anonymous, case, "transition", {"toState": "moon", "why": 1}, carla)
    assert bad.status_code == 400
    assert bad.json()["details"] == [
        {"location": "why", "message": "unknown attribute; known: toState, comment"},
        {
            "location": "toState",
            "message": "expected one of application, due_diligence, agreement_negotiation, "
            "training, active, suspended, terminated; got 'moon'",
        },
    ]
    item = act(anonymous, case, "checklistItem", {"code": "vat", "mandatory": "yes"}, carla)
    assert item.status_code == 400
    assert [d["location"] for d in item.json()["details"]] == ["label", "mandatory"]
    added = act(anonymous, case, "checklistItem", {"code": "vat", "label": "VAT number"}, carla)
    assert added.status_code == 201
    assert added.headers["Location"] == f"{case['href']}/checklistItem/vat"
    items = anonymous.get(f"{case['href']}/checklistItem", headers=carla)
    assert [i["code"] for i in items.json()][-1] == "vat"
    again = anonymous.post(
        f"{BASE}/partnerOnboarding", json={"partner": {"id": partners["ACME"]["id"]}}, headers=carla
    )
    assert again.status_code == 409
    assert anonymous.delete(case["href"], headers=carla).status_code == 405


def test_an_action_with_a_stale_if_match_is_412_and_changes_nothing(
    anonymous: TestClient, partners: dict[str, Any], carla: Any, runtime: Runtime
) -> None:
    # given a case read at its first version
    case = open_case(anonymous, partners["ACME"], carla)
    read = anonymous.get(case["href"], headers=carla)
    etag = read.headers["ETag"]
    before = history_length(runtime)
    # when it moves with that ETag
    moved = anonymous.post(
        f"{case['href']}/transition",
        json={"toState": "due_diligence"},
        headers={**carla, "If-Match": etag},
    )
    # then the answer is the case with its new ETag
    assert (moved.status_code, moved.json()["state"]) == (200, "due_diligence")
    assert moved.headers["ETag"] != etag
    assert anonymous.get(case["href"], headers=carla).headers["ETag"] == moved.headers["ETag"]
    # and a second move with the old ETag is refused and changes nothing
    stale = anonymous.post(
        f"{case['href']}/transition",
        json={"toState": "terminated", "comment": "late"},
        headers={**carla, "If-Match": etag},
    )
    assert (stale.status_code, stale.json()["code"]) == (412, "SDV-412")
    assert anonymous.get(case["href"], headers=carla).json()["state"] == "due_diligence"
    assert history_length(runtime) == before + 1


def test_a_partner_user_sees_only_its_own_case(
    anonymous: TestClient, partners: dict[str, Any], carla: Any, runtime: Runtime
) -> None:
    own = open_case(anonymous, partners["ACME"], carla)
    other = open_case(anonymous, partners["RIVAL"], carla)
    token = user_token(
        runtime, "acme-user", ["partner_user"], partner_id=uuid.UUID(partners["ACME"]["id"])
    )
    acme = bearer(token)
    assert [c["id"] for c in anonymous.get(f"{BASE}/partnerOnboarding", headers=acme).json()] == [
        own["id"]
    ]
    for response in (
        anonymous.get(other["href"], headers=acme),
        anonymous.get(f"{other['href']}/history", headers=acme),
        act(anonymous, other, "transition", {"toState": "due_diligence"}, acme),
    ):
        assert response.status_code == 404
    # Its own case: readable, not writable.
    assert act(anonymous, own, "transition", {"toState": "due_diligence"}, acme).status_code == 403
