"""What is exported imports back unchanged, in every format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from salesdev.db.models import Partner, ProductOffering, Region
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.interchange import export_file, import_file
from salesdev.domains.reference import delete_entity, to_values
from tests.conftest import T0, Database

SOURCES = {
    "sales_channels": "code,name,channel_type,parent_code,status\n"
    "DEALERS,Dealers,franchise_dealer,,active\n"
    "SUBDEALERS,Sub-dealers,sub_dealer,DEALERS,inactive\n",
    "regions": 'code,name,parent_code\nNORTH,North,\nNORTH-CITY,"North city, centre",NORTH\n',
    "partners": "code,name,partner_type,tier,parent_code,channel_code,region_code,status\n"
    "MA1,Master One,master_agent,gold,,DEALERS,NORTH,active\n"
    "SD1,Sub Dealer Ünal,sub_dealer,bronze,MA1,SUBDEALERS,,suspended\n",
    "product_families": "code,name,line_of_business\nBB,Broadband,broadband\n",
    "product_offerings": "code,name,family_code,is_bundle,lifecycle_status,currency,valid_from,"
    "valid_to\n"
    "FIBRE-1G,Fibre 1G,BB,false,Active,EUR,2026-01-01T00:00:00Z,\n"
    "FIBRE-TV,Fibre + TV,BB,true,Launched,EUR,2026-01-01T00:00:00+01:00,2027-01-01T00:00:00Z\n",
}


@pytest.fixture
def loaded(database: Database, tmp_path: Path) -> None:
    for dataset, text in SOURCES.items():
        path = tmp_path / f"{dataset}.csv"
        path.write_text(text, encoding="utf-8")
        with unit_of_work(database.session_factory) as session:
            import_file(session, dataset=dataset, path=path, now=T0)


def _snapshot(database: Database, kind: str, model: type[Any]) -> dict[str, dict[str, Any]]:
    with database.session_factory() as session:
        return {
            e.code: {**to_values(kind, e), "version": e.version}
            for e in session.scalars(select(model))
        }


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "parquet"])
@pytest.mark.parametrize(
    ("dataset", "kind", "model"),
    [
        ("regions", "region", Region),
        ("partners", "partner", Partner),
        ("product_offerings", "product_offering", ProductOffering),
    ],
)
def test_an_export_imports_back_without_changing_anything(
    database: Database,
    tmp_path: Path,
    loaded: None,
    fmt: str,
    dataset: str,
    kind: str,
    model: type[Any],
) -> None:
    before = _snapshot(database, kind, model)
    path = tmp_path / f"export.{fmt}"

    with database.session_factory() as session:
        exported = export_file(session, dataset=dataset, path=path)
    with unit_of_work(database.session_factory) as session:
        result = import_file(session, dataset=dataset, path=path, now=T0)

    assert (exported.rows, exported.format) == (2, fmt)
    assert (result.rows, result.created, result.updated) == (2, 0, 2)
    # Same values, and no version bump: every value read back equal to what was stored.
    assert _snapshot(database, kind, model) == before


def test_exported_files_show_codes_and_instants_in_utc(
    database: Database, tmp_path: Path, loaded: None
) -> None:
    path = tmp_path / "offerings.json"
    with database.session_factory() as session:
        export_file(session, dataset="product_offerings", path=path)

    rows = json.loads(path.read_text(encoding="utf-8"))
    assert rows[1] == {
        "code": "FIBRE-TV",
        "name": "Fibre + TV",
        "family_code": "BB",
        "is_bundle": True,
        "lifecycle_status": "Launched",
        "currency": "EUR",
        "valid_from": "2025-12-31T23:00:00Z",
        "valid_to": "2027-01-01T00:00:00Z",
    }


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_an_export_recreates_what_was_deleted(
    database: Database, tmp_path: Path, loaded: None, fmt: str
) -> None:
    before = _snapshot(database, "region", Region)
    path = tmp_path / f"regions.{fmt}"
    with unit_of_work(database.session_factory) as session:
        export_file(session, dataset="regions", path=path)
        ids = {r.code: r.id for r in session.scalars(select(Region))}
        session.execute(Partner.__table__.update().values(region_id=None))
        for code in ("NORTH-CITY", "NORTH"):
            delete_entity(session, principal=SYSTEM, kind="region", entity_id=ids[code])

    with unit_of_work(database.session_factory) as session:
        result = import_file(session, dataset="regions", path=path, now=T0)

    assert (result.created, result.updated) == (2, 0)
    after = _snapshot(database, "region", Region)
    assert {code: v["name"] for code, v in after.items()} == {
        "NORTH": "North",
        "NORTH-CITY": "North city, centre",
    }
    with database.session_factory() as session:
        regions = {r.code: r for r in session.scalars(select(Region))}
    assert regions["NORTH-CITY"].parent_id == regions["NORTH"].id
    assert before.keys() == after.keys()
