"""Payout details: read and written only by permitted roles; a partner user reads its own."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput, NotFound, PermissionDenied, PreconditionFailed
from salesdev.db.models import AuditEvent, PartnerPayout
from salesdev.domains.access import SYSTEM, Principal, Role
from salesdev.domains.partners import get_payout_details, set_payout_details
from tests.integration.partners.builders import NOW, channel, partner, user

DETAILS: dict[str, Any] = {
    "payee_name": "Acme Mobile Ltd",
    "iban": "gb82 west 1234 5698 7654 32",
    "bic": "westgb2l",
    "tax_id": "GB123456789",
    "currency": "GBP",
    "payment_terms_days": 30,
}
STORED = ("Acme Mobile Ltd", "GB82WEST12345698765432", "WESTGB2L", "GB123456789", "GBP", 30, 1)

# Who may do what with any partner's payout details (the partner user's own partner is
# the explicit exception tested separately).
READERS = {Role.ADMIN, Role.SALES_OPERATIONS, Role.AUDITOR}
WRITERS = {Role.ADMIN, Role.SALES_OPERATIONS}


@pytest.fixture
def world(session: Session) -> dict[str, uuid.UUID]:
    dealers = channel(session)
    acme = partner(session, "ACME", dealers.id, partner_type="master_agent")
    sub = partner(session, "ACME-SUB", dealers.id, parent_id=acme.id, partner_type="sub_dealer")
    other = partner(session, "OTHER", dealers.id)
    for partner_id in (acme.id, sub.id, other.id):
        set_payout_details(session, principal=SYSTEM, partner_id=partner_id, now=NOW, **DETAILS)
    return {"acme": acme.id, "sub": sub.id, "other": other.id}


def _principal(role: Role, world: dict[str, uuid.UUID]) -> Principal:
    # A partner user here belongs to a partner other than the one asked about.
    return user(role.value, role, partner_id=world["other"] if role is Role.PARTNER_USER else None)


def _stored(session: Session, partner_id: uuid.UUID) -> tuple[Any, ...]:
    session.expire_all()
    row = session.scalar(select(PartnerPayout).where(PartnerPayout.partner_id == partner_id))
    assert row is not None
    return (
        row.payee_name,
        row.iban,
        row.bic,
        row.tax_id,
        row.currency,
        row.payment_terms_days,
        row.version,
    )


@pytest.mark.parametrize("role", list(Role))
def test_who_reads_payout_details(
    session: Session, world: dict[str, uuid.UUID], role: Role
) -> None:
    principal = _principal(role, world)
    if role in READERS:
        details = get_payout_details(session, principal=principal, partner_id=world["acme"])
        assert (details.iban, details.bic) == ("GB82WEST12345698765432", "WESTGB2L")
    elif role is Role.PARTNER_USER:
        # Another partner does not exist for a partner user.
        with pytest.raises(NotFound, match=f"Partner {world['acme']} does not exist"):
            get_payout_details(session, principal=principal, partner_id=world["acme"])
    else:
        with pytest.raises(PermissionDenied) as caught:
            get_payout_details(session, principal=principal, partner_id=world["acme"])
        assert caught.value.message == f"{role.value} may not read payouts"


@pytest.mark.parametrize("role", list(Role))
def test_who_writes_payout_details(
    session: Session, world: dict[str, uuid.UUID], role: Role
) -> None:
    principal = _principal(role, world)
    change = {**DETAILS, "payment_terms_days": 45}
    if role in WRITERS:
        set_payout_details(
            session, principal=principal, partner_id=world["acme"], now=NOW, **change
        )
        assert _stored(session, world["acme"]) == (*STORED[:5], 45, 2)
    else:
        with pytest.raises(PermissionDenied) as caught:
            set_payout_details(
                session, principal=principal, partner_id=world["acme"], now=NOW, **change
            )
        assert caught.value.message == f"{role.value} may not write payouts"
        assert _stored(session, world["acme"]) == STORED


def test_a_partner_user_reads_its_own_partners_details_but_cannot_change_them(
    session: Session, world: dict[str, uuid.UUID]
) -> None:
    ann = user("ann", Role.PARTNER_USER, partner_id=world["acme"])
    assert get_payout_details(session, principal=ann, partner_id=world["acme"]).payee_name == (
        "Acme Mobile Ltd"
    )
    with pytest.raises(PermissionDenied, match="ann may not write payouts"):
        set_payout_details(
            session, principal=ann, partner_id=world["acme"], now=NOW, **{**DETAILS, "iban": ""}
        )
    assert _stored(session, world["acme"]) == STORED


def test_a_partner_user_does_not_read_its_sub_dealers_bank_details(
    session: Session, world: dict[str, uuid.UUID]
) -> None:
    master = user("ann", Role.PARTNER_USER, partner_id=world["acme"], include_sub_dealers=True)
    with pytest.raises(PermissionDenied, match="ann may not read payouts"):
        get_payout_details(session, principal=master, partner_id=world["sub"])


def test_a_partner_without_payout_details_is_answered_clearly(session: Session) -> None:
    fresh = partner(session, "NEW", channel(session, "WEB").id)
    with pytest.raises(NotFound, match="Partner NEW has no payout details"):
        get_payout_details(session, principal=SYSTEM, partner_id=fresh.id)
    with pytest.raises(NotFound):
        get_payout_details(session, principal=SYSTEM, partner_id=uuid.uuid4())


@pytest.mark.parametrize(
    "iban",
    [
        "DE89 3704 0044 0532 0130 00",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NL91ABNA0417164300",
        "GB82WEST12345698765432",
    ],
)
def test_valid_ibans_are_stored_in_electronic_form(
    session: Session, world: dict[str, uuid.UUID], iban: str
) -> None:
    saved = set_payout_details(
        session, principal=SYSTEM, partner_id=world["acme"], now=NOW, **{**DETAILS, "iban": iban}
    )
    assert saved.iban == iban.replace(" ", "")


@pytest.mark.parametrize(
    ("iban", "message"),
    [
        (
            "GB82 WEST 1234 5698 7654 33",
            "the IBAN's check digits do not match (mod 97); got 'GB82 WEST 1234 5698 7654 33'",
        ),
        (
            # Two digits swapped.
            "DE89 3704 0044 0532 0310 00",
            "the IBAN's check digits do not match (mod 97); got 'DE89 3704 0044 0532 0310 00'",
        ),
        (
            "GB82-WEST-1234",
            "expected an IBAN: a country code, 2 check digits and 11 to 30 letters or digits; "
            "got 'GB82-WEST-1234'",
        ),
        (
            "",
            "expected an IBAN: a country code, 2 check digits and 11 to 30 letters or digits; "
            "got ''",
        ),
    ],
)
def test_an_invalid_iban_is_refused_and_nothing_changes(
    session: Session, world: dict[str, uuid.UUID], iban: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        set_payout_details(
            session,
            principal=SYSTEM,
            partner_id=world["acme"],
            now=NOW,
            **{**DETAILS, "iban": iban},
        )
    assert caught.value.message == "Invalid payout details"
    assert [(d.location, d.message) for d in caught.value.details] == [("iban", message)]
    assert _stored(session, world["acme"]) == STORED


def test_every_invalid_detail_is_reported(session: Session) -> None:
    fresh = partner(session, "NEW", channel(session, "WEB").id)
    with pytest.raises(InvalidInput) as caught:
        set_payout_details(
            session,
            principal=SYSTEM,
            partner_id=fresh.id,
            now=NOW,
            payee_name=" ",
            iban="GB82WEST12345698765432",
            bic="WEST",
            tax_id="X" * 33,
            currency="pounds",
            payment_terms_days=400,
        )
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("payee_name", "is required"),
        (
            "bic",
            "expected a BIC of 8 or 11 letters and digits, like DEUTDEFF or DEUTDEFF500; got 'WEST'",
        ),
        ("tax_id", "at most 32 characters"),
        ("currency", "expected an ISO 4217 code like EUR, got 'pounds'"),
        ("payment_terms_days", "expected a whole number of days from 0 to 365; got 400"),
    ]
    assert session.scalar(select(func.count()).select_from(PartnerPayout)) == 0


def test_a_stale_write_is_refused(session: Session, world: dict[str, uuid.UUID]) -> None:
    with pytest.raises(PreconditionFailed):
        set_payout_details(
            session,
            principal=SYSTEM,
            partner_id=world["acme"],
            now=NOW,
            expected_version=3,
            **{**DETAILS, "payee_name": "Acme Holdings"},
        )
    assert _stored(session, world["acme"]) == STORED


def test_a_change_of_bank_details_is_in_the_audit_trail(
    session: Session, world: dict[str, uuid.UUID]
) -> None:
    payout_id = session.scalar(
        select(PartnerPayout.id).where(PartnerPayout.partner_id == world["acme"])
    )
    set_payout_details(
        session,
        principal=SYSTEM,
        partner_id=world["acme"],
        now=NOW,
        **{**DETAILS, "iban": "DE89370400440532013000", "bic": None},
    )
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_id == str(payout_id))
        .order_by(AuditEvent.sequence.desc())
    ).first()
    assert event is not None
    assert (event.object_type, event.before, event.after) == (
        "partner_payout",
        {"iban": "GB82WEST12345698765432", "bic": "WESTGB2L"},
        {"iban": "DE89370400440532013000", "bic": None},
    )
