"""Partners beyond their reference record: contacts, payout details and TM Forum shapes."""

from salesdev.domains.partners.contacts import (
    CONTACT_FIELDS,
    CONTACT_ROLES,
    add_partner_contact,
    get_partner_contact,
    list_partner_contacts,
    remove_partner_contact,
    update_partner_contact,
)
from salesdev.domains.partners.iban import parse_bic, parse_iban
from salesdev.domains.partners.payouts import (
    MAX_PAYMENT_TERMS_DAYS,
    get_payout_details,
    set_payout_details,
)
from salesdev.domains.partners.tmf import (
    organization_href,
    partner_organization,
    partner_party_role,
    party_role_href,
)

__all__ = [
    "CONTACT_FIELDS",
    "CONTACT_ROLES",
    "MAX_PAYMENT_TERMS_DAYS",
    "add_partner_contact",
    "get_partner_contact",
    "get_payout_details",
    "list_partner_contacts",
    "organization_href",
    "parse_bic",
    "parse_iban",
    "partner_organization",
    "partner_party_role",
    "party_role_href",
    "remove_partner_contact",
    "set_payout_details",
    "update_partner_contact",
]
