"""Bulk import: read, check every row, resolve codes in bulk, then write all rows or none.

Errors of the whole file are collected (up to a limit) and raised together as one
InvalidInput, each located by row number and, for text files, line number. Nothing is
written when any row is wrong: checks run before the first write, and a row the
domain service still refuses fails the whole import, whose transaction the caller
then rolls back (the entrypoint owns the transaction).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, RuleViolation, SalesdevError
from salesdev.core.periods import require_aware
from salesdev.domains.interchange.columns import CellError
from salesdev.domains.interchange.datasets import Dataset, get_dataset
from salesdev.domains.interchange.formats import RawRecord, RawTable, read_table, resolve_format

MAX_ERRORS = 100
# ``progress(done, total, message)``: the job runner and the CLI show how far an import got.
ProgressCallback = Callable[[int, int | None, str], None]
# Writing reports progress about this many times over a file, whatever its size.
_PROGRESS_STEPS = 100


def _no_progress(done: int, total: int | None, message: str) -> None:
    pass


@dataclass(frozen=True)
class ImportResult:
    dataset: str
    rows: int
    created: int
    updated: int


class _TooManyErrors(Exception):
    pass


@dataclass
class _Errors:
    limit: int
    details: list[ErrorDetail] = field(default_factory=list)

    def add(self, location: str, message: str) -> None:
        self.details.append(ErrorDetail(location, message))
        if len(self.details) >= self.limit:
            raise _TooManyErrors

    def extend(self, details: list[ErrorDetail]) -> None:
        for detail in details:
            self.add(detail.location, detail.message)


@dataclass
class _Row:
    record: RawRecord
    values: dict[str, Any]

    @property
    def location(self) -> str:
        return self.record.location


def import_file(
    session: Session,
    *,
    dataset: str,
    path: Path,
    format: str | None = None,
    now: datetime,
    max_errors: int = MAX_ERRORS,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    chosen = get_dataset(dataset)
    _require_importable(chosen)
    file_format = resolve_format(path, format)
    if not path.is_file():
        raise InvalidInput("No such file", [ErrorDetail("file", str(path))])
    report = progress or _no_progress
    report(0, None, f"reading {path.name}")
    table = read_table(path, format=file_format, columns=chosen.columns)
    return import_table(
        session,
        dataset=chosen,
        table=table,
        now=now,
        max_errors=max_errors,
        source=path.name,
        progress=report,
    )


def import_table(
    session: Session,
    *,
    dataset: Dataset,
    table: RawTable,
    now: datetime,
    max_errors: int = MAX_ERRORS,
    source: str = "the file",
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Check every row, then write them all; ``progress`` hears of the checking and of
    every hundredth of the rows written."""
    require_aware(now, location="now")
    _require_importable(dataset)
    errors = _Errors(limit=max_errors)
    try:
        result = _import(session, dataset, table, now, errors, progress or _no_progress)
    except _TooManyErrors:
        result = None
    if errors.details:
        details = list(errors.details)
        truncated = len(details) >= max_errors
        if truncated:
            details.append(ErrorDetail("", f"stopped after the first {max_errors} errors"))
        count = f"at least {len(errors.details)}" if truncated else str(len(errors.details))
        raise InvalidInput(
            f"{source}: {count} error(s) for dataset {dataset.name}; nothing was imported",
            details,
        )
    assert result is not None
    return result


def _require_importable(dataset: Dataset) -> None:
    if not dataset.importable:
        raise RuleViolation(
            f"Dataset {dataset.name} can be exported but not imported",
            [ErrorDetail("dataset", dataset.import_refusal)] if dataset.import_refusal else [],
        )


