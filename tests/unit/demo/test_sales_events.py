"""The demo's sales events: lifecycle rules, sign conventions, seasonality, determinism."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

import duckdb
import pyarrow as pa
import pytest

from salesdev.analytics.events import EVENT_SCHEMA, EVENT_TYPES
from salesdev.demo.calendar import Window
from salesdev.demo.reference import build_reference
from salesdev.demo.sales_events import EventGenerator, customer_since, plan_lines
from salesdev.demo.scales import SCALES

NOW = datetime(2026, 10, 15, 9, 30, tzinfo=UTC)  # window: 2024-10 to 2026-09


@cache
def _events(scale: str = "small", seed: int = 11) -> pa.Table:
    params = SCALES[scale]
    window = Window.ending_before(NOW)
    reference = build_reference(scale=params, seed=seed, now=NOW, window=window)
    lines = plan_lines(scale=params, seed=seed, window=window, reference=reference)
    reference.parties.customer_since = customer_since(
        seed=seed, window=window, reference=reference, lines=lines
    )
    generator = EventGenerator(
        scale=params, seed=seed, window=window, reference=reference, lines=lines
    )
    return pa.concat_tables(generator.batches())


def _one(sql: str, table: pa.Table | None = None) -> object:
    events = _events() if table is None else table  # noqa: F841 (read by DuckDB by name)
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    row = connection.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_events_follow_the_store_schema_with_unique_sequential_ids() -> None:
    events = _events()
    assert events.schema == EVENT_SCHEMA
    assert 50_000 <= events.num_rows <= 150_000
    assert events.column("event_id")[0].as_py() == "EV00000001"
    assert _one("SELECT COUNT(DISTINCT event_id) = COUNT(*) FROM events")
    assert _one("SELECT max(event_id) FROM events") == f"EV{events.num_rows:08d}"


def test_every_event_type_occurs_and_every_event_falls_in_the_24_month_window() -> None:
    assert _one("SELECT list(DISTINCT event_type ORDER BY event_type) FROM events") == sorted(
        EVENT_TYPES
    )
    first, last = _one("SELECT [min(event_time), max(event_time)] FROM events")  # type: ignore[misc]
    assert first >= datetime(2024, 10, 1, tzinfo=UTC)
    assert last < datetime(2026, 10, 1, tzinfo=UTC)
    assert _one("SELECT list(DISTINCT currency) FROM events") == ["EUR"]


def test_a_line_is_activated_at_most_once_and_before_any_of_its_charges() -> None:
    assert (
        _one(
            "SELECT max(n) FROM (SELECT COUNT(*) n FROM events WHERE event_type = 'activation' GROUP BY line_id)"
        )
        == 1
    )
    assert (
        _one(
            """
        SELECT COUNT(*) FROM events c
        LEFT JOIN (SELECT line_id, event_time AS at FROM events WHERE event_type = 'activation') a USING (line_id)
        WHERE c.event_type IN ('recurring_charge', 'suspension', 'deactivation', 'upgrade', 'renewal', 'port_in')
          AND (a.at IS NULL OR c.event_time < a.at)
        """
        )
        == 0
    )


def test_no_charge_after_a_deactivation_nor_while_suspended() -> None:
    assert (
        _one(
            """
        SELECT COUNT(*) FROM events c
        JOIN (SELECT line_id, event_time AS at FROM events WHERE event_type = 'deactivation') d USING (line_id)
        WHERE c.event_type IN ('recurring_charge', 'upgrade', 'renewal', 'suspension') AND c.event_time >= d.at
        """
        )
        == 0
    )
    assert (
        _one(
            """
        WITH s AS (SELECT line_id, event_time AS since FROM events WHERE event_type = 'suspension'),
             r AS (SELECT line_id, event_time AS until FROM events WHERE event_type = 'resumption')
        SELECT COUNT(*) FROM events c JOIN s USING (line_id) LEFT JOIN r USING (line_id)
        WHERE c.event_type = 'recurring_charge' AND c.event_time >= s.since
          AND (r.until IS NULL OR c.event_time < r.until)
        """
        )
        == 0
    )


def test_a_cancelled_order_is_never_activated_and_its_cancellations_reverse_it_exactly() -> None:
    assert (
        _one(
            """
        SELECT COUNT(*) FROM events a
        WHERE a.event_type = 'activation'
          AND line_id IN (SELECT line_id FROM events WHERE event_type = 'cancellation')
        """
        )
        == 0
    )
    assert (
        _one(
            """
        SELECT COUNT(*) FROM (
            SELECT order_id, sum(amount) total FROM events
            WHERE order_id IN (SELECT order_id FROM events WHERE event_type = 'cancellation')
              AND event_type IN ('order', 'cancellation')
            GROUP BY order_id
        ) WHERE total <> 0
        """
        )
        == 0
    )


def test_amount_signs_follow_the_documented_convention() -> None:
    signs = dict(_signs())
    assert signs == {
        "order": [0, 1],  # connection fees may be waived
        "activation": [1, 1],
        "port_in": [0, 0],
        "upgrade": [1, 1],
        "renewal": [1, 1],
        "cancellation": [-1, 0],
        "suspension": [0, 0],
        "resumption": [0, 0],
        "deactivation": [-1, -1],
        "recurring_charge": [1, 1],
        "payment": [1, 1],
    }


def _signs() -> list[tuple[str, list[int]]]:
    events = _events()  # noqa: F841 (read by DuckDB by name)
    connection = duckdb.connect()
    rows = connection.execute(
        "SELECT event_type, [min(sign(amount)), max(sign(amount))] FROM events GROUP BY event_type"
    ).fetchall()
    return [(str(kind), [int(v) for v in bounds]) for kind, bounds in rows]


def test_lifecycle_events_keep_the_attribution_of_the_sale_that_won_the_line() -> None:
    assert (
        _one(
            """
        SELECT COUNT(*) FROM events e
        JOIN (SELECT line_id, channel_id, outlet_id, partner_id, sales_person_id FROM events
              WHERE event_type = 'activation') a USING (line_id)
        WHERE e.event_type IN ('recurring_charge', 'payment', 'deactivation', 'suspension')
          AND (e.channel_id, e.outlet_id, e.partner_id, e.sales_person_id)
              IS DISTINCT FROM (a.channel_id, a.outlet_id, a.partner_id, a.sales_person_id)
        """
        )
        == 0
    )


def test_selling_has_a_fourth_quarter_peak_a_summer_dip_and_a_september_device_launch() -> None:
    def orders(months: str, family: str = "%") -> int:
        return int(
            _one(  # type: ignore[call-overload]
                f"""SELECT COUNT(*) FROM events WHERE event_type = 'order' AND product_family_code LIKE '{family}'
                    AND strftime(event_time, '%Y-%m') IN ({months})"""
            )
        )

    assert orders("'2025-11', '2025-12'") > 1.4 * orders("'2025-07', '2025-08'")
    assert orders("'2026-09'", "DEVICE") > 1.5 * orders("'2026-08'", "DEVICE")
    # Growth: the second year sells more than the first.
    assert orders("'2025-10','2025-11','2025-12'") > orders("'2024-10','2024-11','2024-12'")


def test_the_same_seed_gives_the_same_events_and_another_seed_different_ones() -> None:
    assert _events("tiny", 5).equals(_events.__wrapped__("tiny", 5))
    assert not _events("tiny", 5).equals(_events("tiny", 6))


@pytest.mark.parametrize("scale", ["tiny", "small"])
def test_every_line_starts_with_an_order(scale: str) -> None:
    table = _events(scale)
    assert (
        _one(
            """
        SELECT COUNT(*) FROM (SELECT line_id, arg_min(event_type, event_time) first FROM events GROUP BY line_id)
        WHERE first <> 'order'
        """,
            table,
        )
        == 0
    )
