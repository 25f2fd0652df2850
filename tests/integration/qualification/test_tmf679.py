"""TMF679 conformance through HTTP: status codes, headers, shapes, hub events, scoping."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from salesdev.db.models import AuditEvent, Customer
from salesdev.db.models.selling import ProductOfferingQualification
from salesdev.db.session import unit_of_work
from salesdev.runtime import Runtime
from tests.integration.api.conftest import (
    BASE,
    TestClient,
    bearer,
    make_client,
    new_token,
    new_user,
    user_token,
)
from tests.integration.qualification.world import World, build_world

POQ = "/tmf-api/productOfferingQualification/v4/productOfferingQualification"
HUB = "/tmf-api/productOfferingQualification/v4/hub"


@pytest.fixture
def world(runtime: Runtime) -> World:
    with unit_of_work(runtime.session_factory) as session:
        return build_world(session)


def request(world: World, *codes: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@type": "ProductOfferingQualification",
        "channel": {"id": str(world["RET"])},
        "relatedParty": [{"id": str(world["BOB"]), "@referredType": "Customer"}],
        "place": [{"id": str(world["PD"]), "role": "installationAddress"}],
        **extra,
    }
    if codes:
        body["productOfferingQualificationItem"] = [
            {"id": str(n), "productOffering": {"id": str(world[code])}}
            for n, code in enumerate(codes, start=1)
        ]
    return body


def stored(runtime: Runtime) -> int:
    with unit_of_work(runtime.session_factory) as session:
        return session.scalar(select(func.count()).select_from(ProductOfferingQualification)) or 0


def test_a_qualification_is_answered_synchronously_and_kept(
    client: TestClient, world: World
) -> None:
    # When BOB (credit C, 25-34) at PD (dsl) asks for three offerings, with alternatives
    created = client.post(
        POQ,
        json=request(world, "MOB-SENIOR", "MOB-S", "FIB-100", provideAlternative=True),
    )
    # Then 201, Location, ETag and the finished resource
    assert created.status_code == 201
    body = created.json()
    assert created.headers["Location"] == body["href"] == f"http://testserver{POQ}/{body['id']}"
    assert created.headers["ETag"] == '"1"'
    assert body["@type"] == "ProductOfferingQualification"
    assert body["state"] == "done"
    assert body["qualificationResult"] == "partiallyQualified"
    assert body["instantSyncQualification"] is True
    assert body["provideAlternative"] is True
    assert body["effectiveQualificationDate"] == "2026-10-15T09:30:00Z"
    assert body["channel"] == {
        "id": str(world["RET"]),
        "href": f"http://testserver{BASE}/salesChannel/{world['RET']}",
        "name": "Channel RET",
        "@referredType": "SalesChannel",
    }
    assert body["relatedParty"] == [
        {
            "id": str(world["BOB"]),
            "href": f"http://testserver{BASE}/customer/{world['BOB']}",
            "name": "Customer BOB",
            "role": "customer",
            "@referredType": "Customer",
        }
    ]
    assert body["place"][0]["id"] == str(world["PD"])
    assert body["place"][0]["name"] == "PD Main Street"
    items = body["productOfferingQualificationItem"]
    assert [
        (i["id"], i["productOffering"]["name"], i["qualificationItemResult"]) for i in items
    ] == [
        ("1", "Offering MOB-SENIOR", "unqualified"),
        ("2", "Offering MOB-S", "qualified"),
        ("3", "Offering FIB-100", "unqualified"),
    ]
    assert items[0] == {
        "id": "1",
        "@type": "ProductOfferingQualificationItem",
        "state": "done",
        "qualificationItemResult": "unqualified",
        "productOffering": {
            "id": str(world["MOB-SENIOR"]),
            "href": "http://testserver/tmf-api/productCatalogManagement/v4/productOffering/"
            f"{world['MOB-SENIOR']}",
            "name": "Offering MOB-SENIOR",
            "@referredType": "ProductOffering",
        },
        "eligibilityUnavailabilityReason": [
            {
                "code": "AGE_BAND",
                "label": "The senior plan is for customers aged 65 or more",
                "failedClause": ["age band is 65+ (it is 25-34)"],
                "rule": "SENIOR-AGE",
                "@type": "EligibilityUnavailabilityReason",
            }
        ],
        "alternateProductOfferingProposal": [
            {
                "id": "1-1",
                "alternateProductOffering": {
                    "id": str(world["MOB-S"]),
                    "href": "http://testserver/tmf-api/productCatalogManagement/v4/"
                    f"productOffering/{world['MOB-S']}",
                    "name": "Offering MOB-S",
                    "@referredType": "ProductOffering",
                },
                "@type": "AlternateProductOfferingProposal",
            }
        ],
    }
    assert items[2]["eligibilityUnavailabilityReason"][0]["code"] == "NO_FIBRE"
    assert items[2]["alternateProductOfferingProposal"] == []
    # And it can be read back, and found in the list
    again = client.get(body["href"])
    assert again.status_code == 200
    assert again.json() == body
    listed = client.get(f"{POQ}?state=done&fields=state,qualificationResult")
    assert listed.headers["X-Total-Count"] == "1"
    assert listed.json() == [
        {
            "id": body["id"],
            "href": body["href"],
            "@type": "ProductOfferingQualification",
            "state": "done",
            "qualificationResult": "partiallyQualified",
        }
    ]


def test_without_items_the_whole_catalogue_is_qualified(client: TestClient, world: World) -> None:
    body = client.post(POQ, json=request(world, provideOnlyAvailable=True)).json()
    names = [i["productOffering"]["name"] for i in body["productOfferingQualificationItem"]]
    assert names == ["Offering MOB-S", "Offering TV-ADDON"]
    assert body["qualificationResult"] == "partiallyQualified"
    unfiltered = client.post(POQ, json=request(world, provideUnavailabilityReason=False)).json()
    items = unfiltered["productOfferingQualificationItem"]
    assert len(items) == 10
    assert all("eligibilityUnavailabilityReason" not in i for i in items)
    assert all("alternateProductOfferingProposal" not in i for i in items)


@pytest.mark.parametrize(
    "flags",
    [
        {},
        {"provideAlternative": True},
        {"provideUnavailabilityReason": False},
        {"provideAlternative": True, "provideUnavailabilityReason": False},
    ],
)
def test_the_answer_encoded_as_text_equals_the_stored_resource_read_back(
    client: TestClient, world: World, flags: dict[str, Any]
) -> None:
    # Given no hub listener, the POST encodes its items straight to text
    # When the whole catalogue is qualified and the answer is read back (rendered as objects)
    created = client.post(POQ, json=request(world, **flags))
    read = client.get(created.json()["href"])
    # Then both are the same resource, item for item
    assert created.status_code == 201
    assert read.json() == created.json()
    assert len(created.json()["productOfferingQualificationItem"]) == 10


def test_bad_requests_are_400_or_404_naming_the_item_and_store_nothing(
    client: TestClient, world: World, runtime: Runtime
) -> None:
    stranger = str(uuid.UUID(int=5))
    missing_channel = client.post(POQ, json={})
    assert missing_channel.status_code == 400
    assert missing_channel.json()["details"] == [
        {"location": "channel", "message": "is required: the sales channel to qualify for"}
    ]
    body = request(world, "MOB-S")
    body["productOfferingQualificationItem"].append({"productOffering": {"id": stranger}})
    unknown_offering = client.post(POQ, json=body)
    assert unknown_offering.status_code == 400
    assert unknown_offering.json()["details"] == [
        {
            "location": "productOfferingQualificationItem[1].productOffering.id",
            "message": f"no product offering with id {stranger}",
        }
    ]
    unknown_customer = client.post(
        POQ,
        json={**request(world), "relatedParty": [{"id": stranger, "@referredType": "Customer"}]},
    )
    assert unknown_customer.status_code == 404
    assert stranger in unknown_customer.json()["message"]
    unknown_channel = client.post(POQ, json={**request(world), "channel": {"id": stranger}})
    assert unknown_channel.status_code == 404
    shapes = client.post(
        POQ,
        json={
            "channel": {"id": "nope"},
            "relatedParty": [{"id": stranger}],
            "place": "PD",
            "provideAlternative": "yes",
            "productOfferingQualificationItem": [{"product": {}}],
            "category": {"id": "x"},
        },
    )
    assert shapes.status_code == 400
    assert [d["location"] for d in shapes.json()["details"]] == [
        "category",
        "channel.id",
        "relatedParty[0]",
        "place",
        "productOfferingQualificationItem[0].product",
        "productOfferingQualificationItem[0].productOffering",
        "provideAlternative",
    ]
    wrong_type = client.post(POQ, content=b"[]", headers={"Content-Type": "application/json"})
    assert wrong_type.status_code == 400
    assert (
        client.post(POQ, content=b"{}", headers={"Content-Type": "text/plain"}).status_code == 415
    )
    assert stored(runtime) == 0


def test_patch_changes_only_description_and_expiration_delete_removes(
    client: TestClient, world: World
) -> None:
    created = client.post(POQ, json=request(world, "MOB-S")).json()
    patched = client.patch(
        created["href"],
        json={"description": "for the call of Monday", "expirationDate": "2026-11-15T00:00:00Z"},
        headers={"Content-Type": "application/merge-patch+json", "If-Match": '"1"'},
    )
    assert patched.status_code == 200
    assert patched.headers["ETag"] == '"2"'
    assert patched.json()["description"] == "for the call of Monday"
    assert patched.json()["expirationDate"] == "2026-11-15T00:00:00Z"
    stale = client.patch(created["href"], json={"description": "x"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    refused = client.patch(created["href"], json={"state": "inProgress"})
    assert refused.status_code == 400
    assert refused.json()["details"][0]["location"] == "state"
    assert client.delete(created["href"]).status_code == 204
    assert client.get(created["href"]).status_code == 404
    assert client.delete(created["href"]).status_code == 404


def test_hub_listeners_get_create_state_change_and_delete_events(
    client: TestClient, world: World
) -> None:
    listener = client.post(HUB, json={"callback": "http://127.0.0.1:9/poq"})
    assert listener.status_code == 201
    created = client.post(POQ, json=request(world, "MOB-S")).json()
    # With a listener the answer is rendered as objects: the same resource as read back
    assert client.get(created["href"]).json() == created
    client.patch(created["href"], json={"description": "noted"})
    client.delete(created["href"])
    queued = client.get(f"{BASE}/notificationDelivery?limit=10").json()
    kinds = sorted(d["eventType"] for d in queued)
    assert kinds == [
        "ProductOfferingQualificationAttributeValueChangeEvent",
        "ProductOfferingQualificationCreateEvent",
        "ProductOfferingQualificationDeleteEvent",
        "ProductOfferingQualificationStateChangeEvent",
    ]


@pytest.fixture
def partner_client(app: FastAPI, runtime: Runtime, world: World) -> Iterator[TestClient]:
    token = user_token(runtime, "pat", ["partner_user"], partner_id=world["P2"])
    with make_client(app, headers=bearer(token)) as test_client:
        yield test_client


def test_a_partner_user_qualifies_only_in_its_channel_and_sees_only_its_own(
    client: TestClient, partner_client: TestClient, world: World, runtime: Runtime
) -> None:
    # BOB is P2's customer (a partner user sells only to its partners' customers)
    with unit_of_work(runtime.session_factory) as session:
        session.get(Customer, world["BOB"]).partner_id = world["P2"]  # type: ignore[union-attr]
    mine = client.post(POQ, json=request(world, "MOB-S")).json()
    other_channel = partner_client.post(POQ, json=request(world, "MOB-S"))
    assert other_channel.status_code == 404
    own_channel = partner_client.post(
        POQ, json={**request(world, "MOB-S"), "channel": {"id": str(world["ONL"])}}
    )
    assert own_channel.status_code == 201
    theirs = own_channel.json()
    assert theirs["relatedParty"][1]["role"] == "seller"
    assert theirs["relatedParty"][1]["id"] == str(world["P2"])
    assert (
        theirs["productOfferingQualificationItem"][0]["eligibilityUnavailabilityReason"][0]["code"]
        == "NOT_AUTHORISED"
    )
    assert partner_client.get(mine["href"]).status_code == 404
    assert [q["id"] for q in partner_client.get(POQ).json()] == [theirs["id"]]
    assert {q["id"] for q in client.get(POQ).json()} == {mine["id"], theirs["id"]}


def test_the_post_refuses_a_caller_before_judging_the_body(
    app: FastAPI, anonymous: TestClient, world: World, runtime: Runtime
) -> None:
    # Given a body the endpoint would refuse (415) and one it would accept
    text_body = {"content": b"{}", "headers": {"Content-Type": "text/plain"}}
    # When the caller has no token, a malformed header or an unknown token: 401 first
    assert anonymous.post(POQ, **text_body).status_code == 401  # type: ignore[arg-type]
    malformed = anonymous.post(
        POQ, content=b"{}", headers={"Content-Type": "text/plain", "Authorization": "Basic x"}
    )
    assert malformed.status_code == 401
    unknown = anonymous.post(
        POQ, content=b"{}", headers={"Content-Type": "text/plain", **bearer("sdv_unknown")}
    )
    assert unknown.status_code == 401
    assert unknown.headers["WWW-Authenticate"] == 'Bearer realm="salesdev"'
    # When the caller may not write (a read-only credential): 403, recorded, for either body
    reader = new_token(runtime, new_user(runtime, "reader", ["admin"]), read_only=True)
    with make_client(app, headers=bearer(reader)) as read_only:
        assert read_only.post(POQ, **text_body).status_code == 403  # type: ignore[arg-type]
        assert read_only.post(POQ, json=request(world, "MOB-S")).status_code == 403
    with unit_of_work(runtime.session_factory) as session:
        denied = session.scalars(
            select(AuditEvent.object_id).where(AuditEvent.action == "permission.denied")
        ).all()
    assert denied == [f"POST {POQ}"[:64]] * 2
    # Then nothing was stored
    assert stored(runtime) == 0
