"""A partner as TM Forum shapes: a TMF632 Organization and its TMF669 PartyRole.

Pure mappings (no session, no clock) for the API to expose. The partner's status lives
on the party role (onboarding, active, suspended, terminated); the organisation itself is
``initialized`` while on-boarding, ``validated`` once on-boarded as a partner, and
``closed`` when terminated, the states TMF632 defines for an organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from salesdev.db.models import Partner, PartnerContact

PARTY_PATH = "/tmf-api/party/v4"
PARTY_ROLE_PATH = "/tmf-api/partyRoleManagement/v4"
PARENT_ROLE = "parentOrganization"


def organization_href(partner: Partner, *, base_url: str = "") -> str:
    return f"{base_url}{PARTY_PATH}/organization/{partner.id}"


def party_role_href(partner: Partner, *, base_url: str = "") -> str:
    return f"{base_url}{PARTY_ROLE_PATH}/partyRole/{partner.id}"


def organization_status(partner_status: str) -> str:
    """The TMF632 organisation status of a partner with this party-role status."""
    return {"onboarding": "initialized", "terminated": "closed"}.get(partner_status, "validated")


def partner_organization(
    partner: Partner,
    *,
    contacts: Sequence[PartnerContact] = (),
    parent: Partner | None = None,
    base_url: str = "",
) -> dict[str, Any]:
    """The TMF632 Organization; ``contacts`` in the order they should be listed."""
    return {
        "id": str(partner.id),
        "href": organization_href(partner, base_url=base_url),
        "name": partner.name,
        "organizationType": partner.partner_type,
        "status": organization_status(partner.status),
        "externalReference": [{"externalReferenceType": "partnerCode", "name": partner.code}],
        "partyCharacteristic": [{"name": "tier", "valueType": "string", "value": partner.tier}],
        "contactMedium": [medium for contact in contacts for medium in _media(contact)],
        "relatedParty": [] if parent is None else [_parent_ref(parent, base_url=base_url)],
        "@type": "Organization",
        "@baseType": "Party",
    }


def partner_party_role(partner: Partner, *, base_url: str = "") -> dict[str, Any]:
    """The TMF669 PartyRole the organisation plays: its partner type (dealer, master_agent...)."""
    return {
        "id": str(partner.id),
        "href": party_role_href(partner, base_url=base_url),
        "name": partner.partner_type,
        "status": partner.status,
        "engagedParty": {
            "id": str(partner.id),
            "href": organization_href(partner, base_url=base_url),
            "name": partner.name,
            "@referredType": "Organization",
        },
        "@type": "PartyRole",
    }


def _media(contact: PartnerContact) -> list[dict[str, Any]]:
    """One medium per way of reaching the contact. TMF632 has no contact person's name in a
    medium, so it travels in the extension ``contactName`` (``@type`` says so)."""
    media = [_medium(contact, "email", {"emailAddress": contact.email})]
    if contact.phone:
        media.append(_medium(contact, "phone", {"phoneNumber": contact.phone}))
    return media


def _medium(contact: PartnerContact, medium_type: str, value: dict[str, str]) -> dict[str, Any]:
    return {
        "mediumType": medium_type,
        "preferred": contact.is_primary,
        "characteristic": {"contactType": contact.role, **value},
        "contactName": contact.name,
        "@type": "PartnerContactMedium",
        "@baseType": "ContactMedium",
    }


def _parent_ref(parent: Partner, *, base_url: str) -> dict[str, Any]:
    return {
        "id": str(parent.id),
        "href": organization_href(parent, base_url=base_url),
        "name": parent.name,
        "role": PARENT_ROLE,
        "@referredType": "Organization",
    }
