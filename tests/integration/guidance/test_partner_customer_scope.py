"""A partner user sells only to its partners' customers (``customer.partner_id``).

World: channel RET with partner P1, channel ONL with partner P2; customer BOB belongs to
P2, ADA to P1, ACME to nobody (won by the CSP's own channels). Another partner's customer
is answered exactly like one that does not exist (404 / "no such customer"); internal
roles are not narrowed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput, NotFound
from salesdev.db.models import Customer
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM, Principal, Role
from salesdev.domains.guidance import customer_premises, find_customers, recommend
from salesdev.domains.pricing import resolve_prices
from salesdev.domains.qualification import qualify_offerings
from salesdev.domains.reference import update_entity
from salesdev.runtime import Runtime
from tests.conftest import T0
from tests.integration.api.conftest import BASE, bearer, make_client, user_token
from tests.integration.qualification.world import World, build_world
from tests.integration.web.conftest import ConsoleClient, console_app, log_in, make_user

POQ = "/tmf-api/productOfferingQualification/v4/productOfferingQualification"
RECOMMEND = f"{BASE}/recommendation"


def _assign(session: Session, world: World) -> None:
    for customer, partner in (("BOB", "P2"), ("ADA", "P1")):
        update_entity(
            session, principal=SYSTEM, kind="customer", entity_id=world[customer],
            changes={"partner_id": str(world[partner])}, now=T0,
        )  # fmt: skip


@pytest.fixture
def world(runtime: Runtime) -> World:
    with unit_of_work(runtime.session_factory) as session:
        built = build_world(session)
        _assign(session, built)
        return built


def _pat(world: World) -> Principal:
    return Principal(
        kind="user", name="pat", roles=frozenset({Role.PARTNER_USER}), partner_id=world["P2"]
    )


def test_the_partner_of_a_customer_is_reference_data(runtime: Runtime, world: World) -> None:
    with unit_of_work(runtime.session_factory) as session:
        assert session.get(Customer, world["BOB"]).partner_id == world["P2"]  # type: ignore[union-attr]
        assert session.get(Customer, world["ACME"]).partner_id is None  # type: ignore[union-attr]


def test_a_partner_user_finds_only_its_partners_customers(runtime: Runtime, world: World) -> None:
    with unit_of_work(runtime.session_factory) as session:
        # When a P2 user searches every customer, it finds only BOB (P2's)
        found = find_customers(session, principal=_pat(world), text="customer")
        assert [c.code for c in found] == ["BOB"]
        # and an internal role still finds all three
        rep = Principal(kind="user", name="rita", roles=frozenset({Role.CHANNEL_MANAGER}))
        assert [c.code for c in find_customers(session, principal=rep, text="customer")] == [
            "ACME", "ADA", "BOB",
        ]  # fmt: skip


def test_another_partners_customer_cannot_be_recommended_or_qualified(
    runtime: Runtime, world: World
) -> None:
    pat = _pat(world)
    with unit_of_work(runtime.session_factory) as session:
        for customer in ("ADA", "ACME"):
            with pytest.raises(NotFound) as raised:
                recommend(
                    session, principal=pat, customer_id=world[customer], channel_id=world["ONL"],
                    at=T0,
                )  # fmt: skip
            assert raised.value.message == f"Customer {world[customer]} does not exist"
            with pytest.raises(NotFound):
                qualify_offerings(
                    session, principal=pat, channel_id=world["ONL"], at=T0,
                    customer_id=world[customer],
                )  # fmt: skip
            with pytest.raises(NotFound):
                customer_premises(session, principal=pat, customer_id=world[customer])
        # Its own customer is served as before
        result = recommend(
            session, principal=pat, customer_id=world["BOB"], channel_id=world["ONL"], at=T0
        )
        assert result.customer.customer_id == world["BOB"]
        # and internal roles qualify every customer
        assert qualify_offerings(
            session, principal=SYSTEM, channel_id=world["RET"], at=T0, customer_id=world["ADA"]
        )


@pytest.fixture
def pat_client(app: FastAPI, runtime: Runtime, world: World) -> Iterator[TestClient]:
    token = user_token(runtime, "pat", ["partner_user"], partner_id=world["P2"])
    with make_client(app, headers=bearer(token)) as test_client:
        yield test_client


def _poq(world: World, customer: str) -> dict[str, object]:
    return {
        "@type": "ProductOfferingQualification",
        "channel": {"id": str(world["ONL"])},
        "relatedParty": [{"id": str(world[customer]), "@referredType": "Customer"}],
        "productOfferingQualificationItem": [
            {"id": "1", "productOffering": {"id": str(world["MOB-S"])}}
        ],
    }


def test_through_the_api_another_partners_customer_is_not_found(
    pat_client: TestClient, client: TestClient, world: World
) -> None:
    refused = pat_client.post(POQ, json=_poq(world, "ADA"))
    assert refused.status_code == 404, refused.text
    assert refused.json()["message"] == f"Customer {world['ADA']} does not exist"
    assert pat_client.post(POQ, json=_poq(world, "BOB")).status_code == 201
    body = {"customer": {"id": str(world["ADA"])}, "channel": {"id": str(world["ONL"])}}
    assert pat_client.post(RECOMMEND, json=body).status_code == 404
    body["customer"] = {"id": str(world["BOB"])}
    assert pat_client.post(RECOMMEND, json=body).status_code == 200
    # The administrator qualifies ADA as before
    assert client.post(POQ, json=_poq(world, "ADA")).status_code == 201


@pytest.fixture
def pat_console(runtime: Runtime, world: World) -> Iterator[ConsoleClient]:
    app: FastAPI = console_app(runtime)
    make_user(runtime, "pat", ["partner_user"], partner_id=world["P2"])
    with ConsoleClient(app) as console:
        assert log_in(console, "pat").status_code == 303
        yield console


def test_in_the_console_a_partner_user_sees_only_its_customers(
    pat_console: ConsoleClient, world: World
) -> None:
    found = pat_console.get("/selling", params={"q": "customer"})
    assert found.status_code == 200
    # One match opens it: BOB, P2's only customer
    assert "Customer BOB" in found.text
    assert "Customer ADA" not in found.text
    other = pat_console.get(
        "/selling", params={"customer": str(world["ADA"]), "channel": str(world["ONL"])}
    )
    assert other.status_code == 400
    assert "no such customer" in other.text
    assert "Customer ADA" not in other.text
    unknown = pat_console.get(
        "/selling", params={"customer": str(uuid.UUID(int=7)), "channel": str(world["ONL"])}
    )
    assert (unknown.status_code, "no such customer" in unknown.text) == (400, True)


def test_a_partner_user_cannot_price_a_sale_to_another_partners_customer(
    runtime: Runtime, world: World
) -> None:
    pat = _pat(world)
    with unit_of_work(runtime.session_factory) as session:
        # Given ADA belongs to P1, when a P2 user prices a sale to ADA,
        # then ADA reads as unknown, as in qualification
        with pytest.raises(InvalidInput) as raised:
            resolve_prices(
                session, principal=pat, channel_id=world["ONL"], offering_ids=[world["MOB-S"]],
                at=T0, customer_id=world["ADA"],
            )  # fmt: skip
        assert [(d.location, d.message) for d in raised.value.details] == [
            ("customer.id", f"no customer with id {world['ADA']}")
        ]
        # and its own customer BOB is priced
        priced = resolve_prices(
            session, principal=pat, channel_id=world["ONL"], offering_ids=[world["MOB-S"]],
            at=T0, customer_id=world["BOB"],
        )  # fmt: skip
        assert [p.offering_id for p in priced] == [world["MOB-S"]]
