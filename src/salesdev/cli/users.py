"""``salesdev users``: people who log in to the console and the API, and their roles."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import typer
from sqlalchemy.orm import Session

from salesdev.cli.columns import aligned, yes
from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.operator import OPERATOR, operator_session
from salesdev.cli.prompts import STDIN_HELP, read_new_password
from salesdev.core.errors import Conflict, ErrorDetail, InvalidInput, NotFound
from salesdev.db.models import User
from salesdev.domains.access import SYSTEM, Role
from salesdev.domains.identity import (
    create_user,
    find_user,
    list_users,
    reset_password,
    update_user,
)
from salesdev.domains.reference import find_ids_by_code, get_entity

app = typer.Typer(
    help="Users of the console and the API: create, list, roles, disable, reset passwords.",
    no_args_is_help=True,
)

ROLE_HELP = f"A role (repeat for several): {', '.join(Role)}."
SALES_PERSON_HELP = "Code of the sales person the user is (required for sales_rep, sales_manager)."
PARTNER_HELP = "Code of the partner the user works for (required for partner_user)."


@app.command("create")
@reports_errors
def create_command(
    login: str = typer.Argument(..., help="Login name: letters, digits, '.', '_', '-', '@'."),
    name: str = typer.Option(..., "--name", help="Display name."),
    roles: list[str] = typer.Option(..., "--role", help=ROLE_HELP),
    sales_person: str | None = typer.Option(None, "--sales-person", help=SALES_PERSON_HELP),
    partner: str | None = typer.Option(None, "--partner", help=PARTNER_HELP),
    include_sub_dealers: bool = typer.Option(
        False, "--include-sub-dealers", help="A partner user also sees the partner's sub-dealers."
    ),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
) -> None:
    """Create a user; the password is prompted for (hidden) or read from standard input."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            taken = find_user(session, login=login)
        if taken is not None:
            # Before the prompt: nobody should type a password for nothing.
            raise Conflict(f"A user with login {taken.login!r} already exists")
        password = read_new_password(from_stdin=password_stdin)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            user = create_user(
                session,
                principal=OPERATOR,
                login=login,
                display_name=name,
                password=password,
                roles=roles,
                now=now,
                sales_person_id=_code_to_id(session, "sales_person", sales_person),
                partner_id=_code_to_id(session, "partner", partner),
                include_sub_dealers=include_sub_dealers,
            )
            summary = f"Created user {user.login} with role(s) {', '.join(user.roles)}."
    typer.echo(summary)


@app.command("list")
@reports_errors
def list_command() -> None:
    """List users with their roles, status and what their rows are scoped to."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            users = list_users(session, principal=OPERATOR)
            rows = [_row(session, user) for user in users]
    headers = ("LOGIN", "NAME", "ROLES", "STATUS", "SCOPE", "MUST CHANGE PASSWORD")
    typer.echo("\n".join(aligned(headers, rows)))


def _row(session: Session, user: User) -> list[str]:
    return [
        user.login,
        user.display_name,
        ",".join(user.roles),
        user.status,
        _scope(session, user),
        yes(user.must_change_password),
    ]


def _scope(session: Session, user: User) -> str:
    parts = []
    if user.sales_person_id is not None:
        parts.append(f"sales person {_code(session, 'sales_person', user.sales_person_id)}")
    if user.partner_id is not None:
        partner = f"partner {_code(session, 'partner', user.partner_id)}"
        parts.append(partner + (" and sub-dealers" if user.include_sub_dealers else ""))
    return "; ".join(parts) or "-"


@app.command("set-roles")
@reports_errors
def set_roles_command(
    login: str = typer.Argument(..., help="The user's login."),
    roles: list[str] = typer.Option(..., "--role", help=ROLE_HELP),
    sales_person: str | None = typer.Option(None, "--sales-person", help=SALES_PERSON_HELP),
    partner: str | None = typer.Option(None, "--partner", help=PARTNER_HELP),
) -> None:
    """Replace a user's roles (and, when given, the sales person or partner they are bound to)."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            changes: dict[str, Any] = {"roles": roles}
            if sales_person is not None:
                changes["sales_person_id"] = _code_to_id(session, "sales_person", sales_person)
            if partner is not None:
                changes["partner_id"] = _code_to_id(session, "partner", partner)
            user = _update(session, login, changes, now=now)
            summary = f"User {user.login} now has role(s) {', '.join(user.roles)}."
    typer.echo(summary)


@app.command("disable")
@reports_errors
def disable_command(login: str = typer.Argument(..., help="The user's login.")) -> None:
    """Disable a user: no more logins; their console sessions and API tokens are revoked."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            user = _update(session, login, {"status": "disabled"}, now=now)
            summary = (
                f"Disabled user {user.login}; their console sessions and API tokens are revoked."
            )
    typer.echo(summary)


@app.command("enable")
@reports_errors
def enable_command(login: str = typer.Argument(..., help="The user's login.")) -> None:
    """Enable a disabled user again (tokens revoked when it was disabled stay revoked)."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            user = _update(session, login, {"status": "active"}, now=now)
            summary = f"Enabled user {user.login}."
    typer.echo(summary)


@app.command("reset-password")
@reports_errors
def reset_password_command(
    login: str = typer.Argument(..., help="The user's login."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
) -> None:
    """Set a temporary password; the user must choose a new one at the next login."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            user_id = _user(session, login).id
        password = read_new_password(from_stdin=password_stdin)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            user = reset_password(
                session, principal=OPERATOR, user_id=user_id, new_password=password, now=now
            )
            summary = (
                f"Reset the password of {user.login}; "
                "they must choose a new one at their next login."
            )
    typer.echo(summary)


def _user(session: Session, login: str) -> User:
    user = find_user(session, login=login)
    if user is None:
        raise NotFound(f"No user with login {login!r}")
    return user


def _update(session: Session, login: str, changes: dict[str, Any], *, now: datetime) -> User:
    user = _user(session, login)
    return update_user(session, principal=OPERATOR, user_id=user.id, changes=changes, now=now)


def _code_to_id(session: Session, kind: str, code: str | None) -> uuid.UUID | None:
    if code is None:
        return None
    found = find_ids_by_code(session, kind=kind, codes=[code]).get(code)
    if found is None:
        option = "--sales-person" if kind == "sales_person" else "--partner"
        label = kind.replace("_", " ")
        raise InvalidInput("Invalid user", [ErrorDetail(option, f"no {label} with code {code!r}")])
    return found


def _code(session: Session, kind: str, entity_id: uuid.UUID) -> str:
    code: str = get_entity(session, principal=SYSTEM, kind=kind, entity_id=entity_id).code
    return code
