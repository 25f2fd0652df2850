"""Importing reference data: every error of a file at once, by row and line; all rows or none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput, NotFound
from salesdev.db.models import Outlet, Partner, ProductOffering, Region
from salesdev.db.session import unit_of_work
from salesdev.domains.interchange import import_file
from tests.conftest import T0, Database

CHANNELS = (
    "code,name,channel_type,parent_code,status\n"
    "RETAIL,Own retail,own_retail,,active\n"
    "DEALERS,Dealers,franchise_dealer,,\n"
)
REGIONS = "code,name,parent_code\nNORTH-CITY,North city,NORTH\nNORTH,North,\nSOUTH,South,\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(database: Database, dataset: str, path: Path) -> Any:
    with unit_of_work(database.session_factory) as session:
        return import_file(session, dataset=dataset, path=path, now=T0)


def _count(database: Database, model: type[Any]) -> int:
    with database.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def channels_and_regions(database: Database, tmp_path: Path) -> None:
    _import(database, "sales_channels", _write(tmp_path, "channels.csv", CHANNELS))
    _import(database, "regions", _write(tmp_path, "regions.csv", REGIONS))


def test_rows_are_created_with_references_resolved_by_code(
    database: Database, tmp_path: Path
) -> None:
    result = _import(database, "regions", _write(tmp_path, "regions.csv", REGIONS))

    assert (result.dataset, result.rows, result.created, result.updated) == ("regions", 3, 3, 0)
    with database.session_factory() as session:
        regions = {r.code: r for r in session.scalars(select(Region))}
    # The child came first in the file; its parent was created before it.
    assert regions["NORTH-CITY"].parent_id == regions["NORTH"].id
    assert (regions["NORTH"].parent_id, regions["NORTH"].created_at) == (None, T0)


def test_an_existing_code_is_updated_and_a_new_one_created(
    database: Database, tmp_path: Path, channels_and_regions: None
) -> None:
    changed = "code,name,parent_code\nSOUTH,South and islands,\nEAST,East,\n"

    result = _import(database, "regions", _write(tmp_path, "more.csv", changed))

    assert (result.rows, result.created, result.updated) == (2, 1, 1)
    with database.session_factory() as session:
        south = session.scalars(select(Region).where(Region.code == "SOUTH")).one()
    assert (south.name, south.version) == ("South and islands", 2)
    assert _count(database, Region) == 4


def test_a_file_with_bad_rows_reports_them_all_and_writes_nothing(
    database: Database, tmp_path: Path, channels_and_regions: None
) -> None:
    partners = _write(
        tmp_path,
        "partners.csv",
        "code,name,partner_type,tier,parent_code,channel_code,region_code,status\n"
        "P1,Alpha,dealer,gold,,DEALERS,NORTH,active\n"
        "P2,Beta,dealer,platinum,P1,DEALERS,,active\n"
        "P3,Gamma,sub_dealer,bronze,P9,WEB,WEST,\n"
        ",Delta,dealer,silver,,DEALERS,,\n",
    )

    with pytest.raises(InvalidInput) as raised:
        _import(database, "partners", partners)

    assert raised.value.message == (
        "partners.csv: 5 error(s) for dataset partners; nothing was imported"
    )
    assert [str(d) for d in raised.value.details] == [
        "row 2 (line 3): column 'tier': expected one of gold, silver, bronze, got 'platinum'",
        "row 4 (line 5): column 'code': a value is required",
        "row 3 (line 4): column 'parent_code': no partner with code 'P9'",
        "row 3 (line 4): column 'channel_code': no sales channel with code 'WEB'",
        "row 3 (line 4): column 'region_code': no region with code 'WEST'",
    ]
    assert _count(database, Partner) == 0


def test_a_row_the_domain_refuses_fails_the_whole_import(
    database: Database, tmp_path: Path
) -> None:
    offerings = _write(
        tmp_path,
        "offerings.csv",
        "code,name,family_code,currency,valid_from\n"
        "FIBRE-1G,Fibre 1 Gbit/s,BROADBAND,EUR,2026-01-01T00:00:00Z\n"
        "FIBRE-2G,Fibre 2 Gbit/s,BROADBAND,eur,2026-01-01T00:00:00Z\n",
    )
    _import(
        database,
        "product_families",
        _write(
            tmp_path, "families.csv", "code,name,line_of_business\nBROADBAND,Broadband,broadband\n"
        ),
    )

    with pytest.raises(InvalidInput) as raised:
        _import(database, "product_offerings", offerings)

    assert [str(d) for d in raised.value.details] == [
        "row 2 (line 3): column 'currency': expected an ISO 4217 code like EUR, got 'eur'"
    ]
    # Row 1 had been written in the import's transaction, which the caller rolled back.
    assert _count(database, ProductOffering) == 0


def test_header_problems_are_reported_before_any_row(database: Database, tmp_path: Path) -> None:
    path = _write(tmp_path, "regions.csv", "code,label,parent_code,code\nX,Y,,X\n")

    with pytest.raises(InvalidInput) as raised:
        _import(database, "regions", path)

    assert raised.value.message == "The columns do not match dataset regions"
    assert [str(d) for d in raised.value.details] == [
        "header: unknown column 'label'; expected columns: code, name, parent_code",
        "header: column 'code' appears more than once",
        "header: missing required column 'name'",
    ]


def test_json_rows_name_their_own_columns(database: Database, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "regions.json",
        '[{"code": "N", "name": "North"}, {"code": "S", "colour": "red"}]',
    )

    with pytest.raises(InvalidInput) as raised:
        _import(database, "regions", path)

    assert [str(d) for d in raised.value.details] == [
        "row 2: unknown column 'colour'",
        "row 2: column 'name': a value is required",
    ]
    assert _count(database, Region) == 0


def test_a_code_twice_in_a_file_and_a_cycle_are_refused(database: Database, tmp_path: Path) -> None:
    path = _write(
        tmp_path, "regions.csv", "code,name,parent_code\nA,A,B\nB,B,A\nC,C,\nC,C again,\n"
    )

    with pytest.raises(InvalidInput) as raised:
        _import(database, "regions", path)

    assert [str(d) for d in raised.value.details] == [
        "row 4 (line 5): column 'code': 'C' also appears in row 3 (line 4)",
        "row 1 (line 2): column 'parent_code': the rows form a cycle (A -> B -> A)",
    ]


def test_errors_stop_being_collected_at_the_limit(database: Database, tmp_path: Path) -> None:
    lines = "".join(f"R{i},Region {i},NOWHERE\n" for i in range(150))
    path = _write(tmp_path, "regions.csv", "code,name,parent_code\n" + lines)

    with pytest.raises(InvalidInput) as raised:
        _import(database, "regions", path)

    details = [str(d) for d in raised.value.details]
    assert raised.value.message == (
        "regions.csv: at least 100 error(s) for dataset regions; nothing was imported"
    )
    assert len(details) == 101
    assert details[0] == "row 1 (line 2): column 'parent_code': no region with code 'NOWHERE'"
    assert details[-1] == "stopped after the first 100 errors"


def test_an_unknown_dataset_is_not_found(session: Session, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="Unknown dataset 'dealers'"):
        import_file(session, dataset="dealers", path=tmp_path / "x.csv", now=T0)


@pytest.fixture
def statements(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    yield seen
    event.remove(database.engine, "before_cursor_execute", record)


def test_references_of_a_large_file_are_resolved_in_bulk(
    database: Database, tmp_path: Path, channels_and_regions: None, statements: list[str]
) -> None:
    rows = "".join(
        f"O{i:04},Outlet {i},{'RETAIL' if i % 2 else 'DEALERS'},,{('NORTH', 'SOUTH')[i % 2]},\n"
        for i in range(1200)
    )
    path = _write(
        tmp_path, "outlets.csv", "code,name,channel_code,partner_code,region_code,status\n" + rows
    )
    statements.clear()

    result = _import(database, "outlets", path)

    assert (result.created, _count(database, Outlet)) == (1200, 1200)
    reading_channels = [
        s
        for s in statements
        if s.lstrip().upper().startswith("SELECT") and "FROM sales_channel" in s
    ]
    reading_regions = [
        s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM region" in s
    ]
    # One look-up of the codes and one load of the records, not one per row.
    assert (len(reading_channels), len(reading_regions)) == (2, 2)
