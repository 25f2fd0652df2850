"""The TMF620 v4 Product Catalog Management API through HTTP: bundles with option limits,
prices, terms, list filters, events, and the refusals that change nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from salesdev.db.models import (
    Catalog,
    Category,
    ProductOffering,
    ProductOfferingBundleItem,
    ProductOfferingPrice,
    ProductSpecification,
)
from salesdev.runtime import Runtime
from tests.integration.api.conftest import BASE, TestClient, bearer, user_token

CATALOG = "/tmf-api/productCatalogManagement/v4"
START = {"startDateTime": "2026-01-01T00:00:00Z"}
MERGE = {"Content-Type": "application/merge-patch+json"}


def post(client: TestClient, resource: str, body: dict[str, Any], api: str = CATALOG) -> Any:
    response = client.post(f"{api}/{resource}", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def offering(world: dict[str, Any], code: str, **overrides: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": code.title(),
        "productFamily": {"id": world["family"]},
        "currency": "EUR",
        "validFor": START,
        **overrides,
    }


@pytest.fixture
def world(client: TestClient) -> dict[str, Any]:
    family = post(
        client,
        "productFamily",
        {"code": "MOB", "name": "Mobile", "lineOfBusiness": "mobile"},
        BASE,
    )
    channel = post(
        client, "salesChannel", {"code": "WEB", "name": "Web", "channelType": "online"}, BASE
    )
    catalog = post(client, "catalog", {"name": "Consumer", "validFor": START})
    category = post(
        client,
        "category",
        {"name": "Mobile", "catalog": {"id": catalog["id"]}, "validFor": START},
    )
    world = {
        "family": family["id"],
        "channel": channel["id"],
        "catalog": catalog["id"],
        "category": category["id"],
    }
    world["sim"] = post(client, "productOffering", offering(world, "SIM"))
    world["multi"] = post(client, "productOffering", offering(world, "MULTISIM"))
    return world


def bundle(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    given: dict[str, Any] = {
        "isBundle": True,
        "category": [{"id": world["category"]}],
        "channel": [{"id": world["channel"]}],
        "productOfferingTerm": [
            {"name": "24-month commitment", "duration": {"amount": 24, "units": "month"}}
        ],
        "bundledProductOffering": [
            {"id": world["sim"]["id"]},
            {
                "id": world["multi"]["id"],
                "bundledProductOfferingOption": {
                    "numberRelOfferLowerLimit": 0,
                    "numberRelOfferDefault": 1,
                    "numberRelOfferUpperLimit": 4,
                },
            },
        ],
    }
    return offering(world, "FAMILY", **{**given, **overrides})


def monthly(offering_id: str, value: Any = "29.99", **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Monthly",
        "productOffering": {"id": offering_id},
        "priceType": "recurring",
        "recurringChargePeriodType": "month",
        "price": {"unit": "EUR", "value": value},
        "validFor": START,
        **overrides,
    }


def counts(runtime: Runtime) -> tuple[int, int, int]:
    with runtime.session_factory() as session:
        return (
            session.scalar(select(func.count()).select_from(ProductOffering)) or 0,
            session.scalar(select(func.count()).select_from(ProductOfferingBundleItem)) or 0,
            session.scalar(select(func.count()).select_from(ProductOfferingPrice)) or 0,
        )


def test_a_bundle_with_option_limits_prices_and_a_term(
    client: TestClient, world: dict[str, Any]
) -> None:
    created = post(client, "productOffering", bundle(world))
    recurring = post(client, "productOfferingPrice", monthly(created["id"]))
    once = post(
        client,
        "productOfferingPrice",
        {
            "name": "Activation",
            "productOffering": {"id": created["id"]},
            "priceType": "oneTime",
            "price": {"unit": "EUR", "value": 0.1},
            "validFor": START,
        },
    )

    read = client.get(created["href"]).json()
    assert read["isBundle"] is True
    assert read["lifecycleStatus"] == "Active"
    assert [
        (b["name"], b["bundledProductOfferingOption"]["numberRelOfferLowerLimit"],
         b["bundledProductOfferingOption"]["numberRelOfferDefault"],
         b["bundledProductOfferingOption"]["numberRelOfferUpperLimit"])
        for b in read["bundledProductOffering"]
    ] == [("Sim", 1, 1, 1), ("Multisim", 0, 1, 4)]  # fmt: skip
    assert [(c["id"], c["name"]) for c in read["category"]] == [(world["category"], "Mobile")]
    assert [(c["id"], c["@referredType"]) for c in read["channel"]] == [
        (world["channel"], "SalesChannel")
    ]
    assert read["productOfferingTerm"][0]["duration"] == {"amount": 24, "units": "month"}
    assert sorted(p["name"] for p in read["productOfferingPrice"]) == ["Activation", "Monthly"]
    assert recurring["price"] == {"unit": "EUR", "value": 29.99}
    assert recurring["recurringChargePeriodLength"] == 1
    assert once["price"] == {"unit": "EUR", "value": 0.1}
    assert once["recurringChargePeriodType"] is None


def test_lists_filter_and_select_fields(client: TestClient, world: dict[str, Any]) -> None:
    post(client, "productOffering", bundle(world))
    in_category = client.get(
        f"{CATALOG}/productOffering?category.id={world['category']}&fields=code,isBundle"
    )
    assert in_category.status_code == 200, in_category.text
    assert [(o["code"], o["isBundle"], set(o)) for o in in_category.json()] == [
        ("FAMILY", True, {"id", "href", "@type", "code", "isBundle"})
    ]
    bundles = client.get(f"{CATALOG}/productOffering?isBundle=false&sort=code&fields=code")
    assert [o["code"] for o in bundles.json()] == ["MULTISIM", "SIM"]
    by_channel = client.get(f"{CATALOG}/productOffering?channel.id={world['channel']}")
    assert [o["code"] for o in by_channel.json()] == ["FAMILY"]
    named = client.get(f"{CATALOG}/productOffering?name=Sim&lifecycleStatus=Active")
    assert [o["code"] for o in named.json()] == ["SIM"]
    later = client.get(f"{CATALOG}/productOffering?validFor.startDateTime.gt=2026-06-01")
    assert later.json() == []


def test_a_lifecycle_change_emits_a_state_change_event(
    client: TestClient, world: dict[str, Any]
) -> None:
    listener = client.post(
        f"{CATALOG}/hub",
        json={
            "callback": "http://127.0.0.1:9/l",
            "query": "eventType=ProductOfferingStateChangeEvent",
        },
    )
    assert listener.status_code == 201, listener.text
    retired = client.patch(world["sim"]["href"], json={"lifecycleStatus": "Retired"}, headers=MERGE)
    assert retired.status_code == 200, retired.text
    client.patch(world["sim"]["href"], json={"name": "Renamed"}, headers=MERGE)
    deliveries = client.get(f"{BASE}/notificationDelivery?status=pending").json()
    assert [
        (d["eventType"], d["event"]["event"]["productOffering"]["lifecycleStatus"])
        for d in deliveries
    ] == [("ProductOfferingStateChangeEvent", "Retired")]


def test_a_bundle_cycle_is_refused_and_nothing_changes(
    client: TestClient, runtime: Runtime, world: dict[str, Any]
) -> None:
    outer = post(client, "productOffering", bundle(world))
    made_bundle = client.patch(
        world["sim"]["href"],
        json={"isBundle": True, "bundledProductOffering": [{"id": outer["id"]}]},
        headers=MERGE,
    )
    assert made_bundle.status_code == 422, made_bundle.text
    assert made_bundle.json()["details"] == [
        {
            "location": "bundledProductOffering[0]",
            "message": "would create a cycle: SIM -> FAMILY -> SIM",
        }
    ]
    assert client.get(world["sim"]["href"]).json()["isBundle"] is False
    assert counts(runtime) == (3, 2, 0)


def test_inconsistent_option_limits_and_unknown_references_are_named(
    client: TestClient, runtime: Runtime, world: dict[str, Any]
) -> None:
    limits = bundle(world)
    limits["bundledProductOffering"][1]["bundledProductOfferingOption"] = {
        "numberRelOfferLowerLimit": 2,
        "numberRelOfferDefault": 1,
        "numberRelOfferUpperLimit": 3,
    }
    refused = client.post(f"{CATALOG}/productOffering", json=limits)
    assert refused.status_code == 400
    assert refused.json()["details"] == [
        {
            "location": "bundledProductOffering[1].bundledProductOfferingOption",
            "message": "the limits must satisfy lower <= default <= upper; "
            "got lower 2, default 1, upper 3",
        }
    ]
    unknown = client.post(
        f"{CATALOG}/productOffering",
        json=bundle(world, channel=[{"id": "00000000-0000-4000-8000-000000000001"}]),
    )
    assert unknown.status_code == 400
    assert [d["location"] for d in unknown.json()["details"]] == ["channel[0].id"]
    orphan = client.post(
        f"{CATALOG}/productOfferingPrice", json=monthly("00000000-0000-4000-8000-000000000001")
    )
    assert orphan.status_code in (400, 404)
    assert counts(runtime) == (2, 0, 0)


def test_a_stale_if_match_is_refused_with_412(client: TestClient, world: dict[str, Any]) -> None:
    href = world["sim"]["href"]
    etag = client.get(href).headers["ETag"]
    assert (
        client.patch(href, json={"name": "A"}, headers={**MERGE, "If-Match": etag}).status_code
        == 200
    )
    stale = client.patch(href, json={"name": "B"}, headers={**MERGE, "If-Match": etag})
    assert stale.status_code == 412
    assert client.get(href).json()["name"] == "A"


def test_overlapping_prices_are_refused_and_a_price_is_retired_by_patch(
    client: TestClient, world: dict[str, Any]
) -> None:
    first = post(client, "productOfferingPrice", monthly(world["sim"]["id"]))
    overlap = client.post(f"{CATALOG}/productOfferingPrice", json=monthly(world["sim"]["id"]))
    assert overlap.status_code == 422
    assert overlap.json()["details"][0]["location"] == "validFor"
    retired = client.patch(first["href"], json={"lifecycleStatus": "Retired"}, headers=MERGE)
    assert retired.json()["lifecycleStatus"] == "Retired"
    moved = client.patch(first["href"], json={"productOffering": {"id": world["multi"]["id"]}})
    assert moved.status_code == 400


def test_only_an_unreferenced_offering_is_deleted(
    client: TestClient, world: dict[str, Any]
) -> None:
    post(client, "productOfferingPrice", monthly(world["sim"]["id"]))
    assert client.delete(world["sim"]["href"]).status_code == 409
    assert client.delete(world["multi"]["href"]).status_code == 204
    assert client.get(world["multi"]["href"]).status_code == 404


# The clock of the tests stands at 2026-10-15T09:30Z.
FUTURE = {"startDateTime": "2027-01-01T00:00:00Z"}


def catalogue_counts(runtime: Runtime) -> tuple[int, ...]:
    with runtime.session_factory() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Catalog, Category, ProductSpecification, ProductOfferingPrice)
        )


def refused(client: TestClient, href: str) -> str:
    response = client.delete(href)
    assert response.status_code == 409, response.text
    message: str = response.json()["message"]
    return message


def test_unreferenced_catalogue_entities_are_deleted_with_a_delete_event(
    client: TestClient, runtime: Runtime, world: dict[str, Any]
) -> None:
    listener = client.post(f"{CATALOG}/hub", json={"callback": "http://127.0.0.1:9/l"})
    assert listener.status_code == 201, listener.text
    wholesale = post(client, "catalog", {"name": "Wholesale", "validFor": START})
    empty = post(
        client, "category", {"name": "Empty", "catalog": {"id": wholesale["id"]}, "validFor": START}
    )
    spec = post(
        client, "productSpecification", {"name": "eSIM", "productNumber": "E1", "validFor": START}
    )
    price = post(client, "productOfferingPrice", monthly(world["sim"]["id"], validFor=FUTURE))
    assert catalogue_counts(runtime) == (2, 2, 1, 1)

    for gone in (spec, price, empty, wholesale):
        assert client.delete(gone["href"]).status_code == 204
        assert client.get(gone["href"]).status_code == 404

    assert catalogue_counts(runtime) == (1, 1, 0, 0)
    assert client.get(world["sim"]["href"]).json()["productOfferingPrice"] == []
    deliveries = client.get(f"{BASE}/notificationDelivery?status=pending").json()
    # One clock instant for every event: compare without order.
    assert sorted(
        (d["eventType"], d["event"]["event"][name]["id"])
        for d in deliveries
        if d["eventType"].endswith("DeleteEvent")
        for name in [d["eventType"][0].lower() + d["eventType"][1 : -len("DeleteEvent")]]
    ) == [
        ("CatalogDeleteEvent", wholesale["id"]),
        ("CategoryDeleteEvent", empty["id"]),
        ("ProductOfferingPriceDeleteEvent", price["id"]),
        ("ProductSpecificationDeleteEvent", spec["id"]),
    ]


def test_referenced_catalogue_entities_are_refused_with_409_and_nothing_changes(
    client: TestClient, runtime: Runtime, world: dict[str, Any]
) -> None:
    spec = post(
        client, "productSpecification", {"name": "SIM", "productNumber": "S1", "validFor": START}
    )
    for code in ("SIM", "MULTISIM"):
        href = world["sim" if code == "SIM" else "multi"]["href"]
        linked = client.patch(
            href,
            json={
                "productSpecification": {"id": spec["id"]},
                "category": [{"id": world["category"]}],
            },
            headers=MERGE,
        )
        assert linked.status_code == 200, linked.text
    sub = post(
        client,
        "category",
        {"name": "Prepaid", "parentId": world["category"], "catalog": {"id": world["catalog"]},
         "validFor": START},
    )  # fmt: skip
    before = catalogue_counts(runtime)
    assert before == (1, 2, 1, 0)

    catalog_href = f"{CATALOG}/catalog/{world['catalog']}"
    category_href = f"{CATALOG}/category/{world['category']}"
    assert refused(client, catalog_href) == "Catalog 'Consumer' still holds 2 categories"
    assert refused(client, category_href) == (
        "Category 'Mobile' still holds 1 subcategory and 2 offerings"
    )
    assert refused(client, spec["href"]) == (
        "Product specification 'SIM' is still used by 2 offerings (MULTISIM, SIM)"
    )
    assert catalogue_counts(runtime) == before
    assert [c["name"] for c in client.get(world["sim"]["href"]).json()["category"]] == ["Mobile"]
    assert client.get(sub["href"]).json()["parentId"] == world["category"]


def test_a_future_price_is_deleted_but_one_in_force_or_past_is_not(
    client: TestClient, runtime: Runtime, world: dict[str, Any]
) -> None:
    past = post(
        client,
        "productOfferingPrice",
        monthly(world["sim"]["id"], validFor={**START, "endDateTime": "2026-06-01T00:00:00Z"}),
    )
    current = post(
        client,
        "productOfferingPrice",
        monthly(world["sim"]["id"], value="24.99",
                validFor={"startDateTime": "2026-06-01T00:00:00Z",
                          "endDateTime": "2027-01-01T00:00:00Z"}),
    )  # fmt: skip
    future = post(client, "productOfferingPrice", monthly(world["sim"]["id"], validFor=FUTURE))

    assert refused(client, current["href"]) == (
        "Product offering price 'Monthly' is in force for offering SIM: end it (validFor) instead"
    )
    assert refused(client, past["href"]) == (
        "Product offering price 'Monthly' was in force for offering SIM until "
        "2026-06-01T00:00:00+00:00: its history is kept"
    )
    assert catalogue_counts(runtime)[3] == 3
    assert client.delete(future["href"]).status_code == 204
    assert sorted(
        p["id"] for p in client.get(world["sim"]["href"]).json()["productOfferingPrice"]
    ) == sorted([past["id"], current["id"]])


def test_a_stale_or_unknown_delete_is_refused(
    client: TestClient, runtime: Runtime, world: dict[str, Any]
) -> None:
    spec = post(
        client, "productSpecification", {"name": "eSIM", "productNumber": "E1", "validFor": START}
    )
    price = post(client, "productOfferingPrice", monthly(world["sim"]["id"], validFor=FUTURE))
    for created, change in ((spec, {"brand": "Acme"}), (price, {"description": "Launch"})):
        etag = client.get(created["href"]).headers["ETag"]
        assert client.patch(created["href"], json=change, headers=MERGE).status_code == 200
        stale = client.delete(created["href"], headers={"If-Match": etag})
        assert stale.status_code == 412, stale.text
    assert catalogue_counts(runtime) == (1, 1, 1, 1)
    unknown = "00000000-0000-4000-8000-000000000001"
    for name in ("catalog", "category", "productSpecification", "productOfferingPrice"):
        assert client.delete(f"{CATALOG}/{name}/{unknown}").status_code == 404


def test_a_sales_rep_reads_but_cannot_write(
    client: TestClient, runtime: Runtime, world: dict[str, Any]
) -> None:
    person = post(
        client,
        "salesPerson",
        {"code": "R1", "name": "Rep", "role": "rep", "channel": {"id": world["channel"]}},
        BASE,
    )
    rep = bearer(user_token(runtime, "rep", ["sales_rep"], sales_person_id=uuid.UUID(person["id"])))
    assert client.get(f"{CATALOG}/productOffering", headers=rep).status_code == 200
    refused = client.post(f"{CATALOG}/productOffering", json=offering(world, "NEW"), headers=rep)
    assert refused.status_code == 403
