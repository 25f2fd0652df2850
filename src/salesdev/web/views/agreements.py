"""Channel agreements: list, create, detail with versions, revise, status moves, comparison."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
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
    PreconditionFailed,
    RuleViolation,
    SalesdevError,
)
from salesdev.core.ids import parse_id
from salesdev.db.models import ChannelAgreement
from salesdev.db.query import Filter, ListQuery
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.agreements import (
    NEXT_STATUSES,
    AgreementStatus,
    commission_plan,
    create_agreement,
    diff_versions,
    get_agreement,
    get_agreement_version,
    list_agreement_versions,
    list_agreements,
    normalise_terms,
    revise_agreement,
    transition_agreement,
)
from salesdev.runtime import Runtime
from salesdev.web.agreement_terms import (
    TermsForm,
    as_patch,
    form_from_post,
    form_from_snapshot,
    place_errors,
    terms_from_form,
)
from salesdev.web.auth import principal_of, signed_in, work
from salesdev.web.choices import (
    Named,
    channel_names,
    family_codes,
    options,
    parse_option,
    partner_names,
    text_of,
    visible_channels,
    visible_partners,
)
from salesdev.web.flash import set_flash
from salesdev.web.forms import parse_version
from salesdev.web.listing import MAX_LIMIT, PAGE_SIZES
from salesdev.web.protection import read_form
from salesdev.web.routing import status_of
from salesdev.web.templating import render
from salesdev.web.urls import with_query

BASE = "/agreements"
DEFAULT_LIMIT = 25
# Moves that need someone other than the author of the terms in force.
_FOUR_EYES = (AgreementStatus.APPROVED.value, AgreementStatus.ACTIVE.value)
_TERM_ORDER = (
    "name",
    "status",
    "party",
    "validFor",
    "commissionScheduleRef",
    "discountAllowances",
    "volumeCommitments",
    "paymentTermsDays",
    "clauses",
)


@dataclass(frozen=True)
class AgreementRow:
    agreement: ChannelAgreement
    party: str
    party_href: str


@dataclass(frozen=True)
class CompareRow:
    path: str
    before: str
    after: str
    change: str  # "", "added", "removed" or "changed"


def _parties(session: Session, items: list[ChannelAgreement]) -> list[AgreementRow]:
    partners = partner_names(session, (a.partner_id for a in items))
    channels = channel_names(session, (a.channel_id for a in items))
    rows = []
    for a in items:
        if a.partner_id is not None:
            named: Named | None = partners.get(a.partner_id)
            href = f"/partners/{a.partner_id}"
            kind = "Partner"
        else:
            assert a.channel_id is not None
            named, href, kind = (
                channels.get(a.channel_id),
                f"/sales-channels/{a.channel_id}",
                "Sales channel",
            )
        rows.append(AgreementRow(a, f"{kind} {named.label if named else ''}", href))
    return rows


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves of a snapshot by dotted path (objects walked; null leaves left out)."""
    if isinstance(value, Mapping):
        found: dict[str, Any] = {}
        for key, inner in value.items():
            found.update(flatten(inner, f"{prefix}{key}."))
        return found
    return {} if value is None else {prefix[:-1]: value}


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _order(path: str) -> tuple[int, str]:
    head = path.split(".", 1)[0]
    return (_TERM_ORDER.index(head) if head in _TERM_ORDER else len(_TERM_ORDER), path)


def compare_rows(
    before: Mapping[str, Any], after: Mapping[str, Any], changes: Mapping[str, str]
) -> list[CompareRow]:
    left, right = flatten(before), flatten(after)
    return [
        CompareRow(path, shown(left.get(path)), shown(right.get(path)), changes.get(path, ""))
        for path in sorted(set(left) | set(right), key=_order)
    ]


