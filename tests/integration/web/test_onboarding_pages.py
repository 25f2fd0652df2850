"""Partner on-boarding in the console: open a case, the stepper, the checklist, a move that
needs approval (never by its requester), the history, and a partner user's own case only."""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI
from sqlalchemy import func, select

from salesdev.db.models import OnboardingCase, OnboardingHistoryEntry
from salesdev.runtime import Runtime
from tests.integration.web.channel_world import World, build_world
from tests.integration.web.conftest import ConsoleClient, log_in, make_user
from tests.integration.web.pages import field_errors, main_text, table_rows

MANDATORY = ("company_registration", "credit_check", "sanctions_screening", "bank_details_verified")


def _client(
    app: FastAPI, runtime: Runtime, login: str, roles: list[str], **bindings: object
) -> ConsoleClient:
    make_user(runtime, login, roles, **bindings)
    client = ConsoleClient(app)
    assert log_in(client, login).status_code == 303
    return client


def _open(client: ConsoleClient, partner: uuid.UUID, comment: str = "Applied at the fair") -> str:
    response = client.post("/onboarding/new", data={"partner": str(partner), "comment": comment},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _version(runtime: Runtime, href: str) -> str:
    with runtime.session_factory() as s:
        case = s.get(OnboardingCase, uuid.UUID(href.rsplit("/", 1)[1]))
        assert case is not None
        return str(case.version)


def _stepper(html: str) -> list[tuple[str, str]]:
    return re.findall(
        r'<li class="step step-(\w+)"[^>]*>.*?<span class="step-name">([^<]+)</span>', html, re.S
    )


def _to_due_diligence_checked(client: ConsoleClient, runtime: Runtime, href: str) -> None:
    client.post(
        f"{href}/advance", data={"to_state": "due_diligence", "version": _version(runtime, href)}
    )
    for code in MANDATORY:
        checked = client.post(f"{href}/check", data={"code": code, "evidence": f"doc-{code}"})
        assert "Checklist item recorded." in main_text(checked.text), code


def test_a_case_moves_on_and_the_requester_cannot_approve_its_own_request(
    app: FastAPI, console: ConsoleClient, runtime: Runtime
) -> None:
    world = build_world(runtime, authorise=False)
    chris = _client(app, runtime, "chris", ["channel_manager"])
    href = _open(chris, world.acme)

    opened = chris.get(href)
    assert _stepper(opened.text) == [("current", "Application"), ("todo", "Due diligence"),
        ("todo", "Agreement negotiation"), ("todo", "Training"), ("todo", "Active")]  # fmt: skip
    assert "Move to due diligence" in opened.text and "Terminate" in opened.text

    _to_due_diligence_checked(chris, runtime, href)
    requested = chris.post(f"{href}/advance", follow_redirects=True, data={
        "to_state": "agreement_negotiation", "comment": "All checks clear",
        "version": _version(runtime, href)})  # fmt: skip

    page = main_text(requested.text)
    assert "Move to agreement_negotiation requested; another user must approve it." in page
    assert "Waiting for approval by someone else" in page
    assert "Approve the move" not in page and f'action="{href}/approve"' not in requested.text
    # Posting the approval anyway is refused and changes nothing.
    own = chris.post(f"{href}/approve", data={"version": _version(runtime, href)})
    assert own.status_code == 422
    assert (
        "user:chris requested the move to agreement_negotiation and cannot approve it"
        in main_text(own.text)
    )

    shown_to_admin = console.get(href)
    assert "Approve the move to agreement negotiation" in main_text(shown_to_admin.text)
    approved = console.post(f"{href}/approve", data={"comment": "Agreed", "version": _version(runtime, href)},
                            follow_redirects=True)  # fmt: skip

    assert "Approved: the case is now in agreement_negotiation." in main_text(approved.text)
    assert _stepper(approved.text)[:3] == [("done", "Application"), ("done", "Due diligence"),
                                           ("current", "Agreement negotiation")]  # fmt: skip
    history = [row[2:] for row in table_rows(approved.text.split('id="history-heading"')[1])]
    assert history == [
        ["Opened", "", "application", "user:chris", "", "Applied at the fair"],
        ["Transitioned", "application", "due_diligence", "user:chris", "", ""],
        [
            "Requested",
            "due_diligence",
            "agreement_negotiation",
            "user:chris",
            "",
            "All checks clear",
        ],
        ["Approved", "due_diligence", "agreement_negotiation", "user:root", "user:chris", "Agreed"],
    ]


def test_skipping_a_step_or_leaving_due_diligence_unchecked_is_refused(
    console: ConsoleClient, runtime: Runtime
) -> None:
    world = build_world(runtime, authorise=False)
    href = _open(console, world.rival)

    skip = console.post(
        f"{href}/advance", data={"to_state": "training", "version": _version(runtime, href)}
    )
    console.post(
        f"{href}/advance", data={"to_state": "due_diligence", "version": _version(runtime, href)}
    )
    early = console.post(f"{href}/advance", data={"to_state": "agreement_negotiation",
                                                 "version": _version(runtime, href)})  # fmt: skip
    empty = console.post(f"{href}/check", data={"code": "credit_check", "evidence": "  "})

    assert skip.status_code == 422
    assert "An on-boarding case in application cannot move to training" in main_text(skip.text)
    assert early.status_code == 422
    assert "checklist.bank_details_verified: Bank details verified: not checked" in main_text(
        early.text
    )
    assert empty.status_code == 400
    assert field_errors(empty.text, "evidence-credit_check") == [
        "is required, at most 4000 characters"
    ]
    with runtime.session_factory() as s:
        case = s.scalars(select(OnboardingCase)).one()
        events = s.scalar(select(func.count()).select_from(OnboardingHistoryEntry))
    assert (case.state, case.requested_state, events) == ("due_diligence", None, 2)


def test_rejecting_needs_a_reason_given_next_to_the_field(
    app: FastAPI, console: ConsoleClient, runtime: Runtime
) -> None:
    world = build_world(runtime, authorise=False)
    href = _open(console, world.acme)
    _to_due_diligence_checked(console, runtime, href)
    console.post(
        f"{href}/advance",
        data={"to_state": "agreement_negotiation", "version": _version(runtime, href)},
    )
    chris = _client(app, runtime, "chris", ["channel_manager"])

    response = chris.post(
        f"{href}/reject", data={"comment": "", "version": _version(runtime, href)}
    )

    assert response.status_code == 400
    assert field_errors(response.text, "reject-comment") == ["say why"]
    with runtime.session_factory() as s:
        assert s.scalars(select(OnboardingCase)).one().requested_state == "agreement_negotiation"


def test_the_list_shows_cases_and_a_partner_user_sees_only_its_own(
    app: FastAPI, console: ConsoleClient, runtime: Runtime
) -> None:
    world: World = build_world(runtime, authorise=False)
    acme_case = _open(console, world.acme)
    rival_case = _open(console, world.rival, comment="")
    console.post(f"{acme_case}/advance", data={"to_state": "due_diligence", "version": "1"})
    pat = _client(app, runtime, "pat", ["partner_user"], partner_id=world.acme)

    everything = console.get("/onboarding")
    own = pat.get("/onboarding")

    # The clock stands still: both changed at the same instant, so compare as sorted.
    assert sorted(r[:2] + r[3:4] for r in table_rows(everything.text)) == [
        ["Partner ACME (ACME)", "Due diligence", "—"],
        ["Partner RIVAL (RIVAL)", "Application", "—"],
    ]
    assert [r[0] for r in table_rows(own.text)] == ["Partner ACME (ACME)"]
    assert "Open a case" not in main_text(own.text)
    assert pat.get(rival_case).status_code == 404
    acme_page = pat.get(acme_case)
    assert acme_page.status_code == 200 and "/advance" not in acme_page.text
    # A second case for the same partner is refused beside the partner field.
    again = console.post("/onboarding/new", data={"partner": str(world.acme)})
    assert again.status_code == 409
    assert field_errors(again.text, "open-partner") == ["a partner has one on-boarding case"]
    assert "Partner ACME already has an on-boarding case" in main_text(again.text)
