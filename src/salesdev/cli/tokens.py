"""``salesdev tokens``: personal API tokens. The token itself is printed once, at creation."""

from __future__ import annotations

import uuid
from datetime import datetime

import typer
from sqlalchemy.orm import Session

from salesdev.cli.columns import aligned, when, yes
from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.operator import OPERATOR, operator_session
from salesdev.core.errors import NotFound
from salesdev.core.ids import parse_id
from salesdev.db.models import ApiToken
from salesdev.domains.identity import (
    create_api_token,
    find_user,
    list_api_tokens,
    revoke_api_token,
)

app = typer.Typer(
    help="Personal API tokens: create (shown once), list, revoke.", no_args_is_help=True
)

DEFAULT_EXPIRY_DAYS = 90


@app.command("create")
@reports_errors
def create_command(
    user: str = typer.Option(..., "--user", help="Login of the user the token acts as."),
    name: str = typer.Option(
        "command line", "--name", help="What the token is for, shown in `tokens list`."
    ),
    read_only: bool = typer.Option(
        False, "--read-only", help="The token can read but never change anything."
    ),
    expires_in: int = typer.Option(
        DEFAULT_EXPIRY_DAYS, "--expires-in", help="Days until the token expires (1 to 3650)."
    ),
) -> None:
    """Create a token and print it alone on stdout, e.g. TOKEN=$(salesdev tokens create --user x).

    The token is shown only this once: only its hash is kept.
    """
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            owner = find_user(session, login=user)
            if owner is None:
                raise NotFound(f"No user with login {user!r}")
            token, _api_token = create_api_token(
                session,
                principal=OPERATOR,
                user_id=owner.id,
                name=name,
                now=now,
                read_only=read_only,
                expires_in_days=expires_in,
            )
    # Nothing else on stdout: scripts capture it whole.
    typer.echo(token)


@app.command("list")
@reports_errors
def list_command(
    user: str = typer.Option(..., "--user", help="Login of the user whose tokens to list."),
) -> None:
    """List a user's tokens (never the tokens themselves: only their first characters)."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            owner = find_user(session, login=user)
            if owner is None:
                raise NotFound(f"No user with login {user!r}")
            tokens = list_api_tokens(session, principal=OPERATOR, user_id=owner.id)
    headers = (
        "ID",
        "PREFIX",
        "READ-ONLY",
        "CREATED",
        "EXPIRES",
        "REVOKED",
        "LAST USED",
        "NAME",
    )
    typer.echo("\n".join(aligned(headers, [_row(token) for token in tokens])))


def _row(token: ApiToken) -> list[str]:
    return [
        str(token.id),
        token.token_prefix,
        yes(token.read_only),
        when(token.created_at),
        when(token.expires_at) if token.expires_at is not None else "never",
        when(token.revoked_at),
        when(token.last_used_at),
        token.name,
    ]


@app.command("revoke")
@reports_errors
def revoke_command(
    token_id: str = typer.Argument(..., help="The token's id (`tokens list`)."),
) -> None:
    """Revoke a token: it stops working at once."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        parsed = parse_id(token_id, location="token id")
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            was_revoked_at = _revoked_at(session, parsed)
            token = revoke_api_token(session, principal=OPERATOR, token_id=parsed, now=now)
            label = f"{token.id} ({token.token_prefix}..., {token.name})"
    if was_revoked_at is not None:
        typer.echo(f"Token {label} was already revoked on {when(was_revoked_at)} UTC.")
    else:
        typer.echo(f"Revoked token {label}.")


def _revoked_at(session: Session, token_id: uuid.UUID) -> datetime | None:
    token = session.get(ApiToken, token_id)
    return None if token is None else token.revoked_at
