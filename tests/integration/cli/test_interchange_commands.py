"""``salesdev import / export / datasets``: exit codes and messages a script can rely on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from salesdev.db.models import AuditEvent, Region
from tests.conftest import Database
from tests.integration.cli.conftest import Cli

REGIONS = "code,name,parent_code\nNORTH,North,\nNORTH-CITY,North city,NORTH\n"


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _regions(database: Database) -> int:
    with database.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Region)) or 0


def test_import_writes_the_rows_and_says_how_many(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    result = cli("import", "regions", str(_file(tmp_path, "regions.csv", REGIONS)))

    assert (result.exit_code, result.stdout) == (
        0,
        "Imported 2 rows of regions.csv into regions: 2 created, 0 updated.\n",
    )
    assert _regions(database) == 2


def test_a_dry_run_checks_everything_and_writes_nothing(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    result = cli("import", "regions", str(_file(tmp_path, "regions.csv", REGIONS)), "--dry-run")

    assert (result.exit_code, result.stdout) == (
        0,
        "Dry run: all 2 rows of regions.csv are valid for regions "
        "(2 would be created, 0 updated); nothing was written.\n",
    )
    assert _regions(database) == 0


def test_a_file_with_errors_exits_3_lists_every_row_and_writes_nothing(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    text = "code,name,parent_code\nNORTH,North,\nSOUTH,,\nWEST,West,EAST\n"

    result = cli("import", "regions", str(_file(tmp_path, "regions.csv", text)))

    assert result.exit_code == 3
    assert result.stderr == (
        "Error: regions.csv: 2 error(s) for dataset regions; nothing was imported\n"
        "  - row 2 (line 3): column 'name': a value is required\n"
        "  - row 3 (line 4): column 'parent_code': no region with code 'EAST'\n"
    )
    assert _regions(database) == 0


def test_an_unknown_dataset_exits_4(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", "dealers", str(_file(tmp_path, "d.csv", "code\n")))

    assert result.exit_code == 4
    assert result.stderr.startswith(
        "Error: Unknown dataset 'dealers'\n  - dataset: known datasets: "
    )


def test_a_missing_file_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    assert cli("import", "regions", str(tmp_path / "nope.csv")).exit_code == 2


def test_a_file_of_unknown_format_exits_3(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", "regions", str(_file(tmp_path, "regions.txt", REGIONS)))

    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        3,
        "Error: Cannot tell the format of regions.txt from its extension",
    )


def test_export_then_import_round_trips_in_every_format(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    cli("import", "regions", str(_file(tmp_path, "regions.csv", REGIONS)))

    for fmt in ("csv", "json", "parquet"):
        out = tmp_path / f"out-{fmt}.data"
        exported = cli("export", "regions", str(out), "--format", fmt)
        imported = cli("import", "regions", str(out), "--format", fmt)

        assert (exported.exit_code, exported.stdout) == (
            0,
            f"Exported 2 rows of regions to {out} ({fmt}).\n",
        )
        assert imported.stdout == (
            f"Imported 2 rows of {out.name} into regions: 0 created, 2 updated.\n"
        )
    assert _regions(database) == 2


def test_datasets_lists_every_dataset_with_its_columns(cli: Cli) -> None:
    result = cli("datasets")

    assert result.exit_code == 0
    for name in (
        "regions",
        "product_families",
        "product_offerings",
        "sales_channels",
        "partners",
        "outlets",
        "sales_people",
        "customers",
        "premises",
    ):
        assert f"{name}:" in result.stdout
    assert "channel_code" in result.stdout and "family_code" in result.stdout


def test_an_import_is_audited_as_the_operating_system_user(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    cli("import", "regions", str(_file(tmp_path, "regions.csv", REGIONS)))

    with database.session_factory() as session:
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.sequence)))
    assert [(e.actor, e.action, e.object_type) for e in events] == [
        ("cli:operator", "create", "region"),
        ("cli:operator", "create", "region"),
    ]


def test_a_dry_run_leaves_no_audit_event(cli: Cli, database: Database, tmp_path: Path) -> None:
    cli("import", "regions", str(_file(tmp_path, "regions.csv", REGIONS)), "--dry-run")

    with database.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
