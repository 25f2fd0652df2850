"""Price-change simulation: a proposed price-list version applied to past sales events.

Set-based in DuckDB over the event store (one query, no per-row Python), exact DECIMAL.

What is re-priced (see docs/guided-selling.md for the full statement):

- the **revenue events** (``order``, ``cancellation``, ``recurring_charge``) of the last
  ``months`` complete calendar months before ``now``'s month, in the version's **scope**:
  its channel, and when set its partner tier (the event's partner), market segment (the
  event's customer) and regions (the event's ``region_code``), for the **offerings that have
  an entry** in the version;
- ``recurring_charge``: proposed = entry recurring amount x quantity (when the entry has a
  recurring amount); ``order``: proposed = entry one-time amount x quantity, and its
  ``cancellation`` minus that (when the entry has a one-time amount); an event whose charge
  type the entry does not price keeps its amount;
- **current** = the amount billed (the event's ``amount``);
- **cost** = entry unit cost x quantity, counted on the event that carries the offering's
  main charge: each ``recurring_charge`` when the entry has a recurring amount, otherwise each
  ``order`` (net of its ``cancellation``). The same cost under both prices: a price change does
  not change what a sale costs. Margin = revenue - cost;
- volumes are unchanged: every event happens as it did (no price elasticity), and the
  version's pricing rules (discounts, surcharges) are not applied: list entry amounts only.

Events outside the scope, or for offerings without an entry, are not counted at all: their
revenue is the same under both prices.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.analytics.events import AMOUNT_TYPE, event_files_glob, has_events
from salesdev.core.errors import ErrorDetail, InvalidInput, RuleViolation
from salesdev.db.models import Customer, Partner, Region
from salesdev.db.models.pricing import PriceList, PriceListEntry, PriceListVersion
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.pricing import get_version
from salesdev.domains.pricing.common import price_list_scope

MAX_MONTHS = 120


@dataclass(frozen=True)
class ProposedEntry:
    """One offering's proposed prices (``None``: the version does not price that charge)."""

    offering_id: uuid.UUID
    recurring: Decimal | None
    one_time: Decimal | None
    unit_cost: Decimal | None


@dataclass(frozen=True)
class ProposedVersion:
    """What the simulation needs of a price-list version: scope, currency and entries.

    ``partner_tier``, ``segment`` and ``region_codes`` None mean "any". ``segments`` maps
    customer ids to market segments and ``partner_tiers`` partner ids to tiers; they are
    only read when the scope names a segment or a tier.
    """

    label: str
    currency: str
    channel_id: uuid.UUID
    entries: tuple[ProposedEntry, ...]
    partner_tier: str | None = None
    segment: str | None = None
    region_codes: frozenset[str] | None = None
    segments: Mapping[uuid.UUID, str] | None = None
    partner_tiers: Mapping[uuid.UUID, str] | None = None


@dataclass(frozen=True)
class SimulationLine:
    """Revenue and margin of the re-priced events of one channel and product family."""

    channel_id: uuid.UUID | None  # None on the totals line
    family_code: str | None  # None on the totals line
    events: int
    current_revenue: Decimal
    proposed_revenue: Decimal
    cost: Decimal
    currency: str

    @property
    def revenue_delta(self) -> Decimal:
        return self.proposed_revenue - self.current_revenue

    @property
    def current_margin(self) -> Decimal:
        return self.current_revenue - self.cost

    @property
    def proposed_margin(self) -> Decimal:
        return self.proposed_revenue - self.cost

    @property
    def margin_delta(self) -> Decimal:
        return self.proposed_margin - self.current_margin


@dataclass(frozen=True)
class SimulationResult:
    version_label: str
    currency: str
    months: int
    since: date  # inclusive
    until: date  # exclusive
    lines: tuple[SimulationLine, ...]  # by channel, then family
    totals: SimulationLine


