"""``salesdev import``, ``salesdev export`` and ``salesdev datasets``: bulk files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.operator import audit_as_operator, operator_session
from salesdev.domains.interchange import export_file, import_file, list_datasets


class Format(StrEnum):
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    parquet = "parquet"


DATASET_HELP = "Dataset name (see `salesdev datasets`)."
FORMAT_HELP = "File format; by default taken from the extension (.csv, .json, .jsonl, .parquet)."


@reports_errors
def import_command(
    dataset: str = typer.Argument(..., help=DATASET_HELP),
    file: Path = typer.Argument(..., help="The file to read.", exists=True, dir_okay=False),
    format: Format | None = typer.Option(None, "--format", help=FORMAT_HELP),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check every row and report, but write nothing."
    ),
) -> None:
    """Import a file: every row is checked; any error and nothing is written."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        if dry_run:
            with runtime.session_factory() as session:
                audit_as_operator(session, now=now)
                result = import_file(
                    session, dataset=dataset, path=file, format=_value(format), now=now
                )
                session.rollback()
        else:
            with operator_session(runtime, now=now) as session:
                result = import_file(
                    session, dataset=dataset, path=file, format=_value(format), now=now
                )
    if dry_run:
        typer.echo(
            f"Dry run: all {result.rows} rows of {file.name} are valid for {result.dataset} "
            f"({result.created} would be created, {result.updated} updated); nothing was written."
        )
    else:
        typer.echo(
            f"Imported {result.rows} rows of {file.name} into {result.dataset}: "
            f"{result.created} created, {result.updated} updated."
        )


@reports_errors
def export_command(
    dataset: str = typer.Argument(..., help=DATASET_HELP),
    file: Path = typer.Argument(
        ..., help="The file to write (replaced if it exists).", dir_okay=False
    ),
    format: Format | None = typer.Option(None, "--format", help=FORMAT_HELP),
) -> None:
    """Export a dataset with the columns its import takes."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            result = export_file(session, dataset=dataset, path=file, format=_value(format))
    typer.echo(f"Exported {result.rows} rows of {result.dataset} to {file} ({result.format}).")


@reports_errors
def datasets_command() -> None:
    """List the datasets that can be imported and exported, with their columns."""
    console = Console()
    for dataset in list_datasets():
        table = Table(title=f"{dataset.name}: {dataset.description}", title_justify="left")
        for heading in ("column", "type", "required", "description"):
            table.add_column(heading)
        for column in dataset.columns:
            table.add_row(
                column.name, column.type, "yes" if column.required else "", column.description
            )
        console.print(table)


def _value(format: Format | None) -> str | None:
    return None if format is None else format.value
