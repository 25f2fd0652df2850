"""``salesdev clients``: system integrations that use the OAuth2 client-credentials grant."""

from __future__ import annotations

import typer

from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.operator import OPERATOR, operator_session
from salesdev.domains.access import Role
from salesdev.domains.identity import create_oauth_client

app = typer.Typer(
    help="OAuth2 clients (system integrations): create, with a secret shown once.",
    no_args_is_help=True,
)


@app.command("create")
@reports_errors
def create_command(
    client_id: str = typer.Argument(..., help="The client id: letters, digits, '.', '_', '-'."),
    name: str = typer.Option(..., "--name", help="What the integration is, e.g. 'Billing'."),
    roles: list[str] = typer.Option(
        ..., "--role", help=f"A role (repeat for several): {', '.join(Role)}."
    ),
    read_only: bool = typer.Option(
        False, "--read-only", help="Its tokens can read but never change anything."
    ),
) -> None:
    """Create a client and print its id and secret. The secret is shown only this once."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            secret, client = create_oauth_client(
                session,
                principal=OPERATOR,
                client_id=client_id,
                name=name,
                roles=roles,
                now=now,
                read_only=read_only,
            )
            created_id = client.client_id
    typer.echo(f"client_id: {created_id}\nclient_secret: {secret}")
    typer.echo(
        "The secret is shown only this once (only its hash is kept): store it now. "
        "A lost secret cannot be recovered; create a new client instead.",
        err=True,
    )