def simulation_window(now: datetime, months: int) -> tuple[date, date]:
    """The last ``months`` complete calendar months before ``now``'s month: [since, until)."""
    if months < 1 or months > MAX_MONTHS:
        raise InvalidInput(
            "Invalid simulation period",
            [ErrorDetail("months", f"must be between 1 and {MAX_MONTHS}, got {months}")],
        )
    until = date(now.year, now.month, 1)
    index = until.year * 12 + (until.month - 1) - months
    return date(index // 12, index % 12 + 1, 1), until


_ENTRY_SCHEMA = pa.schema(
    [
        pa.field("offering_id", pa.string()),
        pa.field("recurring", AMOUNT_TYPE),
        pa.field("one_time", AMOUNT_TYPE),
        pa.field("unit_cost", AMOUNT_TYPE),
    ]
)

# Composed from constants only; every value is a bound parameter or a registered table.
_REPRICE = """
    WITH scoped AS (
        SELECT e.channel_id, e.product_family_code, e.event_type, e.quantity, e.amount,
               e.currency, p.recurring, p.one_time, p.unit_cost
        FROM read_parquet($files, hive_partitioning = true, hive_types = {'month': 'VARCHAR'}) e
        JOIN proposed_entries p ON p.offering_id = e.product_offering_id
        {joins}
        WHERE e.month >= $since_month AND e.month < $until_month
          AND e.event_time >= $since AND e.event_time < $until
          AND e.event_type IN ('order', 'cancellation', 'recurring_charge')
          AND e.channel_id = $channel
          {conditions}
    ),
    priced AS (
        SELECT channel_id, product_family_code, currency, amount AS current_amount,
               CASE
                 WHEN event_type = 'recurring_charge' AND recurring IS NOT NULL
                   THEN recurring * quantity
                 WHEN event_type = 'order' AND one_time IS NOT NULL
                   THEN one_time * quantity
                 WHEN event_type = 'cancellation' AND one_time IS NOT NULL
                   THEN -(one_time * quantity)
                 ELSE amount
               END AS proposed_amount,
               CASE
                 WHEN unit_cost IS NULL THEN 0
                 WHEN recurring IS NOT NULL AND event_type = 'recurring_charge'
                   THEN unit_cost * quantity
                 WHEN recurring IS NULL AND event_type = 'order' THEN unit_cost * quantity
                 WHEN recurring IS NULL AND event_type = 'cancellation'
                   THEN -(unit_cost * quantity)
                 ELSE 0
               END AS cost
        FROM scoped
    )
    SELECT channel_id, product_family_code, currency, COUNT(*) AS events,
           SUM(current_amount) AS current_revenue,
           SUM(proposed_amount) AS proposed_revenue,
           SUM(cost) AS cost
    FROM priced
    GROUP BY channel_id, product_family_code, currency
    ORDER BY channel_id, product_family_code, currency
"""


def simulate_price_change(
    *, event_store_dir: Path, version: ProposedVersion, months: int, now: datetime
) -> SimulationResult:
    """Revenue and margin of the last ``months`` months under current vs proposed prices."""
    since, until = simulation_window(now, months)
    currency = version.currency
    empty = SimulationLine(None, None, 0, Decimal(0), Decimal(0), Decimal(0), currency)
    if not version.entries or not has_events(event_store_dir):
        return SimulationResult(version.label, currency, months, since, until, (), empty)
    rows = _run(event_store_dir, version, since, until)
    foreign = sorted({str(row[2]) for row in rows if row[2] != currency})
    if foreign:
        raise RuleViolation(
            f"Price-list version {version.label} is in {currency} but the sales it would "
            f"re-price are in {', '.join(foreign)}; amounts are never converted",
            [ErrorDetail("version", f"currency {currency} differs from {', '.join(foreign)}")],
        )
    lines = tuple(
        SimulationLine(
            channel_id=uuid.UUID(str(channel)),
            family_code=str(family),
            events=int(events),
            current_revenue=Decimal(current),
            proposed_revenue=Decimal(proposed),
            cost=Decimal(cost),
            currency=str(row_currency),
        )
        for channel, family, row_currency, events, current, proposed, cost in rows
    )
    totals = SimulationLine(
        None,
        None,
        sum((line.events for line in lines), 0),
        sum((line.current_revenue for line in lines), Decimal(0)),
        sum((line.proposed_revenue for line in lines), Decimal(0)),
        sum((line.cost for line in lines), Decimal(0)),
        currency,
    )
    return SimulationResult(version.label, currency, months, since, until, lines, totals)


def _run(
    event_store_dir: Path, version: ProposedVersion, since: date, until: date
) -> list[tuple[Any, ...]]:
    entries = pa.table(
        {
            "offering_id": [str(e.offering_id) for e in version.entries],
            "recurring": [e.recurring for e in version.entries],
            "one_time": [e.one_time for e in version.entries],
            "unit_cost": [e.unit_cost for e in version.entries],
        },
        schema=_ENTRY_SCHEMA,
    )
    joins: list[str] = []
    conditions: list[str] = []
    parameters: dict[str, object] = {
        "files": event_files_glob(event_store_dir),
        "since_month": f"{since:%Y-%m}",
        "until_month": f"{until:%Y-%m}",
        "since": _midnight(since),
        "until": _midnight(until),
        "channel": str(version.channel_id),
    }
    tables: dict[str, pa.Table] = {"proposed_entries": entries}
    if version.segment is not None:
        tables["customer_segments"] = _pairs(version.segments, "customer_id", "segment")
        joins.append("JOIN customer_segments cs ON cs.customer_id = e.customer_id")
        conditions.append("AND cs.segment = $segment")
        parameters["segment"] = version.segment
    if version.partner_tier is not None:
        tables["partner_tiers"] = _pairs(version.partner_tiers, "partner_id", "tier")
        joins.append("JOIN partner_tiers pt ON pt.partner_id = e.partner_id")
        conditions.append("AND pt.tier = $tier")
        parameters["tier"] = version.partner_tier
    if version.region_codes is not None:
        conditions.append("AND list_contains($regions, e.region_code)")
        parameters["regions"] = sorted(version.region_codes)
    sql = _REPRICE.replace("{joins}", "\n".join(joins)).replace(
        "{conditions}", "\n".join(conditions)
    )
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        for name, table in tables.items():
            connection.register(name, table)
        return [tuple(row) for row in connection.execute(sql, parameters).fetchall()]
    finally:
        connection.close()


def _pairs(mapping: Mapping[uuid.UUID, str] | None, key: str, value: str) -> pa.Table:
    items: Sequence[tuple[uuid.UUID, str]] = sorted((mapping or {}).items())
    return pa.table(
        {key: [str(k) for k, _ in items], value: [v for _, v in items]},
        schema=pa.schema([pa.field(key, pa.string()), pa.field(value, pa.string())]),
    )


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def simulate_version(
    session: Session,
    *,
    principal: Principal,
    version_id: uuid.UUID,
    months: int,
    now: datetime,
    event_store_dir: Path,
) -> SimulationResult:
    """Simulate a stored price-list version (any status: a draft is the usual case)."""
    simulation_window(now, months)  # refuse a bad period before reading anything
    price_list, version = get_version(session, principal=principal, version_id=version_id)
    entries = tuple(
        ProposedEntry(
            row.product_offering_id, row.recurring_amount, row.one_time_amount, row.unit_cost
        )
        for row in session.scalars(
            select(PriceListEntry)
            .where(PriceListEntry.version_id == version.id)
            .order_by(PriceListEntry.product_offering_id)
        )
    )
    regions: frozenset[str] | None = None
    if price_list.region_id is not None:
        tree = select(Region.id, Region.code).where(Region.id == price_list.region_id)
        tree_cte = tree.cte("tree", recursive=True)
        tree_cte = tree_cte.union_all(
            select(Region.id, Region.code).where(Region.parent_id == tree_cte.c.id)
        )
        regions = frozenset(session.scalars(select(tree_cte.c.code)))
    segments: dict[uuid.UUID, str] | None = None
    if price_list.market_segment is not None:
        segments = {
            row[0]: row[1]
            for row in session.execute(
                select(Customer.id, Customer.segment).where(
                    Customer.segment == price_list.market_segment
                )
            )
        }
    tiers: dict[uuid.UUID, str] | None = None
    if price_list.partner_tier is not None:
        tiers = {
            row[0]: row[1]
            for row in session.execute(
                select(Partner.id, Partner.tier).where(Partner.tier == price_list.partner_tier)
            )
        }
    proposed = ProposedVersion(
        label=f"{price_list.name} v{version.number}",
        currency=price_list.currency,
        channel_id=price_list.channel_id,
        entries=entries,
        partner_tier=price_list.partner_tier,
        segment=price_list.market_segment,
        region_codes=regions,
        segments=segments,
        partner_tiers=tiers,
    )
    return simulate_price_change(
        event_store_dir=event_store_dir, version=proposed, months=months, now=now
    )


@dataclass(frozen=True)
class VersionChoice:
    version_id: uuid.UUID
    label: str
    status: str


def simulation_versions(session: Session, *, principal: Principal) -> list[VersionChoice]:
    """Price-list versions the principal may simulate, by price list then newest first."""
    authorize(principal, Family.PRICING, "read")
    statement = select(PriceList.name, PriceListVersion).join(
        PriceList, PriceList.id == PriceListVersion.price_list_id
    )
    condition = price_list_scope(session, principal)
    if condition is not None:
        statement = statement.where(condition)
    rows = session.execute(statement.order_by(PriceList.name, PriceListVersion.number.desc())).all()
    return [
        VersionChoice(version.id, f"{name} v{version.number} ({version.status})", version.status)
        for name, version in rows
    ]