def _import(
    session: Session,
    dataset: Dataset,
    table: RawTable,
    now: datetime,
    errors: _Errors,
    progress: ProgressCallback,
) -> ImportResult | None:
    total = len(table.records) + len(table.problems)
    progress(0, total, f"checking {total} row{'' if total == 1 else 's'}")
    _check_header(dataset, table)
    errors.extend(table.problems)
    rows = _parse_rows(dataset, table, errors)
    _check_unique_keys(dataset, rows, errors)
    existing = _existing_ids(session, dataset, rows)
    references = _resolve_references(session, dataset, rows, errors)
    ordered = _parents_first(dataset, rows, errors)
    if dataset.check_rows is not None and rows:
        errors.extend(dataset.check_rows([(row.location, row.values) for row in rows]))
    if errors.details:
        return None
    if dataset.write_order is not None:
        write_order = dataset.write_order
        ordered = sorted(ordered, key=lambda row: write_order(row.values))
    assert dataset.import_row is not None
    keepalive = None
    if dataset.preload is not None:
        ids_by_kind: dict[str, set[uuid.UUID]] = {}
        for kind, found in references.items():
            ids_by_kind.setdefault(kind, set()).update(found.values())
        ids_by_kind.setdefault(dataset.kind, set()).update(existing.values())
        keepalive = dataset.preload(session, ids_by_kind=ids_by_kind)
    created = updated = 0
    own_ids = dict(existing)
    step = max(1, len(ordered) // _PROGRESS_STEPS)
    for number, row in enumerate(ordered, start=1):
        key = _key(dataset, row)
        values = _domain_values(dataset, row, references, own_ids)
        try:
            record_id = dataset.import_row(
                session,
                values=values,
                existing_id=None if key is None else existing.get(key),
                now=now,
            )
        except SalesdevError as error:
            _report_refusal(dataset, row, error, errors)
            continue
        if key is not None:
            own_ids[key] = record_id
        if key is not None and key in existing:
            updated += 1
        else:
            created += 1
        if number % step == 0 or number == len(ordered):
            progress(number, len(ordered), f"writing rows: {number} of {len(ordered)}")
    del keepalive
    return ImportResult(dataset=dataset.name, rows=len(rows), created=created, updated=updated)


def _check_header(dataset: Dataset, table: RawTable) -> None:
    """A wrong header makes every row wrong: report it alone, once."""
    if table.columns is None:
        return
    known = [column.name for column in dataset.columns]
    details = [
        ErrorDetail("header", f"unknown column '{name}'; expected columns: {', '.join(known)}")
        for name in table.columns
        if name not in known
    ]
    seen: set[str] = set()
    for name in table.columns:
        if name in seen:
            details.append(ErrorDetail("header", f"column '{name}' appears more than once"))
        seen.add(name)
    details += [
        ErrorDetail("header", f"missing required column '{column.name}'")
        for column in dataset.columns
        if column.required and column.name not in table.columns
    ]
    if details:
        raise InvalidInput(f"The columns do not match dataset {dataset.name}", details)


def _parse_rows(dataset: Dataset, table: RawTable, errors: _Errors) -> list[_Row]:
    rows: list[_Row] = []
    for record in table.records:
        values: dict[str, Any] = {}
        ok = True
        for name in record.values:
            if dataset.column(name) is None:
                errors.add(record.location, f"unknown column '{name}'")
                ok = False
        for column in dataset.columns:
            if column.name not in record.values:
                if column.required:
                    errors.add(record.location, f"column '{column.name}': a value is required")
                    ok = False
                continue
            try:
                values[column.name] = column.parse(record.values[column.name])
            except CellError as error:
                errors.add(record.location, f"column '{column.name}': {error}")
                ok = False
        if ok:
            rows.append(_Row(record, values))
    return rows


def _key(dataset: Dataset, row: _Row) -> str | None:
    return None if dataset.key_column is None else str(row.values[dataset.key_column])


def _check_unique_keys(dataset: Dataset, rows: list[_Row], errors: _Errors) -> None:
    if dataset.key_column is None:
        return
    first: dict[str, _Row] = {}
    for row in rows:
        key = row.values[dataset.key_column]
        if key in first:
            errors.add(
                row.location,
                f"column '{dataset.key_column}': {key!r} also appears in {first[key].location}",
            )
        else:
            first[key] = row


def _existing_ids(session: Session, dataset: Dataset, rows: list[_Row]) -> dict[str, uuid.UUID]:
    if dataset.key_column is None:
        return {}
    keys = {row.values[dataset.key_column] for row in rows}
    return dict(dataset.resolve_codes(session, kind=dataset.kind, codes=keys)) if keys else {}


def _resolve_references(
    session: Session, dataset: Dataset, rows: list[_Row], errors: _Errors
) -> dict[str, dict[str, uuid.UUID]]:
    """One lookup per referenced kind for the whole file."""
    wanted: dict[str, set[str]] = {}
    for reference in dataset.references:
        codes = wanted.setdefault(reference.kind, set())
        codes.update(
            row.values[reference.column] for row in rows if row.values.get(reference.column)
        )
    found = {
        kind: dict(dataset.resolve_codes(session, kind=kind, codes=codes)) if codes else {}
        for kind, codes in wanted.items()
    }
    keys_in_file = {_key(dataset, row) for row in rows} - {None}
    for row in rows:
        for reference in dataset.references:
            code = row.values.get(reference.column)
            if not code or code in found[reference.kind]:
                continue
            if reference.kind == dataset.kind and code in keys_in_file:
                continue  # created by another row of this file, which is written first
            errors.add(
                row.location,
                f"column '{reference.column}': no {reference.label} with code {code!r}",
            )
    return found


def _parents_first(dataset: Dataset, rows: list[_Row], errors: _Errors) -> list[_Row]:
    """Order rows so that a row referring to another row of the same file comes after it."""
    own = [r for r in dataset.references if r.kind == dataset.kind]
    if not own or dataset.key_column is None:
        return rows
    key_column = dataset.key_column
    by_key = {row.values[key_column]: row for row in rows}
    ordered: list[_Row] = []
    state: dict[str, str] = {}  # key -> "visiting" | "done"

    def visit(row: _Row, path: list[str]) -> None:
        key = row.values[key_column]
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            cycle = " -> ".join([*path[path.index(key) :], key])
            errors.add(row.location, f"column '{own[0].column}': the rows form a cycle ({cycle})")
            return
        state[key] = "visiting"
        for reference in own:
            parent = by_key.get(row.values.get(reference.column) or "")
            if parent is not None and parent is not row:
                visit(parent, [*path, key])
            elif parent is row:
                errors.add(
                    row.location, f"column '{reference.column}': a record cannot refer to itself"
                )
        state[key] = "done"
        ordered.append(row)

    for row in rows:
        visit(row, [])
    return ordered


def _domain_values(
    dataset: Dataset,
    row: _Row,
    references: Mapping[str, Mapping[str, uuid.UUID]],
    own_ids: Mapping[str, uuid.UUID],
) -> dict[str, Any]:
    by_column = {reference.column: reference for reference in dataset.references}
    values: dict[str, Any] = {}
    for name, value in row.values.items():
        reference = by_column.get(name)
        if reference is None:
            values[name] = value
        elif value is None:
            values[reference.field] = None
        elif reference.kind == dataset.kind and value in own_ids:
            values[reference.field] = own_ids[value]
        else:
            values[reference.field] = references[reference.kind][value]
    return values


def _report_refusal(dataset: Dataset, row: _Row, error: SalesdevError, errors: _Errors) -> None:
    """Say which column the domain refused, in the file's own column names."""
    columns = {reference.field: reference.column for reference in dataset.references}
    if not error.details:
        errors.add(row.location, error.message)
    for detail in error.details:
        name = columns.get(detail.location, detail.location)
        if dataset.column(name) is not None:
            errors.add(row.location, f"column '{name}': {detail.message}")
        else:
            errors.add(row.location, f"{error.message}: {detail}")
