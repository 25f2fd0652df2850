"""``salesdev audit``: verify exits 5 at the first broken link; list reads the trail."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, text

from salesdev.db.models import AuditEvent
from tests.conftest import Database
from tests.integration.cli.conftest import Cli

REGIONS = "code,name,parent_code\nNORTH,North,\nSOUTH,South,\n"


def _import_regions(cli: Cli, tmp_path: Path, text: str = REGIONS) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(text, encoding="utf-8")
    assert cli("import", "regions", str(path)).exit_code == 0


def _tamper(database: Database, statement: str) -> None:
    # As an attacker with database rights would: around the append-only trigger.
    with database.engine.begin() as conn:
        if database.backend == "sqlite":
            conn.execute(text("DROP TRIGGER audit_event_no_update"))
            conn.execute(text("DROP TRIGGER audit_event_no_delete"))
            conn.execute(text(statement))
        else:
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
            conn.execute(text(statement))
            # The PostgreSQL schema is shared by the tests of this process: put the guard back.
            conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))


def test_verify_reports_an_intact_trail_with_its_length(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    _import_regions(cli, tmp_path)

    result = cli("audit", "verify")

    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "audit trail intact: 2 events\n",
        "",
    )


def test_verify_on_an_empty_trail_is_intact(cli: Cli) -> None:
    assert cli("audit", "verify").stdout == "audit trail intact: 0 events\n"


def test_verify_exits_5_at_the_first_edited_event(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    _import_regions(cli, tmp_path, REGIONS + "EAST,East,\n")
    _tamper(database, "UPDATE audit_event SET actor = 'cli:nobody' WHERE sequence = 2")

    result = cli("audit", "verify")

    assert (result.exit_code, result.stdout, result.stderr) == (
        5,
        "",
        "audit trail broken at event 2: content does not match its hash\n",
    )


def test_verify_exits_5_when_the_last_events_were_removed(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    _import_regions(cli, tmp_path)
    _tamper(database, "DELETE FROM audit_event WHERE sequence = 2")

    result = cli("audit", "verify")

    assert (result.exit_code, result.stderr) == (
        5,
        "audit trail broken at event 2: events after the last one present were removed\n",
    )


def test_list_shows_the_newest_events_first_and_filters(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    _import_regions(cli, tmp_path)
    _import_regions(cli, tmp_path, "code,name,parent_code\nNORTH,North and islands,\n")
    with database.session_factory() as session:
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.sequence)))
    when = events[0].occurred_at.strftime("%Y-%m-%d %H:%M:%S")
    north = events[0].object_id

    updates = cli("audit", "list", "--action", "update")
    everything = cli("audit", "list", "--actor", "cli:operator", "--object-type", "region")
    last = cli("audit", "list", "--limit", "1")
    nobody = cli("audit", "list", "--actor", "user:nobody")

    assert updates.stdout == (
        "1 of 1 events\n"
        "SEQUENCE  OCCURRED (UTC)       ACTOR         ACTION  "
        + "OBJECT".ljust(len(f"region {north}"))
        + "  CHANGED\n"
        f"3         {events[2].occurred_at.strftime('%Y-%m-%d %H:%M:%S')}  cli:operator  "
        f"update  region {north}  name\n"
    )
    assert [line.split()[0] for line in everything.stdout.splitlines()[1:]] == [
        "SEQUENCE",
        "3",
        "2",
        "1",
    ]
    assert everything.stdout.splitlines()[0] == "3 of 3 events"
    assert when in everything.stdout
    assert last.stdout.splitlines()[0] == "1 of 3 events"
    assert nobody.stdout == "0 of 0 events\n"


def test_list_with_an_invalid_limit_is_a_usage_error(cli: Cli, database: Database) -> None:
    result = cli("audit", "list", "--limit", "0")

    assert result.exit_code == 2
    with database.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
