"""A partner rendered as a TMF632 Organization and its TMF669 PartyRole."""

from __future__ import annotations

import uuid

from salesdev.db.models import Partner, PartnerContact
from salesdev.domains.partners import partner_organization, partner_party_role

ACME_ID = uuid.UUID("00000000-0000-0000-0000-00000000000a")
SUB_ID = uuid.UUID("00000000-0000-0000-0000-00000000000b")
BASE = "https://sd.example"


def _partner(id_: uuid.UUID, code: str, name: str, partner_type: str, status: str) -> Partner:
    # Mapping is pure: transient rows, no session.
    return Partner(
        id=id_,
        code=code,
        name=name,
        partner_type=partner_type,
        tier="gold",
        status=status,
        parent_id=None,
    )


ACME = _partner(ACME_ID, "ACME", "Acme Mobile", "master_agent", "active")
SUB = _partner(SUB_ID, "ACME-N", "Acme North", "sub_dealer", "suspended")


def test_a_sub_dealer_is_an_organization_with_contacts_and_its_parent() -> None:
    contacts = [
        PartnerContact(
            name="Jane Doe",
            role="sales",
            email="jane@acme.example",
            phone="+44 20 7946 0958",
            is_primary=True,
        ),
        PartnerContact(
            name="Bob Stone", role="finance", email="bob@acme.example", phone=None, is_primary=False
        ),
    ]
    assert partner_organization(SUB, contacts=contacts, parent=ACME, base_url=BASE) == {
        "id": str(SUB_ID),
        "href": f"{BASE}/tmf-api/party/v4/organization/{SUB_ID}",
        "name": "Acme North",
        "organizationType": "sub_dealer",
        "status": "validated",
        "externalReference": [{"externalReferenceType": "partnerCode", "name": "ACME-N"}],
        "partyCharacteristic": [{"name": "tier", "valueType": "string", "value": "gold"}],
        "contactMedium": [
            {
                "mediumType": "email",
                "preferred": True,
                "characteristic": {"contactType": "sales", "emailAddress": "jane@acme.example"},
                "contactName": "Jane Doe",
                "@type": "PartnerContactMedium",
                "@baseType": "ContactMedium",
            },
            {
                "mediumType": "phone",
                "preferred": True,
                "characteristic": {"contactType": "sales", "phoneNumber": "+44 20 7946 0958"},
                "contactName": "Jane Doe",
                "@type": "PartnerContactMedium",
                "@baseType": "ContactMedium",
            },
            {
                "mediumType": "email",
                "preferred": False,
                "characteristic": {"contactType": "finance", "emailAddress": "bob@acme.example"},
                "contactName": "Bob Stone",
                "@type": "PartnerContactMedium",
                "@baseType": "ContactMedium",
            },
        ],
        "relatedParty": [
            {
                "id": str(ACME_ID),
                "href": f"{BASE}/tmf-api/party/v4/organization/{ACME_ID}",
                "name": "Acme Mobile",
                "role": "parentOrganization",
                "@referredType": "Organization",
            }
        ],
        "@type": "Organization",
        "@baseType": "Party",
    }


def test_a_top_level_partner_has_no_related_party_and_a_terminated_one_is_closed() -> None:
    gone = _partner(ACME_ID, "ACME", "Acme Mobile", "dealer", "terminated")
    organization = partner_organization(gone)
    assert (
        organization["href"],
        organization["status"],
        organization["contactMedium"],
        organization["relatedParty"],
    ) == (f"/tmf-api/party/v4/organization/{ACME_ID}", "closed", [], [])


def test_the_party_role_is_the_partner_type_with_the_partners_status() -> None:
    assert partner_party_role(SUB, base_url=BASE) == {
        "id": str(SUB_ID),
        "href": f"{BASE}/tmf-api/partyRoleManagement/v4/partyRole/{SUB_ID}",
        "name": "sub_dealer",
        "status": "suspended",
        "engagedParty": {
            "id": str(SUB_ID),
            "href": f"{BASE}/tmf-api/party/v4/organization/{SUB_ID}",
            "name": "Acme North",
            "@referredType": "Organization",
        },
        "@type": "PartyRole",
    }
