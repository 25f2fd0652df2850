"""A partner's contacts: who to call for sales, operations, finance or technical matters.

A partner has at most one primary contact; making another one primary means unsetting
the current one first (refused otherwise, and a partial unique index backs that up).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import Conflict, ErrorDetail, InvalidInput, NotFound, PreconditionFailed
from salesdev.core.periods import require_aware
from salesdev.db.models import Partner, PartnerContact
from salesdev.domains.access import Family, Principal, authorize, partner_rows_condition
from salesdev.domains.partners.access import authorize_contact_write, visible_partner

CONTACT_ROLES = ("sales", "operations", "finance", "technical")
CONTACT_FIELDS = ("name", "role", "email", "phone", "is_primary")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_PHONE = re.compile(r"\+?[0-9][0-9 ().-]*")
_MIN_PHONE_DIGITS = 6


# --- reading -------------------------------------------------------------------------------


def list_partner_contacts(
    session: Session, *, principal: Principal, partner_id: uuid.UUID
) -> list[PartnerContact]:
    """The partner's contacts, the primary one first, then by name."""
    partner = visible_partner(session, principal=principal, partner_id=partner_id)
    return list(
        session.scalars(
            select(PartnerContact)
            .where(PartnerContact.partner_id == partner.id)
            .order_by(PartnerContact.is_primary.desc(), PartnerContact.name, PartnerContact.id)
        )
    )


def get_partner_contact(
    session: Session, *, principal: Principal, contact_id: uuid.UUID
) -> PartnerContact:
    """One contact; a contact of a partner outside the principal's scope is "not found"."""
    authorize(principal, Family.PARTNERS, "read")
    statement = select(PartnerContact).where(PartnerContact.id == contact_id)
    condition = partner_rows_condition(
        session, principal=principal, column=PartnerContact.partner_id
    )
    if condition is not None:
        statement = statement.where(condition)
    contact = session.scalar(statement)
    if contact is None:
        raise NotFound(f"Partner contact {contact_id} does not exist")
    return contact


# --- writing -------------------------------------------------------------------------------


def add_partner_contact(
    session: Session,
    *,
    principal: Principal,
    partner_id: uuid.UUID,
    name: str,
    role: str,
    email: str,
    now: datetime,
    phone: str | None = None,
    is_primary: bool = False,
) -> PartnerContact:
    require_aware(now, location="now")
    partner = visible_partner(session, principal=principal, partner_id=partner_id)
    authorize_contact_write(session, principal=principal, partner=partner)
    clean = _validate(
        {"name": name, "role": role, "email": email, "phone": phone, "is_primary": is_primary},
        partial=False,
    )
    if clean["is_primary"]:
        _check_no_other_primary(session, partner, contact_id=None)
    contact = PartnerContact(partner_id=partner.id, **clean, created_at=now, updated_at=now)
    session.add(contact)
    session.flush()
    return contact


def update_partner_contact(
    session: Session,
    *,
    principal: Principal,
    contact_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None = None,
) -> PartnerContact:
    """Change some of ``name``, ``role``, ``email``, ``phone``, ``is_primary``."""
    require_aware(now, location="now")
    contact = get_partner_contact(session, principal=principal, contact_id=contact_id)
    partner = _partner_of(session, contact)
    authorize_contact_write(session, principal=principal, partner=partner)
    _check_version(contact, expected_version)
    clean = _validate(changes, partial=True)
    if clean.get("is_primary") and not contact.is_primary:
        _check_no_other_primary(session, partner, contact_id=contact.id)
    changed = {key: value for key, value in clean.items() if getattr(contact, key) != value}
    for key, value in changed.items():
        setattr(contact, key, value)
    if changed:
        contact.updated_at = now
        session.flush()
    return contact


def remove_partner_contact(
    session: Session,
    *,
    principal: Principal,
    contact_id: uuid.UUID,
    expected_version: int | None = None,
) -> None:
    contact = get_partner_contact(session, principal=principal, contact_id=contact_id)
    authorize_contact_write(session, principal=principal, partner=_partner_of(session, contact))
    _check_version(contact, expected_version)
    session.delete(contact)
    session.flush()


# --- rules ---------------------------------------------------------------------------------


def _partner_of(session: Session, contact: PartnerContact) -> Partner:
    partner = session.get(Partner, contact.partner_id)
    assert partner is not None  # a foreign key
    return partner


def _check_version(contact: PartnerContact, expected_version: int | None) -> None:
    if expected_version is not None and contact.version != expected_version:
        raise PreconditionFailed(
            f"Partner contact {contact.id} was changed by someone else "
            f"(version {contact.version}, you had {expected_version}); reload and try again"
        )


def _check_no_other_primary(
    session: Session, partner: Partner, *, contact_id: uuid.UUID | None
) -> None:
    statement = select(PartnerContact).where(
        PartnerContact.partner_id == partner.id, PartnerContact.is_primary.is_(True)
    )
    if contact_id is not None:
        statement = statement.where(PartnerContact.id != contact_id)
    current = session.scalar(statement)
    if current is not None:
        raise Conflict(
            f"Partner {partner.code} already has a primary contact ({current.name})",
            [ErrorDetail("is_primary", "a partner has one primary contact; unset it first")],
        )


def _validate(values: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    errors = [
        ErrorDetail(key, f"unknown field; known: {', '.join(CONTACT_FIELDS)}")
        for key in values
        if key not in CONTACT_FIELDS
    ]
    clean: dict[str, Any] = {}
    for key in CONTACT_FIELDS:
        if key not in values:
            continue
        try:
            clean[key] = _PARSERS[key](values[key])
        except InvalidInput as exc:
            errors.append(ErrorDetail(key, exc.message))
    if errors:
        raise InvalidInput("Invalid partner contact", errors)
    if not partial:
        clean.setdefault("is_primary", False)
    return clean


def _name(raw: Any) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise InvalidInput("is required")
    if len(text) > 200:
        raise InvalidInput("at most 200 characters")
    return text


def _role(raw: Any) -> str:
    if raw not in CONTACT_ROLES:
        raise InvalidInput(f"expected one of {', '.join(CONTACT_ROLES)}; got {raw!r}")
    return str(raw)


def _email(raw: Any) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if len(text) > 254 or not _EMAIL.fullmatch(text):
        raise InvalidInput(f"expected an e-mail address like name@example.com; got {raw!r}")
    return text


def _phone(raw: Any) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = raw.strip() if isinstance(raw, str) else ""
    digits = sum(char.isdigit() for char in text)
    if len(text) > 32 or digits < _MIN_PHONE_DIGITS or not _PHONE.fullmatch(text):
        raise InvalidInput(
            "expected a telephone number: digits, spaces, '-', '.', brackets and an optional "
            f"leading '+'; got {raw!r}"
        )
    return text


def _is_primary(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise InvalidInput(f"expected true or false; got {raw!r}")
    return raw


_PARSERS = {
    "name": _name,
    "role": _role,
    "email": _email,
    "phone": _phone,
    "is_primary": _is_primary,
}
