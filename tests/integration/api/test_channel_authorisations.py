"""Channel authorisations and offer catalogue browsing through HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from salesdev.core.clock import FixedClock
from salesdev.db.models import ChannelAuthorisation, OutboxDelivery, ProductOfferingBundleItem
from salesdev.db.session import unit_of_work
from salesdev.runtime import Runtime
from tests.conftest import T0
from tests.integration.api.conftest import BASE, TestClient, bearer, user_token

CATALOG = "/tmf-api/productCatalogManagement/v4"
JAN = "2027-01-01T00:00:00Z"
MAR = "2027-03-01T00:00:00Z"


def post(
    client: TestClient, resource: str, body: dict[str, Any], api: str = BASE
) -> dict[str, Any]:
    response = client.post(f"{api}/{resource}", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def ref(body: dict[str, Any]) -> dict[str, str]:
    return {"id": body["id"]}


@pytest.fixture
def world(client: TestClient, runtime: Runtime) -> dict[str, dict[str, Any]]:
    channel = post(
        client,
        "salesChannel",
        {"code": "DLR", "name": "Dealers", "channelType": "franchise_dealer"},
    )
    family = post(
        client, "productFamily", {"code": "FIB", "name": "Fibre", "lineOfBusiness": "broadband"}
    )

    def offering(code: str, recurring: str, one_time: str, **extra: Any) -> dict[str, Any]:
        created = post(
            client,
            "productOffering",
            {
                "code": code,
                "name": f"Offering {code}",
                "productFamily": ref(family),
                "currency": "EUR",
                "validFor": {"startDateTime": "2026-01-01T00:00:00Z"},
                **extra,
            },
            CATALOG,
        )
        charges = (("recurring", recurring, {"recurringChargePeriodType": "month"}),
                   ("oneTime", one_time, {}))  # fmt: skip
        for price_type, value, period in charges:
            if value != "0":
                post(
                    client,
                    "productOfferingPrice",
                    {
                        "name": price_type,
                        "productOffering": ref(created),
                        "priceType": price_type,
                        "price": {"unit": "EUR", "value": value},
                        "validFor": {"startDateTime": "2026-01-01T00:00:00Z"},
                        **period,
                    },
                    CATALOG,
                )
        return created

    world = {
        "channel": channel,
        "family": family,
        "acme": post(
            client,
            "partner",
            {
                "code": "ACME",
                "name": "Acme",
                "partnerType": "dealer",
                "tier": "gold",
                "channel": ref(channel),
            },
        ),
        "fibre": offering("FIBRE-1G", "39.99", "49"),
        "router": offering("ROUTER", "0", "99.9"),
        "duo": offering("DUO", "49.99", "0", isBundle=True),
    }
    with unit_of_work(runtime.session_factory) as session:
        session.add(
            ProductOfferingBundleItem(
                bundle_id=uuid.UUID(world["duo"]["id"]),
                component_id=uuid.UUID(world["fibre"]["id"]),
                position=1,
            )
        )
    return world


def authorisation(world: dict[str, Any], offering: str, **extra: Any) -> dict[str, Any]:
    return {
        "channel": ref(world["channel"]),
        "productOffering": ref(world[offering]),
        "validFor": {"startDateTime": JAN, "endDateTime": MAR},
        **extra,
    }


def count_rows(runtime: Runtime) -> int:
    with runtime.session_factory() as session:
        return session.scalar(select(func.count()).select_from(ChannelAuthorisation)) or 0


def test_an_authorisation_is_created_read_and_listed_with_filters(
    client: TestClient, world: dict[str, Any]
) -> None:
    body = authorisation(
        world,
        "fibre",
        partner=ref(world["acme"]),
        prerequisites=[{"type": "certification", "code": "FIBRE-101"}],
    )
    response = client.post(f"{BASE}/channelAuthorisation", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["Location"] == created["href"]
    assert response.headers["ETag"] == '"1"'
    assert {k: v for k, v in created.items() if k not in ("id", "href", "@schemaLocation")} == {
        "@type": "ChannelAuthorisation",
        "@baseType": "ChannelAuthorisation",
        "channel": {
            "id": world["channel"]["id"],
            "href": world["channel"]["href"],
            "name": "Dealers",
            "@referredType": "SalesChannel",
        },
        "partner": {
            "id": world["acme"]["id"],
            "href": world["acme"]["href"],
            "name": "Acme",
            "@referredType": "Partner",
        },
        "productOffering": {
            "id": world["fibre"]["id"],
            "href": world["fibre"]["href"],
            "name": "Offering FIBRE-1G",
            "@referredType": "ProductOffering",
        },
        "validFor": {"startDateTime": JAN, "endDateTime": MAR},
        "prerequisites": [{"type": "certification", "code": "FIBRE-101"}],
        "status": "active",
        "creationDate": "2026-10-15T09:30:00Z",
        "lastUpdate": "2026-10-15T09:30:00Z",
    }
    assert client.get(created["href"]).json() == created
    channel_wide = post(client, "channelAuthorisation", authorisation(world, "router"))
    listed = client.get(
        f"{BASE}/channelAuthorisation?channel.id={world['channel']['id']}&partner.id={world['acme']['id']}"
    )
    assert [r["id"] for r in listed.json()] == [created["id"]]
    assert (listed.headers["X-Total-Count"], listed.headers["X-Result-Count"]) == ("1", "1")
    by_offering = client.get(
        f"{BASE}/channelAuthorisation?productOffering.id={world['router']['id']}&status=active"
        "&validFor.startDateTime.gte=2027-01-01T00:00:00Z&fields=status"
    )
    assert by_offering.json() == [
        {
            "id": channel_wide["id"],
            "href": channel_wide["href"],
            "@type": "ChannelAuthorisation",
            "status": "active",
        }
    ]


def test_bad_input_is_a_400_naming_every_location(
    client: TestClient, world: dict[str, Any], runtime: Runtime
) -> None:
    response = client.post(
        f"{BASE}/channelAuthorisation",
        json={
            "channel": {"id": "not-a-uuid"},
            "validFor": {"startDateTime": "2027-01-01T00:00:00"},
            "prerequisites": [{"type": "diploma", "code": "X"}],
            "colour": "red",
        },
    )
    assert response.status_code == 400
    assert [d["location"] for d in response.json()["details"]] == ["colour"]
    response = client.post(
        f"{BASE}/channelAuthorisation",
        json={
            "channel": {"id": "not-a-uuid"},
            "validFor": {"startDateTime": "2027-01-01T00:00:00"},
        },
    )
    assert response.status_code == 400
    assert response.json()["details"] == [
        {"location": "channel.id", "message": "not a UUID: 'not-a-uuid'"},
        {"location": "productOffering", "message": "is required"},
        {
            "location": "validFor.startDateTime",
            "message": "a timezone is required (e.g. 2026-01-01T00:00:00Z); got '2027-01-01T00:00:00'",
        },
    ]
    bad_prerequisite = client.post(
        f"{BASE}/channelAuthorisation",
        json=authorisation(world, "fibre", prerequisites=[{"type": "diploma", "code": "X"}]),
    )
    assert bad_prerequisite.status_code == 400
    assert bad_prerequisite.json()["details"] == [
        {
            "location": "prerequisites[0].type",
            "message": "expected one of certification, course, agreement; got 'diploma'",
        }
    ]
    bad_filter = client.get(f"{BASE}/channelAuthorisation?colour=red&sort=prerequisites")
    assert bad_filter.status_code == 400
    assert [d["location"] for d in bad_filter.json()["details"]] == ["colour", "sort"]
    assert count_rows(runtime) == 0


def test_an_overlapping_authorisation_is_a_422_and_changes_nothing(
    client: TestClient, world: dict[str, Any], runtime: Runtime
) -> None:
    first = post(client, "channelAuthorisation", authorisation(world, "fibre"))
    overlapping = authorisation(world, "fibre")
    overlapping["validFor"] = {"startDateTime": "2027-02-01T00:00:00Z", "endDateTime": None}
    response = client.post(f"{BASE}/channelAuthorisation", json=overlapping)
    assert response.status_code == 422
    assert response.json()["details"] == [
        {
            "location": "validFor",
            "message": f"authorisation {first['id']} is valid from {JAN} to {MAR}",
        }
    ]
    assert count_rows(runtime) == 1
    # An adjacent period does not overlap.
    overlapping["validFor"] = {"startDateTime": MAR, "endDateTime": None}
    assert client.post(f"{BASE}/channelAuthorisation", json=overlapping).status_code == 201


def test_patch_only_ends_or_withdraws_and_delete_is_not_allowed(
    client: TestClient, world: dict[str, Any], runtime: Runtime
) -> None:
    listener = {"callback": "http://127.0.0.1:9/listener"}
    assert client.post(f"{BASE}/hub", json=listener).status_code == 201
    created = post(client, "channelAuthorisation", authorisation(world, "fibre"))
    moved = client.patch(created["href"], json={"channel": {"id": world["acme"]["id"]}})
    assert moved.status_code == 400
    assert moved.json()["details"][0]["location"] == "channel"
    ended = client.patch(
        created["href"],
        json={"validFor": {"endDateTime": "2027-02-01T00:00:00Z"}},
        headers={"If-Match": '"1"'},
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["validFor"] == {"startDateTime": JAN, "endDateTime": "2027-02-01T00:00:00Z"}
    assert ended.headers["ETag"] == '"2"'
    stale = client.patch(created["href"], json={"status": "withdrawn"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    withdrawn = client.patch(created["href"], json={"status": "withdrawn"})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert client.delete(created["href"]).status_code == 405
    # Once in force it can no longer be withdrawn, only ended, and never in the past.
    in_force = authorisation(world, "router")
    in_force["validFor"] = {"startDateTime": "2026-10-01T00:00:00Z", "endDateTime": None}
    started = post(client, "channelAuthorisation", in_force)
    assert client.patch(started["href"], json={"status": "withdrawn"}).status_code == 422
    past = client.patch(started["href"], json={"validFor": {"endDateTime": "2026-10-15T09:00:00Z"}})
    assert past.status_code == 422
    assert past.json()["details"][0]["location"] == "validFor.endDateTime"
    reopened = client.patch(ended.json()["href"], json={"validFor": {"endDateTime": None}})
    assert reopened.status_code == 400
    with runtime.session_factory() as session:
        events = sorted(session.scalars(select(OutboxDelivery.event_type)))
    assert events == [
        "ChannelAuthorisationAttributeValueChangeEvent",
        "ChannelAuthorisationCreateEvent",
        "ChannelAuthorisationCreateEvent",
        "ChannelAuthorisationStateChangeEvent",
    ]


def browse(client: TestClient, world: dict[str, Any], query: str = "") -> Any:
    return client.get(f"{BASE}/salesChannel/{world['channel']['id']}/sellableOffering{query}")


def test_browsing_answers_tmf620_offerings_with_bundles_and_prices(
    client: TestClient, world: dict[str, Any]
) -> None:
    post(client, "channelAuthorisation", authorisation(world, "duo"))
    own = post(
        client, "channelAuthorisation", authorisation(world, "router", partner=ref(world["acme"]))
    )
    response = browse(client, world, f"?partner.id={world['acme']['id']}&at={JAN}")
    assert response.status_code == 200, response.text
    assert (response.headers["X-Total-Count"], response.headers["X-Result-Count"]) == ("2", "2")
    duo, router = response.json()
    base = world["channel"]["href"].rsplit("/salesChannel/", 1)[0]
    assert duo["bundledProductOffering"] == [
        {
            "id": world["fibre"]["id"],
            "href": world["fibre"]["href"],
            "name": "Offering FIBRE-1G",
            "code": "FIBRE-1G",
            "isBundle": False,
            "position": 1,
            "@referredType": "ProductOffering",
            "productOfferingPrice": [
                {
                    "name": "Recurring charge",
                    "priceType": "recurring",
                    "price": {"unit": "EUR", "value": 39.99},
                    "@type": "ProductOfferingPrice",
                },
                {
                    "name": "One-time charge",
                    "priceType": "oneTime",
                    "price": {"unit": "EUR", "value": 49},
                    "@type": "ProductOfferingPrice",
                },
            ],
        }
    ]
    assert router == {
        "id": world["router"]["id"],
        "href": world["router"]["href"],
        "@type": "ProductOffering",
        "code": "ROUTER",
        "name": "Offering ROUTER",
        "isBundle": False,
        "isSellable": True,
        "lifecycleStatus": "Active",
        "productFamily": {"code": "FIB", "name": "Fibre"},
        "productOfferingPrice": [
            {
                "name": "Recurring charge",
                "priceType": "recurring",
                "price": {"unit": "EUR", "value": 0},
                "@type": "ProductOfferingPrice",
            },
            {
                "name": "One-time charge",
                "priceType": "oneTime",
                "price": {"unit": "EUR", "value": 99.9},
                "@type": "ProductOfferingPrice",
            },
        ],
        "bundledProductOffering": [],
        "channelAuthorisation": {
            "id": own["id"],
            "href": own["href"],
            "@referredType": "ChannelAuthorisation",
            "partner": {
                "id": world["acme"]["id"],
                "href": f"{base}/partner/{world['acme']['id']}",
                "@referredType": "Partner",
            },
            "validFor": {"startDateTime": JAN, "endDateTime": MAR},
            "prerequisites": [],
        },
        # No price list for the channel: its price is the catalogue list price.
        "channelPrice": {
            "priceSource": "catalogue",
            "priceListVersion": None,
            "price": [{"priceType": "oneTime", "price": {"unit": "EUR", "value": 99.9}}],
        },
    }
    # Without the partner, only the channel-wide rows; paging keeps the total.
    page = browse(client, world, f"?at={JAN}&offset=0&limit=0")
    assert (page.json(), page.headers["X-Total-Count"]) == ([], "1")


def test_browsing_at_the_boundary_instants(
    client: TestClient, world: dict[str, Any], clock: FixedClock
) -> None:
    post(client, "channelAuthorisation", authorisation(world, "fibre"))

    def codes(at: str) -> list[str]:
        response = browse(client, world, f"?at={at}")
        assert response.status_code == 200, response.text
        return [o["code"] for o in response.json()]

    assert codes("2026-12-31T23:59:59.999999Z") == []
    assert codes(JAN) == ["FIBRE-1G"]
    assert codes("2027-02-28T23:59:59.999999Z") == ["FIBRE-1G"]
    assert codes(MAR) == []
    # Without "at", the clock's now.
    assert browse(client, world).json() == []
    clock.at = T0.replace(year=2027, month=1, day=1, hour=0, minute=0)
    assert [o["code"] for o in browse(client, world).json()] == ["FIBRE-1G"]


def test_browsing_refuses_bad_parameters_and_unknown_channels(
    client: TestClient, world: dict[str, Any]
) -> None:
    bad = browse(client, world, "?at=tomorrow&limit=5000&partner.id=x&colour=red")
    assert bad.status_code == 400
    assert [d["location"] for d in bad.json()["details"]] == ["colour"]
    bad = browse(client, world, "?at=tomorrow&limit=5000&partner.id=x")
    assert [d["location"] for d in bad.json()["details"]] == ["partner.id", "at", "limit"]
    unknown = client.get(f"{BASE}/salesChannel/{world['fibre']['id']}/sellableOffering")
    assert unknown.status_code == 404
    stranger = browse(client, world, f"?partner.id={world['fibre']['id']}")
    assert stranger.status_code == 404


def test_a_partner_user_browses_only_its_own_channel(
    anonymous: TestClient, client: TestClient, world: dict[str, Any], runtime: Runtime
) -> None:
    other = post(client, "salesChannel", {"code": "WEB", "name": "Web", "channelType": "online"})
    token = user_token(
        runtime, "acme-user", ["partner_user"], partner_id=uuid.UUID(world["acme"]["id"])
    )
    own = anonymous.get(
        f"{BASE}/salesChannel/{world['channel']['id']}/sellableOffering", headers=bearer(token)
    )
    assert own.status_code == 200
    foreign = anonymous.get(
        f"{BASE}/salesChannel/{other['id']}/sellableOffering", headers=bearer(token)
    )
    assert foreign.status_code == 404
