"""Simulating a stored price-list version: scope from the price list, bad input, the API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from salesdev.analytics.events import EventStoreWriter
from salesdev.analytics.pricing_simulation import simulate_version
from salesdev.core.errors import InvalidInput, NotFound, RuleViolation
from salesdev.db.models.pricing import PriceListVersion
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.catalog import ensure_market_segments
from salesdev.domains.pricing import (
    EntryInput,
    PriceListInput,
    create_price_list,
    create_version,
    set_entries,
)
from salesdev.runtime import Runtime
from tests.conftest import T0
from tests.integration.api.conftest import BASE
from tests.integration.qualification.world import World, build_world
from tests.integration.simulation.test_pricing_simulation_sql import _table

FROM = datetime(2027, 1, 1, tzinfo=UTC)


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 2, tzinfo=UTC)


def _version(
    session: Session, world: World, currency: str = "EUR", segment: str | None = "consumer"
) -> PriceListVersion:
    # The seeded segments (a PostgreSQL test database is emptied between tests).
    ensure_market_segments(session, now=T0)
    price_list = create_price_list(
        session,
        principal=SYSTEM,
        values=PriceListInput(
            name=f"RET consumers {currency}",
            channel_id=world["RET"],
            currency=currency,
            market_segment=segment,
        ),
        now=T0,
    )
    version = create_version(
        session, principal=SYSTEM, price_list_id=price_list.id, valid_from=FROM, now=T0
    )
    set_entries(
        session,
        principal=SYSTEM,
        version_id=version.id,
        entries=[
            EntryInput("FIB-100", recurring="35", unit_cost="10"),
            EntryInput("MOB-S", recurring="12", one_time="5", unit_cost="3"),
        ],
        now=T0,
    )
    return version


def _events(world: World, directory: Path) -> Path:
    rows = [
        ("recurring_charge", _at(8, 3), world["RET"], world["FIB-100"], "FIBRE", 1, "30.00",
         world["ADA"], None, "N"),
        ("recurring_charge", _at(9, 3), world["RET"], world["MOB-S"], "MOBILE", 1, "10.00",
         world["ACME"], None, "N"),
        ("order", _at(9, 5), world["RET"], world["MOB-S"], "MOBILE", 1, "0.00",
         world["BOB"], None, "N"),
    ]  # fmt: skip
    with EventStoreWriter(directory) as writer:
        writer.write(_table(rows))
    return directory


def test_a_draft_version_is_simulated_in_its_scope(session: Session, tmp_path: Path) -> None:
    # Given RET's consumer price list with a draft version and three past sales (one of
    # an enterprise customer, outside the list's segment)
    world = build_world(session, rules=False)
    version = _version(session, world)
    store = _events(world, tmp_path / "events")
    # When it is simulated over the last three months
    result = simulate_version(
        session, principal=SYSTEM, version_id=version.id, months=3, now=T0, event_store_dir=store
    )
    # Then the consumer sales are re-priced at the entries, margin from their unit costs
    assert result.version_label == "RET consumers EUR v1"
    assert [
        (x.family_code, x.events, x.current_revenue, x.proposed_revenue, x.cost)
        for x in result.lines
    ] == [
        ("FIBRE", 1, Decimal("30.0000"), Decimal("35.0000"), Decimal("10.0000")),
        ("MOBILE", 1, Decimal("0.0000"), Decimal("5.0000"), Decimal("0.0000")),
    ]
    assert (result.totals.revenue_delta, result.totals.margin_delta) == (
        Decimal("10.0000"),
        Decimal("10.0000"),
    )


def test_bad_input_is_refused_with_a_clear_error(session: Session, tmp_path: Path) -> None:
    world = build_world(session, rules=False)
    store = _events(world, tmp_path / "events")
    with pytest.raises(NotFound, match="Price list version"):
        simulate_version(
            session, principal=SYSTEM, version_id=uuid.uuid4(), months=3, now=T0,
            event_store_dir=store,
        )  # fmt: skip
    version = _version(session, world)
    with pytest.raises(InvalidInput) as caught:
        simulate_version(
            session, principal=SYSTEM, version_id=version.id, months=0, now=T0,
            event_store_dir=store,
        )  # fmt: skip
    assert str(caught.value.details[0]) == "months: must be between 1 and 120, got 0"
    dollars = _version(session, world, currency="USD", segment=None)
    with pytest.raises(RuleViolation) as refused:
        simulate_version(
            session, principal=SYSTEM, version_id=dollars.id, months=3, now=T0,
            event_store_dir=store,
        )  # fmt: skip
    assert refused.value.message == (
        "Price-list version RET consumers USD v1 is in USD but the sales it would re-price "
        "are in EUR; amounts are never converted"
    )


def test_the_api_answers_a_simulation(client: TestClient, runtime: Runtime) -> None:
    with unit_of_work(runtime.session_factory) as session:
        world = build_world(session, rules=False)
        version_id = _version(session, world).id
    _events(world, runtime.settings.event_store_dir)
    response = client.post(
        f"{BASE}/priceSimulation",
        json={"priceListVersion": {"id": str(version_id)}, "months": 3},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == {
        "startDateTime": "2026-07-01T00:00:00Z",
        "endDateTime": "2026-10-01T00:00:00Z",
    }
    assert body["total"]["revenueDelta"] == {"unit": "EUR", "value": 10}
    assert [line["productFamily"]["code"] for line in body["line"]] == ["FIBRE", "MOBILE"]
    unknown = client.post(
        f"{BASE}/priceSimulation", json={"priceListVersion": {"id": str(uuid.uuid4())}}
    )
    assert unknown.status_code == 404
    bad = client.post(
        f"{BASE}/priceSimulation",
        json={"priceListVersion": {"id": str(version_id)}, "months": -1},
    )
    assert bad.status_code == 400
    assert "months" in bad.json()["message"]
