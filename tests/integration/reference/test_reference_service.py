"""Reference entities are validated, unique by code, acyclic, and safe against stale writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from salesdev.db.models import Partner, SalesChannel
from salesdev.domains.access import SYSTEM
from salesdev.domains.reference import (
    create_entity,
    delete_entity,
    find_ids_by_code,
    get_entity,
    update_entity,
)

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 10, 2, 12, 0, tzinfo=UTC)


def _channel(session: Session, code: str = "DEALERS", **extra: Any) -> Any:
    values = {"code": code, "name": f"Channel {code}", "channel_type": "franchise_dealer", **extra}
    return create_entity(session, principal=SYSTEM, kind="sales_channel", values=values, now=NOW)


def _count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_create_sets_defaults_and_timestamps(session: Session) -> None:
    channel = _channel(session)
    assert (channel.code, channel.status, channel.version) == ("DEALERS", "active", 1)
    assert channel.created_at == channel.updated_at == NOW


def test_every_invalid_field_is_reported_with_its_name_and_nothing_is_written(
    session: Session,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_entity(
            session,
            principal=SYSTEM,
            kind="partner",
            values={"code": "P1", "partner_type": "reseller", "tier": "platinum", "colour": "red"},
            now=NOW,
        )
    assert caught.value.message == "Invalid partner"
    assert [(d.location, d.message) for d in caught.value.details] == [
        (
            "colour",
            "unknown field; known: channel_id, code, name, parent_id, partner_type, region_id, status, tier",
        ),
        ("name", "is required"),
        (
            "partner_type",
            "expected one of master_agent, dealer, sub_dealer, franchisee, wholesale_reseller, marketplace; got 'reseller'",
        ),
        ("tier", "expected one of gold, silver, bronze; got 'platinum'"),
        ("channel_id", "is required"),
    ]
    assert _count(session, Partner) == 0


def test_a_reference_to_something_that_does_not_exist_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_entity(
            session,
            principal=SYSTEM,
            kind="partner",
            values={
                "code": "P1",
                "name": "Acme Mobile",
                "partner_type": "dealer",
                "tier": "gold",
                "channel_id": "00000000-0000-0000-0000-000000000001",
            },
            now=NOW,
        )
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("channel_id", "no sales channel with id 00000000-0000-0000-0000-000000000001")
    ]


def test_codes_are_unique(session: Session) -> None:
    _channel(session)
    with pytest.raises(Conflict, match="A sales channel with code 'DEALERS' already exists"):
        _channel(session)
    assert _count(session, SalesChannel) == 1


def test_update_with_a_stale_version_changes_nothing(session: Session) -> None:
    channel = _channel(session)
    update_entity(
        session,
        principal=SYSTEM,
        kind="sales_channel",
        entity_id=channel.id,
        changes={"name": "Dealers"},
        now=LATER,
    )
    assert channel.version == 2
    with pytest.raises(PreconditionFailed, match="version 2, you had 1"):
        update_entity(
            session,
            principal=SYSTEM,
            kind="sales_channel",
            entity_id=channel.id,
            changes={"name": "Stale"},
            now=LATER,
            expected_version=1,
        )
    assert (
        get_entity(session, principal=SYSTEM, kind="sales_channel", entity_id=channel.id).name
        == "Dealers"
    )


def test_a_hierarchy_cannot_become_a_cycle(session: Session) -> None:
    parent = _channel(session, "MASTER")
    child = _channel(session, "SUB", parent_id=str(parent.id))
    with pytest.raises(InvalidInput, match="hierarchy would contain a cycle"):
        update_entity(
            session,
            principal=SYSTEM,
            kind="sales_channel",
            entity_id=parent.id,
            changes={"parent_id": child.id},
            now=LATER,
        )
    assert parent.parent_id is None


def test_deleting_something_still_referred_to_is_a_conflict(session: Session) -> None:
    parent = _channel(session, "MASTER")
    _channel(session, "SUB", parent_id=parent.id)
    with pytest.raises(Conflict, match="still referred to"):
        delete_entity(session, principal=SYSTEM, kind="sales_channel", entity_id=parent.id)
    assert _count(session, SalesChannel) == 2


def test_delete_then_get_is_not_found(session: Session) -> None:
    channel = _channel(session)
    delete_entity(
        session, principal=SYSTEM, kind="sales_channel", entity_id=channel.id, expected_version=1
    )
    with pytest.raises(NotFound):
        get_entity(session, principal=SYSTEM, kind="sales_channel", entity_id=channel.id)


def test_offering_validity_must_not_be_empty(session: Session) -> None:
    family = create_entity(
        session,
        principal=SYSTEM,
        kind="product_family",
        values={"code": "MOB", "name": "Mobile", "line_of_business": "mobile"},
        now=NOW,
    )
    offering = create_entity(
        session,
        principal=SYSTEM,
        kind="product_offering",
        values={
            "code": "MOB-M",
            "name": "Mobile M",
            "family_id": family.id,
            "currency": "EUR",
            "valid_from": "2026-01-01T00:00:00Z",
        },
        now=NOW,
    )
    with pytest.raises(InvalidInput) as caught:
        update_entity(
            session,
            principal=SYSTEM,
            kind="product_offering",
            entity_id=offering.id,
            changes={"valid_to": "2025-12-31T00:00:00+00:00"},
            now=LATER,
        )
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("valid_to", "must be after valid_from")
    ]
    assert (offering.valid_to, offering.version) == (None, 1)


def test_codes_resolve_in_bulk(session: Session) -> None:
    a = _channel(session, "A")
    b = _channel(session, "B")
    assert find_ids_by_code(session, kind="sales_channel", codes=["A", "B", "missing"]) == {
        "A": a.id,
        "B": b.id,
    }
