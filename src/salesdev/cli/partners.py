"""``salesdev partners onboarding``: read-only views of partners' on-boarding cases;
``salesdev partners contacts``: list and add a partner's contacts.

The workflow itself (moves, checklist evidence, approvals by a second person) is done by
people in the console or the API, where each action is theirs; the command line acts as
the operator and so could not tell a requester from an approver.
"""

from __future__ import annotations

import uuid

import typer
from sqlalchemy.orm import Session

from salesdev.cli.columns import aligned, when, yes
from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.operator import OPERATOR, operator_session
from salesdev.core.errors import NotFound
from salesdev.db.models import OnboardingCase
from salesdev.db.query import Filter, ListQuery
from salesdev.domains.onboarding import (
    OnboardingState,
    list_checklist,
    list_onboarding_cases,
    list_onboarding_history,
)
from salesdev.domains.partners import CONTACT_ROLES, add_partner_contact, list_partner_contacts
from salesdev.domains.reference import find_ids_by_code, get_entity

app = typer.Typer(
    help="Partners: on-boarding cases (read-only) and contacts.", no_args_is_help=True
)
onboarding = typer.Typer(
    help="Partner on-boarding cases, their checklist and history (read-only; the workflow "
    "is run in the console or the API).",
    no_args_is_help=True,
)
app.add_typer(onboarding, name="onboarding")
contacts = typer.Typer(help="A partner's contacts: list and add.", no_args_is_help=True)
app.add_typer(contacts, name="contacts")


@contacts.command("list")
@reports_errors
def list_contacts_command(
    partner_code: str = typer.Argument(..., help="The partner's code."),
) -> None:
    """List the partner's contacts, the primary one first, then by name."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            partner_id = _partner_id(session, partner_code)
            found = list_partner_contacts(session, principal=OPERATOR, partner_id=partner_id)
            rows = [[c.name, c.role, c.email, c.phone or "-", yes(c.is_primary)] for c in found]
    typer.echo(f"{len(rows)} contact{'' if len(rows) == 1 else 's'} of {partner_code}")
    if rows:
        headers = ("NAME", "ROLE", "EMAIL", "PHONE", "PRIMARY")
        typer.echo("\n".join(aligned(headers, rows)))


@contacts.command("add")
@reports_errors
def add_contact_command(
    partner_code: str = typer.Argument(..., help="The partner's code."),
    name: str = typer.Option(..., "--name", help="The contact's full name."),
    role: str = typer.Option(..., "--role", help=f"One of {', '.join(CONTACT_ROLES)}."),
    email: str = typer.Option(..., "--email", help="An e-mail address."),
    phone: str | None = typer.Option(None, "--phone", help="A telephone number."),
    primary: bool = typer.Option(
        False, "--primary", help="The partner's primary contact (at most one)."
    ),
) -> None:
    """Add a contact to a partner (audited as the operator)."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            partner_id = _partner_id(session, partner_code)
            contact = add_partner_contact(
                session,
                principal=OPERATOR,
                partner_id=partner_id,
                name=name,
                role=role,
                email=email,
                phone=phone,
                is_primary=primary,
                now=now,
            )
            added = f"Added {contact.role} contact {contact.name} <{contact.email}>"
    typer.echo(f"{added} to {partner_code}{' (primary)' if primary else ''}")


@onboarding.command("list")
@reports_errors
def list_command(
    state: OnboardingState | None = typer.Option(None, "--state", help="Only cases in this state."),
) -> None:
    """List on-boarding cases, most recently changed first."""
    filters = () if state is None else (Filter("state", "eq", (state.value,)),)
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            page = list_onboarding_cases(
                session, principal=OPERATOR, query=ListQuery(filters=filters)
            )
            rows = [_case_row(session, case) for case in page.items]
    typer.echo(f"{page.total} on-boarding case{'' if page.total == 1 else 's'}")
    if rows:
        headers = ("PARTNER", "NAME", "STATE", "PENDING REQUEST", "UPDATED (UTC)")
        typer.echo("\n".join(aligned(headers, rows)))


def _case_row(session: Session, case: OnboardingCase) -> list[str]:
    partner = get_entity(session, principal=OPERATOR, kind="partner", entity_id=case.partner_id)
    return [partner.code, partner.name, case.state, _pending(case), when(case.updated_at)]


def _pending(case: OnboardingCase) -> str:
    if case.requested_state is None:
        return "-"
    return f"{case.requested_state} (by {case.requested_by})"


@onboarding.command("show")
@reports_errors
def show_command(
    partner_code: str = typer.Argument(..., help="The partner's code."),
) -> None:
    """Show a partner's case: state, pending request, checklist and full history."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            partner_id = _partner_id(session, partner_code)
            case = _case(session, partner_id, partner_code)
            partner = get_entity(session, principal=OPERATOR, kind="partner", entity_id=partner_id)
            checklist = list_checklist(session, principal=OPERATOR, case_id=case.id)
            history = list_onboarding_history(session, principal=OPERATOR, case_id=case.id)
            lines = [
                f"partner: {partner.code} ({partner.name})",
                f"state: {case.state}",
                f"pending request: {_request(case)}",
                f"opened by: {case.opened_by} on {when(case.created_at)} UTC",
                "",
                "Checklist:",
                *_indented(
                    aligned(
                        ("CHECK", "LABEL", "MANDATORY", "CHECKED (UTC)", "BY", "EVIDENCE"),
                        [
                            [
                                item.code,
                                item.label,
                                yes(item.mandatory),
                                when(item.checked_at),
                                item.checked_by or "-",
                                item.evidence or "-",
                            ]
                            for item in checklist
                        ],
                    )
                ),
                "",
                "History:",
                *_indented(
                    aligned(
                        (
                            "#",
                            "WHEN (UTC)",
                            "EVENT",
                            "FROM",
                            "TO",
                            "ACTOR",
                            "REQUESTED BY",
                            "COMMENT",
                        ),
                        [
                            [
                                str(entry.sequence),
                                when(entry.occurred_at),
                                entry.event,
                                entry.from_state or "-",
                                entry.to_state,
                                entry.actor,
                                entry.requested_by or "-",
                                entry.comment or "-",
                            ]
                            for entry in history
                        ],
                    )
                ),
            ]
    typer.echo("\n".join(lines))


def _partner_id(session: Session, code: str) -> uuid.UUID:
    found = find_ids_by_code(session, kind="partner", codes=[code]).get(code)
    if found is None:
        raise NotFound(f"No partner with code {code!r}")
    return found


def _case(session: Session, partner_id: uuid.UUID, code: str) -> OnboardingCase:
    page = list_onboarding_cases(
        session,
        principal=OPERATOR,
        query=ListQuery(filters=(Filter("partnerId", "eq", (str(partner_id),)),)),
    )
    if not page.items:
        raise NotFound(f"Partner {code!r} has no on-boarding case")
    return page.items[0]


def _request(case: OnboardingCase) -> str:
    if case.requested_state is None:
        return "none"
    comment = f': "{case.request_comment}"' if case.request_comment else ""
    return (
        f"{case.state} -> {case.requested_state}, requested by {case.requested_by} "
        f"on {when(case.requested_at)} UTC{comment} (awaits another user's approval)"
    )


def _indented(lines: list[str]) -> list[str]:
    return [f"  {line}" for line in lines]
