"""The partner page: its record, its contacts and, for those who may read them, its payout
details.

The payout panel is shown only when the payouts service lets the signed-in principal
read them; otherwise nothing on the page says whether details exist.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salesdev.core.errors import (
    Conflict,
    ErrorDetail,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    SalesdevError,
)
from salesdev.core.ids import parse_id
from salesdev.db.models import Partner, PartnerContact, PartnerPayout
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.partners import (
    add_partner_contact,
    get_partner_contact,
    get_payout_details,
    list_partner_contacts,
    remove_partner_contact,
    set_payout_details,
    update_partner_contact,
)
from salesdev.domains.partners.access import authorize_contact_write
from salesdev.domains.reference import ENTITY_KINDS, get_entity
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.flash import set_flash
from salesdev.web.forms import parse_version
from salesdev.web.listing import referred_names
from salesdev.web.nav import section_of_kind
from salesdev.web.partner_forms import (
    CONTACT_FORM_FIELDS,
    PAYOUT_FORM_FIELDS,
    contact_form,
    contact_values,
    grouped_iban,
    payout_form,
    payout_values,
)
from salesdev.web.protection import read_form
from salesdev.web.routing import status_of
from salesdev.web.templating import render
from salesdev.web.views.entities import entity_cells, entity_href

KIND = ENTITY_KINDS["partner"]
BASE = "/partners"


class _Discard(Exception):
    """Undo a trial save that was only run to collect the service's messages."""


