"""The partner page: contacts (list, add, edit, remove) and payout details, shown only to
those the payouts service lets read them."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from salesdev.db.models import AuditEvent, PartnerContact, PartnerPayout
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.partners import add_partner_contact, set_payout_details
from salesdev.domains.reference import create_entity
from salesdev.runtime import Runtime
from tests.integration.web.channel_world import World, build_world
from tests.integration.web.conftest import ConsoleClient, log_in, make_user
from tests.integration.web.pages import field_errors, main_text, table_rows

CSRF_PAGE = "This form has expired or did not come from this site, so nothing was changed."
ACME_IBAN = "DE89370400440532013000"
ACME_IBAN_PRINTED = "DE89 3704 0044 0532 0130 00"
RIVAL_IBAN = "GB82WEST12345698765432"


@pytest.fixture
def world(runtime: Runtime) -> World:
    world = build_world(runtime, authorise=False)
    with unit_of_work(runtime.session_factory) as s:
        now = runtime.clock.now()
        add_partner_contact(s, principal=SYSTEM, partner_id=world.acme, name="Zoe Ziegler",
                            role="finance", email="zoe@acme.example", now=now)  # fmt: skip
        add_partner_contact(s, principal=SYSTEM, partner_id=world.acme, name="Adam Abel",
                            role="technical", email="adam@acme.example", phone="+49 30 1234567",
                            now=now)  # fmt: skip
        add_partner_contact(s, principal=SYSTEM, partner_id=world.acme, name="Mia Meyer",
                            role="sales", email="mia@acme.example", is_primary=True, now=now)  # fmt: skip
    return world


def _with_payouts(runtime: Runtime, world: World) -> None:
    with unit_of_work(runtime.session_factory) as s:
        now = runtime.clock.now()
        set_payout_details(s, principal=SYSTEM, partner_id=world.acme, payee_name="Acme GmbH",
                           iban=ACME_IBAN, bic="DEUTDEFF", tax_id="DE123456789", currency="EUR",
                           payment_terms_days=30, now=now)  # fmt: skip
        set_payout_details(s, principal=SYSTEM, partner_id=world.rival, payee_name="Rival Ltd",
                           iban=RIVAL_IBAN, tax_id="GB999", currency="GBP",
                           payment_terms_days=45, now=now)  # fmt: skip


def _contacts(runtime: Runtime) -> list[tuple[str, str, str, str | None, bool, int]]:
    with runtime.session_factory() as s:
        rows = s.scalars(select(PartnerContact).order_by(PartnerContact.name))
        return [(c.name, c.role, c.email, c.phone, c.is_primary, c.version) for c in rows]


def _payouts(runtime: Runtime) -> list[tuple[str, str, str | None, str, str, int, int]]:
    with runtime.session_factory() as s:
        rows = s.scalars(select(PartnerPayout).order_by(PartnerPayout.payee_name))
        return [(p.payee_name, p.iban, p.bic, p.tax_id, p.currency, p.payment_terms_days,
                 p.version) for p in rows]  # fmt: skip


def _contact_id(runtime: Runtime, name: str) -> uuid.UUID:
    with runtime.session_factory() as s:
        return s.scalars(select(PartnerContact.id).where(PartnerContact.name == name)).one()


def _signed_in(
    app: FastAPI, runtime: Runtime, login: str, roles: list[str], **bindings: Any
) -> ConsoleClient:
    make_user(runtime, login, roles, **bindings)
    client = ConsoleClient(app)
    assert log_in(client, login).status_code == 303
    return client


def _payout_section(html: str) -> str:
    match = re.search(r'<section[^>]*id="payout".*?</section>', html, re.S)
    return main_text(f"<main>{match.group(0)}</main>") if match else ""


# --- contacts ------------------------------------------------------------------------------


def test_the_contacts_panel_lists_the_primary_contact_first_then_by_name(
    console: ConsoleClient, world: World
) -> None:
    page = console.get(f"/partners/{world.acme}")

    assert page.status_code == 200
    assert table_rows(page.text) == [
        ["Mia Meyer", "Sales", "mia@acme.example", "—", "Primary", "Edit Mia Meyer · Remove Mia Meyer"],
        ["Adam Abel", "Technical", "adam@acme.example", "+49 30 1234567", "", "Edit Adam Abel · Remove Adam Abel"],
        ["Zoe Ziegler", "Finance", "zoe@acme.example", "—", "", "Edit Zoe Ziegler · Remove Zoe Ziegler"],
    ]  # fmt: skip
    assert "No contacts recorded." in main_text(console.get(f"/partners/{world.rival}").text)


def test_adding_a_contact_shows_it_on_the_page(
    console: ConsoleClient, runtime: Runtime, world: World
) -> None:
    response = console.post(
        f"/partners/{world.rival}/contacts",
        data={"name": "Olga Ortiz", "role": "operations", "email": "olga@rival.example",
              "phone": "", "is_primary": "true"},
        follow_redirects=False,
    )  # fmt: skip

    assert response.status_code == 303
    assert response.headers["location"] == f"/partners/{world.rival}#contacts"
    page = console.get(f"/partners/{world.rival}")
    assert table_rows(page.text) == [
        ["Olga Ortiz", "Operations", "olga@rival.example", "—", "Primary",
         "Edit Olga Ortiz · Remove Olga Ortiz"],
    ]  # fmt: skip
    assert "Contact Olga Ortiz added." in page.text


def test_a_contact_with_an_invalid_email_is_refused_next_to_the_field_and_nothing_is_written(
    console: ConsoleClient, runtime: Runtime, world: World
) -> None:
    before = _contacts(runtime)

    response = console.post(
        f"/partners/{world.acme}/contacts",
        data={"name": "Bob", "role": "sales", "email": "bob-at-acme", "phone": ""},
    )

    assert response.status_code == 400
    assert field_errors(response.text, "email") == [
        "expected an e-mail address like name@example.com; got 'bob-at-acme'"
    ]
    assert field_errors(response.text, "name") == []
    assert 'value="bob-at-acme"' in response.text  # what was typed is kept
    assert _contacts(runtime) == before


def test_a_second_primary_contact_is_refused_next_to_the_checkbox(
    console: ConsoleClient, runtime: Runtime, world: World
) -> None:
    before = _contacts(runtime)

    response = console.post(
        f"/partners/{world.acme}/contacts",
        data={"name": "Bob", "role": "sales", "email": "bob@acme.example", "is_primary": "true"},
    )

    assert response.status_code == 409
    assert field_errors(response.text, "is_primary") == [
        "a partner has one primary contact; unset it first"
    ]
    assert _contacts(runtime) == before


def test_editing_a_contact_changes_it(
    console: ConsoleClient, runtime: Runtime, world: World
) -> None:
    adam = _contact_id(runtime, "Adam Abel")
    form = console.get(f"/partners/{world.acme}/contacts/{adam}/edit")
    assert form.status_code == 200
    assert 'value="adam@acme.example"' in form.text

    response = console.post(
        f"/partners/{world.acme}/contacts/{adam}/edit",
        data={"name": "Adam Abel", "role": "operations", "email": "adam.abel@acme.example",
              "phone": "+49 30 1234567", "version": "1"},
        follow_redirects=False,
    )  # fmt: skip

    assert response.status_code == 303
    assert ("Adam Abel", "operations", "adam.abel@acme.example", "+49 30 1234567", False, 2) in (
        _contacts(runtime)
    )


def test_a_stale_contact_edit_is_refused_and_nothing_changes(
    console: ConsoleClient, runtime: Runtime, world: World
) -> None:
    adam = _contact_id(runtime, "Adam Abel")
    before = _contacts(runtime)

    response = console.post(
        f"/partners/{world.acme}/contacts/{adam}/edit",
        data={"name": "Adam", "role": "sales", "email": "a@acme.example", "version": "7"},
    )

    assert response.status_code == 412
    assert "was changed by someone else" in main_text(response.text)
    assert _contacts(runtime) == before


def test_removing_a_contact_asks_for_confirmation_first(
    console: ConsoleClient, runtime: Runtime, world: World
) -> None:
    zoe = _contact_id(runtime, "Zoe Ziegler")

    confirm = console.get(f"/partners/{world.acme}/contacts/{zoe}/remove")
    assert confirm.status_code == 200
    assert "Remove contact Zoe Ziegler?" in main_text(confirm.text)
    assert [c[0] for c in _contacts(runtime)] == ["Adam Abel", "Mia Meyer", "Zoe Ziegler"]

    response = console.post(
        f"/partners/{world.acme}/contacts/{zoe}/remove", data={"version": "1"},
        follow_redirects=False,
    )  # fmt: skip

    assert response.status_code == 303
    assert [c[0] for c in _contacts(runtime)] == ["Adam Abel", "Mia Meyer"]


def test_a_contact_of_another_partner_is_not_found_under_this_one(
    console: ConsoleClient, runtime: Runtime, world: World
) -> None:
    zoe = _contact_id(runtime, "Zoe Ziegler")

    assert console.get(f"/partners/{world.rival}/contacts/{zoe}/edit").status_code == 404
    response = console.post(f"/partners/{world.rival}/contacts/{zoe}/remove", data={"version": "1"})

    assert response.status_code == 404
    assert len(_contacts(runtime)) == 3


# --- payout details ------------------------------------------------------------------------


def test_a_sales_rep_sees_no_partner_page_and_no_payout_details(
    app: FastAPI, runtime: Runtime, world: World
) -> None:
    _with_payouts(runtime, world)
    with unit_of_work(runtime.session_factory) as s:
        rita = create_entity(s, principal=SYSTEM, kind="sales_person", now=runtime.clock.now(),
                             values={"code": "RITA", "name": "Rita", "role": "rep"})  # fmt: skip
        rita_id = rita.id
    rep = _signed_in(app, runtime, "rita", ["sales_rep"], sales_person_id=rita_id)

    page = rep.get(f"/partners/{world.acme}")
    form = rep.get(f"/partners/{world.acme}/payout")

    assert (page.status_code, form.status_code) == (403, 403)
    for response in (page, form):
        assert "Acme GmbH" not in response.text and "DE89" not in response.text


def test_a_channel_manager_sees_contacts_but_no_payout_panel_at_all(
    app: FastAPI, runtime: Runtime, world: World
) -> None:
    _with_payouts(runtime, world)
    manager = _signed_in(app, runtime, "cora", ["channel_manager"])

    page = manager.get(f"/partners/{world.acme}")

    assert page.status_code == 200
    assert len(table_rows(page.text)) == 3
    assert "Payout details" not in page.text
    assert "Acme GmbH" not in page.text and "DE89" not in page.text
    assert f"/partners/{world.acme}/payout" not in page.text
    assert manager.get(f"/partners/{world.acme}/payout").status_code == 403


def test_an_admin_records_payout_details_and_sees_the_iban_in_groups_of_four(
    console: ConsoleClient, runtime: Runtime, world: World
) -> None:
    before = console.get(f"/partners/{world.acme}")
    assert _payout_section(before.text) == (
        "Payout details No payout details recorded. Record payout details"
    )
    assert console.get(f"/partners/{world.acme}/payout").status_code == 200

    response = console.post(
        f"/partners/{world.acme}/payout",
        data={"payee_name": "Acme GmbH", "iban": "de89 3704 0044 0532 0130 00", "bic": "deutdeff",
              "tax_id": "DE123456789", "currency": "eur", "payment_terms_days": "30"},
        follow_redirects=False,
    )  # fmt: skip

    assert response.status_code == 303
    assert response.headers["location"] == f"/partners/{world.acme}#payout"
    assert _payouts(runtime) == [("Acme GmbH", ACME_IBAN, "DEUTDEFF", "DE123456789", "EUR", 30, 1)]
    section = _payout_section(console.get(f"/partners/{world.acme}").text)
    assert section.startswith(
        "Payout details Payee name Acme GmbH IBAN DE89 3704 0044 0532 0130 00 BIC DEUTDEFF "
        "Tax identifier DE123456789 Currency EUR Payment terms 30 days Version 1"
    )
    assert section.endswith("Edit payout details")


def test_an_invalid_iban_and_bic_are_refused_next_to_their_fields_and_nothing_changes(
    console: ConsoleClient, runtime: Runtime, world: World
) -> None:
    _with_payouts(runtime, world)
    before = _payouts(runtime)

    response = console.post(
        f"/partners/{world.acme}/payout",
        data={"payee_name": "Acme GmbH", "iban": "DE89 3704 0044 0532 0130 01", "bic": "DEUT",
              "tax_id": "DE123456789", "currency": "EUR", "payment_terms_days": "soon",
              "version": "1"},
    )  # fmt: skip

    assert response.status_code == 400
    assert field_errors(response.text, "iban") == [
        "the IBAN's check digits do not match (mod 97); got 'DE89 3704 0044 0532 0130 01'"
    ]
    assert field_errors(response.text, "bic") == [
        "expected a BIC of 8 or 11 letters and digits, like DEUTDEFF or DEUTDEFF500; got 'DEUT'"
    ]
    assert field_errors(response.text, "payment_terms_days") == [
        "expected a whole number of days from 0 to 365; got 'soon'"
    ]
    assert field_errors(response.text, "payee_name") == []
    assert _payouts(runtime) == before


def test_a_partner_user_reads_its_own_payout_details_but_cannot_change_them(
    app: FastAPI, runtime: Runtime, world: World
) -> None:
    _with_payouts(runtime, world)
    pat = _signed_in(app, runtime, "pat", ["partner_user"], partner_id=world.acme)

    page = pat.get(f"/partners/{world.acme}")

    assert page.status_code == 200
    section = _payout_section(page.text)
    assert section.startswith(
        "Payout details Payee name Acme GmbH IBAN DE89 3704 0044 0532 0130 00 BIC DEUTDEFF "
        "Tax identifier DE123456789 Currency EUR Payment terms 30 days Version 1 · last changed "
    )
    assert "Edit payout details" not in section and "Record payout details" not in section
    assert f'action="/partners/{world.acme}/payout"' not in page.text
    before = _payouts(runtime)
    refused = pat.post(
        f"/partners/{world.acme}/payout",
        data={"payee_name": "Pat", "iban": RIVAL_IBAN, "tax_id": "X", "currency": "EUR",
              "payment_terms_days": "0", "version": "1"},
    )  # fmt: skip
    assert refused.status_code == 403
    assert _payouts(runtime) == before
    other = pat.get(f"/partners/{world.rival}")
    assert other.status_code == 404
    assert "Rival Ltd" not in other.text and "GB82" not in other.text
    assert pat.get(f"/partners/{world.rival}/payout").status_code in (403, 404)


def test_a_partner_user_maintains_its_own_contacts(
    app: FastAPI, runtime: Runtime, world: World
) -> None:
    pat = _signed_in(app, runtime, "pat", ["partner_user"], partner_id=world.acme)

    response = pat.post(
        f"/partners/{world.acme}/contacts",
        data={"name": "Pia Pohl", "role": "sales", "email": "pia@acme.example"},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert [c[0] for c in _contacts(runtime)] == [
        "Adam Abel",
        "Mia Meyer",
        "Pia Pohl",
        "Zoe Ziegler",
    ]


# --- CSRF ----------------------------------------------------------------------------------


@pytest.mark.parametrize("csrf", [None, "forged-token"], ids=["missing", "wrong"])
def test_every_partner_page_form_without_the_token_is_refused_and_changes_nothing(
    console: ConsoleClient, runtime: Runtime, world: World, csrf: str | None
) -> None:
    _with_payouts(runtime, world)
    adam = _contact_id(runtime, "Adam Abel")
    contacts, payouts = _contacts(runtime), _payouts(runtime)
    attempts = [
        (f"/partners/{world.acme}/contacts", {"name": "X", "role": "sales", "email": "x@y.example"}),
        (f"/partners/{world.acme}/contacts/{adam}/edit", {"name": "X", "role": "sales",
                                                          "email": "x@y.example", "version": "1"}),
        (f"/partners/{world.acme}/contacts/{adam}/remove", {"version": "1"}),
        (f"/partners/{world.acme}/payout", {"payee_name": "X", "iban": RIVAL_IBAN, "tax_id": "X",
                                            "currency": "EUR", "payment_terms_days": "1"}),
    ]  # fmt: skip
    for url, data in attempts:
        response = console.post(url, data=data, csrf=csrf, follow_redirects=False)

        assert response.status_code == 403, url
        assert CSRF_PAGE in main_text(response.text)

    assert (_contacts(runtime), _payouts(runtime)) == (contacts, payouts)
    with runtime.session_factory() as s:
        rejected = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "csrf.rejected")
        )
    assert rejected == len(attempts)
