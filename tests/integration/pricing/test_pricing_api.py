"""Channel pricing through HTTP: lists, versions, entries (JSON and CSV), rules, approval by
someone else, guard-rails and a price resolution breakdown."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from salesdev.db.models.pricing import PriceListEntry
from salesdev.db.session import unit_of_work
from salesdev.runtime import Runtime
from tests.integration.api.conftest import BASE, TestClient, bearer, user_token
from tests.integration.pricing.world import World, world


@pytest.fixture
def w(runtime: Runtime) -> World:
    with unit_of_work(runtime.session_factory) as session:
        found = world(session)
        session.expunge_all()
    return found


@pytest.fixture
def carla(runtime: Runtime) -> dict[str, str]:
    return bearer(user_token(runtime, "carla", ["channel_manager"]))


@pytest.fixture
def omar(runtime: Runtime) -> dict[str, str]:
    return bearer(user_token(runtime, "omar", ["product_manager"]))


def _approved_version(client: TestClient, w: World, carla: Any, omar: Any) -> dict[str, Any]:
    price_list = client.post(
        f"{BASE}/priceList",
        json={"name": "Dealers", "channel": {"id": str(w.channel.id)}, "currency": "EUR"},
        headers=carla,
    )
    assert price_list.status_code == 201, price_list.text
    version = client.post(
        f"{BASE}/priceListVersion",
        json={
            "priceList": {"id": price_list.json()["id"]},
            "validFor": {"startDateTime": "2027-01-01T00:00:00Z"},
        },
        headers=carla,
    )
    assert version.status_code == 201, version.text
    version_id = version.json()["id"]
    entries = client.post(
        f"{BASE}/priceListVersion/{version_id}/entry",
        json={"csv": "offering,recurring,one_time,unit_cost\nF100,40.00,50.00,20\n"},
        headers=carla,
    )
    assert entries.status_code == 200, entries.text
    rule = client.post(
        f"{BASE}/pricingRule",
        json={
            "priceListVersion": {"id": version_id},
            "name": "Consumer promo",
            "kind": "discount",
            "method": "percentage",
            "value": "12.5",
            "appliesTo": "recurring",
            "target": "offerings",
            "offerings": [{"id": str(w.fibre.id)}],
            "stacking": "stackable",
            "priority": 3,
            "condition": {"attribute": "customer.segment", "op": "eq", "value": "consumer"},
        },
        headers=carla,
    )
    assert rule.status_code == 201, rule.text
    assert rule.json()["offerings"][0]["name"] == "Offering F100"
    for who, action in ((carla, "submit"), (omar, "approve")):
        moved = client.post(
            f"{BASE}/priceListVersion/{version_id}/transition", json={"action": action}, headers=who
        )
        assert moved.status_code == 200, moved.text
    return dict(moved.json())


def test_a_version_goes_through_approval_and_prices_a_sale(
    client: TestClient, w: World, carla: Any, omar: Any
) -> None:
    version = _approved_version(client, w, carla, omar)
    assert (version["status"], version["author"], version["decidedBy"]) == (
        "approved",
        "user:carla",
        "user:omar",
    )
    answer = client.post(
        f"{BASE}/priceResolution",
        json={
            "channel": {"id": str(w.channel.id)},
            "customer": {"id": str(w.customer.id)},
            "productOffering": [{"id": str(w.fibre.id)}],
            "quantity": 3,
            "date": "2027-02-01T00:00:00Z",
        },
    )
    assert answer.status_code == 200, answer.text
    [item] = answer.json()["item"]
    recurring = item["productPrice"][0]
    assert (item["priceSource"], item["priceListVersion"]["number"]) == ("priceList", 1)
    assert recurring["listPrice"] == {"unit": "EUR", "value": 40.0}
    assert recurring["price"]["dutyFreeAmount"] == {"unit": "EUR", "value": 35.0}
    assert recurring["totalPrice"]["dutyFreeAmount"] == {"unit": "EUR", "value": 105.0}
    [alteration] = recurring["priceAlteration"]
    assert (alteration["name"], alteration["price"]["dutyFreeAmount"]["value"]) == (
        "Consumer promo",
        -5.0,
    )
    assert (
        alteration["reason"] == "stackable discount; condition holds: customer segment is consumer"
    )


def test_the_author_cannot_approve_and_csv_errors_change_nothing(
    client: TestClient, runtime: Runtime, w: World, carla: Any
) -> None:
    price_list = client.post(
        f"{BASE}/priceList",
        json={"name": "Dealers", "channel": {"id": str(w.channel.id)}, "currency": "EUR"},
        headers=carla,
    ).json()
    version = client.post(
        f"{BASE}/priceListVersion",
        json={"priceList": {"id": price_list["id"]}, "validFor": {"startDateTime": "2027-01-01"}},
        headers=carla,
    ).json()
    bad = client.post(
        f"{BASE}/priceListVersion/{version['id']}/entry",
        json={"csv": "offering,recurring\nF100,1.5\nGHOST,2\nTV1,-3\n"},
        headers=carla,
    )
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("Invalid CSV; nothing was imported")
    with unit_of_work(runtime.session_factory) as session:
        assert session.scalar(select(func.count()).select_from(PriceListEntry)) == 0
    client.post(
        f"{BASE}/priceListVersion/{version['id']}/transition",
        json={"action": "submit"},
        headers=carla,
    )
    refused = client.post(
        f"{BASE}/priceListVersion/{version['id']}/transition",
        json={"action": "approve"},
        headers=carla,
    )
    assert refused.status_code == 422
    assert "cannot approve it; another user must" in refused.json()["message"]


def test_duplicate_scope_and_unknown_channel_are_refused(
    client: TestClient, w: World, carla: Any
) -> None:
    body = {"name": "Dealers", "channel": {"id": str(w.channel.id)}, "currency": "EUR"}
    assert client.post(f"{BASE}/priceList", json=body, headers=carla).status_code == 201
    assert client.post(f"{BASE}/priceList", json=body, headers=carla).status_code == 422
    unknown = client.post(
        f"{BASE}/priceResolution",
        json={
            "channel": {"id": "00000000-0000-0000-0000-000000000001"},
            "productOffering": [{"id": str(w.fibre.id)}],
        },
    )
    assert unknown.status_code == 404


def test_a_guard_rail_is_created_and_only_ended(client: TestClient, w: World, carla: Any) -> None:
    made = client.post(
        f"{BASE}/priceGuardRail",
        json={
            "channel": {"id": str(w.channel.id)},
            "maxDiscountPercent": "25",
            "validFor": {"startDateTime": "2027-01-01T00:00:00Z"},
        },
        headers=carla,
    )
    assert made.status_code == 201, made.text
    edited = client.patch(
        f"{BASE}/priceGuardRail/{made.json()['id']}",
        json={"maxDiscountPercent": "50"},
        headers=carla,
    )
    assert edited.status_code == 400
    ended = client.patch(
        f"{BASE}/priceGuardRail/{made.json()['id']}",
        json={
            "validFor": {
                "startDateTime": "2027-01-01T00:00:00Z",
                "endDateTime": "2027-06-01T00:00:00Z",
            }
        },
        headers=carla,
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["validFor"]["endDateTime"] == "2027-06-01T00:00:00Z"


def test_out_of_range_numbers_are_clear_errors(client: TestClient, w: World, carla: Any) -> None:
    refused = client.post(
        f"{BASE}/priceGuardRail",
        json={
            "channel": {"id": str(w.channel.id)},
            "minMarginPercent": 1e24,
            "floorPercent": "lots",
            "validFor": {"startDateTime": "2027-01-01T00:00:00Z"},
        },
        headers=carla,
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["details"] == [
        {"location": "floorPercent", "message": "not a decimal number: 'lots'"},
        {"location": "minMarginPercent", "message": "must be at most 99.9999, got 1E+24"},
    ]
