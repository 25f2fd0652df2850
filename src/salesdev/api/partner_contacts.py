"""A partner's contacts (``partnerContact``): who to call at the partner, by role.

Reads need ``partners``; a partner user sees only the contacts of the partners in its
scope (404 for any other). Writes go through the contacts service, which also lets a
partner user maintain its own partner's contacts: the route admits that role and the
service decides per partner.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from salesdev.api.toolkit import Reference, Resource, Scalar
from salesdev.api.toolkit.operations import ServiceOperations
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.ids import parse_id
from salesdev.db.models import PartnerContact
from salesdev.db.query import SortKey
from salesdev.domains.access import Family, Principal, Role, authorize, partner_rows_condition
from salesdev.domains.partners import (
    CONTACT_ROLES,
    add_partner_contact,
    get_partner_contact,
    remove_partner_contact,
    update_partner_contact,
)

LABEL = "Partner contact"
# The primary contact first, then by name, as the contacts service lists them.
DEFAULT_SORT = (SortKey("isPrimary", descending=True), SortKey("name"))


def may_attempt_contact_write(principal: Principal) -> bool:
    """Who gets past the route to the contacts service, which decides per partner."""
    return principal.can(Family.PARTNERS, "write") or Role.PARTNER_USER in principal.roles


def _select(session: Session, *, principal: Principal) -> Select[Any]:
    authorize(principal, Family.PARTNERS, "read")
    statement = select(PartnerContact)
    condition = partner_rows_condition(
        session, principal=principal, column=PartnerContact.partner_id
    )
    return statement if condition is None else statement.where(condition)


def _create(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    raw_partner = values.get("partner_id")
    if raw_partner is None:
        raise InvalidInput(f"Invalid {LABEL}", [ErrorDetail("partner", "is required")])
    return add_partner_contact(
        session,
        principal=principal,
        partner_id=parse_id(raw_partner, location="partner.id"),
        name=values.get("name", ""),  # the service validates
        role=values.get("role", ""),
        email=values.get("email", ""),
        phone=values.get("phone"),
        is_primary=values.get("is_primary", False),
        now=now,
    )


def _update(session: Session, *, changes: Mapping[str, Any], **call: Any) -> Any:
    if "partner_id" in changes:
        raise InvalidInput(
            f"Invalid {LABEL}",
            [ErrorDetail("partner", "a contact stays with its partner; add a new one")],
        )
    return update_partner_contact(session, changes=changes, **call)


def partner_contact_resource() -> Resource:
    return Resource(
        name="partnerContact",
        type="PartnerContact",
        model=PartnerContact,
        operations=ServiceOperations(
            PartnerContact,
            LABEL,
            key="contact_id",
            get=get_partner_contact,
            select=_select,
            default_sort=DEFAULT_SORT,
            create=_create,
            update=_update,
            delete=remove_partner_contact,
        ),
        family=Family.PARTNERS,
        writers=may_attempt_contact_write,
        description=(
            "A person at a partner, by role; at most one primary contact per partner. "
            "A partner user maintains its own partner's contacts"
        ),
        attributes=(
            Reference("partner", "partner_id", target="partner", required=True, nullable=False),
            Scalar("name", "name", required=True, nullable=False, max_length=200),
            Scalar("role", "role", required=True, nullable=False, choices=CONTACT_ROLES),
            Scalar("email", "email", required=True, nullable=False, max_length=254),
            Scalar("phone", "phone", max_length=32),
            Scalar("isPrimary", "is_primary", "bool", nullable=False),
            Scalar("creationDate", "created_at", "datetime", readonly=True),
            Scalar("lastUpdate", "updated_at", "datetime", readonly=True),
        ),
    )
