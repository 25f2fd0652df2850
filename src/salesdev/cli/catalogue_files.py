"""``salesdev catalogue import`` and ``salesdev catalogue export``: the whole product
catalogue as one TMF620 JSON file, or as two CSV files (offerings and their prices).

The catalogue is not one of the ``salesdev import`` datasets: an offering comes with its
prices, terms and bundled offerings, written together and in dependency order (see
docs/catalogue.md). An import is all-or-nothing, like every other import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.operator import OPERATOR, audit_as_operator, operator_session
from salesdev.cli.progress import ProgressCallback, progress_bar
from salesdev.domains.interchange import (
    CatalogueImportResult,
    export_catalogue_csv,
    export_catalogue_json,
    import_catalogue_csv,
    import_catalogue_json,
)
from salesdev.runtime import Runtime

FILE_HELP = "A TMF620 JSON file: an array of productOffering objects with their prices."
OFFERINGS_HELP = "The offerings CSV file (with --prices; columns: docs/catalogue.md)."
PRICES_HELP = "The prices CSV file (with --offerings); offering_code joins a price to its offering."


@dataclass(frozen=True)
class Files:
    """Where the catalogue is: one JSON file, or the offerings and prices CSV files."""

    json: Path | None = None
    offerings: Path | None = None
    prices: Path | None = None

    def describe(self) -> str:
        if self.json is not None:
            return self.json.name
        assert self.offerings is not None and self.prices is not None
        return f"{self.offerings.name} and {self.prices.name}"


def files(json: Path | None, offerings: Path | None, prices: Path | None) -> Files:
    """The files the command line names, or a usage error (exit code 2)."""
    if json is not None and (offerings is not None or prices is not None):
        raise typer.BadParameter("Give either a JSON FILE or --offerings and --prices, not both")
    if json is not None:
        return Files(json=json)
    if offerings is None and prices is None:
        raise typer.BadParameter("Give a TMF620 JSON FILE, or --offerings and --prices (CSV)")
    if offerings is None or prices is None:
        raise typer.BadParameter("--offerings and --prices go together")
    return Files(offerings=offerings, prices=prices)


def counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@reports_errors
def import_command(
    file: Path | None = typer.Argument(None, help=FILE_HELP, exists=True, dir_okay=False),
    offerings: Path | None = typer.Option(
        None, "--offerings", help=OFFERINGS_HELP, exists=True, dir_okay=False
    ),
    prices: Path | None = typer.Option(
        None, "--prices", help=PRICES_HELP, exists=True, dir_okay=False
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check every offering and price and report, but write nothing."
    ),
) -> None:
    """Import a catalogue: existing offering codes are updated, others created; any error
    and nothing is written."""
    source = files(file, offerings, prices)
    with open_runtime() as runtime:
        require_current_schema(runtime)
        if dry_run:
            result = _dry_run(runtime, source)
        else:
            now = runtime.clock.now()
            with (
                operator_session(runtime, now=now) as session,
                progress_bar("Importing the catalogue", transient=True) as progress,
            ):
                result = _import(session, source, now=now, progress=progress)
    offerings_and_prices = (
        f"{counted(result.offerings, 'offering')} with {counted(result.prices, 'price')}"
    )
    if dry_run:
        typer.echo(
            f"Dry run: all {offerings_and_prices} of {source.describe()} are valid "
            f"({result.created} would be created, {result.updated} updated); "
            "nothing was written."
        )
    else:
        typer.echo(
            f"Imported {offerings_and_prices} from {source.describe()}: "
            f"{result.created} created, {result.updated} updated."
        )


def _dry_run(runtime: Runtime, source: Files) -> CatalogueImportResult:
    """The import in a transaction that is rolled back: every check a real import makes,
    including those only the writes can make (overlapping prices)."""
    now = runtime.clock.now()
    with runtime.session_factory() as session:
        audit_as_operator(session, now=now)
        with progress_bar("Checking the catalogue", transient=True) as progress:
            result = _import(session, source, now=now, progress=progress)
        session.rollback()
    return result


def _import(
    session: Session, source: Files, *, now: datetime, progress: ProgressCallback
) -> CatalogueImportResult:
    if source.json is not None:
        return import_catalogue_json(
            session, principal=OPERATOR, path=source.json, now=now, progress=progress
        )
    assert source.offerings is not None and source.prices is not None
    return import_catalogue_csv(
        session,
        principal=OPERATOR,
        offerings_path=source.offerings,
        prices_path=source.prices,
        now=now,
        progress=progress,
    )


@reports_errors
def export_command(
    file: Path | None = typer.Argument(
        None, help="The TMF620 JSON file to write (replaced if it exists).", dir_okay=False
    ),
    offerings: Path | None = typer.Option(
        None, "--offerings", help="The offerings CSV file to write.", dir_okay=False
    ),
    prices: Path | None = typer.Option(
        None, "--prices", help="The prices CSV file to write.", dir_okay=False
    ),
) -> None:
    """Export the whole catalogue in the shape its import takes."""
    target = files(file, offerings, prices)
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            if target.json is not None:
                result = export_catalogue_json(session, path=target.json)
            else:
                assert target.offerings is not None and target.prices is not None
                result = export_catalogue_csv(
                    session, offerings_path=target.offerings, prices_path=target.prices
                )
    if target.json is not None:
        typer.echo(
            f"Exported {counted(result.offerings, 'offering')} with "
            f"{counted(result.prices, 'price')} to {target.json} (TMF620 JSON)."
        )
    else:
        typer.echo(
            f"Exported {counted(result.offerings, 'offering')} to {target.offerings} "
            f"and their {counted(result.prices, 'price')} to {target.prices}."
        )
