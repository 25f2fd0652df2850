"""Readers number the records from 1 and, for text files, give the line each starts on."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from salesdev.core.errors import InvalidInput
from salesdev.domains.interchange.columns import Column
from salesdev.domains.interchange.formats import read_table, resolve_format, write_table

COLUMNS = (Column("code", required=True), Column("amount", "decimal"))


def _locations(path: Path, fmt: str) -> list[tuple[str, dict[str, object]]]:
    table = read_table(path, format=fmt, columns=COLUMNS)  # type: ignore[arg-type]
    return [(r.location, r.values) for r in table.records]


def test_csv_records_know_their_row_and_line(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('code,amount\nA,1\n\nB,"2"\n"C\nD",3\n', encoding="utf-8")

    assert _locations(path, "csv") == [
        ("row 1 (line 2)", {"code": "A", "amount": "1"}),
        ("row 2 (line 4)", {"code": "B", "amount": "2"}),
        ("row 3 (line 5)", {"code": "C\nD", "amount": "3"}),
    ]


def test_a_csv_row_with_the_wrong_number_of_values_is_a_problem_of_that_row(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("code,amount\nA,1,extra\nB,2\n", encoding="utf-8")

    table = read_table(path, format="csv", columns=COLUMNS)

    assert [str(p) for p in table.problems] == [
        "row 1 (line 2): 3 values but the header has 2 columns"
    ]
    assert [r.row for r in table.records] == [2]


def test_a_csv_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("code\nA\nM\xfcller\n".encode("latin-1"))

    with pytest.raises(InvalidInput) as raised:
        read_table(path, format="csv", columns=COLUMNS)

    assert [str(d) for d in raised.value.details] == [
        "line 3: byte 9 of the file is not valid UTF-8"
    ]


def test_an_empty_csv_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("", encoding="utf-8")

    with pytest.raises(InvalidInput, match="The file is empty"):
        read_table(path, format="csv", columns=COLUMNS)


def test_json_arrays_and_json_lines_are_both_read(tmp_path: Path) -> None:
    array = tmp_path / "in.json"
    array.write_text('[{"code": "A", "amount": 1.25}, {"code": "B"}]', encoding="utf-8")
    lines = tmp_path / "in.jsonl"
    lines.write_text('{"code": "A"}\n\n{"code": "B", "amount": "2"}\n', encoding="utf-8")

    assert _locations(array, "json") == [
        ("row 1", {"code": "A", "amount": Decimal("1.25")}),
        ("row 2", {"code": "B"}),
    ]
    assert _locations(lines, "json") == [
        ("row 1 (line 1)", {"code": "A"}),
        ("row 2 (line 3)", {"code": "B", "amount": "2"}),
    ]


def test_invalid_json_lines_are_reported_by_line(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"code": "A"}\n{"code": \n', encoding="utf-8")

    with pytest.raises(InvalidInput) as raised:
        read_table(path, format="jsonl", columns=COLUMNS)

    assert [str(d) for d in raised.value.details] == ["line 2: invalid JSON: Expecting value"]


def test_a_json_element_that_is_not_an_object_is_a_problem_of_its_row(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text('[{"code": "A"}, ["B"]]', encoding="utf-8")

    table = read_table(path, format="json", columns=COLUMNS)

    assert [str(p) for p in table.problems] == ["row 2: expected an object, got list"]


def test_a_parquet_double_column_for_an_amount_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"code": ["A"], "amount": pa.array([19.99], pa.float64())}), path)

    with pytest.raises(InvalidInput) as raised:
        read_table(path, format="parquet", columns=COLUMNS)

    assert [str(d) for d in raised.value.details] == [
        "column 'amount': is double; floating-point numbers are refused for amounts, "
        "write them as decimal strings or DECIMAL"
    ]


def test_a_parquet_decimal_column_is_read_exactly(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    amounts = pa.array([Decimal("19.99"), None], pa.decimal128(10, 2))
    pq.write_table(pa.table({"code": ["A", "B"], "amount": amounts}), path)

    assert _locations(path, "parquet") == [
        ("row 1", {"code": "A", "amount": Decimal("19.99")}),
        ("row 2", {"code": "B", "amount": None}),
    ]


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "parquet"])
def test_what_is_written_reads_back(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"out.{fmt}"
    rows = [{"code": "A", "amount": Decimal("0.0125")}, {"code": "B", "amount": None}]

    assert write_table(path, format=fmt, columns=COLUMNS, rows=rows) == 2  # type: ignore[arg-type]

    table = read_table(path, format=fmt, columns=COLUMNS)  # type: ignore[arg-type]
    assert [{c.name: c.parse(r.values.get(c.name)) for c in COLUMNS} for r in table.records] == rows


@pytest.mark.parametrize(
    ("name", "explicit", "expected"),
    [
        ("a.csv", None, "csv"),
        ("a.JSON", None, "json"),
        ("a.ndjson", None, "jsonl"),
        ("a.pq", None, "parquet"),
        ("a.txt", "csv", "csv"),
    ],
)
def test_the_format_comes_from_the_extension_unless_given(
    name: str, explicit: str | None, expected: str
) -> None:
    assert resolve_format(Path(name), explicit) == expected


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        resolve_format(Path("a.xlsx"), None)

    assert raised.value.message == "Cannot tell the format of a.xlsx from its extension"
    with pytest.raises(InvalidInput) as explicit:
        resolve_format(Path("a.csv"), "xml")
    assert [str(d) for d in explicit.value.details] == [
        "format: expected one of csv, json, jsonl, parquet, got 'xml'"
    ]
