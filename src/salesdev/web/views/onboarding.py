"""Partner on-boarding: the cases, one case's stepper, checklist, moves, approvals and history."""

from __future__ import annotations

import uuid
from collections.abc import Callable
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
from salesdev.db.models import OnboardingCase
from salesdev.db.query import Filter, ListQuery
from salesdev.domains.access import Family, authorize
from salesdev.domains.onboarding import (
    NEEDS_APPROVAL,
    NEXT_STATES,
    OnboardingState,
    advance_onboarding,
    approve_onboarding_request,
    check_checklist_item,
    get_onboarding_case,
    list_checklist,
    list_onboarding_cases,
    list_onboarding_history,
    open_onboarding_case,
    reject_onboarding_request,
)
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, signed_in, work
from salesdev.web.choices import options, parse_option, partner_names, text_of, visible_partners
from salesdev.web.flash import set_flash
from salesdev.web.forms import parse_version
from salesdev.web.listing import MAX_LIMIT, PAGE_SIZES
from salesdev.web.protection import read_form
from salesdev.web.routing import status_of
from salesdev.web.templating import render
from salesdev.web.urls import with_query

BASE = "/onboarding"
DEFAULT_LIMIT = 25
# The way to active, as the stepper shows it; suspended and terminated are shown beside it.
MAIN_PATH = (
    OnboardingState.APPLICATION,
    OnboardingState.DUE_DILIGENCE,
    OnboardingState.AGREEMENT_NEGOTIATION,
    OnboardingState.TRAINING,
    OnboardingState.ACTIVE,
)


@dataclass(frozen=True)
class Step:
    state: str
    status: str  # "done", "current" or "todo"


@dataclass(frozen=True)
class Move:
    state: str
    needs_approval: bool


@dataclass(frozen=True)
class Failure:
    """A refused form on the case page: which form, and the error to show beside it."""

    form: str
    error: SalesdevError
    values: dict[str, str]

    def field(self, name: str) -> list[str]:
        return [d.message for d in self.error.details if d.location == name]

    @property
    def others(self) -> list[str]:
        return [str(d) for d in self.error.details if d.location not in ("comment", "evidence")]


def steps_of(state: str) -> list[Step]:
    """The main path with each step done, current or to do (suspended counts as active reached)."""
    reached = OnboardingState.ACTIVE if state == OnboardingState.SUSPENDED else state
    if state == OnboardingState.TERMINATED:
        return [Step(s.value, "todo") for s in MAIN_PATH]
    position = next(i for i, s in enumerate(MAIN_PATH) if s == reached)
    return [
        Step(s.value, "done" if i < position else "current" if i == position else "todo")
        for i, s in enumerate(MAIN_PATH)
    ]


