"""A partner's contacts (``partnerContact``): who to call at the partner, by role.

Reads need ``partners``; a partner user sees only the contacts of the partners in its
scope (404 for any other). Writes go through the contacts service, which also lets a
partner user maintain its own partner's contacts: the route admits that role and the
service decides per partner.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from salesdev.api.toolkit import Reference, Resource, ResourceOperations, Scalar
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.ids import parse_id
from salesdev.db.models import PartnerContact
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
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


class ContactOperations(ResourceOperations):
    can_create = can_update = can_delete = True

    def __init__(self) -> None:
        super().__init__(PartnerContact, label=LABEL)

    def get(self, session: Session, *, principal: Principal, entity_id: uuid.UUID) -> Any:
        return get_partner_contact(session, principal=principal, contact_id=entity_id)

    def select(self, session: Session, *, principal: Principal) -> Select[Any]:
        authorize(principal, Family.PARTNERS, "read")
        statement = select(PartnerContact)
        condition = partner_rows_condition(
            session, principal=principal, column=PartnerContact.partner_id
        )
        return statement if condition is None else statement.where(condition)

    def list(
        self,
        session: Session,
        *,
        principal: Principal,
        query: ListQuery,
        attributes: Mapping[str, Attribute],
    ) -> Page[Any]:
        return fetch_page(
            session,
            self.select(session, principal=principal),
            attributes=attributes,
            query=query,
            tie_breaker=PartnerContact.id,
            default_sort=DEFAULT_SORT,
        )

    def create(
        self, session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
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

    def update(
        self,
        session: Session,
        *,
        principal: Principal,
        entity_id: uuid.UUID,
        changes: Mapping[str, Any],
        now: datetime,
        expected_version: int | None,
    ) -> Any:
        if "partner_id" in changes:
            raise InvalidInput(
                f"Invalid {LABEL}",
                [ErrorDetail("partner", "a contact stays with its partner; add a new one")],
            )
        return update_partner_contact(
            session,
            principal=principal,
            contact_id=entity_id,
            changes=changes,
            now=now,
            expected_version=expected_version,
        )

    def delete(
        self,
        session: Session,
        *,
        principal: Principal,
        entity_id: uuid.UUID,
        expected_version: int | None,
        now: datetime,
    ) -> None:
        remove_partner_contact(
            session, principal=principal, contact_id=entity_id, expected_version=expected_version
        )


def partner_contact_resource() -> Resource:
    return Resource(
        name="partnerContact",
        type="PartnerContact",
        model=PartnerContact,
        operations=ContactOperations(),
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
