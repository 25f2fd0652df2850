"""Bulk export: the same columns an import takes, so that export -> import round-trips."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from salesdev.domains.interchange.datasets import get_dataset
from salesdev.domains.interchange.formats import resolve_format, write_table


@dataclass(frozen=True)
class ExportResult:
    dataset: str
    rows: int
    path: Path
    format: str


def export_file(
    session: Session, *, dataset: str, path: Path, format: str | None = None
) -> ExportResult:
    chosen = get_dataset(dataset)
    file_format = resolve_format(path, format)
    count = write_table(
        path, format=file_format, columns=chosen.columns, rows=chosen.export_rows(session)
    )
    return ExportResult(dataset=chosen.name, rows=count, path=path, format=file_format)
