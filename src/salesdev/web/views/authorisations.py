"""Channel authorisations: list with filters, create, end and withdraw (with confirmation)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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
    PreconditionFailed,
    RuleViolation,
    SalesdevError,
)
from salesdev.core.ids import parse_id
from salesdev.db.models import ChannelAuthorisation
from salesdev.db.query import Filter, ListQuery
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.authorisation import (
    AUTHORISATION_STATUSES,
    PREREQUISITE_TYPES,
    authorise_offering,
    end_authorisation,
    get_authorisation,
    list_authorisations,
    parse_prerequisites,
    withdraw_authorisation,
)
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.choices import (
    Named,
    channel_names,
    day_text,
    errors_by_field,
    offering_names,
    options,
    parse_day,
    parse_option,
    partner_names,
    resolve_code,
    text_of,
    visible_channels,
)
from salesdev.web.flash import set_flash
from salesdev.web.forms import parse_version
from salesdev.web.listing import MAX_LIMIT, PAGE_SIZES
from salesdev.web.protection import read_form
from salesdev.web.routing import status_of
from salesdev.web.templating import render
from salesdev.web.urls import with_query

BASE = "/channels/authorisations"
DEFAULT_LIMIT = 25
PREREQUISITE_ROWS = 3
_FORM_FIELDS = ("channel", "partner", "offering", "valid_from", "valid_to")
_ALIASES = {
    "channel_id": "channel",
    "partner_id": "partner",
    "product_offering_id": "offering",
    # An overlap is about the period: shown next to its start.
    "validFor": "valid_from",
}


@dataclass
class AuthorisationRow:
    row: ChannelAuthorisation
    channel: Named | None
    partner: Named | None
    offering: Named | None


@dataclass
class PrerequisiteRow:
    type: str = ""
    code: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class AuthorisationForm:
    values: dict[str, str]
    prerequisites: list[PrerequisiteRow]
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


def _rows(session: Session, items: list[ChannelAuthorisation]) -> list[AuthorisationRow]:
    channels = channel_names(session, (i.channel_id for i in items))
    partners = partner_names(session, (i.partner_id for i in items))
    offerings = offering_names(session, (i.product_offering_id for i in items))
    return [
        AuthorisationRow(
            i,
            channels.get(i.channel_id),
            partners.get(i.partner_id) if i.partner_id else None,
            offerings.get(i.product_offering_id),
        )
        for i in items
    ]


def _int(text: str, name: str, default: int, errors: list[ErrorDetail]) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        errors.append(ErrorDetail(name, f"expected a whole number, got {text!r}"))
        return default


def _list_query(
    session: Session, principal: Principal, raw: dict[str, str], errors: list[ErrorDetail]
) -> tuple[list[Filter], datetime | None]:
    filters: list[Filter] = []
    channel = parse_option(text_of(raw, "channel"), "channel", errors)
    if channel is not None:
        filters.append(Filter("channelId", "eq", (str(channel),)))
    partner = resolve_code(session, principal, kind="partner", code=text_of(raw, "partner"),
                           location="partner", label="partner", errors=errors)  # fmt: skip
    if partner is not None:
        filters.append(Filter("partnerId", "eq", (str(partner),)))
    offering = resolve_code(session, principal, kind="product_offering",
                            code=text_of(raw, "offering"), location="offering",
                            label="product offering", errors=errors)  # fmt: skip
    if offering is not None:
        filters.append(Filter("productOfferingId", "eq", (str(offering),)))
    status = text_of(raw, "status")
    if status and status not in AUTHORISATION_STATUSES:
        errors.append(ErrorDetail("status", f"expected one of {', '.join(AUTHORISATION_STATUSES)}"))
    elif status:
        filters.append(Filter("status", "eq", (status,)))
    active_at = parse_day(text_of(raw, "active_at"), "active_at", errors)
    return filters, active_at


def _prerequisite_rows(form: Any) -> list[PrerequisiteRow]:
    types = [str(v) for v in form.getlist("prerequisite_type")]
    codes = [str(v).strip() for v in form.getlist("prerequisite_code")]
    return [PrerequisiteRow(t, c) for t, c in zip(types, codes, strict=False)]


def _padded(rows: list[PrerequisiteRow]) -> list[PrerequisiteRow]:
    filled = [r for r in rows if r.type or r.code or r.errors]
    return filled + [PrerequisiteRow() for _ in range(max(PREREQUISITE_ROWS - len(filled), 1))]


def install_authorisation_pages(router: APIRouter, runtime: Runtime) -> None:
    def list_page(request: Request) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.CHANNELS, "read")
        raw = dict(request.query_params)
        errors: list[ErrorDetail] = []
        offset = _int(text_of(raw, "offset"), "offset", 0, errors)
        limit = _int(text_of(raw, "limit"), "limit", DEFAULT_LIMIT, errors)
        if offset < 0 or not 1 <= limit <= MAX_LIMIT:
            errors.append(ErrorDetail("limit", f"rows per page between 1 and {MAX_LIMIT}"))
        with work(runtime, request) as session:
            filters, active_at = _list_query(session, principal, raw, errors)
            channels = visible_channels(session, principal)
            rows: list[AuthorisationRow] = []
            total = 0
            if not errors:
                page = list_authorisations(
                    session,
                    principal=principal,
                    query=ListQuery(filters=tuple(filters), offset=offset, limit=limit),
                    in_force_at=active_at,
                )
                rows = _rows(session, page.items)
                total = page.total
        field_errors: dict[str, list[str]] = {}
        for detail in errors:
            field_errors.setdefault(detail.location, []).append(detail.message)
        values = {
            k: text_of(raw, k) for k in ("channel", "partner", "offering", "status", "active_at")
        }
        query = {**values, "limit": "" if limit == DEFAULT_LIMIT else limit}
        last = offset + len(rows)
        return render(
            request,
            "authorisations.html",
            {
                "title": "Channel authorisations",
                "values": values,
                "limit": limit,
                "page_sizes": PAGE_SIZES,
                "channel_options": options(channels, blank="Any"),
                "status_options": [
                    ("", "Any"),
                    *((s, s.capitalize()) for s in AUTHORISATION_STATUSES),
                ],
                "rows": rows,
                "total": total,
                "first": offset + 1 if rows else 0,
                "last": last,
                "field_errors": field_errors,
                "has_errors": bool(errors),
                "can_write": principal.can(Family.CHANNELS, "write"),
                "now": runtime.clock.now(),
                "previous_href": with_query(BASE, {**query, "offset": max(offset - limit, 0) or ""})
                if offset > 0
                else "",
                "next_href": with_query(BASE, {**query, "offset": last}) if last < total else "",
            },
            status_code=400 if errors else 200,
        )

    def form_page(
        request: Request, form: AuthorisationForm, session: Session, *, status_code: int = 200
    ) -> Response:
        principal = principal_of(request)
        return render(
            request,
            "authorisation_form.html",
            {
                "title": "New channel authorisation",
                "form": form,
                "channel_options": options(visible_channels(session, principal)),
                "type_options": [("", "—"), *((t, t.capitalize()) for t in PREREQUISITE_TYPES)],
            },
            status_code=status_code,
        )

    def new_form(request: Request) -> Response:
        authorize(principal_of(request), Family.CHANNELS, "write")
        now = runtime.clock.now()
        blank = AuthorisationForm(
            values={"valid_from": day_text(now + timedelta(days=1))},
            prerequisites=_padded([]),
        )
        with work(runtime, request) as session:
            return form_page(request, blank, session)

    async def create(request: Request) -> Response:
        form = await read_form(request)
        values = {name: text_of(form, name) for name in _FORM_FIELDS}
        prerequisites = _prerequisite_rows(form)
        return await run_in_threadpool(_create, request, values, prerequisites)

    def _create(
        request: Request, values: dict[str, str], prerequisites: list[PrerequisiteRow]
    ) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.CHANNELS, "write")
        with work(runtime, request) as session:
            try:
                row = _authorise(session, principal, values, prerequisites)
            except (InvalidInput, RuleViolation, Conflict) as error:
                session.rollback()
                form = _with_errors(values, prerequisites, error)
                return form_page(request, form, session, status_code=status_of(error))
            href = f"{BASE}/{row.id}"
        response = RedirectResponse(href, status_code=303)
        set_flash(response, "Channel authorisation created.")
        return response

    def _authorise(
        session: Session,
        principal: Principal,
        values: dict[str, str],
        prerequisites: list[PrerequisiteRow],
    ) -> ChannelAuthorisation:
        errors: list[ErrorDetail] = []
        channel = parse_option(values["channel"], "channel", errors)
        if channel is None and not errors:
            errors.append(ErrorDetail("channel", "is required"))
        partner = resolve_code(session, principal, kind="partner", code=values["partner"],
                               location="partner", label="partner", errors=errors)  # fmt: skip
        offering = resolve_code(session, principal, kind="product_offering",
                                code=values["offering"], location="offering",
                                label="product offering", errors=errors)  # fmt: skip
        if not values["offering"]:
            errors.append(ErrorDetail("offering", "is required"))
        valid_from = parse_day(values["valid_from"], "valid_from", errors)
        if valid_from is None and not values["valid_from"]:
            errors.append(ErrorDetail("valid_from", "is required"))
        valid_to = parse_day(values["valid_to"], "valid_to", errors)
        entered = [{"type": r.type, "code": r.code} for r in prerequisites if r.type or r.code]
        if errors:
            try:
                parse_prerequisites(entered)
            except InvalidInput as exc:
                errors += exc.details
            raise InvalidInput("Invalid channel authorisation", errors)
        assert channel is not None and offering is not None and valid_from is not None
        return authorise_offering(
            session,
            principal=principal,
            channel_id=channel,
            product_offering_id=offering,
            partner_id=partner,
            valid_from=valid_from,
            valid_to=valid_to,
            prerequisites=entered,
            now=runtime.clock.now(),
        )

    def detail(request: Request, authorisation_id: str) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            row = get_authorisation(
                session, principal=principal, authorisation_id=parse_id(authorisation_id)
            )
            shown = _rows(session, [row])[0]
        return render(
            request,
            "authorisation_detail.html",
            {
                "title": "Channel authorisation",
                "item": shown,
                "can_write": principal.can(Family.CHANNELS, "write"),
                "now": runtime.clock.now(),
            },
        )

    def action_page(
        request: Request,
        session: Session,
        row: ChannelAuthorisation,
        action: str,
        *,
        valid_to: str = "",
        error: SalesdevError | None = None,
    ) -> Response:
        errors, general = errors_by_field(error, ("valid_to",), aliases={"validFor": "valid_to"})
        return render(
            request,
            "authorisation_action.html",
            {
                "title": "End authorisation" if action == "end" else "Withdraw authorisation",
                "action": action,
                "item": _rows(session, [row])[0],
                "valid_to": valid_to,
                "field_errors": errors,
                "general": general,
                "stale": isinstance(error, PreconditionFailed),
            },
            status_code=status_of(error) if error else 200,
        )

    def confirm(action: str) -> Any:
        def page(request: Request, authorisation_id: str) -> Response:
            principal = principal_of(request)
            authorize(principal, Family.CHANNELS, "write")
            with work(runtime, request) as session:
                row = get_authorisation(
                    session, principal=principal, authorisation_id=parse_id(authorisation_id)
                )
                tomorrow = day_text(runtime.clock.now() + timedelta(days=1))
                return action_page(request, session, row, action, valid_to=tomorrow)

        return page

    def perform(action: str) -> Any:
        async def post(request: Request, authorisation_id: str) -> Response:
            form = await read_form(request)
            version, valid_to = text_of(form, "version"), text_of(form, "valid_to")
            return await run_in_threadpool(
                _perform, request, action, parse_id(authorisation_id), version, valid_to
            )

        return post

    def _perform(
        request: Request, action: str, authorisation_id: uuid.UUID, version: str, valid_to: str
    ) -> Response:
        principal = principal_of(request)
        now = runtime.clock.now()
        with work(runtime, request) as session:
            expected = parse_version(version)
            try:
                if action == "end":
                    errors: list[ErrorDetail] = []
                    end = parse_day(valid_to, "valid_to", errors)
                    if end is None and not errors:
                        errors.append(ErrorDetail("valid_to", "is required"))
                    if errors:
                        raise InvalidInput("Not ended", errors)
                    assert end is not None
                    end_authorisation(session, principal=principal,
                                      authorisation_id=authorisation_id, valid_to=end, now=now,
                                      expected_version=expected)  # fmt: skip
                    message = f"Authorisation ends at {end:%Y-%m-%d %H:%M} UTC."
                else:
                    withdraw_authorisation(session, principal=principal,
                                           authorisation_id=authorisation_id, now=now,
                                           expected_version=expected)  # fmt: skip
                    message = "Authorisation withdrawn."
            except (InvalidInput, RuleViolation, PreconditionFailed) as error:
                session.rollback()
                row = get_authorisation(
                    session, principal=principal, authorisation_id=authorisation_id
                )
                return action_page(request, session, row, action, valid_to=valid_to, error=error)
        response = RedirectResponse(f"{BASE}/{authorisation_id}", status_code=303)
        set_flash(response, message)
        return response

    router.add_api_route(BASE, list_page, methods=["GET"], name="authorisation_list")
    router.add_api_route(f"{BASE}/new", new_form, methods=["GET"], name="authorisation_new")
    router.add_api_route(f"{BASE}/new", create, methods=["POST"], name="authorisation_create")
    router.add_api_route(
        f"{BASE}/{{authorisation_id}}", detail, methods=["GET"], name="authorisation_detail"
    )
    for action in ("end", "withdraw"):
        router.add_api_route(
            f"{BASE}/{{authorisation_id}}/{action}",
            confirm(action),
            methods=["GET"],
            name=f"authorisation_{action}_confirm",
        )
        router.add_api_route(
            f"{BASE}/{{authorisation_id}}/{action}",
            perform(action),
            methods=["POST"],
            name=f"authorisation_{action}",
        )


def _with_errors(
    values: dict[str, str], prerequisites: list[PrerequisiteRow], error: SalesdevError
) -> AuthorisationForm:
    entered = [r for r in prerequisites if r.type or r.code]
    by_field, general = errors_by_field(error, _FORM_FIELDS, aliases=_ALIASES)
    remaining = [general[0]]
    for message in general[1:]:
        location, _, text = message.partition(": ")
        if location.startswith("prerequisites["):
            index = int(location[len("prerequisites[") :].split("]")[0])
            if index < len(entered):
                part = location.rpartition(".")[2] if "." in location else ""
                entered[index].errors.append(f"{part.capitalize()}: {text}" if part else text)
                continue
        remaining.append(message)
    return AuthorisationForm(
        values=values, prerequisites=_padded(entered), errors=by_field, general=remaining
    )
