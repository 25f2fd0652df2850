"""The channel_authorisations dataset: all rows or none, located errors, and a round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput, RuleViolation
from salesdev.db.models import ChannelAuthorisation
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.agreements import create_agreement
from salesdev.domains.authorisation import authorise_offering, withdraw_authorisation
from salesdev.domains.interchange import export_file, import_file
from tests.conftest import T0, Database
from tests.integration.authorisation import builders as b

HEADER = "channel_code,partner_code,offering_code,valid_from,valid_to,prerequisites,status\n"
JAN = datetime(2026, 1, 1, tzinfo=UTC)
EARLY = datetime(2025, 12, 10, tzinfo=UTC)


@pytest.fixture
def world(database: Database) -> dict[str, Any]:
    with unit_of_work(database.session_factory) as session:
        dealers = b.channel(session, "DEALERS")
        web = b.channel(session, "WEB")
        fibre = b.family(session, "FIBRE")
        world = {
            "DEALERS": dealers.id,
            "WEB": web.id,
            "ACME": b.partner(session, "ACME", dealers.id).id,
            "FIBRE-1G": b.offering(session, "FIBRE-1G", fibre.id, recurring="39.99").id,
            "ROUTER": b.offering(session, "ROUTER", fibre.id, one_time="99.9").id,
        }
    return world


def _file(tmp_path: Path, rows: str, name: str = "auth.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def _import(database: Database, path: Path) -> Any:
    with unit_of_work(database.session_factory) as session:
        return import_file(session, dataset="channel_authorisations", path=path, now=T0)


def _count(database: Database) -> int:
    with database.session_factory() as session:
        return session.scalar(select(func.count()).select_from(ChannelAuthorisation)) or 0


def _grant(session: Session, world: dict[str, Any], offering: str, **values: Any) -> Any:
    return authorise_offering(
        session,
        principal=SYSTEM,
        channel_id=world[values.pop("channel", "DEALERS")],
        product_offering_id=world[offering],
        now=EARLY,
        **values,
    )


def test_rows_create_authorisations_with_their_prerequisites(
    database: Database, world: dict[str, Any], tmp_path: Path
) -> None:
    path = _file(
        tmp_path,
        "DEALERS,,FIBRE-1G,2026-01-01T00:00:00Z,,certification:FIBRE-101;course:TV-200,\n"
        "DEALERS,ACME,ROUTER,2026-01-01T00:00:00+01:00,2026-03-01T00:00:00Z,,active\n",
    )

    result = _import(database, path)

    assert (result.rows, result.created, result.updated) == (2, 2, 0)
    with database.session_factory() as session:
        rows = session.scalars(
            select(ChannelAuthorisation).order_by(ChannelAuthorisation.valid_from)
        )
        got = [
            (
                r.partner_id,
                r.product_offering_id,
                r.valid_from,
                r.valid_to,
                r.prerequisites,
                r.status,
            )
            for r in rows
        ]
    assert got == [
        (
            world["ACME"],
            world["ROUTER"],
            datetime(2025, 12, 31, 23, tzinfo=UTC),
            datetime(2026, 3, 1, tzinfo=UTC),
            [],
            "active",
        ),
        (
            None,
            world["FIBRE-1G"],
            JAN,
            None,
            [{"type": "certification", "code": "FIBRE-101"}, {"type": "course", "code": "TV-200"}],
            "active",
        ),
    ]


def test_every_row_error_is_reported_with_its_row_and_nothing_is_written(
    database: Database, world: dict[str, Any], tmp_path: Path
) -> None:
    path = _file(
        tmp_path,
        "DEALERS,,FIBRE-1G,2026-01-01T00:00:00Z,2026-06-01T00:00:00Z,,\n"
        "DEALERS,,TV-MAX,2026-01-01T00:00:00Z,,,\n"
        "DEALERS,,FIBRE-1G,2026-05-01T00:00:00Z,,,\n"
        "DEALERS,ACME,FIBRE-1G,2026-05-01T00:00:00Z,,,\n"
        "DEALERS,,ROUTER,2026-01-01T00:00:00Z,,diploma:X;certification:C1;certification:C1,\n"
        "WEB,,ROUTER,2026-01-01T00:00:00Z,,certification,\n"
        "DEALERS,,ROUTER,2026-01-01T00:00,,,paused\n",
    )

    with pytest.raises(InvalidInput) as raised:
        _import(database, path)

    assert str(raised.value) == (
        "auth.csv: 7 error(s) for dataset channel_authorisations; nothing was imported\n"
        "  - row 7 (line 8): column 'valid_from': a timezone is required "
        "(e.g. 2026-01-01T00:00:00Z); got '2026-01-01T00:00'\n"
        "  - row 7 (line 8): column 'status': expected one of active, withdrawn, got 'paused'\n"
        "  - row 2 (line 3): column 'offering_code': no product offering with code 'TV-MAX'\n"
        "  - row 3 (line 4): the period overlaps that of row 1 (line 2): both authorise "
        "DEALERS (channel-wide) to sell FIBRE-1G\n"
        "  - row 5 (line 6): column 'prerequisites': item 1 type: expected one of "
        "certification, course, agreement; got 'diploma'\n"
        "  - row 5 (line 6): column 'prerequisites': item 3: certification C1 is listed twice\n"
        "  - row 6 (line 7): column 'prerequisites': item 1 'certification': expected "
        "type:code, e.g. certification:FIBRE-101"
    )
    assert _count(database) == 0


def test_a_row_overlapping_a_stored_authorisation_fails_the_whole_file(
    database: Database, world: dict[str, Any], tmp_path: Path
) -> None:
    with unit_of_work(database.session_factory) as session:
        stored = _grant(session, world, "FIBRE-1G", valid_from=JAN).id
    path = _file(
        tmp_path,
        "DEALERS,,ROUTER,2026-01-01T00:00:00Z,,,\n"
        "DEALERS,,FIBRE-1G,2026-02-01T00:00:00Z,,,\n"
        "WEB,ACME,ROUTER,2026-01-01T00:00:00Z,,,\n",
    )

    with pytest.raises(InvalidInput) as raised:
        _import(database, path)

    assert str(raised.value) == (
        "auth.csv: 2 error(s) for dataset channel_authorisations; nothing was imported\n"
        "  - row 2 (line 3): The period overlaps an existing authorisation of the channel "
        "(channel-wide) for this offering: validFor: authorisation "
        f"{stored} is valid from 2026-01-01T00:00:00Z to open-ended\n"
        "  - row 3 (line 4): column 'partner_code': partner ACME does not sell through "
        "channel WEB"
    )
    # The first row was valid and written, then rolled back with the rest.
    assert _count(database) == 1


def _history(database: Database, world: dict[str, Any]) -> None:
    """Ended, current, partner-specific and withdrawn rows, with awkward prerequisites."""
    with unit_of_work(database.session_factory) as session:
        _grant(session, world, "FIBRE-1G", valid_from=EARLY, valid_to=JAN)
        _grant(
            session,
            world,
            "FIBRE-1G",
            valid_from=JAN,
            prerequisites=[
                {"type": "certification", "code": "FIBRE-101", "description": "Fibre; basics=1"}
            ],
        )
        _grant(session, world, "ROUTER", partner_id=world["ACME"], valid_from=JAN)
        cancelled = _grant(session, world, "ROUTER", valid_from=JAN)
        withdraw_authorisation(session, principal=SYSTEM, authorisation_id=cancelled.id, now=EARLY)
        _grant(session, world, "ROUTER", channel="WEB", valid_from=EARLY)


def _read(path: Path) -> Any:
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_an_export_imports_back_into_a_database_without_authorisations(
    database: Database, world: dict[str, Any], tmp_path: Path, fmt: str
) -> None:
    _history(database, world)
    first, second = tmp_path / f"first.{fmt}", tmp_path / f"second.{fmt}"
    with database.session_factory() as session:
        exported = export_file(session, dataset="channel_authorisations", path=first)
    with unit_of_work(database.session_factory) as session:
        session.execute(delete(ChannelAuthorisation))

    result = _import(database, first)

    with database.session_factory() as session:
        export_file(session, dataset="channel_authorisations", path=second)
    assert (exported.rows, result.created) == (5, 5)
    assert _read(second) == _read(first)


def test_the_csv_export_lists_history_by_channel_holder_offering_and_start(
    database: Database, world: dict[str, Any], tmp_path: Path
) -> None:
    _history(database, world)
    path = tmp_path / "auth.csv"

    with database.session_factory() as session:
        export_file(session, dataset="channel_authorisations", path=path)

    assert path.read_text(encoding="utf-8").splitlines() == [
        HEADER.rstrip("\n"),
        "DEALERS,,FIBRE-1G,2025-12-10T00:00:00Z,2026-01-01T00:00:00Z,,active",
        "DEALERS,,FIBRE-1G,2026-01-01T00:00:00Z,,certification:FIBRE-101=Fibre\\; basics=1,active",
        "DEALERS,,ROUTER,2026-01-01T00:00:00Z,,,withdrawn",
        "DEALERS,ACME,ROUTER,2026-01-01T00:00:00Z,,,active",
        "WEB,,ROUTER,2025-12-10T00:00:00Z,,,active",
    ]


def test_channel_agreements_export_the_current_terms_and_cannot_be_imported(
    database: Database, world: dict[str, Any], tmp_path: Path
) -> None:
    with unit_of_work(database.session_factory) as session:
        b.commission_plan(session, "DEALER-STD")
        create_agreement(
            session,
            principal=SYSTEM,
            partner_id=world["ACME"],
            now=EARLY,
            terms={
                "name": "ACME 2026",
                "validFor": {"startDateTime": "2026-01-01T00:00:00Z"},
                "commissionScheduleRef": "DEALER-STD",
                "discountAllowances": {"FIBRE": "12.5"},
                "volumeCommitments": {"2026-01": {"commitment": 10, "target": 15}},
                "paymentTermsDays": 30,
                "clauses": {"exclusivity": "No other fibre"},
            },
        )
    path = tmp_path / "agreements.json"

    with database.session_factory() as session:
        export_file(session, dataset="channel_agreements", path=path)
    with pytest.raises(RuleViolation) as raised, database.session_factory() as session:
        import_file(session, dataset="channel_agreements", path=path, now=T0)

    assert json.loads(path.read_text(encoding="utf-8")) == [
        {
            "partner_code": "ACME",
            "channel_code": None,
            "name": "ACME 2026",
            "status": "draft",
            "version": 1,
            "valid_from": "2026-01-01T00:00:00Z",
            "valid_to": None,
            "commission_schedule_ref": "DEALER-STD",
            "discount_allowances": "FIBRE=12.5",
            "volume_commitments": "2026-01=10/15",
            "payment_terms_days": 30,
            "clauses": '{"exclusivity": "No other fibre"}',
            "terms_author": "system:system",
        }
    ]
    assert str(raised.value) == (
        "Dataset channel_agreements can be exported but not imported\n"
        "  - dataset: agreements are negotiated, versioned and approved in the console or "
        "the API, not loaded from files"
    )
