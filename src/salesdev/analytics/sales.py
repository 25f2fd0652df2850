"""Sales figures from the event store, computed set-based by DuckDB.

Revenue, everywhere here, is billed revenue: the amounts of ``order`` events
(one-time charges: connection fees, installation, devices), net of their
``cancellation`` reversals (negative amounts), plus ``recurring_charge`` events
(monthly recurring charges billed). Activations, upgrades and renewals carry
monthly recurring values, not billed money, and payments are cash collected;
none of them is revenue. Amounts are summed per currency, never across.

Date filters are half-open on ``event_time`` (UTC): ``since`` inclusive,
``until`` exclusive, each read as midnight UTC of that day.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from salesdev.analytics.events import REVENUE_EVENT_TYPES, event_files_glob, has_events
from salesdev.core.errors import ErrorDetail, InvalidInput, RuleViolation


@dataclass(frozen=True)
class ChannelMonthSales:
    channel_id: uuid.UUID
    month: date  # first day of the month
    orders: int  # order events
    activations: int
    revenue: Decimal
    currency: str


@dataclass(frozen=True)
class ProductSales:
    product_offering_id: uuid.UUID
    product_family_code: str
    units: int  # quantity ordered, net of cancelled quantity
    revenue: Decimal
    currency: str


@dataclass(frozen=True)
class SalesTotals:
    events: int
    orders: int
    activations: int
    deactivations: int
    revenue: Decimal
    currency: str | None  # None when there is no revenue event
    first_event: datetime | None
    last_event: datetime | None


# Every query below is composed from these constants only; values from callers
# (dates, the file glob) are bound as parameters, never formatted into SQL.
_REVENUE_TYPES = ", ".join(f"'{t}'" for t in REVENUE_EVENT_TYPES)
_REVENUE = f"COALESCE(SUM(amount) FILTER (WHERE event_type IN ({_REVENUE_TYPES})), 0)"


def sales_by_channel_month(
    *, event_store_dir: Path, since: date | None = None, until: date | None = None
) -> list[ChannelMonthSales]:
    """Orders, activations and revenue per sales channel and calendar month, oldest month first."""
    rows = _query(
        event_store_dir,
        since,
        until,
        f"""
        SELECT channel_id,
               CAST(date_trunc('month', CAST(event_time AS TIMESTAMP)) AS DATE) AS sales_month,
               COUNT(*) FILTER (WHERE event_type = 'order') AS orders,
               COUNT(*) FILTER (WHERE event_type = 'activation') AS activations,
               {_REVENUE} AS revenue,
               currency
        FROM events
        GROUP BY channel_id, sales_month, currency
        ORDER BY sales_month, channel_id, currency
        """,  # noqa: S608
    )
    return [
        ChannelMonthSales(
            uuid.UUID(channel), month, int(orders), int(activations), Decimal(revenue), currency
        )
        for channel, month, orders, activations, revenue, currency in rows
    ]


def top_products(
    *, event_store_dir: Path, since: date | None = None, until: date | None = None, limit: int = 10
) -> list[ProductSales]:
    """Offerings with the most revenue (then the most units), at most ``limit`` of them."""
    if limit < 1:
        raise InvalidInput(
            "Invalid limit", [ErrorDetail("limit", f"must be at least 1, got {limit}")]
        )
    rows = _query(
        event_store_dir,
        since,
        until,
        f"""
        SELECT product_offering_id,
               product_family_code,
               COALESCE(SUM(quantity) FILTER (WHERE event_type = 'order'), 0)
                 - COALESCE(SUM(quantity) FILTER (WHERE event_type = 'cancellation'), 0) AS units,
               {_REVENUE} AS revenue,
               currency
        FROM events
        WHERE event_type IN ({_REVENUE_TYPES})
        GROUP BY product_offering_id, product_family_code, currency
        ORDER BY revenue DESC, units DESC, product_offering_id, currency
        LIMIT {int(limit)}
        """,  # noqa: S608
    )
    return [
        ProductSales(uuid.UUID(offering), family, int(units), Decimal(revenue), currency)
        for offering, family, units, revenue, currency in rows
    ]


def sales_totals(
    *, event_store_dir: Path, since: date | None = None, until: date | None = None
) -> SalesTotals:
    """Counts and revenue over the whole store (or the given dates)."""
    empty = SalesTotals(0, 0, 0, 0, Decimal(0), None, None, None)
    rows = _query(
        event_store_dir,
        since,
        until,
        f"""
        SELECT COUNT(*) AS events,
               COUNT(*) FILTER (WHERE event_type = 'order') AS orders,
               COUNT(*) FILTER (WHERE event_type = 'activation') AS activations,
               COUNT(*) FILTER (WHERE event_type = 'deactivation') AS deactivations,
               {_REVENUE} AS revenue,
               currency,
               MIN(CAST(event_time AS TIMESTAMP)) AS first_event,
               MAX(CAST(event_time AS TIMESTAMP)) AS last_event
        FROM events
        GROUP BY currency
        ORDER BY currency
        """,  # noqa: S608
    )
    if not rows:
        return empty
    if len(rows) > 1:
        raise RuleViolation(
            "Sales in several currencies cannot be totalled",
            [ErrorDetail("currency", ", ".join(str(row[5]) for row in rows))],
        )
    events, orders, activations, deactivations, revenue, currency, first, last = rows[0]
    return SalesTotals(
        events=int(events),
        orders=int(orders),
        activations=int(activations),
        deactivations=int(deactivations),
        revenue=Decimal(revenue),
        currency=currency,
        first_event=first.replace(tzinfo=UTC),
        last_event=last.replace(tzinfo=UTC),
    )


def _query(
    event_store_dir: Path, since: date | None, until: date | None, sql: str
) -> list[tuple[Any, ...]]:
    """Run ``sql`` over a view ``events`` of the store restricted to [since, until)."""
    if since is not None and until is not None and until <= since:
        raise InvalidInput("Empty date range", [ErrorDetail("until", "must be after since")])
    if not has_events(event_store_dir):
        return []
    conditions = ["TRUE"]
    parameters: dict[str, object] = {"files": event_files_glob(event_store_dir)}
    if since is not None:
        # The month condition lets DuckDB skip whole partitions.
        conditions.append("month >= $since_month AND event_time >= $since")
        parameters.update(since_month=f"{since:%Y-%m}", since=_midnight(since))
    if until is not None:
        conditions.append("month <= $until_month AND event_time < $until")
        parameters.update(until_month=f"{until:%Y-%m}", until=_midnight(until))
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        scoped = f"""
            WITH events AS (
                SELECT * FROM read_parquet(
                    $files, hive_partitioning = true, hive_types = {{'month': 'VARCHAR'}}
                )
                WHERE {" AND ".join(conditions)}
            )
            {sql}
        """  # noqa: S608
        return [tuple(row) for row in connection.execute(scoped, parameters).fetchall()]
    finally:
        connection.close()


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
