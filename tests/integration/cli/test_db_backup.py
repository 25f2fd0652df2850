"""``salesdev db backup``: a consistent copy of the SQLite database, taken while others write."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from tests.conftest import Database
from tests.integration.cli.conftest import Cli

REGIONS = "code,name,parent_code\nNORTH,North,\nSOUTH,South,\n"


@pytest.fixture
def sqlite_only(database: Database) -> None:
    if database.backend != "sqlite":
        pytest.skip("backs up the embedded SQLite database")


def _import_regions(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(REGIONS, encoding="utf-8")
    assert cli("import", "regions", str(path)).exit_code == 0


def _rows(path: Path, tables: list[str]) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as connection:
        return {
            table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in tables
        }


@pytest.mark.usefixtures("sqlite_only")
def test_backup_copies_every_committed_row_while_a_write_is_in_progress(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    _import_regions(cli, tmp_path)
    source = Path(str(database.engine.url.database))
    tables = inspect(database.engine).get_table_names()
    target = tmp_path / "backups" / "salesdev.db"

    # As a running server would: a write transaction open while the copy is taken.
    with database.engine.connect() as writer:
        writer.execute(text("UPDATE region SET name = 'Half-written' WHERE code = 'NORTH'"))
        result = cli("db", "backup", str(target))
        writer.rollback()

    assert result.exit_code == 0, result.stderr
    size = target.stat().st_size
    # Sizes of a mebibyte and more are printed in MiB with one decimal, smaller ones in KiB.
    shown = f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KiB"
    assert result.stdout == (
        f"Backed up {source} to {target} ({shown}).\n"
        f"The sales-event store ({tmp_path / 'var' / 'events'}) is not in this file: "
        "copy it as well.\n"
    )
    assert _rows(target, tables) == _rows(source, tables)
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT code, name FROM region ORDER BY code").fetchall() == [
            ("NORTH", "North"),
            ("SOUTH", "South"),
        ]
        # One self-contained file: no write-ahead log to carry along.
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert sorted(p.name for p in target.parent.iterdir()) == ["salesdev.db"]


@pytest.mark.usefixtures("sqlite_only")
def test_the_backup_opens_as_a_salesdev_database(cli: Cli, tmp_path: Path) -> None:
    _import_regions(cli, tmp_path)
    target = tmp_path / "copy.db"
    cli("db", "backup", str(target))
    restored = Cli({"SALESDEV_DATABASE_URL": f"sqlite:///{target}"})

    assert restored("db", "check").exit_code == 0
    assert restored("export", "regions", str(tmp_path / "out.csv")).stdout == (
        f"Exported 2 rows of regions to {tmp_path / 'out.csv'} (csv).\n"
    )


@pytest.mark.usefixtures("sqlite_only")
def test_an_existing_file_is_kept_unless_forced(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "salesdev-backup.db"
    target.write_bytes(b"last week's backup")

    refused = cli("db", "backup", str(target))
    kept = target.read_bytes()
    forced = cli("db", "backup", str(target), "--force")

    assert (refused.exit_code, refused.stdout, refused.stderr) == (
        4,
        "",
        f"Error: {target} already exists; give --force to replace it\n",
    )
    assert kept == b"last week's backup"
    assert forced.exit_code == 0
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA quick_check").fetchone() == ("ok",)


@pytest.mark.usefixtures("sqlite_only")
def test_the_database_cannot_be_backed_up_onto_itself(cli: Cli, database: Database) -> None:
    source = str(database.engine.url.database)

    result = cli("db", "backup", source, "--force")

    assert (result.exit_code, result.stderr) == (
        3,
        f"Error: Cannot back up the database onto itself\n  - FILE: {source}\n",
    )


def test_on_postgresql_it_points_to_pg_dump(cli: Cli, database: Database, tmp_path: Path) -> None:
    if database.backend != "postgresql":
        pytest.skip("PostgreSQL is backed up with its own tools")

    result = cli("db", "backup", str(tmp_path / "backup.db"))

    assert (result.exit_code, result.stderr) == (
        4,
        "Error: salesdev db backup copies the embedded SQLite database; this database is "
        "postgresql: back it up with pg_dump, e.g. "
        "`pg_dump --format=custom --file=salesdev.dump DBNAME` (restore with pg_restore)\n",
    )
    assert not (tmp_path / "backup.db").exists()
