"""The outbox: events written with the change, delivered after commit, retried, dead-lettered."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import RuleViolation
from salesdev.db.models import OutboxDelivery
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.notifications import (
    DeliveryPolicy,
    deliver_due,
    list_deliveries,
    publish_event,
    retry_delivery,
    start_dispatcher,
    subscribe,
)
from salesdev.runtime import Runtime
from tests.conftest import T0, Database

API = "salesDevelopment"
CHANNEL = {"id": "c1", "name": "Retail", "status": "active", "fee": Decimal("0.1")}


class Listener:
    """A real HTTP listener on loopback that records what it receives."""

    def __init__(self, status: int = 201) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = status
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                listener.received.append(json.loads(self.rfile.read(length), parse_float=Decimal))
                self.send_response(listener.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/listener"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


def subscribed(database: Database, callback: str, query: str = "") -> None:
    with unit_of_work(database.session_factory) as session:
        subscribe(session, principal=SYSTEM, api=API, callback=callback, query=query, now=T0)


def publish(session: Session, event_type: str = "SalesChannelCreateEvent") -> None:
    publish_event(
        session,
        api=API,
        resource_type="salesChannel",
        event_type=event_type,
        resource=CHANNEL,
        now=T0,
    )


def deliveries(database: Database) -> list[OutboxDelivery]:
    with database.session_factory() as session:
        return list(session.scalars(select(OutboxDelivery).order_by(OutboxDelivery.event_type)))


def test_a_committed_event_is_posted_to_the_listener(
    database: Database, listener: Listener
) -> None:
    subscribed(database, listener.url)
    with unit_of_work(database.session_factory) as session:
        publish(session)
    with httpx.Client(trust_env=False) as client:
        report = deliver_due(database.session_factory, now=T0, client=client)
    assert len(report.delivered) == 1
    (event,) = listener.received
    assert event["eventType"] == "SalesChannelCreateEvent"
    assert event["eventTime"] == "2026-10-15T09:30:00Z"
    assert event["event"] == {"salesChannel": {**CHANNEL, "fee": Decimal("0.1")}}
    (delivery,) = deliveries(database)
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == ("delivered", 1, T0)
    assert str(delivery.event_id) == event["eventId"]
    # Delivered once: nothing is due any more.
    with httpx.Client(trust_env=False) as client:
        assert (
            deliver_due(
                database.session_factory, now=T0 + timedelta(days=1), client=client
            ).attempted
            == 0
        )


def test_events_of_a_rolled_back_change_are_never_delivered(
    database: Database, listener: Listener
) -> None:
    subscribed(database, listener.url)
    with pytest.raises(RuleViolation), unit_of_work(database.session_factory) as session:
        publish(session)
        raise RuleViolation("the change is refused after the event was written")
    assert deliveries(database) == []
    with httpx.Client(trust_env=False) as client:
        assert deliver_due(database.session_factory, now=T0, client=client).attempted == 0
    assert listener.received == []


def test_failures_back_off_exponentially_then_dead_letter(database: Database) -> None:
    subscribed(database, "http://127.0.0.1:9/down")
    with unit_of_work(database.session_factory) as session:
        publish(session)
    calls: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500, text="listener broken")

    policy = DeliveryPolicy(max_attempts=4, backoff_seconds=2.0)
    client = httpx.Client(transport=httpx.MockTransport(refuse))
    now = T0
    schedule = []
    for _ in range(3):
        deliver_due(database.session_factory, now=now, client=client, policy=policy)
        (delivery,) = deliveries(database)
        schedule.append((delivery.next_attempt_at - now).total_seconds())
        # Not due before its time.
        early = deliver_due(
            database.session_factory,
            now=delivery.next_attempt_at - timedelta(seconds=1),
            client=client,
            policy=policy,
        )
        assert early.attempted == 0
        now = delivery.next_attempt_at
    assert schedule == [2.0, 4.0, 8.0]
    report = deliver_due(database.session_factory, now=now, client=client, policy=policy)
    (delivery,) = deliveries(database)
    assert report.dead == [delivery.id]
    assert (delivery.status, delivery.attempts) == ("dead", 4)
    assert delivery.last_error == "HTTP 500: listener broken"
    assert len(calls) == 4
    assert (
        deliver_due(
            database.session_factory, now=now + timedelta(days=9), client=client, policy=policy
        ).attempted
        == 0
    )


def test_an_unreachable_listener_counts_as_a_failed_attempt(database: Database) -> None:
    subscribed(database, "http://127.0.0.1:9/unreachable")
    with unit_of_work(database.session_factory) as session:
        publish(session)

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(unreachable))
    report = deliver_due(database.session_factory, now=T0, client=client)
    assert len(report.retrying) == 1
    (delivery,) = deliveries(database)
    assert delivery.last_error == "ConnectError: connection refused"


def test_a_dead_letter_can_be_retried_and_a_delivered_one_cannot(
    database: Database, listener: Listener
) -> None:
    subscribed(database, listener.url)
    with unit_of_work(database.session_factory) as session:
        publish(session)
    down = httpx.Client(transport=httpx.MockTransport(lambda _r: httpx.Response(404)))
    deliver_due(
        database.session_factory, now=T0, client=down, policy=DeliveryPolicy(max_attempts=1)
    )
    with database.session_factory() as session:
        dead = list_deliveries(session, principal=SYSTEM, status="dead")
    assert dead.total == 1
    later = T0 + timedelta(hours=1)
    with unit_of_work(database.session_factory) as session:
        retry_delivery(session, principal=SYSTEM, delivery_id=dead.items[0].id, now=later)
    with httpx.Client(trust_env=False) as client:
        assert len(deliver_due(database.session_factory, now=later, client=client).delivered) == 1
    assert len(listener.received) == 1
    with pytest.raises(RuleViolation), unit_of_work(database.session_factory) as session:
        retry_delivery(session, principal=SYSTEM, delivery_id=dead.items[0].id, now=later)


def test_only_subscriptions_whose_query_matches_get_the_event(database: Database) -> None:
    subscribed(database, "http://127.0.0.1:9/creations", "eventType=SalesChannelCreateEvent")
    subscribed(database, "http://127.0.0.1:9/inactive", "status=inactive")
    subscribed(database, "http://127.0.0.1:9/all")
    with unit_of_work(database.session_factory) as session:
        publish(session, "SalesChannelCreateEvent")
        publish(session, "SalesChannelDeleteEvent")
    got = sorted((d.callback.rsplit("/", 1)[1], d.event_type) for d in deliveries(database))
    assert got == [
        ("all", "SalesChannelCreateEvent"),
        ("all", "SalesChannelDeleteEvent"),
        ("creations", "SalesChannelCreateEvent"),
    ]


def test_the_dispatcher_thread_delivers_once_the_change_commits(runtime: Runtime) -> None:
    received = threading.Event()
    bodies: list[bytes] = []

    def accept(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        received.set()
        return httpx.Response(204)

    subscribed_runtime = runtime.session_factory
    with unit_of_work(subscribed_runtime) as session:
        subscribe(
            session, principal=SYSTEM, api=API, callback="http://127.0.0.1:9/l", query="", now=T0
        )
    # A poll interval far longer than the test: only the after-commit wake-up can deliver.
    dispatcher = start_dispatcher(
        runtime, client=httpx.Client(transport=httpx.MockTransport(accept)), poll_seconds=3600
    )
    assert runtime.services["notifications"] is dispatcher
    with unit_of_work(runtime.session_factory) as session:
        publish(session)
    assert received.wait(timeout=30)
    dispatcher.stop()
    assert not dispatcher.running
    assert json.loads(bodies[0])["event"]["salesChannel"]["fee"] == 0.1
