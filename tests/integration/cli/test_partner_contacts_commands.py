"""``salesdev partners contacts list|add``: exact output, exit codes, audit as the operator."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from salesdev.db.models import AuditEvent, PartnerContact
from salesdev.db.session import unit_of_work
from tests.conftest import Database
from tests.integration.authorisation import builders as b
from tests.integration.cli.conftest import Cli


@pytest.fixture
def world(database: Database) -> dict[str, Any]:
    with unit_of_work(database.session_factory) as session:
        dealers = b.channel(session, "DEALERS")
        acme = b.partner(session, "ACME", dealers.id)
        b.partner(session, "RIVAL", dealers.id)
        return {"acme": acme.id}


def contacts(database: Database) -> list[tuple[str, str, str, str | None, bool]]:
    with database.session_factory() as session:
        rows = session.scalars(select(PartnerContact).order_by(PartnerContact.name)).all()
        return [(c.name, c.role, c.email, c.phone, c.is_primary) for c in rows]


def test_contacts_are_added_and_listed_primary_first(
    cli: Cli, world: Any, database: Database
) -> None:
    added = cli(
        "partners", "contacts", "add", "ACME",
        "--name", "Zoe Adler", "--role", "sales", "--email", "zoe@acme.example",
    )  # fmt: skip
    assert (added.exit_code, added.stdout) == (
        0,
        "Added sales contact Zoe Adler <zoe@acme.example> to ACME\n",
    )
    primary = cli(
        "partners", "contacts", "add", "ACME", "--name", "Bo Lind", "--role", "finance",
        "--email", "bo@acme.example", "--phone", "+49 30 1234567", "--primary",
    )  # fmt: skip
    assert (primary.exit_code, primary.stdout) == (
        0,
        "Added finance contact Bo Lind <bo@acme.example> to ACME (primary)\n",
    )
    listed = cli("partners", "contacts", "list", "ACME")
    assert (listed.exit_code, listed.stdout.splitlines()) == (
        0,
        [
            "2 contacts of ACME",
            "NAME       ROLE     EMAIL             PHONE           PRIMARY",
            "Bo Lind    finance  bo@acme.example   +49 30 1234567  yes",
            "Zoe Adler  sales    zoe@acme.example  -               no",
        ],
    )
    assert cli("partners", "contacts", "list", "RIVAL").stdout == "0 contacts of RIVAL\n"
    with database.session_factory() as session:
        audited = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.object_type == "partner_contact")
        ).all()
    assert audited == ["cli:operator", "cli:operator"]


def test_an_invalid_email_exits_3_and_writes_nothing(
    cli: Cli, world: Any, database: Database
) -> None:
    result = cli(
        "partners", "contacts", "add", "ACME",
        "--name", "Zoe", "--role", "sales", "--email", "zoe-at-acme",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == (
        "Error: Invalid partner contact\n"
        "  - email: expected an e-mail address like name@example.com; got 'zoe-at-acme'\n"
    )
    assert contacts(database) == []


def test_a_second_primary_or_an_unknown_partner_exits_4_and_writes_nothing(
    cli: Cli, world: Any, database: Database
) -> None:
    first = cli(
        "partners", "contacts", "add", "ACME", "--name", "Bo", "--role", "finance",
        "--email", "bo@acme.example", "--primary",
    )  # fmt: skip
    assert first.exit_code == 0
    second = cli(
        "partners", "contacts", "add", "ACME", "--name", "Zoe", "--role", "sales",
        "--email", "zoe@acme.example", "--primary",
    )  # fmt: skip
    assert (second.exit_code, second.stderr) == (
        4,
        "Error: Partner ACME already has a primary contact (Bo)\n"
        "  - is_primary: a partner has one primary contact; unset it first\n",
    )
    unknown = cli("partners", "contacts", "list", "NOPE")
    assert (unknown.exit_code, unknown.stderr) == (4, "Error: No partner with code 'NOPE'\n")
    assert contacts(database) == [("Bo", "finance", "bo@acme.example", None, True)]
