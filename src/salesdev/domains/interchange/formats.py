"""Reading and writing bulk files: CSV (UTF-8, header row), JSON (array or JSON Lines), Parquet.

Readers yield raw records numbered from 1 (and the line where a record starts, for
text formats); the typing of cells is the columns' business.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.domains.interchange.columns import Column

FileFormat = Literal["csv", "json", "jsonl", "parquet"]
FILE_FORMATS: tuple[FileFormat, ...] = ("csv", "json", "jsonl", "parquet")

_BY_SUFFIX: dict[str, FileFormat] = {
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_PARQUET_BATCH = 10_000


@dataclass(frozen=True)
class RawRecord:
    row: int
    line: int | None
    values: dict[str, Any]

    @property
    def location(self) -> str:
        return f"row {self.row}" if self.line is None else f"row {self.row} (line {self.line})"


@dataclass
class RawTable:
    """``columns`` is the file's header (CSV, Parquet); ``None`` when each record names its own."""

    columns: list[str] | None
    records: list[RawRecord]
    problems: list[ErrorDetail] = field(default_factory=list)


def resolve_format(path: Path, explicit: str | None) -> FileFormat:
    if explicit is not None:
        if explicit not in FILE_FORMATS:
            raise InvalidInput(
                "Unknown file format",
                [
                    ErrorDetail(
                        "format", f"expected one of {', '.join(FILE_FORMATS)}, got {explicit!r}"
                    )
                ],
            )
        return explicit
    found = _BY_SUFFIX.get(path.suffix.lower())
    if found is None:
        raise InvalidInput(
            f"Cannot tell the format of {path.name} from its extension",
            [ErrorDetail("format", "name it .csv, .json, .jsonl or .parquet, or give the format")],
        )
    return found


def read_table(path: Path, *, format: FileFormat, columns: Sequence[Column]) -> RawTable:
    if format == "parquet":
        return _read_parquet(path, columns)
    text = _read_utf8(path)
    if format == "csv":
        return _read_csv(text)
    return _read_json(text)


def write_table(
    path: Path, *, format: FileFormat, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]
) -> int:
    """Write ``rows`` (typed values by column name); returns how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "csv":
        return _write_csv(path, columns, rows)
    if format == "parquet":
        return _write_parquet(path, columns, rows)
    return _write_json(path, columns, rows, lines=format == "jsonl")


# --- readers ---------------------------------------------------------------------------


def _read_utf8(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InvalidInput(
            f"{path.name} is not UTF-8 text",
            [ErrorDetail(f"line {line}", f"byte {error.start + 1} of the file is not valid UTF-8")],
        ) from None


def _read_csv(text: str) -> RawTable:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise InvalidInput("Unreadable CSV", [ErrorDetail("line 1", str(error))]) from None
    if not header or not any(name.strip() for name in header):
        raise InvalidInput("The file is empty", [ErrorDetail("line 1", "expected a header row")])
    names = [name.strip() for name in header]
    table = RawTable(columns=names, records=[])
    row = 0
    line_before = reader.line_num
    try:
        for cells in reader:
            start = line_before + 1
            line_before = reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # a blank line is not a record
            row += 1
            if len(cells) != len(names):
                table.problems.append(
                    ErrorDetail(
                        f"row {row} (line {start})",
                        f"{len(cells)} values but the header has {len(names)} columns",
                    )
                )
                continue
            table.records.append(RawRecord(row, start, dict(zip(names, cells, strict=True))))
    except csv.Error as error:
        raise InvalidInput(
            "Unreadable CSV", [ErrorDetail(f"line {reader.line_num}", str(error))]
        ) from None
    return table


def _read_json(text: str) -> RawTable:
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as error:
            raise InvalidInput(
                "Invalid JSON",
                [ErrorDetail(f"line {error.lineno}", f"column {error.colno}: {error.msg}")],
            ) from None
        return _json_records(enumerate(items, start=1), with_lines=False)
    parsed: list[tuple[int, Any]] = []
    problems: list[ErrorDetail] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            parsed.append((number, json.loads(line, parse_float=Decimal)))
        except json.JSONDecodeError as error:
            problems.append(ErrorDetail(f"line {number}", f"invalid JSON: {error.msg}"))
    if problems:
        raise InvalidInput("Invalid JSON Lines", problems)
    return _json_records(iter(parsed), with_lines=True)


def _json_records(items: Iterator[tuple[int, Any]], *, with_lines: bool) -> RawTable:
    table = RawTable(columns=None, records=[])
    for row, (position, item) in enumerate(items, start=1):
        line = position if with_lines else None
        record = RawRecord(row, line, {})
        if not isinstance(item, dict):
            table.problems.append(
                ErrorDetail(record.location, f"expected an object, got {type(item).__name__}")
            )
            continue
        table.records.append(RawRecord(row, line, item))
    return table


def _read_parquet(path: Path, columns: Sequence[Column]) -> RawTable:
    try:
        arrow = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise InvalidInput(
            f"{path.name} is not a readable Parquet file", [ErrorDetail("file", str(error))]
        ) from None
    by_name = {column.name: column for column in columns}
    problems: list[ErrorDetail] = []
    for arrow_field in arrow.schema:
        column = by_name.get(arrow_field.name)
        if (
            column is not None
            and column.type in ("decimal", "int")
            and pa.types.is_floating(arrow_field.type)
        ):
            # A double cannot hold most decimal amounts exactly: refuse rather than round.
            problems.append(
                ErrorDetail(
                    f"column '{arrow_field.name}'",
                    f"is {arrow_field.type}; floating-point numbers are refused for "
                    f"{'amounts' if column.type == 'decimal' else 'whole numbers'}, "
                    "write them as decimal strings or DECIMAL",
                )
            )
    if problems:
        raise InvalidInput(f"{path.name} has columns of the wrong type", problems)
    records = [
        RawRecord(row, None, values) for row, values in enumerate(arrow.to_pylist(), start=1)
    ]
    return RawTable(columns=list(arrow.column_names), records=records)


# --- writers ---------------------------------------------------------------------------


def _write_csv(path: Path, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.name for column in columns])
        for row in rows:
            writer.writerow([column.to_text(row.get(column.name)) for column in columns])
            count += 1
    return count


def _write_json(
    path: Path, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], *, lines: bool
) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        if not lines:
            handle.write("[")
        for row in rows:
            item = {column.name: column.to_json(row.get(column.name)) for column in columns}
            text = json.dumps(item, ensure_ascii=False)
            if lines:
                handle.write(text + "\n")
            else:
                handle.write(("\n  " if count == 0 else ",\n  ") + text)
            count += 1
        if not lines:
            handle.write("\n]\n" if count else "]\n")
    return count


_ARROW_TYPES = {
    "str": pa.string(),
    "int": pa.int64(),
    "decimal": pa.string(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "bool": pa.bool_(),
    "uuid": pa.string(),
}


def _write_parquet(path: Path, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> int:
    schema = pa.schema([pa.field(column.name, _ARROW_TYPES[column.type]) for column in columns])
    count = 0
    batch: list[dict[str, Any]] = []
    with pq.ParquetWriter(path, schema) as writer:
        for row in rows:
            batch.append(
                {column.name: _arrow_value(column, row.get(column.name)) for column in columns}
            )
            if len(batch) == _PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def _arrow_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.type in ("decimal", "uuid"):
        return str(value)
    return value
