"""A sales channel states the segments and regions it serves and its cost to serve."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput
from salesdev.db.models import SalesChannel
from salesdev.domains.access import SYSTEM
from salesdev.domains.reference import create_entity, to_values, update_entity
from tests.integration.partners.builders import NOW, channel, create


@pytest.fixture
def regions(session: Session) -> None:
    create(session, "region", code="NORTH", name="North")
    create(session, "region", code="SOUTH", name="South")


def _problems(caught: pytest.ExceptionInfo[InvalidInput]) -> list[tuple[str, str]]:
    return [(d.location, d.message) for d in caught.value.details]


def _stored(session: Session, channel_id: Any) -> tuple[str, str, Decimal | None, int]:
    session.expire_all()
    row = session.get(SalesChannel, channel_id)
    assert row is not None
    return row.segments_served, row.regions_served, row.cost_to_serve_percent, row.version


@pytest.mark.usefixtures("regions")
def test_a_channel_records_segments_regions_and_cost_to_serve(session: Session) -> None:
    created = channel(
        session,
        segments_served=["consumer", "small_business"],
        regions_served="NORTH, SOUTH",
        cost_to_serve_percent="12.5",
    )
    assert _stored(session, created.id) == (
        "consumer,small_business",
        "NORTH,SOUTH",
        Decimal("12.5000"),
        1,
    )
    assert to_values("sales_channel", created)["cost_to_serve_percent"] == Decimal("12.5")


def test_existing_callers_get_empty_coverage_and_no_assessed_cost(session: Session) -> None:
    created = channel(session)
    assert _stored(session, created.id) == ("", "", None, 1)


@pytest.mark.usefixtures("regions")
def test_the_bounds_of_the_cost_to_serve_are_allowed(session: Session) -> None:
    free = channel(session, "FREE", cost_to_serve_percent="0")
    dear = channel(session, "DEAR", cost_to_serve_percent=100)
    assert (free.cost_to_serve_percent, dear.cost_to_serve_percent) == (0, 100)


@pytest.mark.usefixtures("regions")
def test_unknown_region_codes_are_named_and_nothing_is_written(session: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        channel(session, regions_served=["NORTH", "EAST", "WEST", "EAST"])
    assert caught.value.message == "Invalid sales channel"
    assert _problems(caught) == [("regions_served", "no region with codes 'EAST', 'WEST'")]
    assert session.query(SalesChannel).count() == 0


@pytest.mark.usefixtures("regions")
def test_one_unknown_region_code_on_update_changes_nothing(session: Session) -> None:
    created = channel(session, regions_served="NORTH")
    with pytest.raises(InvalidInput) as caught:
        update_entity(
            session,
            principal=SYSTEM,
            kind="sales_channel",
            entity_id=created.id,
            changes={"regions_served": "north", "cost_to_serve_percent": "5"},
            now=NOW,
        )
    assert _problems(caught) == [("regions_served", "no region with code 'north'")]
    assert _stored(session, created.id) == ("", "NORTH", None, 1)


@pytest.mark.parametrize(
    ("percent", "message"),
    [
        ("100.01", "must be between 0 and 100; got 100.01"),
        ("-1", "must be between 0 and 100; got -1"),
        (12.5, "amounts must be given as a decimal string or integer, got 12.5"),
        ("12.34567", "at most 4 decimal places are kept, got '12.34567'"),
    ],
)
def test_a_cost_to_serve_outside_0_to_100_percent_is_refused(
    session: Session, percent: object, message: str
) -> None:
    created = channel(session, cost_to_serve_percent="20")
    with pytest.raises(InvalidInput) as caught:
        update_entity(
            session,
            principal=SYSTEM,
            kind="sales_channel",
            entity_id=created.id,
            changes={"cost_to_serve_percent": percent},
            now=NOW,
        )
    assert _problems(caught) == [("cost_to_serve_percent", message)]
    assert _stored(session, created.id) == ("", "", Decimal("20.0000"), 1)


def test_segments_come_from_the_vocabulary(session: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_entity(
            session,
            principal=SYSTEM,
            kind="sales_channel",
            values={
                "code": "WEB",
                "name": "Web",
                "channel_type": "online",
                "segments_served": "consumer,wholesale",
            },
            now=NOW,
        )
    assert _problems(caught) == [
        (
            "segments_served",
            "unknown value(s) wholesale; expected some of consumer, small_business, enterprise, public_sector",
        )
    ]
    assert session.query(SalesChannel).count() == 0