def install_partner_pages(router: APIRouter, runtime: Runtime) -> None:
    section = section_of_kind(KIND)

    def page(title: str, **extra: Any) -> dict[str, Any]:
        return {"kind": KIND, "base": BASE, "section": section, "title": title, **extra}

    # --- the partner page ----------------------------------------------------------------

    def detail_context(
        session: Session,
        principal: Principal,
        partner: Partner,
        *,
        contact_raw: dict[str, str] | None = None,
        contact_error: SalesdevError | None = None,
    ) -> dict[str, Any]:
        refs = referred_names(session, kind=KIND, items=[partner])
        cells = entity_cells(KIND, partner, refs)
        contacts = list_partner_contacts(session, principal=principal, partner_id=partner.id)
        payout, payout_readable = _readable_payout(session, principal, partner.id)
        return page(
            f"Partner {partner.code}",
            entity=partner,
            rows=list(zip((f.title for f in KIND.fields), cells, strict=True)),
            href=entity_href(KIND, partner.id),
            can_write=principal.can(KIND.family, "write"),
            contacts=contacts,
            can_write_contacts=_may_write_contacts(session, principal, partner),
            contact_form=contact_form(contact_raw or {}, contact_error),
            payout_readable=payout_readable,
            payout=payout,
            payout_iban=grouped_iban(payout.iban) if payout else "",
            can_write_payout=principal.can(Family.PAYOUTS, "write"),
        )

    def detail(request: Request, entity_id: str) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            partner = _partner(session, principal, parse_id(entity_id))
            context = detail_context(session, principal, partner)
        return render(request, "partner_detail.html", context)

    # --- contacts ------------------------------------------------------------------------

    async def add_contact(request: Request, entity_id: str) -> Response:
        form = await read_form(request)
        raw = {name: str(form.get(name, "")) for name in CONTACT_FORM_FIELDS}
        return await run_in_threadpool(_add_contact, request, parse_id(entity_id), raw)

    def _add_contact(request: Request, partner_id: uuid.UUID, raw: dict[str, str]) -> Response:
        principal = principal_of(request)
        href = f"{BASE}/{partner_id}"
        with work(runtime, request) as session:
            try:
                contact = add_partner_contact(
                    session,
                    principal=principal,
                    partner_id=partner_id,
                    now=runtime.clock.now(),
                    **contact_values(raw),
                )
            except (InvalidInput, Conflict) as error:
                session.rollback()
                partner = _partner(session, principal, partner_id)
                context = detail_context(
                    session, principal, partner, contact_raw=raw, contact_error=error
                )
                return render(request, "partner_detail.html", context, status_code=status_of(error))
            name = contact.name
        response = RedirectResponse(f"{href}#contacts", status_code=303)
        set_flash(response, f"Contact {name} added.")
        return response

    def contact_of(
        session: Session, principal: Principal, partner_id: uuid.UUID, contact_id: str
    ) -> PartnerContact:
        contact = get_partner_contact(session, principal=principal, contact_id=parse_id(contact_id))
        if contact.partner_id != partner_id:
            raise NotFound(f"Partner contact {contact_id} does not exist")
        return contact

    def contact_page(
        request: Request,
        partner: Partner,
        contact: PartnerContact,
        raw: dict[str, str],
        version: str,
        error: SalesdevError | None = None,
    ) -> Response:
        href = f"{BASE}/{partner.id}"
        return render(
            request,
            "partner_contact_form.html",
            page(
                f"Edit contact {contact.name}",
                partner=partner,
                form=contact_form(raw, error),
                version=version,
                action=f"{href}/contacts/{contact.id}/edit",
                cancel_href=f"{href}#contacts",
                stale=isinstance(error, PreconditionFailed),
            ),
            status_code=status_of(error) if error else 200,
        )

    def edit_contact_form(request: Request, entity_id: str, contact_id: str) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            partner = _partner(session, principal, parse_id(entity_id))
            contact = contact_of(session, principal, partner.id, contact_id)
            authorize_contact_write(session, principal=principal, partner=partner)
            raw = {
                "name": contact.name,
                "role": contact.role,
                "email": contact.email,
                "phone": contact.phone or "",
                "is_primary": "true" if contact.is_primary else "",
            }
            return contact_page(request, partner, contact, raw, str(contact.version))

    async def update_contact(request: Request, entity_id: str, contact_id: str) -> Response:
        form = await read_form(request)
        raw = {name: str(form.get(name, "")) for name in CONTACT_FORM_FIELDS}
        version = str(form.get("version", ""))
        return await run_in_threadpool(
            _update_contact, request, parse_id(entity_id), contact_id, raw, version
        )

    def _update_contact(
        request: Request, partner_id: uuid.UUID, contact_id: str, raw: dict[str, str], version: str
    ) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            expected = parse_version(version)
            partner = _partner(session, principal, partner_id)
            contact = contact_of(session, principal, partner.id, contact_id)
            try:
                update_partner_contact(
                    session,
                    principal=principal,
                    contact_id=contact.id,
                    changes=contact_values(raw),
                    now=runtime.clock.now(),
                    expected_version=expected,
                )
            except (InvalidInput, Conflict, PreconditionFailed) as error:
                session.rollback()
                partner = _partner(session, principal, partner_id)
                contact = contact_of(session, principal, partner.id, contact_id)
                return contact_page(request, partner, contact, raw, version, error)
            name = contact.name
        response = RedirectResponse(f"{BASE}/{partner_id}#contacts", status_code=303)
        set_flash(response, f"Contact {name} saved.")
        return response

    def remove_page(
        request: Request, partner: Partner, contact: PartnerContact, error: SalesdevError | None
    ) -> Response:
        href = f"{BASE}/{partner.id}"
        return render(
            request,
            "partner_contact_remove.html",
            page(
                f"Remove contact {contact.name}",
                partner=partner,
                contact=contact,
                action=f"{href}/contacts/{contact.id}/remove",
                cancel_href=f"{href}#contacts",
                error=error,
            ),
            status_code=status_of(error) if error else 200,
        )

    def remove_contact_confirm(request: Request, entity_id: str, contact_id: str) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            partner = _partner(session, principal, parse_id(entity_id))
            contact = contact_of(session, principal, partner.id, contact_id)
            authorize_contact_write(session, principal=principal, partner=partner)
            return remove_page(request, partner, contact, None)

    async def remove_contact(request: Request, entity_id: str, contact_id: str) -> Response:
        form = await read_form(request)
        version = str(form.get("version", ""))
        return await run_in_threadpool(
            _remove_contact, request, parse_id(entity_id), contact_id, version
        )

    def _remove_contact(
        request: Request, partner_id: uuid.UUID, contact_id: str, version: str
    ) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            expected = parse_version(version)
            partner = _partner(session, principal, partner_id)
            contact = contact_of(session, principal, partner.id, contact_id)
            name = contact.name
            try:
                remove_partner_contact(
                    session, principal=principal, contact_id=contact.id, expected_version=expected
                )
            except PreconditionFailed as error:
                session.rollback()
                partner = _partner(session, principal, partner_id)
                contact = contact_of(session, principal, partner.id, contact_id)
                return remove_page(request, partner, contact, error)
        response = RedirectResponse(f"{BASE}/{partner_id}#contacts", status_code=303)
        set_flash(response, f"Contact {name} removed.")
        return response

    # --- payout details ------------------------------------------------------------------

    def payout_page(
        request: Request,
        partner: Partner,
        raw: dict[str, str],
        version: str,
        error: SalesdevError | None = None,
    ) -> Response:
        href = f"{BASE}/{partner.id}"
        return render(
            request,
            "partner_payout_form.html",
            page(
                f"Payout details of {partner.code}",
                partner=partner,
                form=payout_form(raw, error),
                version=version,
                action=f"{href}/payout",
                cancel_href=f"{href}#payout",
                stale=isinstance(error, PreconditionFailed),
            ),
            status_code=status_of(error) if error else 200,
        )

    def payout_edit_form(request: Request, entity_id: str) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PAYOUTS, "write")
        with work(runtime, request) as session:
            partner = _partner(session, principal, parse_id(entity_id))
            payout, _ = _readable_payout(session, principal, partner.id)
            raw = _payout_raw(payout)
            return payout_page(request, partner, raw, str(payout.version) if payout else "")

    async def save_payout(request: Request, entity_id: str) -> Response:
        form = await read_form(request)
        raw = {name: str(form.get(name, "")) for name in PAYOUT_FORM_FIELDS}
        version = str(form.get("version", ""))
        return await run_in_threadpool(_save_payout, request, parse_id(entity_id), raw, version)

    def _save_payout(
        request: Request, partner_id: uuid.UUID, raw: dict[str, str], version: str
    ) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            expected = parse_version(version)
            partner = _partner(session, principal, partner_id)
            values, errors = payout_values(raw)

            def save() -> None:
                set_payout_details(
                    session,
                    principal=principal,
                    partner_id=partner.id,
                    now=runtime.clock.now(),
                    expected_version=expected,
                    **values,
                )

            try:
                _save_with_form_errors(session, save, errors)
            except (InvalidInput, PreconditionFailed) as error:
                session.rollback()
                partner = _partner(session, principal, partner_id)
                return payout_page(request, partner, raw, version, error)
            code = partner.code
        response = RedirectResponse(f"{BASE}/{partner_id}#payout", status_code=303)
        set_flash(response, f"Payout details of {code} saved.")
        return response

    partner_path = f"{BASE}/{{entity_id}}"
    contact_path = f"{partner_path}/contacts/{{contact_id}}"
    routes: list[tuple[str, Any, str, str]] = [
        (partner_path, detail, "GET", "partner_detail"),
        (f"{partner_path}/contacts", add_contact, "POST", "partner_contact_add"),
        (f"{contact_path}/edit", edit_contact_form, "GET", "partner_contact_edit"),
        (f"{contact_path}/edit", update_contact, "POST", "partner_contact_update"),
        (f"{contact_path}/remove", remove_contact_confirm, "GET", "partner_contact_remove_confirm"),
        (f"{contact_path}/remove", remove_contact, "POST", "partner_contact_remove"),
        (f"{partner_path}/payout", payout_edit_form, "GET", "partner_payout_edit"),
        (f"{partner_path}/payout", save_payout, "POST", "partner_payout_save"),
    ]
    for path, endpoint, method, name in routes:
        router.add_api_route(path, endpoint, methods=[method], name=name)


