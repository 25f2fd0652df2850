"""The sales-channel form's coverage fields: regions served as checkboxes of the Region
table, cost to serve as a bounded number input, errors next to each."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from salesdev.db.models import SalesChannel
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.reference import create_entity
from salesdev.runtime import Runtime
from tests.integration.web.conftest import ConsoleClient
from tests.integration.web.pages import field_errors

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def channel(runtime: Runtime) -> uuid.UUID:
    with unit_of_work(runtime.session_factory) as s:
        for code, name in (("S", "South"), ("N", "North"), ("E", "East")):
            create_entity(s, principal=SYSTEM, kind="region", values={"code": code, "name": name},
                          now=T0)  # fmt: skip
        entity = create_entity(
            s,
            principal=SYSTEM,
            kind="sales_channel",
            values={"code": "RET", "name": "Retail stores", "channel_type": "own_retail",
                    "regions_served": ["N"], "cost_to_serve_percent": "12.5"},
            now=T0,
        )  # fmt: skip
        return uuid.UUID(str(entity.id))


def _regions(html: str) -> list[tuple[str, str, bool]]:
    boxes = re.findall(
        r'<label class="choice"><input type="checkbox" name="regions_served" value="([^"]*)"'
        r"( checked)?> ([^<]*)</label>",
        html,
    )
    return [(value, label.strip(), bool(checked)) for value, checked, label in boxes]


def _coverage(runtime: Runtime) -> tuple[str | None, str | None, str]:
    with runtime.session_factory() as s:
        channel = s.scalars(select(SalesChannel).where(SalesChannel.code == "RET")).one()
        return channel.regions_served, channel.segments_served, str(channel.cost_to_serve_percent)


def test_the_form_offers_every_region_as_a_checkbox_and_the_cost_as_a_number(
    console: ConsoleClient, channel: uuid.UUID
) -> None:
    form = console.get(f"/sales-channels/{channel}/edit")

    assert _regions(form.text) == [
        ("E", "East (E)", False), ("N", "North (N)", True), ("S", "South (S)", False),
    ]  # fmt: skip
    cost = re.search(
        r'<input type="number" step="any" id="f-cost_to_serve_percent"[^>]*>', form.text
    )
    assert cost is not None
    assert 'min="0"' in cost.group(0) and 'max="100"' in cost.group(0)
    assert 'value="12.5' in cost.group(0)


def test_saving_the_checked_regions_and_the_cost(
    console: ConsoleClient, runtime: Runtime, channel: uuid.UUID
) -> None:
    response = console.post(
        f"/sales-channels/{channel}/edit",
        data={"code": "RET", "name": "Retail stores", "channel_type": "own_retail",
              "regions_served": ["N", "S"], "segments_served": ["consumer"],
              "cost_to_serve_percent": "8.25", "version": "1"},
        follow_redirects=False,
    )  # fmt: skip

    assert response.status_code == 303
    assert _coverage(runtime) == ("N,S", "consumer", "8.2500")


def test_an_unknown_region_code_and_a_cost_over_100_are_refused_next_to_their_fields(
    console: ConsoleClient, runtime: Runtime, channel: uuid.UUID
) -> None:
    before = _coverage(runtime)

    response = console.post(
        f"/sales-channels/{channel}/edit",
        data={"code": "RET", "name": "Retail stores", "channel_type": "own_retail",
              "regions_served": ["N", "ATLANTIS"], "cost_to_serve_percent": "120",
              "version": "1"},
    )  # fmt: skip

    assert response.status_code == 400
    assert field_errors(response.text, "regions_served") == ["no region with code 'ATLANTIS'"]
    assert field_errors(response.text, "cost_to_serve_percent") == [
        "must be between 0 and 100; got 120"
    ]
    assert _coverage(runtime) == before
