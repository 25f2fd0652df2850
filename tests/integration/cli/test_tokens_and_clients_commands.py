"""``salesdev tokens`` and ``salesdev clients``: secrets shown once, in a form scripts can capture."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.identity import (
    create_api_token,
    create_user,
    issue_client_token,
    resolve_bearer_token,
)
from tests.conftest import T0, Database
from tests.integration.cli.conftest import Cli

PASSWORD = "Tarifa-Fibra-2026"


def _carla(session: Session) -> uuid.UUID:
    user = create_user(
        session,
        principal=SYSTEM,
        login="carla",
        display_name="Carla",
        password=PASSWORD,
        roles=["channel_manager"],
        now=T0,
    )
    return user.id


def _with_carla(database: Database) -> uuid.UUID:
    with unit_of_work(database.session_factory) as session:
        return _carla(session)


def _resolve(database: Database, token: str) -> tuple[str, bool] | None:
    with database.session_factory() as session:
        principal = resolve_bearer_token(session, token=token, now=datetime.now(UTC))
    return None if principal is None else (principal.name, principal.read_only)


def test_create_prints_only_the_token_which_then_authenticates(
    cli: Cli, database: Database
) -> None:
    _with_carla(database)

    result = cli("tokens", "create", "--user", "carla", "--name", "nightly export")
    read_only = cli("tokens", "create", "--user", "carla", "--read-only")

    assert result.exit_code == 0 and result.stderr == ""
    (token,) = result.stdout.splitlines()
    assert result.stdout == token + "\n" and token.startswith("sdv_")
    assert _resolve(database, token) == ("carla", False)
    assert _resolve(database, read_only.stdout.strip()) == ("carla", True)


def test_create_for_an_unknown_user_exits_4_and_a_bad_expiry_3(
    cli: Cli, database: Database
) -> None:
    _with_carla(database)

    unknown = cli("tokens", "create", "--user", "nobody")
    expiry = cli("tokens", "create", "--user", "carla", "--expires-in", "0")

    assert (unknown.exit_code, unknown.stdout, unknown.stderr) == (
        4,
        "",
        "Error: No user with login 'nobody'\n",
    )
    assert (expiry.exit_code, expiry.stdout, expiry.stderr) == (
        3,
        "",
        "Error: Invalid token\n  - expires_in_days: must be between 1 and 3650\n",
    )


def test_list_shows_each_token_without_the_token(cli: Cli, database: Database) -> None:
    with unit_of_work(database.session_factory) as session:
        user_id = _carla(session)
        token, first = create_api_token(
            session, principal=SYSTEM, user_id=user_id, name="billing sync", now=T0
        )
        _, second = create_api_token(
            session,
            principal=SYSTEM,
            user_id=user_id,
            name="reports",
            now=T0 + timedelta(hours=1),
            read_only=True,
            expires_in_days=None,
        )
        second.revoked_at = T0 + timedelta(days=2)
        first.last_used_at = T0 + timedelta(days=1)

    result = cli("tokens", "list", "--user", "carla")

    assert result.exit_code == 0
    assert result.stdout == (
        "ID                                    PREFIX        READ-ONLY  CREATED           "
        "EXPIRES           REVOKED           LAST USED         NAME\n"
        f"{first.id}  {first.token_prefix}  no         2026-10-15 09:30  "
        "2027-01-13 09:30  -                 2026-10-16 09:30  billing sync\n"
        f"{second.id}  {second.token_prefix}  yes        2026-10-15 10:30  "
        "never             2026-10-17 09:30  -                 reports\n"
    )
    assert token not in result.stdout and token[:12] in result.stdout


def test_revoke_stops_the_token_at_once(cli: Cli, database: Database) -> None:
    _with_carla(database)
    token = cli("tokens", "create", "--user", "carla", "--name", "ci").stdout.strip()
    with database.session_factory() as session:
        principal = resolve_bearer_token(session, token=token, now=datetime.now(UTC))
    listing = cli("tokens", "list", "--user", "carla").stdout.splitlines()
    token_id = listing[1].split()[0]

    revoked = cli("tokens", "revoke", token_id)
    again = cli("tokens", "revoke", token_id)

    assert principal is not None
    assert (revoked.exit_code, revoked.stdout) == (
        0,
        f"Revoked token {token_id} ({token[:12]}..., ci).\n",
    )
    assert _resolve(database, token) is None
    assert again.exit_code == 0
    assert again.stdout.startswith(
        f"Token {token_id} ({token[:12]}..., ci) was already revoked on "
    )


def test_revoking_an_unknown_token_exits_4_and_a_malformed_id_3(cli: Cli) -> None:
    unknown = cli("tokens", "revoke", str(uuid.UUID(int=7)))
    malformed = cli("tokens", "revoke", "sdv_abc")

    assert (unknown.exit_code, unknown.stderr) == (
        4,
        f"Error: Token {uuid.UUID(int=7)} does not exist\n",
    )
    assert (malformed.exit_code, malformed.stderr) == (
        3,
        "Error: Invalid identifier\n  - token id: not a UUID: 'sdv_abc'\n",
    )


def test_clients_create_shows_the_secret_once_and_it_works(cli: Cli, database: Database) -> None:
    result = cli(
        "clients", "create", "billing", "--name", "Billing", "--role", "auditor", "--read-only"
    )

    assert result.exit_code == 0
    client_line, secret_line = result.stdout.splitlines()
    assert client_line == "client_id: billing"
    secret = secret_line.removeprefix("client_secret: ")
    assert result.stderr == (
        "The secret is shown only this once (only its hash is kept): store it now. "
        "A lost secret cannot be recovered; create a new client instead.\n"
    )
    with unit_of_work(database.session_factory) as session:
        token, _lifetime = issue_client_token(
            session, client_id="billing", client_secret=secret, now=datetime.now(UTC)
        )
    with database.session_factory() as session:
        principal = resolve_bearer_token(session, token=token, now=datetime.now(UTC))
    assert principal is not None
    assert (principal.kind, principal.name, principal.read_only) == ("client", "billing", True)


def test_a_second_client_with_the_same_id_exits_4(cli: Cli) -> None:
    cli("clients", "create", "billing", "--name", "Billing", "--role", "auditor")

    again = cli("clients", "create", "billing", "--name", "Billing", "--role", "auditor")

    assert (again.exit_code, again.stdout, again.stderr) == (
        4,
        "",
        "Error: A client 'billing' already exists\n  - client_id: must be unique\n",
    )