def install_onboarding_pages(router: APIRouter, runtime: Runtime) -> None:
    def list_page(
        request: Request,
        *,
        open_error: SalesdevError | None = None,
        opened: dict[str, str] | None = None,
    ) -> Response:
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
        state = text_of(raw, "state")
        filters: list[Filter] = []
        if state and state not in OnboardingState.__members__.values():
            errors.append(ErrorDetail("state", "choose one of the states"))
        elif state:
            filters.append(Filter("state", "eq", (state,)))
        pending = text_of(raw, "pending") == "yes"
        if pending:
            # NOT IN ('') is false for an empty request: only cases awaiting an approval.
            filters.append(Filter("requestedState", "ne", ("",)))
        can_write = principal.can(Family.PARTNERS, "write")
        with work(runtime, request) as session:
            page = list_onboarding_cases(
                session,
                principal=principal,
                query=ListQuery(filters=tuple(filters), offset=offset, limit=limit),
            )
            cases = page.items
            names = partner_names(session, (c.partner_id for c in cases))
            candidates: list[Any] = []
            if can_write:
                with_case = {
                    c.partner_id
                    for c in list_onboarding_cases(
                        session, principal=principal, query=ListQuery()
                    ).items
                }
                candidates = [
                    p for p in visible_partners(session, principal) if p.id not in with_case
                ]
        open_errors: dict[str, list[str]] = {}
        if open_error is not None:
            for detail in open_error.details:
                open_errors.setdefault(detail.location, []).append(detail.message)
        query = {
            "state": state,
            "pending": "yes" if pending else "",
            "limit": "" if limit == DEFAULT_LIMIT else limit,
        }
        last = offset + len(page.items)
        return render(
            request,
            "onboarding_list.html",
            {
                "title": "Partner on-boarding",
                "cases": cases,
                "names": names,
                "total": page.total,
                "first": offset + 1 if page.items else 0,
                "last": last,
                "state": state,
                "pending": pending,
                "limit": limit,
                "page_sizes": PAGE_SIZES,
                "state_options": [("", "Any"), *((s.value, s.value) for s in OnboardingState)],
                "filter_errors": {d.location: [d.message] for d in errors},
                "can_write": can_write,
                "partner_options": options(candidates, blank="Choose a partner"),
                "open_error": open_error,
                "open_errors": open_errors,
                "opened": opened or {},
                "previous_href": with_query(BASE, {**query, "offset": max(offset - limit, 0) or ""})
                if offset > 0
                else "",
                "next_href": with_query(BASE, {**query, "offset": last})
                if last < page.total
                else "",
            },
            status_code=status_of(open_error) if open_error else 400 if errors else 200,
        )

    def list_view(request: Request) -> Response:
        return list_page(request)

    async def open_case(request: Request) -> Response:
        form = await read_form(request)
        values = {"partner": text_of(form, "partner"), "comment": text_of(form, "comment")}
        return await run_in_threadpool(_open, request, values)

    def _open(request: Request, values: dict[str, str]) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PARTNERS, "write")
        with work(runtime, request) as session:
            try:
                errors: list[ErrorDetail] = []
                partner = parse_option(values["partner"], "partner", errors)
                if partner is None and not errors:
                    errors.append(ErrorDetail("partner", "is required"))
                elif partner is not None and partner not in {
                    p.id for p in visible_partners(session, principal)
                }:
                    errors.append(ErrorDetail("partner", "choose one of the partners offered"))
                if errors:
                    raise InvalidInput("Invalid on-boarding case", errors)
                assert partner is not None
                case = open_onboarding_case(
                    session,
                    principal=principal,
                    partner_id=partner,
                    comment=values["comment"],
                    now=runtime.clock.now(),
                )
            except (InvalidInput, Conflict) as error:
                session.rollback()
                # A Conflict's detail says "partner_id": shown next to the partner field.
                details = [
                    ErrorDetail("partner" if d.location == "partner_id" else d.location, d.message)
                    for d in error.details
                ]
                shown = type(error)(error.message, details)
                return list_page(request, open_error=shown, opened=values)
            case_id = case.id
        response = RedirectResponse(f"{BASE}/{case_id}", status_code=303)
        set_flash(response, "On-boarding case opened.")
        return response

    def case_page(
        request: Request, session: Session, case: OnboardingCase, failure: Failure | None = None
    ) -> Response:
        principal = principal_of(request)
        me = signed_in(request)
        checklist = list_checklist(session, principal=principal, case_id=case.id)
        history = list_onboarding_history(session, principal=principal, case_id=case.id)
        partner = partner_names(session, [case.partner_id]).get(case.partner_id)
        current = OnboardingState(case.state)
        moves = [Move(s.value, (current, s) in NEEDS_APPROVAL) for s in NEXT_STATES[current]]
        return render(
            request,
            "onboarding_case.html",
            {
                "title": f"On-boarding of {partner.name if partner else case.partner_id}",
                "case": case,
                "partner": partner,
                "steps": steps_of(case.state),
                "checklist": checklist,
                "history": history,
                "moves": moves,
                "can_write": principal.can(Family.PARTNERS, "write"),
                "my_request": case.requested_by == me.principal.actor,
                "checking": case.state == OnboardingState.DUE_DILIGENCE,
                "failure": failure,
            },
            status_code=status_of(failure.error) if failure else 200,
        )

    def detail(request: Request, case_id: str) -> Response:
        with work(runtime, request) as session:
            case = get_onboarding_case(
                session, principal=principal_of(request), case_id=parse_id(case_id)
            )
            return case_page(request, session, case)

    def action(name: str, run: Callable[..., Any], message: Callable[[OnboardingCase], str]) -> Any:
        async def post(request: Request, case_id: str) -> Response:
            form = await read_form(request)
            values = {
                k: text_of(form, k) for k in ("to_state", "comment", "version", "code", "evidence")
            }
            return await run_in_threadpool(_act, request, parse_id(case_id), values)

        def _act(request: Request, case_id: uuid.UUID, values: dict[str, str]) -> Response:
            principal = principal_of(request)
            with work(runtime, request) as session:
                try:
                    case = run(session, principal, case_id, values)
                    text = message(case)
                except (
                    InvalidInput,
                    RuleViolation,
                    Conflict,
                    PreconditionFailed,
                    NotFound,
                ) as error:
                    session.rollback()
                    case = get_onboarding_case(session, principal=principal, case_id=case_id)
                    form = f"check:{values['code']}" if name == "check" else name
                    return case_page(request, session, case, Failure(form, error, values))
            response = RedirectResponse(f"{BASE}/{case_id}", status_code=303)
            set_flash(response, text)
            return response

        return post

    def _advance(session: Session, principal: Any, case_id: uuid.UUID, v: dict[str, str]) -> Any:
        return advance_onboarding(session, principal=principal, case_id=case_id,
                                  to_state=v["to_state"], comment=v["comment"],
                                  expected_version=parse_version(v["version"]),
                                  now=runtime.clock.now())  # fmt: skip

    def _approve(session: Session, principal: Any, case_id: uuid.UUID, v: dict[str, str]) -> Any:
        return approve_onboarding_request(session, principal=principal, case_id=case_id,
                                          comment=v["comment"],
                                          expected_version=parse_version(v["version"]),
                                          now=runtime.clock.now())  # fmt: skip

    def _reject(session: Session, principal: Any, case_id: uuid.UUID, v: dict[str, str]) -> Any:
        return reject_onboarding_request(session, principal=principal, case_id=case_id,
                                         comment=v["comment"],
                                         expected_version=parse_version(v["version"]),
                                         now=runtime.clock.now())  # fmt: skip

    def _check(session: Session, principal: Any, case_id: uuid.UUID, v: dict[str, str]) -> Any:
        check_checklist_item(session, principal=principal, case_id=case_id, code=v["code"],
                             evidence=v["evidence"], now=runtime.clock.now())  # fmt: skip
        return get_onboarding_case(session, principal=principal, case_id=case_id)

    def _moved(case: OnboardingCase) -> str:
        if case.requested_state:
            return f"Move to {case.requested_state} requested; another user must approve it."
        return f"The case is now in {case.state}."

    router.add_api_route(BASE, list_view, methods=["GET"], name="onboarding_list")
    router.add_api_route(f"{BASE}/new", open_case, methods=["POST"], name="onboarding_open")
    router.add_api_route(f"{BASE}/{{case_id}}", detail, methods=["GET"], name="onboarding_case")
    for name, run, message in (
        ("advance", _advance, _moved),
        ("approve", _approve, lambda c: f"Approved: the case is now in {c.state}."),
        ("reject", _reject, lambda c: f"Request refused: the case stays in {c.state}."),
        ("check", _check, lambda c: "Checklist item recorded."),
    ):
        router.add_api_route(
            f"{BASE}/{{case_id}}/{name}",
            action(name, run, message),
            methods=["POST"],
            name=f"onboarding_{name}",
        )
