"""The Sales Development resources: full CRUD over the reference data, TMF shapes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from salesdev.db.models import Job
from salesdev.domains.jobs import create_job
from salesdev.runtime import Runtime
from tests.conftest import T0
from tests.integration.api.conftest import BASE, TestClient


def post(client: TestClient, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{BASE}/{resource}", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture
def world(client: TestClient) -> dict[str, dict[str, Any]]:
    region = post(client, "region", {"code": "N", "name": "North"})
    channel = post(
        client,
        "salesChannel",
        {"code": "DLR", "name": "Dealers", "channelType": "franchise_dealer"},
    )
    family = post(
        client, "productFamily", {"code": "MOB", "name": "Mobile", "lineOfBusiness": "mobile"}
    )
    partner = post(
        client,
        "partner",
        {
            "code": "P1",
            "name": "Acme Phones",
            "partnerType": "dealer",
            "tier": "gold",
            "channel": {"id": channel["id"]},
            "region": {"id": region["id"]},
        },
    )
    customer = post(
        client,
        "customer",
        {
            "code": "C1",
            "name": "Ada",
            "kind": "customer",
            "segment": "consumer",
            "creditClass": "A",
            "customerSince": "2020-02-29",
        },
    )
    return {
        "region": region,
        "channel": channel,
        "family": family,
        "partner": partner,
        "customer": customer,
    }


def test_every_resource_supports_crud(client: TestClient, world: dict[str, dict[str, Any]]) -> None:
    channel_ref = {"id": world["channel"]["id"]}
    created = {
        "outlet": post(
            client,
            "outlet",
            {
                "code": "O1",
                "name": "High Street",
                "channel": channel_ref,
                "partner": {"id": world["partner"]["id"]},
            },
        ),
        "salesPerson": post(
            client,
            "salesPerson",
            {
                "code": "S1",
                "name": "Sam",
                "role": "rep",
                "channel": channel_ref,
                "hiredOn": "2024-05-01",
            },
        ),
        "premise": post(
            client,
            "premise",
            {
                "code": "PR1",
                "address": "1 Main St",
                "customer": {"id": world["customer"]["id"]},
                "technologies": ["fibre", "5g"],
            },
        ),
    }
    assert created["salesPerson"]["hiredOn"] == "2024-05-01"
    assert created["salesPerson"]["@baseType"] == "PartyRole"
    assert created["premise"]["technologies"] == ["fibre", "5g"]
    assert created["premise"]["customer"]["name"] == "Ada"
    for resource, body in [
        *created.items(),
        ("region", world["region"]),
        ("customer", world["customer"]),
    ]:
        listed = client.get(f"{BASE}/{resource}?id={body['id']}")
        assert [r["id"] for r in listed.json()] == [body["id"]], resource
        patched = client.patch(body["href"], json={"code": body["code"] + "X"})
        assert patched.status_code == 200, (resource, patched.text)
        assert patched.json()["code"] == body["code"] + "X"
    for resource, body in created.items():
        assert client.delete(body["href"]).status_code == 204, resource
        assert client.get(body["href"]).status_code == 404


def test_partner_refers_to_its_channel_and_can_be_filtered_by_it(
    client: TestClient, world: dict[str, dict[str, Any]]
) -> None:
    partner, channel = world["partner"], world["channel"]
    assert partner["channel"] == {
        "id": channel["id"],
        "href": channel["href"],
        "name": "Dealers",
        "@referredType": "SalesChannel",
    }
    found = client.get(f"{BASE}/partner?channel.id={channel['id']}&fields=name,channel.name")
    assert found.json() == [
        {
            "id": partner["id"],
            "href": partner["href"],
            "@type": "Partner",
            "name": "Acme Phones",
            "channel": {"name": "Dealers"},
        }
    ]
    # A channel still referred to by a partner is not deleted.
    assert client.delete(channel["href"]).status_code == 409


def test_jobs_are_listed_and_read(client: TestClient, runtime: Runtime) -> None:
    with runtime.session_factory() as session:
        job = create_job(
            session, kind="import", params={"file": "a.csv"}, requested_by="ops", now=T0
        )
        session.commit()
        job_id = str(job.id)
    listed = client.get(f"{BASE}/job?status=queued&kind=import")
    assert listed.headers["X-Total-Count"] == "1"
    one = client.get(f"{BASE}/job/{job_id}").json()
    assert (one["kind"], one["status"], one["params"], one["@type"]) == (
        "import",
        "queued",
        {"file": "a.csv"},
        "Job",
    )
    assert client.post(f"{BASE}/job", json={}).status_code == 405
    with runtime.session_factory() as session:
        assert session.scalar(select(Job.status)) == "queued"


def test_openapi_describes_every_operation_with_a_response(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    for resource in (
        "Region",
        "ProductFamily",
        "ProductOffering",
        "SalesChannel",
        "Partner",
        "Outlet",
        "SalesPerson",
        "Customer",
        "Premise",
    ):
        assert {resource, f"{resource}_FVO", f"{resource}_MVO"} <= set(schemas)
    assert {"Job", "NotificationDelivery", "EventSubscription", "Error"} <= set(schemas)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            successes = {k: v for k, v in operation["responses"].items() if k.startswith("2")}
            assert successes, (method, path)
            for status, response in successes.items():
                if status != "204":
                    # JSON for resources; a file download declares its own media type.
                    schemas_by_type = {t: c.get("schema") for t, c in response["content"].items()}
                    assert schemas_by_type, (method, path)
                    assert all(schemas_by_type.values()), (method, path, schemas_by_type)
    refs = str(document)
    for name in (n for n in schemas if n != "EventSubscriptionInput"):
        assert f"#/components/schemas/{name}'" in refs or name in ("EntityRef_FVO",), name


def test_docs_are_served_without_any_cdn(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    assert "https://" not in page.text
    if "/docs/assets/swagger-ui-bundle.js" in page.text:
        assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    else:
        assert "/openapi.json" in page.text


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}


def test_readiness_fails_on_an_unmigrated_database(runtime: Runtime, tmp_path: Any) -> None:
    from fastapi import FastAPI

    from salesdev.api import install_api
    from salesdev.db.session import make_engine
    from tests.integration.api.conftest import make_client

    bare = Runtime(
        settings=runtime.settings,
        engine=make_engine(f"sqlite:///{tmp_path / 'empty.db'}"),
        session_factory=runtime.session_factory,
        clock=runtime.clock,
    )
    app = FastAPI()
    install_api(app, bare)
    with make_client(app) as test_client:
        response = test_client.get("/readyz")
    bare.engine.dispose()
    assert response.status_code == 503
    assert "migration" in response.json()["reason"]
