"""``salesdev db``: schema migrations and backups."""

from __future__ import annotations

from pathlib import Path

import typer

from salesdev.cli.backup import backup_sqlite
from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.core.errors import ErrorDetail, RuleViolation
from salesdev.db.migrate import current_revision, head_revision, pending_model_changes, upgrade

app = typer.Typer(help="The database: migrate, check, back up.", no_args_is_help=True)


@app.command("upgrade")
@reports_errors
def upgrade_command() -> None:
    """Migrate the database to the newest schema (head)."""
    with open_runtime() as runtime:
        before = current_revision(runtime.engine)
        upgrade(runtime.engine)
        after = current_revision(runtime.engine)
    if before == after:
        typer.echo(f"The database is already at head ({after}).")
    else:
        typer.echo(f"Migrated the database from {before or 'an empty schema'} to {after}.")


@app.command("current")
@reports_errors
def current_command() -> None:
    """Show the database's schema revision and the head revision of this version."""
    with open_runtime() as runtime:
        current = current_revision(runtime.engine)
    head = head_revision()
    state = "at head" if current == head else "behind head: run `salesdev db upgrade`"
    typer.echo(f"current: {current or 'none'}\nhead: {head}\n({state})")


@app.command("check")
@reports_errors
def check_command() -> None:
    """Exit non-zero unless the database is at head and the models match the migrations."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        drift = pending_model_changes(runtime.engine)
    if drift:
        raise RuleViolation(
            "The models differ from the migrations; generate a migration for these changes",
            [ErrorDetail("model", repr(change)) for change in drift],
        )
    typer.echo(f"The database is at head ({head_revision()}) and matches the models.")


@app.command("backup")
@reports_errors
def backup_command(
    file: Path = typer.Argument(..., help="The backup file to write.", dir_okay=False),
    force: bool = typer.Option(False, "--force", help="Replace FILE if it exists."),
) -> None:
    """Copy the SQLite database to FILE, consistently, even while the server runs.

    On PostgreSQL, use pg_dump instead. The event store (SALESDEV_DATA_DIR/events) is not in
    the copy: back it up too (docs/cli.md, docs/operations.md).
    """
    with open_runtime() as runtime:
        backup = backup_sqlite(runtime.engine, target=file, force=force)
        events = runtime.settings.event_store_dir
    typer.echo(f"Backed up {backup.source} to {backup.target} ({_size(backup.size_bytes)}).")
    typer.echo(f"The sales-event store ({events}) is not in this file: copy it as well.")


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KiB"