def install_agreement_pages(router: APIRouter, runtime: Runtime) -> None:
    def list_page(request: Request) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PARTNERS, "read")
        raw = dict(request.query_params)
        errors: list[ErrorDetail] = []
        try:
            offset = int(text_of(raw, "offset") or 0)
            limit = int(text_of(raw, "limit") or DEFAULT_LIMIT)
        except ValueError:
            offset, limit = 0, DEFAULT_LIMIT
            errors.append(ErrorDetail("limit", "expected whole numbers"))
        if offset < 0 or not 1 <= limit <= MAX_LIMIT:
            errors.append(ErrorDetail("limit", f"rows per page between 1 and {MAX_LIMIT}"))
            offset, limit = 0, DEFAULT_LIMIT
        status = text_of(raw, "status")
        filters: list[Filter] = []
        if status and status not in AgreementStatus.__members__.values():
            errors.append(ErrorDetail("status", "choose one of the statuses"))
        elif status:
            filters.append(Filter("status", "eq", (status,)))
        with work(runtime, request) as session:
            page = list_agreements(
                session,
                principal=principal,
                query=ListQuery(filters=tuple(filters), offset=offset, limit=limit),
            )
            rows = _parties(session, page.items)
        query = {"status": status, "limit": "" if limit == DEFAULT_LIMIT else limit}
        last = offset + len(rows)
        return render(
            request,
            "agreements.html",
            {
                "title": "Channel agreements",
                "rows": rows,
                "total": page.total,
                "first": offset + 1 if rows else 0,
                "last": last,
                "status": status,
                "limit": limit,
                "page_sizes": PAGE_SIZES,
                "status_options": [("", "Any"), *((s.value, s.value) for s in AgreementStatus)],
                "filter_errors": {d.location: [d.message] for d in errors},
                "can_write": principal.can(Family.PARTNERS, "write"),
                "previous_href": with_query(BASE, {**query, "offset": max(offset - limit, 0) or ""})
                if offset > 0
                else "",
                "next_href": with_query(BASE, {**query, "offset": last})
                if last < page.total
                else "",
            },
            status_code=400 if errors else 200,
        )

    def form_page(
        request: Request,
        session: Session,
        form: TermsForm,
        *,
        agreement: ChannelAgreement | None = None,
        status_code: int = 200,
        stale: bool = False,
    ) -> Response:
        principal = principal_of(request)
        creating = agreement is None
        title, action = (
            ("New channel agreement", f"{BASE}/new")
            if agreement is None
            else (f"Revise {agreement.name}", f"{BASE}/{agreement.id}/revise")
        )
        return render(
            request,
            "agreement_form.html",
            {
                "title": title,
                "form": form,
                "agreement": agreement,
                "creating": creating,
                "families": family_codes(session),
                "partner_options": options(visible_partners(session, principal)),
                "channel_options": options(visible_channels(session, principal)),
                "action": action,
                "stale": stale,
            },
            status_code=status_code,
        )

    def new_form(request: Request) -> Response:
        authorize(principal_of(request), Family.PARTNERS, "write")
        with work(runtime, request) as session:
            return form_page(request, session, TermsForm(payment_days="30").padded())

    async def create(request: Request) -> Response:
        posted = await read_form(request)
        return await run_in_threadpool(_create, request, posted)

    def _create(request: Request, posted: Any) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PARTNERS, "write")
        with work(runtime, request) as session:
            codes = [f.code for f in family_codes(session)]
            form = form_from_post(posted, codes)
            try:
                terms, local = terms_from_form(form)
                party_errors: list[ErrorDetail] = []
                partner = parse_option(form.partner, "partner_id", party_errors)
                channel = parse_option(form.channel, "channel_id", party_errors)
                local += party_errors
                if local:
                    _refuse(terms, local, codes)
                agreement = create_agreement(
                    session,
                    principal=principal,
                    terms=terms,
                    partner_id=partner,
                    channel_id=channel,
                    comment=form.comment,
                    now=runtime.clock.now(),
                )
            except (InvalidInput, RuleViolation, Conflict) as error:
                session.rollback()
                return form_page(request, session, place_errors(form, error),
                                 status_code=status_of(error))  # fmt: skip
            href = f"{BASE}/{agreement.id}"
        response = RedirectResponse(href, status_code=303)
        set_flash(response, "Channel agreement created as a draft (version 1).")
        return response

    def detail(request: Request, agreement_id: str) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            return detail_page(request, session, principal, parse_id(agreement_id))

    def detail_page(
        request: Request,
        session: Session,
        principal: Principal,
        agreement_id: uuid.UUID,
        *,
        failure: SalesdevError | None = None,
        comment: str = "",
    ) -> Response:
        agreement = get_agreement(session, principal=principal, agreement_id=agreement_id)
        versions = list_agreement_versions(session, principal=principal, agreement_id=agreement_id)
        latest = versions[-1]
        party = _parties(session, [agreement])[0]
        me = signed_in(request).principal.actor
        moves = [s.value for s in NEXT_STATUSES[AgreementStatus(agreement.status)]]
        return render(
            request,
            "agreement_detail.html",
            {
                "title": agreement.name,
                "agreement": agreement,
                "party": party,
                "terms": latest.snapshot,
                "plan": commission_plan(session, agreement),
                # The plan's page is behind the compensation permission: others see the code.
                "plan_readable": principal.can(Family.COMPENSATION, "read"),
                "versions": list(reversed(versions)),
                "moves": [
                    m for m in moves if not (m in _FOUR_EYES and agreement.terms_author == me)
                ],
                "held_back": [m for m in moves if m in _FOUR_EYES and agreement.terms_author == me],
                "editable": agreement.status in ("draft", "in_negotiation"),
                "can_write": principal.can(Family.PARTNERS, "write"),
                "failure": failure,
                "comment_errors": [d.message for d in failure.details if d.location == "comment"]
                if failure
                else [],
                "comment": comment,
            },
            status_code=status_of(failure) if failure else 200,
        )

    def revise_form(request: Request, agreement_id: str) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PARTNERS, "write")
        with work(runtime, request) as session:
            agreement = get_agreement(
                session, principal=principal, agreement_id=parse_id(agreement_id)
            )
            latest = get_agreement_version(session, principal=principal, agreement_id=agreement.id)
            return form_page(
                request,
                session,
                form_from_snapshot(latest.snapshot, agreement.version),
                agreement=agreement,
            )

    async def revise(request: Request, agreement_id: str) -> Response:
        posted = await read_form(request)
        return await run_in_threadpool(_revise, request, parse_id(agreement_id), posted)

    def _revise(request: Request, agreement_id: uuid.UUID, posted: Any) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            agreement = get_agreement(session, principal=principal, agreement_id=agreement_id)
            codes = [f.code for f in family_codes(session)]
            form = form_from_post(posted, codes)
            try:
                latest = get_agreement_version(
                    session, principal=principal, agreement_id=agreement_id
                )
                terms, local = terms_from_form(form, current=latest.snapshot)
                if local:
                    _refuse(terms, local, codes)
                before = agreement.latest_version
                revise_agreement(
                    session,
                    principal=principal,
                    agreement_id=agreement_id,
                    changes=as_patch(latest.snapshot, terms),
                    comment=form.comment,
                    expected_version=parse_version(form.version),
                    now=runtime.clock.now(),
                )
                after = agreement.latest_version
            except (InvalidInput, RuleViolation, Conflict, PreconditionFailed) as error:
                session.rollback()
                agreement = get_agreement(session, principal=principal, agreement_id=agreement_id)
                return form_page(request, session, place_errors(form, error), agreement=agreement,
                                 status_code=status_of(error),
                                 stale=isinstance(error, PreconditionFailed))  # fmt: skip
        response = RedirectResponse(f"{BASE}/{agreement_id}", status_code=303)
        set_flash(
            response,
            f"Terms revised: version {after}."
            if after != before
            else "Nothing changed: no new version.",
        )
        return response

    async def transition(request: Request, agreement_id: str) -> Response:
        posted = await read_form(request)
        values = {k: text_of(posted, k) for k in ("to_status", "comment", "version")}
        return await run_in_threadpool(_transition, request, parse_id(agreement_id), values)

    def _transition(request: Request, agreement_id: uuid.UUID, values: dict[str, str]) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            try:
                agreement = transition_agreement(
                    session,
                    principal=principal,
                    agreement_id=agreement_id,
                    to_status=values["to_status"],
                    comment=values["comment"],
                    expected_version=parse_version(values["version"]),
                    now=runtime.clock.now(),
                )
                status = agreement.status
            except (InvalidInput, RuleViolation, Conflict, PreconditionFailed) as error:
                session.rollback()
                return detail_page(request, session, principal, agreement_id, failure=error,
                                   comment=values["comment"])  # fmt: skip
        response = RedirectResponse(f"{BASE}/{agreement_id}", status_code=303)
        set_flash(response, f"The agreement is now {status.replace('_', ' ')}.")
        return response

    def compare(request: Request, agreement_id: str) -> Response:
        principal = principal_of(request)
        raw = dict(request.query_params)
        with work(runtime, request) as session:
            agreement = get_agreement(
                session, principal=principal, agreement_id=parse_id(agreement_id)
            )
            versions = list_agreement_versions(
                session, principal=principal, agreement_id=agreement.id
            )
            errors: list[ErrorDetail] = []
            numbers = {}
            for name, default in (
                ("a", max(agreement.latest_version - 1, 1)),
                ("b", agreement.latest_version),
            ):
                try:
                    numbers[name] = int(text_of(raw, name) or default)
                except ValueError:
                    errors.append(ErrorDetail(name, "choose a version"))
                    numbers[name] = default
            by_number = {v.number: v for v in versions}
            for name, number in numbers.items():
                if number not in by_number:
                    errors.append(
                        ErrorDetail(name, f"versions are 1 to {agreement.latest_version}")
                    )
            rows: list[CompareRow] = []
            if not errors:
                differences = diff_versions(session, principal=principal, agreement_id=agreement.id,
                                            a=numbers["a"], b=numbers["b"])  # fmt: skip
                changes = {d.path: d.change for d in differences}
                rows = compare_rows(
                    by_number[numbers["a"]].snapshot, by_number[numbers["b"]].snapshot, changes
                )
        if errors:
            raise NotFound("No such version to compare", errors)
        return render(
            request,
            "agreement_compare.html",
            {
                "title": f"Compare versions of {agreement.name}",
                "agreement": agreement,
                "a": by_number[numbers["a"]],
                "b": by_number[numbers["b"]],
                "version_options": [(str(v.number), f"Version {v.number}") for v in versions],
                "rows": rows,
                "changed": sum(1 for r in rows if r.change),
            },
        )

    router.add_api_route(BASE, list_page, methods=["GET"], name="agreement_list")
    router.add_api_route(f"{BASE}/new", new_form, methods=["GET"], name="agreement_new")
    router.add_api_route(f"{BASE}/new", create, methods=["POST"], name="agreement_create")
    router.add_api_route(
        f"{BASE}/{{agreement_id}}", detail, methods=["GET"], name="agreement_detail"
    )
    router.add_api_route(
        f"{BASE}/{{agreement_id}}/revise",
        revise_form,
        methods=["GET"],
        name="agreement_revise_form",
    )
    router.add_api_route(
        f"{BASE}/{{agreement_id}}/revise", revise, methods=["POST"], name="agreement_revise"
    )
    router.add_api_route(
        f"{BASE}/{{agreement_id}}/status", transition, methods=["POST"], name="agreement_transition"
    )
    router.add_api_route(
        f"{BASE}/{{agreement_id}}/compare", compare, methods=["GET"], name="agreement_compare"
    )


def _refuse(terms: Mapping[str, Any], local: list[ErrorDetail], family_codes: list[str]) -> None:
    """Refuse with the form's own problems and every problem the terms also have."""
    failed = {d.location for d in local}
    details = list(local)
    try:
        normalise_terms(terms, known_families=family_codes)
    except InvalidInput as exc:
        details += [d for d in exc.details if d.location not in failed]
    raise InvalidInput("Invalid agreement terms", details)
