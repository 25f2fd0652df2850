"""List pages: filtering, sorting, paging and CSV export, over declared reference kinds."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.reference import create_entity
from salesdev.runtime import Runtime
from tests.integration.web.pages import main_text, row_codes, table_rows

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _make(session: Session, kind: str, **values: Any) -> uuid.UUID:
    entity = create_entity(session, principal=SYSTEM, kind=kind, values=values, now=T0)
    return uuid.UUID(str(entity.id))


@pytest.fixture
def partners(runtime: Runtime) -> dict[str, uuid.UUID]:
    """Given two channels, a region and five partners."""
    with unit_of_work(runtime.session_factory) as s:
        north = _make(s, "region", code="N", name="North")
        retail = _make(
            s, "sales_channel", code="RET", name="Retail stores", channel_type="own_retail"
        )
        dealers = _make(
            s, "sales_channel", code="DLR", name="Dealers", channel_type="franchise_dealer"
        )
        ids = {"north": north, "retail": retail, "dealers": dealers}
        for code, name, tier, channel, ptype in (
            ("P1", "Alpenfunk", "gold", dealers, "dealer"),
            ("P2", "Bergtelekom", "silver", dealers, "dealer"),
            ("P3", "Citymobil", "gold", retail, "franchisee"),
            ("P4", "Donaunetz", "bronze", dealers, "sub_dealer"),
            ("P5", "Erzfon =1+1", "gold", dealers, "dealer"),
        ):
            ids[code] = _make(
                s,
                "partner",
                code=code,
                name=name,
                partner_type=ptype,
                tier=tier,
                channel_id=channel,
                region_id=north if code in ("P1", "P3") else None,
            )
    return ids


def test_list_shows_every_row_sorted_by_code_with_reference_names(
    console: TestClient, partners: dict[str, uuid.UUID]
) -> None:
    response = console.get("/partners")

    assert response.status_code == 200
    assert row_codes(response.text) == ["P1", "P2", "P3", "P4", "P5"]
    assert table_rows(response.text)[0] == [
        "P1", "Alpenfunk", "Dealer", "Gold", "", "Dealers", "North", "Active",
    ]  # fmt: skip
    assert "Showing 1\u20135 of 5 partners." in main_text(response.text)


def test_choice_filter_and_descending_sort_on_name(
    console: TestClient, partners: dict[str, uuid.UUID]
) -> None:
    response = console.get("/partners", params={"tier": "gold", "sort": "-name"})

    assert row_codes(response.text) == ["P5", "P3", "P1"]
    assert "Showing 1\u20133 of 3 partners matching the filters (5 in all)." in main_text(
        response.text
    )
    assert 'aria-sort="descending"' in response.text


def test_reference_filter_and_text_search(
    console: TestClient, partners: dict[str, uuid.UUID]
) -> None:
    by_channel = console.get("/partners", params={"channel_id": str(partners["retail"])})
    by_text = console.get("/partners", params={"q": "TELEKOM"})
    by_code = console.get("/partners", params={"q": "p4"})

    assert row_codes(by_channel.text) == ["P3"]
    assert row_codes(by_text.text) == ["P2"]
    assert row_codes(by_code.text) == ["P4"]


def test_sorting_a_reference_column_orders_by_the_referred_name(
    console: TestClient, partners: dict[str, uuid.UUID]
) -> None:
    response = console.get("/partners", params={"sort": "channel_id"})

    # "Dealers" before "Retail stores"; ties keep a stable order.
    assert [row[5] for row in table_rows(response.text)] == ["Dealers"] * 4 + ["Retail stores"]
    assert row_codes(response.text)[-1] == "P3"


def test_paging_shows_the_requested_slice_and_links_both_ways(
    console: TestClient, partners: dict[str, uuid.UUID]
) -> None:
    response = console.get("/partners", params={"limit": "2", "offset": "2"})

    assert row_codes(response.text) == ["P3", "P4"]
    assert "Showing 3\u20134 of 5 partners." in main_text(response.text)
    assert 'href="/partners?limit=2" rel="prev"' in response.text
    assert 'href="/partners?offset=4&amp;limit=2" rel="next"' in response.text


def test_csv_export_holds_every_filtered_row_with_references_by_code(
    console: TestClient, partners: dict[str, uuid.UUID]
) -> None:
    response = console.get(
        "/partners/export.csv", params={"channel_id": str(partners["dealers"]), "limit": "1"}
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="partners.csv"'
    # All pages, not the one page the list shows; formula-like text is defused.
    assert response.text.splitlines() == [
        "code,name,partner_type,tier,parent,channel,region,status",
        "P1,Alpenfunk,dealer,gold,,DLR,N,active",
        "P2,Bergtelekom,dealer,silver,,DLR,,active",
        "P4,Donaunetz,sub_dealer,bronze,,DLR,,active",
        "P5,Erzfon =1+1,dealer,gold,,DLR,,active",
    ]


def test_csv_export_defuses_cells_a_spreadsheet_would_run(
    console: TestClient, runtime: Runtime
) -> None:
    with unit_of_work(runtime.session_factory) as s:
        _make(s, "region", code="R1", name="=HYPERLINK(1)")

    response = console.get("/regions/export.csv")

    assert response.text.splitlines()[1] == "R1,'=HYPERLINK(1),"


def test_unknown_sort_is_a_clear_error_page(
    console: TestClient, partners: dict[str, uuid.UUID]
) -> None:
    response = console.get("/partners", params={"sort": "secret"})

    assert response.status_code == 400
    assert "cannot sort on 'secret'" in main_text(response.text)


def test_unknown_code_in_a_reference_filter_is_a_clear_error(
    console: TestClient, partners: dict[str, uuid.UUID]
) -> None:
    response = console.get("/partners/export.csv", params={"channel_id": "NOPE"})

    assert response.status_code == 400
    assert "no sales channel with code 'NOPE'" in main_text(response.text)


def test_empty_list_says_how_to_get_data(console: TestClient) -> None:
    response = console.get("/outlets")

    assert response.status_code == 200
    assert "There are no outlets yet." in main_text(response.text)
    assert "salesdev demo load" in main_text(response.text)
