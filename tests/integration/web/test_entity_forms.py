"""Create, edit and delete through the console: messages next to fields, nothing half-done."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from salesdev.db.models import Customer, Partner, Premise, Region, SalesChannel
from salesdev.db.session import unit_of_work
from salesdev.demo import DemoSummary
from salesdev.domains.access import SYSTEM
from salesdev.domains.reference import create_entity, update_entity
from salesdev.runtime import Runtime
from tests.integration.web.pages import field_errors, input_value, main_text

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def channel(runtime: Runtime) -> uuid.UUID:
    with unit_of_work(runtime.session_factory) as s:
        entity = create_entity(
            s,
            principal=SYSTEM,
            kind="sales_channel",
            values={"code": "RET", "name": "Retail stores", "channel_type": "own_retail"},
            now=T0,
        )
        return uuid.UUID(str(entity.id))


def _count(runtime: Runtime, model: type) -> int:
    with runtime.session_factory() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_create_redirects_to_the_new_entity_and_flashes_once(
    console: TestClient, runtime: Runtime, channel: uuid.UUID
) -> None:
    response = console.post(
        "/partners/new",
        data={
            "code": "P9",
            "name": "Neunfon",
            "partner_type": "dealer",
            "tier": "gold",
            "channel_id": str(channel),
            "status": "active",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    with runtime.session_factory() as s:
        partner = s.scalars(select(Partner)).one()
    assert (partner.code, partner.name, partner.channel_id, partner.region_id) == (
        "P9", "Neunfon", channel, None,
    )  # fmt: skip
    assert response.headers["location"] == f"/partners/{partner.id}"
    detail = console.get(response.headers["location"])
    assert "Partner P9 created." in main_text(detail.text)
    assert "Retail stores" in main_text(detail.text)
    assert "Partner P9 created." not in main_text(console.get("/partners").text)


def test_create_with_invalid_input_shows_each_message_by_its_field_and_changes_nothing(
    console: TestClient, runtime: Runtime, channel: uuid.UUID
) -> None:
    response = console.post(
        "/partners/new",
        data={"code": "P9", "name": "x" * 201, "partner_type": "dealer", "tier": "platinum"},
    )

    assert response.status_code == 400
    assert field_errors(response.text, "name") == ["at most 200 characters"]
    assert field_errors(response.text, "tier") == [
        "expected one of gold, silver, bronze; got 'platinum'"
    ]
    assert field_errors(response.text, "channel_id") == ["is required"]
    assert field_errors(response.text, "code") == []
    assert input_value(response.text, "code") == "P9"  # the user's input is kept
    assert 'aria-invalid="true"' in response.text
    assert _count(runtime, Partner) == 0


def test_duplicate_code_is_refused_next_to_the_code(console: TestClient, runtime: Runtime) -> None:
    console.post("/regions/new", data={"code": "N", "name": "North"})

    response = console.post("/regions/new", data={"code": "N", "name": "Nord"})

    assert response.status_code == 409
    assert field_errors(response.text, "code") == ["must be unique"]
    assert "A region with code 'N' already exists" in main_text(response.text)
    assert _count(runtime, Region) == 1


def test_edit_saves_with_the_version_it_was_loaded_with(
    console: TestClient, runtime: Runtime, channel: uuid.UUID
) -> None:
    form = console.get(f"/sales-channels/{channel}/edit")
    assert '<input type="hidden" name="version" value="1">' in form.text

    response = console.post(
        f"/sales-channels/{channel}/edit",
        data={
            "code": "RET",
            "name": "Own shops",
            "channel_type": "own_retail",
            "status": "active",
            "version": "1",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    with runtime.session_factory() as s:
        saved = s.get(SalesChannel, channel)
        assert saved is not None
        assert (saved.name, saved.version) == ("Own shops", 2)


def test_stale_edit_is_refused_with_a_clear_message_and_changes_nothing(
    console: TestClient, runtime: Runtime, channel: uuid.UUID
) -> None:
    # Given someone else saved the channel after this form was loaded at version 1
    with unit_of_work(runtime.session_factory) as s:
        update_entity(
            s,
            principal=SYSTEM,
            kind="sales_channel",
            entity_id=channel,
            changes={"name": "Shops"},
            now=T0,
        )

    response = console.post(
        f"/sales-channels/{channel}/edit",
        data={
            "code": "RET",
            "name": "Stale name",
            "channel_type": "online",
            "status": "active",
            "version": "1",
        },
    )

    assert response.status_code == 412
    assert "was changed by someone else (version 2, you had 1)" in main_text(response.text)
    assert f'href="/sales-channels/{channel}/edit"' in response.text
    assert input_value(response.text, "name") == "Stale name"
    with runtime.session_factory() as s:
        saved = s.get(SalesChannel, channel)
        assert saved is not None
        assert (saved.name, saved.channel_type, saved.version) == ("Shops", "own_retail", 2)


def test_delete_asks_for_confirmation_then_deletes(console: TestClient, runtime: Runtime) -> None:
    with unit_of_work(runtime.session_factory) as s:
        region_id = create_entity(
            s, principal=SYSTEM, kind="region", values={"code": "S", "name": "South"}, now=T0
        ).id

    confirm = console.get(f"/regions/{region_id}/delete")
    assert confirm.status_code == 200
    assert "Delete region S?" in main_text(confirm.text)
    assert f'action="/regions/{region_id}/delete"' in confirm.text
    assert _count(runtime, Region) == 1  # asking deletes nothing

    response = console.post(
        f"/regions/{region_id}/delete", data={"version": "1"}, follow_redirects=False
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/regions"
    assert _count(runtime, Region) == 0
    assert "Region S deleted." in main_text(console.get("/regions").text)


def test_deleting_a_referenced_entity_shows_the_conflict_and_keeps_it(
    console: TestClient, runtime: Runtime, channel: uuid.UUID
) -> None:
    with unit_of_work(runtime.session_factory) as s:
        create_entity(
            s,
            principal=SYSTEM,
            kind="partner",
            values={
                "code": "P1",
                "name": "A",
                "partner_type": "dealer",
                "tier": "gold",
                "channel_id": channel,
            },
            now=T0,
        )

    response = console.post(f"/sales-channels/{channel}/delete", data={"version": "1"})

    assert response.status_code == 409
    assert "Sales channel RET is still referred to by other records" in main_text(response.text)
    assert _count(runtime, SalesChannel) == 1


def test_unknown_entity_is_a_not_found_page(console: TestClient) -> None:
    response = console.get(f"/regions/{uuid.uuid4()}")

    assert response.status_code == 404
    assert "does not exist" in main_text(response.text)


def test_large_referred_kinds_are_chosen_by_code(
    tiny_demo: DemoSummary, console: TestClient, runtime: Runtime
) -> None:
    # Given more customers than a select should hold (the tiny demo has 300)
    form = console.get("/premises/new")
    assert 'data-lookup-path="/customers/lookup"' in form.text
    with runtime.session_factory() as s:
        customer = s.execute(
            select(Premise.customer_id).where(Premise.customer_id.is_not(None))
        ).first()
        assert customer is not None
        code = s.get_one(Customer, customer[0]).code
    before = _count(runtime, Premise)

    unknown = console.post(
        "/premises/new", data={"code": "PR-X", "customer_id": "NOPE", "address": ""}
    )
    created = console.post(
        "/premises/new",
        data={
            "code": "PR-X",
            "customer_id": code,
            "address": "Ring 1, Wien",
            "technologies": ["fibre", "5g"],
        },
        follow_redirects=False,
    )

    assert unknown.status_code == 400
    assert field_errors(unknown.text, "customer_id") == ["no customer with code 'NOPE'"]
    assert field_errors(unknown.text, "address") == ["is required"]
    assert created.status_code == 303
    assert _count(runtime, Premise) == before + 1
    with runtime.session_factory() as s:
        premise = s.scalars(select(Premise).where(Premise.code == "PR-X")).one()
        assert (premise.customer_id, premise.technologies) == (customer[0], "fibre,5g")
    lookup = console.get("/customers/lookup", params={"q": code})
    assert lookup.json()[0]["code"] == code
