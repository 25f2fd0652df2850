"""Partners through HTTP: TMF632 organizations, TMF669 party roles, contacts, payout details."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from salesdev.db.models import PartnerContact, PartnerPayout
from salesdev.runtime import Runtime
from tests.integration.api.conftest import BASE, TestClient, bearer, user_token

HOST = "http://testserver"
PARTY = "/tmf-api/party/v4"
PARTY_ROLE = "/tmf-api/partyRoleManagement/v4"
IBAN = "DE89 3704 0044 0532 0130 00"
PAYOUT = {
    "payeeName": "Acme Mobile GmbH",
    "iban": IBAN,
    "bic": "COBADEFFXXX",
    "taxId": "DE123456789",
    "currency": "EUR",
    "paymentTermsDays": 30,
}


@pytest.fixture
def partners(client: TestClient) -> dict[str, dict[str, Any]]:
    channel = client.post(
        f"{BASE}/salesChannel",
        json={"code": "DLR", "name": "Dealers", "channelType": "franchise_dealer"},
    ).json()
    found: dict[str, dict[str, Any]] = {}
    for code, name, parent in (
        ("ACME", "Acme Mobile", None),
        ("ACME-N", "Acme North", "ACME"),
        ("RIVAL", "Rival Phones", None),
    ):
        body: dict[str, Any] = {
            "code": code,
            "name": name,
            "partnerType": "dealer" if parent is None else "sub_dealer",
            "tier": "gold",
            "channel": {"id": channel["id"]},
        }
        if parent:
            body["parent"] = {"id": found[parent]["id"]}
        response = client.post(f"{BASE}/partner", json=body)
        assert response.status_code == 201, response.text
        found[code] = response.json()
    return found


@pytest.fixture
def acme_user(runtime: Runtime, partners: dict[str, Any]) -> dict[str, str]:
    acme = uuid.UUID(partners["ACME"]["id"])
    return bearer(user_token(runtime, "acme", ["partner_user"], partner_id=acme))


def add_contact(client: TestClient, partner: dict[str, Any], **body: Any) -> Any:
    response = client.post(
        f"{BASE}/partnerContact", json={"partner": {"id": partner["id"]}, **body}
    )
    assert response.status_code == 201, response.text
    return response.json()


def stored_contacts(runtime: Runtime) -> list[tuple[str, str, str, bool]]:
    with runtime.session_factory() as session:
        rows = session.scalars(select(PartnerContact).order_by(PartnerContact.name)).all()
        return [(c.name, c.role, c.email, c.is_primary) for c in rows]


def stored_payouts(runtime: Runtime) -> list[tuple[str, str, int]]:
    with runtime.session_factory() as session:
        rows = session.scalars(select(PartnerPayout)).all()
        return [(p.payee_name, p.iban, p.version) for p in rows]


# --- TMF632 organization and TMF669 party role ------------------------------------------------


def test_a_partner_reads_as_a_tmf632_organization_with_its_contacts_and_parent(
    client: TestClient, partners: dict[str, Any]
) -> None:
    north = partners["ACME-N"]
    add_contact(client, north, name="Nina", role="sales", email="nina@acme.example")
    add_contact(
        client,
        north,
        name="Bo",
        role="finance",
        email="bo@acme.example",
        phone="+49 30 1234567",
        isPrimary=True,
    )
    response = client.get(f"{PARTY}/organization/{north['id']}")
    assert response.status_code == 200
    bo = {"contactName": "Bo", "@type": "PartnerContactMedium", "@baseType": "ContactMedium"}
    assert response.json() == {
        "id": north["id"],
        "href": f"{HOST}{PARTY}/organization/{north['id']}",
        "name": "Acme North",
        "organizationType": "sub_dealer",
        "status": "validated",
        "externalReference": [{"externalReferenceType": "partnerCode", "name": "ACME-N"}],
        "partyCharacteristic": [{"name": "tier", "valueType": "string", "value": "gold"}],
        "contactMedium": [
            {
                "mediumType": "email",
                "preferred": True,
                "characteristic": {"contactType": "finance", "emailAddress": "bo@acme.example"},
                **bo,
            },
            {
                "mediumType": "phone",
                "preferred": True,
                "characteristic": {"contactType": "finance", "phoneNumber": "+49 30 1234567"},
                **bo,
            },
            {
                "mediumType": "email",
                "preferred": False,
                "characteristic": {"contactType": "sales", "emailAddress": "nina@acme.example"},
                "contactName": "Nina",
                "@type": "PartnerContactMedium",
                "@baseType": "ContactMedium",
            },
        ],
        "relatedParty": [
            {
                "id": partners["ACME"]["id"],
                "href": f"{HOST}{PARTY}/organization/{partners['ACME']['id']}",
                "name": "Acme Mobile",
                "role": "parentOrganization",
                "@referredType": "Organization",
            }
        ],
        "@type": "Organization",
        "@baseType": "Party",
    }


def test_organizations_list_filtered_paged_and_with_fields(
    client: TestClient, partners: dict[str, Any]
) -> None:
    response = client.get(f"{PARTY}/organization?organizationType=dealer&fields=name")
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "2"
    assert response.json() == [
        {
            "id": partners[code]["id"],
            "href": f"{HOST}{PARTY}/organization/{partners[code]['id']}",
            "@type": "Organization",
            "name": name,
        }
        for code, name in (("ACME", "Acme Mobile"), ("RIVAL", "Rival Phones"))
    ]
    paged = client.get(f"{PARTY}/organization?sort=-name&offset=1&limit=1&fields=name")
    assert (paged.headers["X-Total-Count"], paged.headers["X-Result-Count"]) == ("3", "1")
    assert [o["name"] for o in paged.json()] == ["Acme North"]
    assert client.get(f"{PARTY}/organization?status=closed").json() == []
    assert client.get(f"{PARTY}/organization?name=Rival Phones&fields=name").json() == [
        {
            "id": partners["RIVAL"]["id"],
            "href": f"{HOST}{PARTY}/organization/{partners['RIVAL']['id']}",
            "@type": "Organization",
            "name": "Rival Phones",
        }
    ]


def test_an_unknown_organization_status_filter_is_a_400_naming_it(client: TestClient) -> None:
    response = client.get(f"{PARTY}/organization?status=active")
    assert response.status_code == 400
    assert response.json()["details"] == [
        {
            "location": "status",
            "message": "invalid value: expected one of initialized, validated, closed",
        }
    ]


def test_a_partner_reads_as_a_tmf669_party_role(
    client: TestClient, partners: dict[str, Any]
) -> None:
    acme = partners["ACME"]
    response = client.get(f"{PARTY_ROLE}/partyRole/{acme['id']}")
    assert response.status_code == 200
    assert response.json() == {
        "id": acme["id"],
        "href": f"{HOST}{PARTY_ROLE}/partyRole/{acme['id']}",
        "name": "dealer",
        "status": "active",
        "engagedParty": {
            "id": acme["id"],
            "href": f"{HOST}{PARTY}/organization/{acme['id']}",
            "name": "Acme Mobile",
            "@referredType": "Organization",
        },
        "@type": "PartyRole",
    }
    listed = client.get(f"{PARTY_ROLE}/partyRole?name=sub_dealer")
    assert [r["engagedParty"]["name"] for r in listed.json()] == ["Acme North"]


def test_the_party_apis_are_read_only(client: TestClient, partners: dict[str, Any]) -> None:
    acme = partners["ACME"]["id"]
    for url in (f"{PARTY}/organization", f"{PARTY_ROLE}/partyRole"):
        assert client.post(url, json={"name": "X"}).status_code == 405
        for method in ("PATCH", "PUT", "DELETE"):
            assert client.request(method, f"{url}/{acme}", json={}).status_code == 405, method
    assert client.get(f"{PARTY}/organization/{acme}").json()["name"] == "Acme Mobile"


def test_a_partner_user_sees_only_its_own_organization(
    anonymous: TestClient, partners: dict[str, Any], acme_user: dict[str, str]
) -> None:
    listed = anonymous.get(f"{PARTY}/organization?fields=name", headers=acme_user)
    assert [o["name"] for o in listed.json()] == ["Acme Mobile"]
    rival = partners["RIVAL"]["id"]
    for url in (f"{PARTY}/organization/{rival}", f"{PARTY_ROLE}/partyRole/{rival}"):
        assert anonymous.get(url, headers=acme_user).status_code == 404


# --- partnerContact --------------------------------------------------------------------------


def test_a_contact_is_created_changed_with_if_match_and_removed(
    client: TestClient, partners: dict[str, Any], runtime: Runtime
) -> None:
    acme = partners["ACME"]
    created = client.post(
        f"{BASE}/partnerContact",
        json={
            "partner": {"id": acme["id"]},
            "name": "Pia Weber",
            "role": "operations",
            "email": "pia@acme.example",
        },
    )
    assert created.status_code == 201
    contact = created.json()
    assert created.headers["ETag"] == '"1"'
    assert contact == {
        "id": contact["id"],
        "href": f"{HOST}{BASE}/partnerContact/{contact['id']}",
        "@type": "PartnerContact",
        "@baseType": "PartnerContact",
        "@schemaLocation": f"{HOST}/openapi.json#/components/schemas/PartnerContact",
        "partner": {
            "id": acme["id"],
            "href": f"{HOST}{BASE}/partner/{acme['id']}",
            "name": "Acme Mobile",
            "@referredType": "Partner",
        },
        "name": "Pia Weber",
        "role": "operations",
        "email": "pia@acme.example",
        "phone": None,
        "isPrimary": False,
        "creationDate": "2026-10-15T09:30:00Z",
        "lastUpdate": "2026-10-15T09:30:00Z",
    }
    patched = client.patch(
        contact["href"],
        json={"isPrimary": True, "phone": "+49 89 555000"},
        headers={"If-Match": '"1"'},
    )
    assert (patched.status_code, patched.headers["ETag"]) == (200, '"2"')
    assert (patched.json()["isPrimary"], patched.json()["phone"]) == (True, "+49 89 555000")

    stale = client.patch(contact["href"], json={"name": "Pia W."}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["code"] == "SDV-412"
    assert stored_contacts(runtime) == [("Pia Weber", "operations", "pia@acme.example", True)]

    assert client.delete(contact["href"], headers={"If-Match": '"1"'}).status_code == 412
    assert client.delete(contact["href"], headers={"If-Match": '"2"'}).status_code == 204
    assert client.get(contact["href"]).status_code == 404
    assert stored_contacts(runtime) == []


def test_contacts_list_by_partner_primary_first(
    client: TestClient, partners: dict[str, Any]
) -> None:
    acme, rival = partners["ACME"], partners["RIVAL"]
    add_contact(client, acme, name="Zoe", role="sales", email="zoe@acme.example")
    add_contact(client, acme, name="Yann", role="finance", email="y@acme.example", isPrimary=True)
    add_contact(client, rival, name="Ravi", role="sales", email="ravi@rival.example")
    listed = client.get(f"{BASE}/partnerContact?partner.id={acme['id']}&fields=name,isPrimary")
    assert listed.headers["X-Total-Count"] == "2"
    assert [(c["name"], c["isPrimary"]) for c in listed.json()] == [("Yann", True), ("Zoe", False)]
    by_role = client.get(f"{BASE}/partnerContact?role=sales&sort=name")
    assert [c["name"] for c in by_role.json()] == ["Ravi", "Zoe"]


def test_an_invalid_contact_is_refused_with_locations_and_nothing_is_stored(
    client: TestClient, partners: dict[str, Any], runtime: Runtime
) -> None:
    response = client.post(
        f"{BASE}/partnerContact",
        json={
            "partner": {"id": partners["ACME"]["id"]},
            "name": "Pia",
            "role": "boss",
            "email": "pia-at-acme",
        },
    )
    assert response.status_code == 400
    assert response.json()["details"] == [
        {
            "location": "role",
            "message": "expected one of sales, operations, finance, technical; got 'boss'",
        },
        {
            "location": "email",
            "message": "expected an e-mail address like name@example.com; got 'pia-at-acme'",
        },
    ]
    assert stored_contacts(runtime) == []


def test_a_second_primary_contact_is_a_conflict(
    client: TestClient, partners: dict[str, Any], runtime: Runtime
) -> None:
    acme = partners["ACME"]
    add_contact(client, acme, name="Yann", role="finance", email="y@acme.example", isPrimary=True)
    response = client.post(
        f"{BASE}/partnerContact",
        json={
            "partner": {"id": acme["id"]},
            "name": "Zoe",
            "role": "sales",
            "email": "zoe@acme.example",
            "isPrimary": True,
        },
    )
    assert response.status_code == 409
    assert response.json()["details"] == [
        {"location": "isPrimary", "message": "a partner has one primary contact; unset it first"}
    ]
    assert stored_contacts(runtime) == [("Yann", "finance", "y@acme.example", True)]


def test_a_partner_user_keeps_its_own_contacts_and_never_sees_another_partners(
    anonymous: TestClient,
    client: TestClient,
    partners: dict[str, Any],
    acme_user: dict[str, str],
    runtime: Runtime,
) -> None:
    ravi = add_contact(
        client, partners["RIVAL"], name="Ravi", role="sales", email="r@rival.example"
    )
    assert anonymous.get(ravi["href"], headers=acme_user).status_code == 404
    refused = anonymous.patch(ravi["href"], json={"name": "Hacked"}, headers=acme_user)
    assert refused.status_code == 404
    assert anonymous.delete(ravi["href"], headers=acme_user).status_code == 404
    rival_list = anonymous.get(
        f"{BASE}/partnerContact?partner.id={partners['RIVAL']['id']}", headers=acme_user
    )
    assert (rival_list.status_code, rival_list.json()) == (200, [])
    foreign = anonymous.post(
        f"{BASE}/partnerContact",
        json={
            "partner": {"id": partners["RIVAL"]["id"]},
            "name": "Mole",
            "role": "sales",
            "email": "mole@acme.example",
        },
        headers=acme_user,
    )
    assert foreign.status_code == 404

    own = anonymous.post(
        f"{BASE}/partnerContact",
        json={
            "partner": {"id": partners["ACME"]["id"]},
            "name": "Pia",
            "role": "sales",
            "email": "pia@acme.example",
        },
        headers=acme_user,
    )
    assert own.status_code == 201
    mine = anonymous.get(f"{BASE}/partnerContact?fields=name", headers=acme_user).json()
    assert [c["name"] for c in mine] == ["Pia"]
    assert stored_contacts(runtime) == [
        ("Pia", "sales", "pia@acme.example", False),
        ("Ravi", "sales", "r@rival.example", False),
    ]


def test_a_sales_rep_may_not_read_contacts(
    anonymous: TestClient, client: TestClient, runtime: Runtime, partners: dict[str, Any]
) -> None:
    person = client.post(
        f"{BASE}/salesPerson",
        json={
            "code": "R1",
            "name": "Rita",
            "role": "rep",
            "channel": partners["ACME"]["channel"],
        },
    )
    assert person.status_code == 201, person.text
    rep_id = uuid.UUID(person.json()["id"])
    rep = bearer(user_token(runtime, "rep", ["sales_rep"], sales_person_id=rep_id))
    assert anonymous.get(f"{BASE}/partnerContact", headers=rep).status_code == 403


# --- payout details ----------------------------------------------------------------------------


def payout_url(partner: dict[str, Any]) -> str:
    return f"{BASE}/partner/{partner['id']}/payoutDetails"


def test_payout_details_are_recorded_read_and_replaced_with_if_match(
    client: TestClient, partners: dict[str, Any], runtime: Runtime
) -> None:
    acme = partners["ACME"]
    created = client.put(payout_url(acme), json=PAYOUT)
    assert (created.status_code, created.headers["ETag"]) == (201, '"1"')
    expected = {
        "href": f"{HOST}{BASE}/partner/{acme['id']}/payoutDetails",
        "@type": "PartnerPayoutDetails",
        "partner": {
            "id": acme["id"],
            "href": f"{HOST}{BASE}/partner/{acme['id']}",
            "name": "Acme Mobile",
            "@referredType": "Partner",
        },
        "payeeName": "Acme Mobile GmbH",
        "iban": "DE89370400440532013000",
        "bic": "COBADEFFXXX",
        "taxId": "DE123456789",
        "currency": "EUR",
        "paymentTermsDays": 30,
        "creationDate": "2026-10-15T09:30:00Z",
        "lastUpdate": "2026-10-15T09:30:00Z",
    }
    assert created.json() == expected
    assert client.get(payout_url(acme)).json() == expected

    replaced = client.put(
        payout_url(acme), json={**PAYOUT, "paymentTermsDays": 45}, headers={"If-Match": '"1"'}
    )
    assert (replaced.status_code, replaced.headers["ETag"]) == (200, '"2"')
    assert replaced.json()["paymentTermsDays"] == 45
    stale = client.put(
        payout_url(acme), json={**PAYOUT, "payeeName": "Someone"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stored_payouts(runtime) == [("Acme Mobile GmbH", "DE89370400440532013000", 2)]


def test_a_wrong_iban_is_refused_with_its_location_and_nothing_is_stored(
    client: TestClient, partners: dict[str, Any], runtime: Runtime
) -> None:
    response = client.put(
        payout_url(partners["ACME"]),
        json={**PAYOUT, "iban": "DE89 3704 0044 0532 0130 01", "paymentTermsDays": 400},
    )
    assert response.status_code == 400
    assert response.json()["details"] == [
        {
            "location": "iban",
            "message": "the IBAN's check digits do not match (mod 97); "
            "got 'DE89 3704 0044 0532 0130 01'",
        },
        {
            "location": "paymentTermsDays",
            "message": "expected a whole number of days from 0 to 365; got 400",
        },
    ]
    assert stored_payouts(runtime) == []
    unknown = client.put(payout_url(partners["ACME"]), json={**PAYOUT, "swift": "X"})
    assert unknown.json()["details"] == [
        {
            "location": "swift",
            "message": "unknown attribute; known: payeeName, iban, bic, taxId, currency, "
            "paymentTermsDays",
        }
    ]


def test_a_partner_user_reads_its_own_payout_details_but_never_writes_them(
    anonymous: TestClient,
    client: TestClient,
    partners: dict[str, Any],
    acme_user: dict[str, str],
    runtime: Runtime,
) -> None:
    for code in ("ACME", "ACME-N", "RIVAL"):
        assert client.put(payout_url(partners[code]), json=PAYOUT).status_code == 201
    own = anonymous.get(payout_url(partners["ACME"]), headers=acme_user)
    assert (own.status_code, own.json()["iban"]) == (200, "DE89370400440532013000")
    assert anonymous.get(payout_url(partners["RIVAL"]), headers=acme_user).status_code == 404
    refused = anonymous.put(
        payout_url(partners["ACME"]), json={**PAYOUT, "payeeName": "Me"}, headers=acme_user
    )
    assert refused.status_code == 403
    assert refused.json()["message"] == "acme may not write payouts"
    assert [p[0] for p in stored_payouts(runtime)] == ["Acme Mobile GmbH"] * 3


def test_roles_without_payouts_may_not_read_payout_details(
    anonymous: TestClient, client: TestClient, partners: dict[str, Any], runtime: Runtime
) -> None:
    assert client.put(payout_url(partners["ACME"]), json=PAYOUT).status_code == 201
    carla = bearer(user_token(runtime, "carla", ["channel_manager"]))
    refused = anonymous.get(payout_url(partners["ACME"]), headers=carla)
    assert (refused.status_code, refused.json()["message"]) == (403, "carla may not read payouts")
    assert (
        anonymous.put(payout_url(partners["ACME"]), json=PAYOUT, headers=carla).status_code == 403
    )
    finance = bearer(user_token(runtime, "finn", ["sales_operations"]))
    assert anonymous.get(payout_url(partners["ACME"]), headers=finance).status_code == 200


def test_the_iban_appears_in_no_other_representation(
    client: TestClient, partners: dict[str, Any]
) -> None:
    assert client.put(payout_url(partners["ACME"]), json=PAYOUT).status_code == 201
    add_contact(client, partners["ACME"], name="Pia", role="finance", email="pia@acme.example")
    for url in (
        f"{BASE}/partner",
        f"{BASE}/partner/{partners['ACME']['id']}",
        f"{BASE}/partnerContact",
        f"{PARTY}/organization",
        f"{PARTY}/organization/{partners['ACME']['id']}",
        f"{PARTY_ROLE}/partyRole",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "DE89370400440532013000" not in response.text, url
        assert "iban" not in response.text.lower(), url
