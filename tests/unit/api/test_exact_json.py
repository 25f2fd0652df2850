"""Amounts keep their digits through JSON in and out; subscription queries match events."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from salesdev.core.errors import InvalidInput
from salesdev.domains.notifications import decode_json, encode_json, parse_event_query
from salesdev.domains.notifications.payload import from_storable, to_storable


def test_decimals_are_written_as_exact_numbers() -> None:
    body = {
        "value": Decimal("0.1000"),
        "big": Decimal("12345678901234.5678"),
        "n": Decimal("100.0000"),
    }
    assert encode_json(body) == b'{"value":0.1,"big":12345678901234.5678,"n":100}'


def test_fractional_numbers_are_read_as_decimals() -> None:
    assert decode_json(b'{"value": 0.1, "n": 3}') == {"value": Decimal("0.1"), "n": 3}


def test_storable_round_trip_keeps_decimals_and_writes_times_in_utc() -> None:
    value = {"a": [Decimal("19.99")], "t": datetime(2026, 1, 1, 10, tzinfo=UTC)}
    stored = to_storable(value)
    assert stored == {"a": [{"$decimal": "19.99"}], "t": "2026-01-01T10:00:00Z"}
    assert from_storable(stored) == {"a": [Decimal("19.99")], "t": "2026-01-01T10:00:00Z"}


def test_subscription_query_matches_event_type_and_attributes() -> None:
    query = parse_event_query(
        "eventType=SalesChannelCreateEvent,SalesChannelDeleteEvent&status=active"
    )
    resource = {"status": "active", "channel": {"id": "c1"}}
    assert query.matches(
        event_type="SalesChannelCreateEvent", resource_type="salesChannel", resource=resource
    )
    assert not query.matches(
        event_type="SalesChannelStateChangeEvent", resource_type="salesChannel", resource=resource
    )
    assert not query.matches(
        event_type="SalesChannelCreateEvent",
        resource_type="salesChannel",
        resource={"status": "inactive"},
    )
    dotted = parse_event_query("event.partner.channel.id=c1")
    assert dotted.matches(event_type="X", resource_type="partner", resource=resource)
    assert parse_event_query("").matches(event_type="X", resource_type="y", resource={})


def test_subscription_query_operators_are_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        parse_event_query("status.gt=a")
    assert [d.location for d in error.value.details] == ["query.status.gt"]
