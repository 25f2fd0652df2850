"""Hub registration and the administrators' view of deliveries, through HTTP."""

from __future__ import annotations

import uuid

import httpx

from salesdev.domains.notifications import DeliveryPolicy, deliver_due
from salesdev.runtime import Runtime
from tests.conftest import T0
from tests.integration.api.conftest import BASE, TestClient

HUB = f"{BASE}/hub"


def test_register_read_and_unregister_a_listener(client: TestClient) -> None:
    created = client.post(
        HUB,
        json={
            "callback": "http://127.0.0.1:9/listener",
            "query": "eventType=SalesChannelCreateEvent",
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["callback"] == "http://127.0.0.1:9/listener"
    assert body["query"] == "eventType=SalesChannelCreateEvent"
    assert created.headers["Location"] == f"http://testserver{HUB}/{body['id']}"
    assert client.get(f"{HUB}/{body['id']}").json() == body
    assert client.delete(f"{HUB}/{body['id']}").status_code == 204
    assert client.get(f"{HUB}/{body['id']}").status_code == 404
    assert client.delete(f"{HUB}/{body['id']}").status_code == 404
    assert client.get(f"{HUB}/not-an-id").status_code == 404


def test_invalid_registrations_are_400(client: TestClient) -> None:
    not_a_url = client.post(HUB, json={"callback": "ftp://example"})
    assert not_a_url.status_code == 400
    assert not_a_url.json()["details"][0]["location"] == "callback"
    operator = client.post(HUB, json={"callback": "http://127.0.0.1:9/", "query": "status.gt=a"})
    assert operator.status_code == 400
    missing = client.post(HUB, json={})
    assert missing.json()["details"] == [{"location": "callback", "message": "Field required"}]


def test_only_matching_events_are_queued(client: TestClient) -> None:
    client.post(HUB, json={"callback": "http://127.0.0.1:9/a", "query": "status=inactive"})
    client.post(
        HUB, json={"callback": "http://127.0.0.1:9/b", "query": "eventType=SalesChannelDeleteEvent"}
    )
    channel = client.post(
        f"{BASE}/salesChannel", json={"code": "WEB", "name": "Web", "channelType": "online"}
    ).json()
    client.patch(channel["href"], json={"status": "inactive"})
    client.delete(channel["href"])
    queued = client.get(f"{BASE}/notificationDelivery?sort=eventType").json()
    queued.sort(key=lambda d: (d["eventType"], d["callback"]))
    assert [(d["eventType"], d["callback"]) for d in queued] == [
        ("SalesChannelDeleteEvent", "http://127.0.0.1:9/a"),
        ("SalesChannelDeleteEvent", "http://127.0.0.1:9/b"),
        ("SalesChannelStateChangeEvent", "http://127.0.0.1:9/a"),
    ]
    event = queued[2]["event"]
    assert event["eventType"] == "SalesChannelStateChangeEvent"
    assert event["eventTime"] == "2026-10-15T09:30:00Z"
    assert event["event"]["salesChannel"]["status"] == "inactive"


def test_dead_letters_are_listed_and_retried(client: TestClient, runtime: Runtime) -> None:
    client.post(HUB, json={"callback": "http://127.0.0.1:9/down"})
    client.post(f"{BASE}/region", json={"code": "N", "name": "North"})
    down = httpx.Client(transport=httpx.MockTransport(lambda _r: httpx.Response(503)))
    deliver_due(runtime.session_factory, now=T0, client=down, policy=DeliveryPolicy(max_attempts=1))

    dead = client.get(f"{BASE}/notificationDelivery?status=dead")
    assert dead.headers["X-Total-Count"] == "1"
    (letter,) = dead.json()
    assert (letter["attempts"], letter["lastError"][:8]) == (1, "HTTP 503")

    retried = client.post(f"{BASE}/notificationDelivery/{letter['id']}/retry")
    assert retried.status_code == 200
    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
    assert client.get(f"{BASE}/notificationDelivery?status=dead").json() == []
    assert client.post(f"{BASE}/notificationDelivery/{uuid.uuid4()}/retry").status_code == 404