def _partner(session: Session, principal: Principal, partner_id: uuid.UUID) -> Partner:
    partner: Partner = get_entity(
        session, principal=principal, kind="partner", entity_id=partner_id
    )
    return partner


def _may_write_contacts(session: Session, principal: Principal, partner: Partner) -> bool:
    try:
        authorize_contact_write(session, principal=principal, partner=partner)
    except PermissionDenied:
        return False
    return True


def _readable_payout(
    session: Session, principal: Principal, partner_id: uuid.UUID
) -> tuple[PartnerPayout | None, bool]:
    """The payout details and whether the principal may read them at all.

    Asked of the service itself, so the page follows its rule (payouts family, or a
    partner user's own partner) rather than a copy of it.
    """
    try:
        return get_payout_details(session, principal=principal, partner_id=partner_id), True
    except PermissionDenied:
        return None, False
    except NotFound:
        return None, True


def _payout_raw(payout: PartnerPayout | None) -> dict[str, str]:
    if payout is None:
        return {"payment_terms_days": "30"}
    return {
        "payee_name": payout.payee_name,
        "iban": grouped_iban(payout.iban),
        "bic": payout.bic or "",
        "tax_id": payout.tax_id,
        "currency": payout.currency,
        "payment_terms_days": str(payout.payment_terms_days),
    }


def _save_with_form_errors(session: Session, save: Any, form_errors: list[ErrorDetail]) -> None:
    """Save; when the form itself could not be read, run the save only to collect the
    service's messages for the other fields, then undo it and report all of them."""
    if not form_errors:
        save()
        return
    details = list(form_errors)
    failed = {d.location for d in form_errors}
    try:
        with session.begin_nested():
            save()
            raise _Discard
    except InvalidInput as exc:
        details += [d for d in exc.details if d.location not in failed]
    except _Discard:
        pass
    raise InvalidInput("Invalid payout details", details)
