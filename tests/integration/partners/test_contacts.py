"""Partner contacts: validated, one primary per partner, maintained within the row scope."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
)
from salesdev.db.models import PartnerContact
from salesdev.domains.access import Principal, Role
from salesdev.domains.partners import (
    add_partner_contact,
    get_partner_contact,
    list_partner_contacts,
    remove_partner_contact,
    update_partner_contact,
)
from tests.integration.partners.builders import NOW, channel, partner, user

CARLA = user("carla", Role.CHANNEL_MANAGER)


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    dealers = channel(session)
    acme = partner(session, "ACME", dealers.id, partner_type="master_agent")
    sub = partner(session, "ACME-SUB", dealers.id, parent_id=acme.id, partner_type="sub_dealer")
    other = partner(session, "OTHER", dealers.id)
    return {"acme": acme.id, "sub": sub.id, "other": other.id}


def _add(session: Session, principal: Principal, partner_id: uuid.UUID, **extra: Any) -> Any:
    values = {"name": "Jane Doe", "role": "sales", "email": "jane@acme.example", **extra}
    return add_partner_contact(
        session, principal=principal, partner_id=partner_id, now=NOW, **values
    )


def _rows(session: Session) -> list[tuple[str, str, str, str | None, bool, int]]:
    session.expire_all()
    return [
        (c.name, c.role, c.email, c.phone, c.is_primary, c.version)
        for c in session.scalars(select(PartnerContact).order_by(PartnerContact.name))
    ]


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PartnerContact)) or 0


def test_a_channel_manager_adds_changes_lists_and_removes_contacts(
    session: Session, world: dict[str, Any]
) -> None:
    jane = _add(session, CARLA, world["acme"], phone="+44 20 7946 0958", is_primary=True)
    _add(session, CARLA, world["acme"], name="Bob Stone", role="finance", email="bob@acme.example")

    update_partner_contact(
        session,
        principal=CARLA,
        contact_id=jane.id,
        changes={"role": "operations", "email": " jane.doe@acme.example "},
        now=NOW,
        expected_version=1,
    )
    listed = list_partner_contacts(session, principal=CARLA, partner_id=world["acme"])
    assert [(c.name, c.role, c.email, c.is_primary) for c in listed] == [
        ("Jane Doe", "operations", "jane.doe@acme.example", True),
        ("Bob Stone", "finance", "bob@acme.example", False),
    ]
    assert jane.version == 2

    remove_partner_contact(session, principal=CARLA, contact_id=jane.id, expected_version=2)
    assert _rows(session) == [("Bob Stone", "finance", "bob@acme.example", None, False, 1)]


def test_every_invalid_field_is_reported_and_nothing_is_written(
    session: Session, world: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        _add(session, CARLA, world["acme"], name=" ", role="ceo", email="jane@acme", phone="12-34")
    assert caught.value.message == "Invalid partner contact"
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("name", "is required"),
        ("role", "expected one of sales, operations, finance, technical; got 'ceo'"),
        ("email", "expected an e-mail address like name@example.com; got 'jane@acme'"),
        (
            "phone",
            "expected a telephone number: digits, spaces, '-', '.', brackets and an optional "
            "leading '+'; got '12-34'",
        ),
    ]
    assert _count(session) == 0


def test_an_unknown_field_in_a_change_is_refused_and_nothing_changes(
    session: Session, world: dict[str, Any]
) -> None:
    jane = _add(session, CARLA, world["acme"])
    with pytest.raises(InvalidInput) as caught:
        update_partner_contact(
            session,
            principal=CARLA,
            contact_id=jane.id,
            changes={"mobile": "07700 900123", "email": "jane.doe@acme.example"},
            now=NOW,
        )
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("mobile", "unknown field; known: name, role, email, phone, is_primary")
    ]
    assert _rows(session) == [("Jane Doe", "sales", "jane@acme.example", None, False, 1)]


def test_a_partner_has_one_primary_contact(session: Session, world: dict[str, Any]) -> None:
    _add(session, CARLA, world["acme"], is_primary=True)
    bob = _add(session, CARLA, world["acme"], name="Bob Stone", email="bob@acme.example")
    with pytest.raises(Conflict) as caught:
        _add(session, CARLA, world["acme"], name="Eve", email="eve@acme.example", is_primary=True)
    assert str(caught.value) == (
        "Partner ACME already has a primary contact (Jane Doe)\n"
        "  - is_primary: a partner has one primary contact; unset it first"
    )
    with pytest.raises(Conflict):
        update_partner_contact(
            session, principal=CARLA, contact_id=bob.id, changes={"is_primary": True}, now=NOW
        )
    assert [(name, primary) for name, _, _, _, primary, _ in _rows(session)] == [
        ("Bob Stone", False),
        ("Jane Doe", True),
    ]
    # Another partner's primary contact is no obstacle.
    _add(session, CARLA, world["other"], is_primary=True)


def test_a_stale_write_is_refused(session: Session, world: dict[str, Any]) -> None:
    jane = _add(session, CARLA, world["acme"])
    with pytest.raises(PreconditionFailed):
        update_partner_contact(
            session,
            principal=CARLA,
            contact_id=jane.id,
            changes={"name": "Jane Smith"},
            now=NOW,
            expected_version=7,
        )
    with pytest.raises(PreconditionFailed):
        remove_partner_contact(session, principal=CARLA, contact_id=jane.id, expected_version=7)
    assert _rows(session) == [("Jane Doe", "sales", "jane@acme.example", None, False, 1)]


def test_a_partner_user_maintains_its_own_partners_contacts(
    session: Session, world: dict[str, Any]
) -> None:
    acme_user = user("ann", Role.PARTNER_USER, partner_id=world["acme"])
    jane = _add(session, acme_user, world["acme"])
    update_partner_contact(
        session,
        principal=acme_user,
        contact_id=jane.id,
        changes={"phone": "0161 496 0000"},
        now=NOW,
    )
    assert get_partner_contact(session, principal=acme_user, contact_id=jane.id).phone == (
        "0161 496 0000"
    )
    remove_partner_contact(session, principal=acme_user, contact_id=jane.id)
    assert _count(session) == 0


def test_a_partner_user_cannot_touch_another_partners_contacts(
    session: Session, world: dict[str, Any]
) -> None:
    theirs = _add(session, CARLA, world["other"])
    sub_contact = _add(session, CARLA, world["sub"], email="sam@sub.example")
    acme_user = user("ann", Role.PARTNER_USER, partner_id=world["acme"])

    for attempt in (
        lambda: list_partner_contacts(session, principal=acme_user, partner_id=world["other"]),
        lambda: _add(session, acme_user, world["other"], email="x@acme.example"),
        lambda: get_partner_contact(session, principal=acme_user, contact_id=theirs.id),
        lambda: update_partner_contact(
            session, principal=acme_user, contact_id=theirs.id, changes={"name": "X"}, now=NOW
        ),
        lambda: remove_partner_contact(session, principal=acme_user, contact_id=theirs.id),
        # Without the sub-dealer flag, its sub-dealer is another partner too.
        lambda: get_partner_contact(session, principal=acme_user, contact_id=sub_contact.id),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert _rows(session) == [
        ("Jane Doe", "sales", "jane@acme.example", None, False, 1),
        ("Jane Doe", "sales", "sam@sub.example", None, False, 1),
    ]


def test_with_the_sub_dealer_flag_a_partner_user_maintains_its_sub_dealers_contacts(
    session: Session, world: dict[str, Any]
) -> None:
    master = user("ann", Role.PARTNER_USER, partner_id=world["acme"], include_sub_dealers=True)
    sam = _add(session, master, world["sub"], name="Sam", email="sam@sub.example")
    assert [
        c.name for c in list_partner_contacts(session, principal=master, partner_id=world["sub"])
    ] == ["Sam"]
    assert sam.partner_id == world["sub"]


@pytest.mark.parametrize(
    ("roles", "read_only", "refusal"),
    [
        ({Role.SALES_REP}, False, "someone may not read partners"),
        ({Role.AUDITOR}, False, "someone may not write partners"),
        ({Role.SALES_OPERATIONS}, False, "someone may not write partners"),
        ({Role.PARTNER_USER}, True, "someone may not write partners (read-only credential)"),
    ],
)
def test_who_may_not_write_contacts_is_refused(
    session: Session, world: dict[str, Any], roles: set[Role], read_only: bool, refusal: str
) -> None:
    principal = user("someone", *roles, partner_id=world["acme"], read_only=read_only)
    with pytest.raises(PermissionDenied) as caught:
        _add(session, principal, world["acme"])
    assert caught.value.message == refusal
    assert _count(session) == 0


def test_a_partner_user_with_an_unscoped_role_still_writes_only_its_own_contacts(
    session: Session, world: dict[str, Any]
) -> None:
    # The auditor role lifts the row scope for reading, not the partner-user write rule.
    both = user("ann", Role.PARTNER_USER, Role.AUDITOR, partner_id=world["acme"])
    assert list_partner_contacts(session, principal=both, partner_id=world["other"]) == []
    with pytest.raises(PermissionDenied, match="ann may not write partners"):
        _add(session, both, world["other"])
    _add(session, both, world["acme"])
    assert _count(session) == 1
