"""``salesdev db``: a database not at head is refused until it is upgraded."""

from __future__ import annotations

from salesdev.db.migrate import head_revision
from tests.integration.cli.conftest import Cli

NOT_MIGRATED = (
    "Error: The database is not migrated to the current schema "
    f"(it is at no revision, the code needs {head_revision()}); run `salesdev db upgrade` first\n"
)


def test_check_fails_on_a_database_that_is_not_migrated(fresh_cli: Cli) -> None:
    result = fresh_cli("db", "check")

    assert (result.exit_code, result.stderr) == (4, NOT_MIGRATED)


def test_upgrade_brings_a_new_database_to_head_and_check_passes(fresh_cli: Cli) -> None:
    head = head_revision()

    current_before = fresh_cli("db", "current")
    upgraded = fresh_cli("db", "upgrade")
    again = fresh_cli("db", "upgrade")
    checked = fresh_cli("db", "check")
    current_after = fresh_cli("db", "current")

    assert current_before.stdout == (
        f"current: none\nhead: {head}\n(behind head: run `salesdev db upgrade`)\n"
    )
    assert (upgraded.exit_code, upgraded.stdout) == (
        0,
        f"Migrated the database from an empty schema to {head}.\n",
    )
    assert again.stdout == f"The database is already at head ({head}).\n"
    assert (checked.exit_code, checked.stdout) == (
        0,
        f"The database is at head ({head}) and matches the models.\n",
    )
    assert current_after.stdout == f"current: {head}\nhead: {head}\n(at head)\n"


def test_check_passes_on_the_test_database(cli: Cli) -> None:
    assert cli("db", "check").exit_code == 0


def test_serve_refuses_a_database_that_is_not_migrated(fresh_cli: Cli) -> None:
    result = fresh_cli("serve", "--port", "8999")

    assert (result.exit_code, result.stderr) == (4, NOT_MIGRATED)


def test_other_commands_refuse_a_database_that_is_not_migrated(fresh_cli: Cli) -> None:
    result = fresh_cli("jobs", "list")

    assert (result.exit_code, result.stderr) == (4, NOT_MIGRATED)
