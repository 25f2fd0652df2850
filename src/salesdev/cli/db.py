"""``salesdev db``: schema migrations."""

from __future__ import annotations

import typer

from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.core.errors import ErrorDetail, RuleViolation
from salesdev.db.migrate import current_revision, head_revision, pending_model_changes, upgrade

app = typer.Typer(help="Database schema: migrate and check.", no_args_is_help=True)


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
