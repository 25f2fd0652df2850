"""The TMF630 toolkit, exercised through HTTP on a sample resource declared here.

"gadget" is stored in the region table through the reference service; its create refuses
the name "Forbidden" as a business rule, so every status code has a way to happen.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.api.toolkit import (
    ApiSpec,
    Reference,
    Resource,
    ResourceOperations,
    Scalar,
    install_error_handlers,
    install_resources,
)
from salesdev.api.toolkit.security import install_security
from salesdev.core.errors import RuleViolation
from salesdev.db.models import OutboxDelivery, Region
from salesdev.domains.access import Principal
from salesdev.domains.reference import create_entity, delete_entity, update_entity
from salesdev.runtime import Runtime
from tests.conftest import T0
from tests.integration.api.conftest import TestClient, bearer, make_client

BASE = "/tmf-api/sample/v1"
GADGETS = f"{BASE}/gadget"


class GadgetOperations(ResourceOperations):
    can_create = can_update = can_delete = True

    def __init__(self) -> None:
        super().__init__(Region, label="Gadget")

    def create(
        self, session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
    ) -> Any:
        if values.get("name") == "Forbidden":
            raise RuleViolation("A gadget cannot be called Forbidden")
        return create_entity(session, principal=principal, kind="region", values=values, now=now)

    def update(
        self,
        session: Session,
        *,
        principal: Principal,
        entity_id: uuid.UUID,
        changes: Mapping[str, Any],
        now: datetime,
        expected_version: int | None,
    ) -> Any:
        return update_entity(
            session,
            principal=principal,
            kind="region",
            entity_id=entity_id,
            changes=changes,
            now=now,
            expected_version=expected_version,
        )

    def delete(
        self,
        session: Session,
        *,
        principal: Principal,
        entity_id: uuid.UUID,
        expected_version: int | None,
        now: datetime,
    ) -> None:
        delete_entity(
            session,
            principal=principal,
            kind="region",
            entity_id=entity_id,
            expected_version=expected_version,
        )


def sample_api() -> ApiSpec:
    return ApiSpec("sampleApi", BASE).add(
        Resource(
            name="gadget",
            type="Gadget",
            base_type="Thing",
            model=Region,
            operations=GadgetOperations(),
            attributes=(
                Scalar("code", "code", required=True, nullable=False),
                Scalar("name", "name", required=True, nullable=False),
                Reference("parent", "parent_id", target="gadget"),
                Scalar("creationDate", "created_at", "datetime", readonly=True),
                Scalar("lastUpdate", "updated_at", "datetime", readonly=True),
            ),
        )
    )


@pytest.fixture
def client(runtime: Runtime, admin_token: str) -> Iterator[TestClient]:
    app = FastAPI()
    install_error_handlers(app)
    install_resources(app, install_security(app, runtime), sample_api())

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with make_client(
        app, raise_server_exceptions=False, headers=bearer(admin_token)
    ) as test_client:
        yield test_client


def create(client: TestClient, code: str, name: str, **extra: Any) -> dict[str, Any]:
    response = client.post(GADGETS, json={"code": code, "name": name, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == str(status)
    assert body["@type"] == "Error"
    assert set(body) >= {"code", "reason", "message", "status", "referenceError", "@type"}
    return body


def count_gadgets(runtime: Runtime) -> int:
    with runtime.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Region)) or 0


def test_create_returns_201_the_full_resource_its_location_and_etag(client: TestClient) -> None:
    response = client.post(GADGETS, json={"code": "G1", "name": "First"})
    assert response.status_code == 201
    body = response.json()
    href = f"http://testserver{GADGETS}/{body['id']}"
    assert response.headers["Location"] == href
    assert response.headers["ETag"] == '"1"'
    assert body == {
        "id": body["id"],
        "href": href,
        "@type": "Gadget",
        "@baseType": "Thing",
        "@schemaLocation": "http://testserver/openapi.json#/components/schemas/Gadget",
        "code": "G1",
        "name": "First",
        "parent": None,
        "creationDate": "2026-10-15T09:30:00Z",
        "lastUpdate": "2026-10-15T09:30:00Z",
    }
    assert client.get(href).json() == body


def test_references_render_as_tmf_refs(client: TestClient) -> None:
    parent = create(client, "P", "Parent")
    child = create(client, "C", "Child", parent={"id": parent["id"]})
    assert child["parent"] == {
        "id": parent["id"],
        "href": parent["href"],
        "name": "Parent",
        "@referredType": "Gadget",
    }


def test_list_filters_sorts_pages_and_selects_fields(client: TestClient) -> None:
    root = create(client, "A", "Alpha")
    create(client, "B", "Beta", parent={"id": root["id"]})
    create(client, "C", "Gamma", parent={"id": root["id"]})

    def names(query: str) -> list[str]:
        response = client.get(f"{GADGETS}?{query}")
        assert response.status_code == 200, response.text
        return [g["name"] for g in response.json()]

    assert names("name=Alpha,Gamma&sort=name") == ["Alpha", "Gamma"]
    assert names(f"parent.id={root['id']}&sort=-name") == ["Gamma", "Beta"]
    assert names("code.gte=B&sort=code") == ["Beta", "Gamma"]
    assert names("code>=B&code.lt=C") == ["Beta"]
    assert names("name.ne=Beta&sort=-code") == ["Gamma", "Alpha"]
    assert names("creationDate.gte=2026-10-15&sort=code") == ["Alpha", "Beta", "Gamma"]

    page = client.get(f"{GADGETS}?sort=code&offset=1&limit=1&fields=name")
    assert page.headers["X-Total-Count"] == "3"
    assert page.headers["X-Result-Count"] == "1"
    (only,) = page.json()
    assert set(only) == {"id", "href", "@type", "name"}
    assert only["name"] == "Beta"


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("colour=red", "colour"),
        ("parent.id=not-a-uuid", "parent.id"),
        ("sort=colour", "sort"),
        ("fields=colour", "fields"),
        ("limit=5000", "limit"),
    ],
)
def test_invalid_list_queries_are_400_with_the_culprit(
    client: TestClient, query: str, location: str
) -> None:
    body = assert_error(client.get(f"{GADGETS}?{query}"), 400, "SDV-400")
    assert location in [d["location"] for d in body["details"]]


def test_unknown_and_malformed_ids_are_404(client: TestClient) -> None:
    assert_error(client.get(f"{GADGETS}/{uuid.uuid4()}"), 404, "SDV-404")
    assert_error(client.get(f"{GADGETS}/not-an-id"), 404, "SDV-404")
    assert_error(client.patch(f"{GADGETS}/not-an-id", json={"name": "x"}), 404, "SDV-404")
    assert_error(client.delete(f"{GADGETS}/{uuid.uuid4()}"), 404, "SDV-404")


def test_invalid_bodies_are_400_with_field_details_and_nothing_is_created(
    client: TestClient, runtime: Runtime
) -> None:
    body = assert_error(client.post(GADGETS, json={"code": 5, "colour": "red"}), 400, "SDV-400")
    assert body["details"] == [
        {"location": "code", "message": "expected a string"},
        {"location": "colour", "message": "unknown attribute; known: code, name, parent"},
    ]
    assert "code: expected a string" in body["message"]

    missing = assert_error(client.post(GADGETS, json={"code": "X"}), 400, "SDV-400")
    assert missing["details"] == [{"location": "name", "message": "is required"}]

    server_set = assert_error(
        client.post(GADGETS, json={"id": "x", "code": "X", "name": "n"}), 400, "SDV-400"
    )
    assert server_set["details"] == [{"location": "id", "message": "is set by the server"}]

    bad_json = client.post(GADGETS, content=b"{nope", headers={"Content-Type": "application/json"})
    assert assert_error(bad_json, 400, "SDV-400")["details"][0]["location"] == "body"

    wrong_type = client.post(GADGETS, content=b"code=X", headers={"Content-Type": "text/plain"})
    assert_error(wrong_type, 415, "SDV-415")
    assert count_gadgets(runtime) == 0


def test_duplicate_code_is_409_and_a_business_rule_is_422(
    client: TestClient, runtime: Runtime
) -> None:
    create(client, "G1", "First")
    duplicate = assert_error(
        client.post(GADGETS, json={"code": "G1", "name": "Again"}), 409, "SDV-409"
    )
    assert duplicate["details"] == [{"location": "code", "message": "must be unique"}]
    assert_error(client.post(GADGETS, json={"code": "G2", "name": "Forbidden"}), 422, "SDV-422")
    assert count_gadgets(runtime) == 1


def test_merge_patch_null_clears_and_json_is_a_merge_patch(client: TestClient) -> None:
    parent = create(client, "P", "Parent")
    child = create(client, "C", "Child", parent={"id": parent["id"]})

    renamed = client.patch(child["href"], json={"name": "Renamed"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Renamed"
    assert renamed.json()["parent"]["id"] == parent["id"]  # untouched
    assert renamed.headers["ETag"] == '"2"'

    cleared = client.patch(
        child["href"],
        content=b'{"parent": null}',
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert cleared.status_code == 200
    assert cleared.json()["parent"] is None
    assert client.get(child["href"]).json()["parent"] is None


def test_json_patch_applies_operations_and_a_failed_test_changes_nothing(
    client: TestClient,
) -> None:
    gadget = create(client, "G", "Old")
    ops = b'[{"op": "test", "path": "/name", "value": "Old"}, {"op": "replace", "path": "/name", "value": "New"}]'
    patched = client.patch(
        gadget["href"], content=ops, headers={"Content-Type": "application/json-patch+json"}
    )
    assert patched.status_code == 200
    assert patched.json()["name"] == "New"

    stale_test = b'[{"op": "test", "path": "/name", "value": "Old"}, {"op": "replace", "path": "/name", "value": "Other"}]'
    refused = client.patch(
        gadget["href"], content=stale_test, headers={"Content-Type": "application/json-patch+json"}
    )
    assert_error(refused, 409, "SDV-409")
    assert client.get(gadget["href"]).json()["name"] == "New"


def test_patch_refuses_server_attributes_unknown_ones_and_cycles(client: TestClient) -> None:
    parent = create(client, "P", "Parent")
    child = create(client, "C", "Child", parent={"id": parent["id"]})
    read_only = assert_error(
        client.patch(child["href"], json={"creationDate": "2020-01-01T00:00:00Z"}), 400, "SDV-400"
    )
    assert read_only["details"][0]["location"] == "creationDate"
    assert_error(client.patch(child["href"], json={"colour": "red"}), 400, "SDV-400")
    assert_error(client.patch(child["href"], json={"name": None}), 400, "SDV-400")
    cycle = assert_error(
        client.patch(parent["href"], json={"parent": {"id": child["id"]}}), 400, "SDV-400"
    )
    # The service speaks of parent_id; the API answers with the attribute the client sent.
    assert cycle["details"][0]["location"] == "parent"
    assert client.get(parent["href"]).json()["parent"] is None


def test_stale_if_match_is_412_and_nothing_changes(client: TestClient) -> None:
    gadget = create(client, "G", "Original")
    assert (
        client.patch(
            gadget["href"], json={"name": "Second"}, headers={"If-Match": '"1"'}
        ).status_code
        == 200
    )

    stale = client.patch(gadget["href"], json={"name": "Lost update"}, headers={"If-Match": '"1"'})
    assert_error(stale, 412, "SDV-412")
    assert_error(client.delete(gadget["href"], headers={"If-Match": '"1"'}), 412, "SDV-412")

    current = client.get(gadget["href"])
    assert current.json()["name"] == "Second"
    assert current.headers["ETag"] == '"2"'
    deleted = client.delete(gadget["href"], headers={"If-Match": current.headers["ETag"]})
    assert deleted.status_code == 204
    assert_error(client.get(gadget["href"]), 404, "SDV-404")


def test_deleting_a_referenced_resource_is_409(client: TestClient) -> None:
    parent = create(client, "P", "Parent")
    create(client, "C", "Child", parent={"id": parent["id"]})
    assert_error(client.delete(parent["href"]), 409, "SDV-409")
    assert client.get(parent["href"]).status_code == 200


def test_events_are_written_with_the_change_and_not_for_a_refused_one(
    client: TestClient, runtime: Runtime
) -> None:
    hub = client.post(f"{BASE}/hub", json={"callback": "http://127.0.0.1:9/listener"})
    assert hub.status_code == 201
    gadget = create(client, "G", "Gadget")
    client.patch(gadget["href"], json={"name": "Renamed"})
    assert client.post(GADGETS, json={"code": "X", "name": "Forbidden"}).status_code == 422
    client.delete(gadget["href"])
    with runtime.session_factory() as session:
        deliveries = session.scalars(select(OutboxDelivery).order_by(OutboxDelivery.event_type))
        events = [(d.event_type, d.payload["event"]["gadget"]["name"]) for d in deliveries]
    assert sorted(events) == [
        ("GadgetAttributeValueChangeEvent", "Renamed"),
        ("GadgetCreateEvent", "Gadget"),
        ("GadgetDeleteEvent", "Renamed"),
    ]


def test_every_error_has_the_tmf_body(client: TestClient) -> None:
    unknown = assert_error(client.get("/no/such/route"), 404, "SDV-404")
    assert unknown["referenceError"] == "urn:salesdev:error:SDV-404"
    assert_error(client.put(GADGETS), 405, "SDV-405")
    crash = assert_error(client.get("/boom"), 500, "SDV-500")
    assert "secret" not in crash["message"]


def test_the_sample_resource_is_described_in_openapi(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert {"Gadget", "Gadget_FVO", "Gadget_MVO", "Error", "EntityRef"} <= set(schemas)
    assert schemas["Gadget_FVO"]["required"] == ["code", "name"]
    listing = document["paths"][GADGETS]["get"]
    assert {"parent.id", "code", "name", "creationDate", "fields", "sort", "limit"} <= {
        p["name"] for p in listing["parameters"]
    }
    assert "422" not in listing["responses"]  # validation errors are 400 here


def test_clock_is_the_runtime_clock(client: TestClient) -> None:
    assert create(client, "G", "n")["creationDate"] == T0.strftime("%Y-%m-%dT%H:%M:%SZ")
