"""Price-change simulation: a proposed price-list version applied to past sales events.

Set-based in DuckDB over the event store (one query, no per-row Python), exact DECIMAL.

What is re-priced (see docs/guided-selling.md for the full statement):

- the **revenue events** (``order``, ``cancellation``, ``recurring_charge``) of the last
  ``months`` complete calendar months before ``now``'s month, in the version's **scope**:
  its channel, and when set its partner tier (the event's partner), market segment (the
  event's customer) and regions (the event's ``region_code``), for the **offerings that have
  an entry** in the version;
- each event is priced as ``resolve_prices`` would price that sale with this version:
  the entry's charge (``recurring_charge``: recurring; ``order``: one-time, and its
  ``cancellation`` minus that) is the base, then the version's **pricing rules** (target,
  charge, promotion window by the event's time, condition, priorities and stacking
  policies) and the channel's **guard-rails** in force at the event's time; the unit price
  x the event's quantity, rounded once to the currency's minor unit. An event whose charge
  type the entry does not price keeps its amount;
- rule conditions are compiled to SQL (``engine.rules.compile_sql``) over a context built
  from the event (channel, partner, premise, offering, date, quantity) and the reference
  data it points to (customer, premise, partner, installed base at the event's time).
  A rule whose condition names an attribute the simulation cannot supply is **not
  evaluable**: it is left out and listed in the result (never silently);
- **current** = the amount billed (the event's ``amount``);
- **cost** = entry unit cost x quantity, counted on the event that carries the offering's
  main charge: each ``recurring_charge`` when the entry has a recurring amount, otherwise each
  ``order`` (net of its ``cancellation``). The same cost under both prices: a price change does
  not change what a sale costs. Margin = revenue - cost;
- volumes are unchanged: every event happens as it did (no price elasticity).

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
from sqlglot import exp

from salesdev.analytics.events import AMOUNT_TYPE, event_files_glob, has_events
from salesdev.core.errors import ErrorDetail, InvalidInput, RuleViolation
from salesdev.core.money import minor_units
from salesdev.db.models import (
    Customer,
    Partner,
    Premise,
    ProductFamily,
    ProductOffering,
    Region,
    SalesChannel,
)
from salesdev.db.models.customers import InstalledProduct
from salesdev.db.models.pricing import (
    PriceGuardRail,
    PriceList,
    PriceListEntry,
    PriceListVersion,
    PricingRule,
)
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.pricing import get_version
from salesdev.domains.pricing.common import price_list_scope
from salesdev.domains.pricing.guardrails import to_engine
from salesdev.domains.pricing.rules import compile_rule, parsed_condition
from salesdev.engine.pricing import Charge, CompiledRule, GuardRail
from salesdev.engine.pricing.resolve import cost_charge, floor_price
from salesdev.engine.rules import AllOf, AnyOf, Comparison, Condition, Not, compile_sql

MAX_MONTHS = 120
# Exact scale of rule deltas and floors: base (4 places) x percentage (4 places) / 100.
_SCALE = 12
_EXACT = pa.decimal128(38, _SCALE)


@dataclass(frozen=True)
class ProposedEntry:
    """One offering's proposed prices (``None``: the version does not price that charge)."""

    offering_id: uuid.UUID
    recurring: Decimal | None
    one_time: Decimal | None
    unit_cost: Decimal | None
    family_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ProposedRule:
    """A pricing rule of the version, with its parsed condition (see ``CompiledRule``)."""

    rule: CompiledRule
    condition: Condition


@dataclass(frozen=True)
class ProposedGuardRail:
    """A guard-rail row of the version's channel, in force ``[valid_from, valid_to)``;
    ``offering_id`` set: it replaces the channel-wide row for that offering."""

    limits: GuardRail
    valid_from: datetime
    valid_to: datetime | None = None
    offering_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ReferenceData:
    """What rule conditions may say about an event that the event does not carry.

    Rows are plain tuples (ids as UUIDs); see :func:`load_reference` for their columns.
    """

    channel: tuple[str, str]  # (code, type) of the version's channel
    customers: Sequence[tuple[Any, ...]] = ()
    # (id, code, kind, segment, credit_class, age_band, region code, customer_since)
    premises: Sequence[tuple[Any, ...]] = ()  # (id, region code, technologies tuple)
    partners: Sequence[tuple[Any, ...]] = ()  # (id, code, tier, type)
    offerings: Sequence[tuple[Any, ...]] = ()  # (id, code, family code, is_bundle)
    installed: Sequence[tuple[Any, ...]] = ()
    # (customer id, offering code, family code, valid_from, valid_to)


@dataclass(frozen=True)
class NotEvaluable:
    """A rule the simulation left out: its condition names attributes it cannot supply."""

    rule_id: uuid.UUID
    name: str
    attributes: tuple[str, ...]

    @property
    def reason(self) -> str:
        return (
            f"not evaluable in simulation: the sales events do not carry "
            f"{', '.join(self.attributes)}"
        )


@dataclass(frozen=True)
class RuleUse:
    """How many re-priced events a rule was applied to."""

    rule_id: uuid.UUID
    name: str
    events: int


@dataclass(frozen=True)
class ProposedVersion:
    """What the simulation needs of a price-list version: scope, currency and entries,
    and its pricing rules with the channel's guard-rails.

    ``partner_tier``, ``segment`` and ``region_codes`` None mean "any". ``segments`` maps
    customer ids to market segments and ``partner_tiers`` partner ids to tiers; they are
    only read when the scope names a segment or a tier. ``reference`` is needed when a
    rule's condition names customer, premise, partner, channel or offering attributes.
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
    rules: tuple[ProposedRule, ...] = ()
    guard_rails: tuple[ProposedGuardRail, ...] = ()
    reference: ReferenceData | None = None


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
    events_with_rules: int = 0  # events at least one pricing rule changed
    events_capped: int = 0  # events a guard-rail limited

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
    rules_used: tuple[RuleUse, ...] = ()  # every evaluable rule, most used first
    not_evaluable: tuple[NotEvaluable, ...] = ()
    rule_count: int = 0  # the version's rules, evaluable or not

    @property
    def rules_applied(self) -> int:
        """How many of the version's rules changed at least one event's price."""
        return sum(1 for use in self.rules_used if use.events)


@dataclass(frozen=True)
class PricedEvent:
    """One re-priced event (for checks against ``resolve_prices``)."""

    event_id: str
    unit_price: Decimal  # exact, before rounding
    proposed_amount: Decimal


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

# The attributes of a sale context, as columns of the ``ctx`` relation below. Every name
# of SALE_VOCABULARY is here; a vocabulary attribute added later without a column here
# makes the rules naming it "not evaluable" (reported), never silently wrong.
_COLUMNS: Mapping[str, str] = {
    "customer.code": "c_code",
    "customer.kind": "c_kind",
    "customer.segment": "c_segment",
    "customer.credit_class": "c_credit_class",
    "customer.tenure_months": "c_tenure_months",
    "customer.age_band": "c_age_band",
    "customer.region": "c_region",
    "customer.products": "c_products",
    "customer.product_families": "c_product_families",
    "premise.region": "q_region",
    "premise.technologies": "q_technologies",
    "channel.code": "ch_code",
    "channel.type": "ch_type",
    "partner.code": "pa_code",
    "partner.tier": "pa_tier",
    "partner.type": "pa_type",
    "offering.code": "o_code",
    "offering.family": "o_family",
    "offering.is_bundle": "o_is_bundle",
    "sale.date": "s_date",
    "sale.quantity": "s_quantity",
}

# Composed from constants only; every value is a bound parameter or a registered table;
# rule conditions are sqlglot trees with typed literals (engine.rules.compile_sql).
_SCOPED = """
    scoped AS (
        SELECT e.event_id, e.event_time, e.channel_id, e.product_family_code, e.event_type,
               e.quantity, e.amount, e.currency, e.customer_id, e.premise_id, e.partner_id,
               e.product_offering_id, p.recurring, p.one_time, p.unit_cost,
               CASE WHEN e.event_type = 'recurring_charge' THEN 'recurring' ELSE 'oneTime'
               END AS charge,
               CASE WHEN e.event_type = 'recurring_charge' THEN p.recurring ELSE p.one_time
               END AS base
        FROM read_parquet($files, hive_partitioning = true, hive_types = {'month': 'VARCHAR'}) e
        JOIN proposed_entries p ON p.offering_id = e.product_offering_id
        {joins}
        WHERE e.month >= $since_month AND e.month < $until_month
          AND e.event_time >= $since AND e.event_time < $until
          AND e.event_type IN ('order', 'cancellation', 'recurring_charge')
          AND e.channel_id = $channel
          {conditions}
    )"""

_CONTEXT = """,
    ctx AS MATERIALIZED (
        SELECT s.*, CAST(s.event_time AS DATE) AS s_date, s.quantity AS s_quantity,
               c.code AS c_code, c.kind AS c_kind, c.segment AS c_segment,
               c.credit_class AS c_credit_class, NULLIF(c.age_band, '') AS c_age_band,
               c.region AS c_region,
               CASE WHEN c.since IS NULL THEN NULL ELSE GREATEST(0,
                   (year(CAST(s.event_time AS DATE)) - year(c.since)) * 12
                   + month(CAST(s.event_time AS DATE)) - month(c.since)
                   - CASE WHEN day(CAST(s.event_time AS DATE)) < day(c.since)
                           AND CAST(s.event_time AS DATE) <> last_day(CAST(s.event_time AS DATE))
                          THEN 1 ELSE 0 END)
               END AS c_tenure_months,
               CASE WHEN c.id IS NULL THEN NULL ELSE COALESCE(
                   (SELECT list(i.code) FROM sim_installed i
                    WHERE i.customer_id = s.customer_id AND i.valid_from <= s.event_time
                      AND (i.valid_to IS NULL OR i.valid_to > s.event_time)),
                   []::VARCHAR[]) END AS c_products,
               CASE WHEN c.id IS NULL THEN NULL ELSE COALESCE(
                   (SELECT list(i.family) FROM sim_installed i
                    WHERE i.customer_id = s.customer_id AND i.valid_from <= s.event_time
                      AND (i.valid_to IS NULL OR i.valid_to > s.event_time)),
                   []::VARCHAR[]) END AS c_product_families,
               q.region AS q_region, q.technologies AS q_technologies,
               $channel_code AS ch_code, $channel_type AS ch_type,
               pa.code AS pa_code, pa.tier AS pa_tier, pa.type AS pa_type,
               o.code AS o_code, o.family AS o_family, o.is_bundle AS o_is_bundle
        FROM scoped s
        LEFT JOIN sim_customers c ON c.id = s.customer_id
        LEFT JOIN sim_premises q ON q.id = s.premise_id
        LEFT JOIN sim_partners pa ON pa.id = s.partner_id
        LEFT JOIN sim_offerings o ON o.id = s.product_offering_id
    ),
    hits AS (
        {hits}
    ),
    candidates AS (
        SELECT h.event_id, d.rule_index, d.stacking, d.rank, d.delta
        FROM hits h
        JOIN rule_deltas d ON d.rule_index = h.rule_index
         AND d.offering_id = h.product_offering_id AND d.charge = h.charge
         AND (d.valid_from IS NULL OR h.event_time >= d.valid_from)
         AND (d.valid_to IS NULL OR h.event_time < d.valid_to)
    ),
    ranked AS (
        SELECT *,
               bool_or(stacking = 'exclusive') OVER (PARTITION BY event_id) AS has_exclusive,
               row_number() OVER (
                   PARTITION BY event_id, stacking
                   ORDER BY CASE WHEN stacking = 'best' THEN delta END, rank) AS n
        FROM candidates
    ),
    applied AS (
        SELECT event_id, rule_index, delta FROM ranked
        WHERE (has_exclusive AND stacking = 'exclusive' AND n = 1)
           OR (NOT has_exclusive AND (stacking = 'stackable' OR (stacking = 'best' AND n = 1)))
    ),
    rule_totals AS (
        SELECT event_id, SUM(delta) AS delta, list(rule_index) AS rules
        FROM applied GROUP BY event_id
    ),
    floors_in_force AS (
        SELECT s.event_id,
               COALESCE(MAX(f.floor) FILTER (WHERE f.specific),
                        MAX(f.floor) FILTER (WHERE NOT f.specific)) AS floor
        FROM scoped s
        JOIN guard_floors f ON f.offering_id = s.product_offering_id AND f.charge = s.charge
         AND f.valid_from <= s.event_time AND (f.valid_to IS NULL OR s.event_time < f.valid_to)
        GROUP BY s.event_id
    ),
    unit_priced AS (
        SELECT s.*, r.rules,
               GREATEST(s.base + COALESCE(r.delta, 0), 0) AS ruled,
               GREATEST(GREATEST(s.base + COALESCE(r.delta, 0), 0), COALESCE(g.floor, 0))
                   AS unit_price
        FROM scoped s
        LEFT JOIN rule_totals r ON r.event_id = s.event_id
        LEFT JOIN floors_in_force g ON g.event_id = s.event_id
    )"""

_PLAIN = """,
    unit_priced AS (
        SELECT s.*, NULL::INTEGER[] AS rules, s.base AS ruled, s.base AS unit_price
        FROM scoped s
    )"""

_PRICED = """,
    priced_rows AS (
        SELECT event_id, channel_id, product_family_code, currency, rules,
               amount AS current_amount, unit_price,
               base IS NOT NULL AND unit_price > ruled AS capped,
               CASE
                 WHEN base IS NULL THEN amount
                 WHEN event_type = 'cancellation'
                   THEN -ROUND(unit_price * quantity, $minor)
                 ELSE ROUND(unit_price * quantity, $minor)
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
        FROM unit_priced
    )"""

_SUMMARY = """
    SELECT channel_id, product_family_code, currency, COUNT(*) AS events,
           SUM(current_amount) AS current_revenue,
           SUM(proposed_amount) AS proposed_revenue,
           SUM(cost) AS cost,
           COUNT(*) FILTER (WHERE len(rules) > 0) AS events_with_rules,
           COUNT(*) FILTER (WHERE capped) AS events_capped
    FROM priced
    GROUP BY channel_id, product_family_code, currency
    ORDER BY channel_id, product_family_code, currency
"""

_RULE_USE = """
    SELECT rule_index, COUNT(*) FROM (SELECT unnest(rules) AS rule_index FROM priced)
    GROUP BY rule_index
"""

_EVENTS = """
    SELECT event_id, unit_price, proposed_amount FROM priced ORDER BY event_id
"""


def simulate_price_change(
    *, event_store_dir: Path, version: ProposedVersion, months: int, now: datetime
) -> SimulationResult:
    """Revenue and margin of the last ``months`` months under current vs proposed prices."""
    since, until = simulation_window(now, months)
    currency = version.currency
    evaluable, not_evaluable = split_evaluable(version.rules)
    empty = SimulationLine(None, None, 0, Decimal(0), Decimal(0), Decimal(0), currency)
    unused = tuple(RuleUse(r.rule.id, r.rule.name, 0) for r in evaluable)
    if not version.entries or not has_events(event_store_dir):
        return SimulationResult(
            version.label, currency, months, since, until, (), empty, unused,
            not_evaluable, len(version.rules),
        )  # fmt: skip
    with _Query(event_store_dir, version, evaluable, since, until) as query:
        rows = query.fetch(_SUMMARY)
        foreign = sorted({str(row[2]) for row in rows if row[2] != currency})
        if foreign:
            raise RuleViolation(
                f"Price-list version {version.label} is in {currency} but the sales it would "
                f"re-price are in {', '.join(foreign)}; amounts are never converted",
                [ErrorDetail("version", f"currency {currency} differs from {', '.join(foreign)}")],
            )
        counts = dict(query.fetch(_RULE_USE)) if evaluable else {}
    lines = tuple(
        SimulationLine(
            channel_id=uuid.UUID(str(channel)),
            family_code=str(family),
            events=int(events),
            current_revenue=Decimal(current),
            proposed_revenue=Decimal(proposed),
            cost=Decimal(cost),
            currency=str(row_currency),
            events_with_rules=int(with_rules),
            events_capped=int(capped),
        )
        for channel, family, row_currency, events, current, proposed, cost, with_rules, capped in rows
    )
    totals = SimulationLine(
        None,
        None,
        sum((line.events for line in lines), 0),
        sum((line.current_revenue for line in lines), Decimal(0)),
        sum((line.proposed_revenue for line in lines), Decimal(0)),
        sum((line.cost for line in lines), Decimal(0)),
        currency,
        sum((line.events_with_rules for line in lines), 0),
        sum((line.events_capped for line in lines), 0),
    )
    uses = sorted(
        (RuleUse(r.rule.id, r.rule.name, int(counts.get(i, 0))) for i, r in enumerate(evaluable)),
        key=lambda use: (-use.events, use.name),
    )
    return SimulationResult(
        version.label, currency, months, since, until, lines, totals, tuple(uses),
        not_evaluable, len(version.rules),
    )  # fmt: skip


def priced_events(
    *, event_store_dir: Path, version: ProposedVersion, months: int, now: datetime
) -> list[PricedEvent]:
    """Each re-priced event's exact unit price and proposed amount (same query)."""
    since, until = simulation_window(now, months)
    if not version.entries or not has_events(event_store_dir):
        return []
    evaluable, _ = split_evaluable(version.rules)
    with _Query(event_store_dir, version, evaluable, since, until) as query:
        return [
            PricedEvent(str(event_id), Decimal(unit), Decimal(amount))
            for event_id, unit, amount in query.fetch(_EVENTS)
        ]


def split_evaluable(
    rules: Sequence[ProposedRule],
) -> tuple[list[ProposedRule], tuple[NotEvaluable, ...]]:
    """The rules whose every attribute has a column, and the others (reported)."""
    evaluable: list[ProposedRule] = []
    refused: list[NotEvaluable] = []
    for rule in rules:
        missing = sorted(a for a in _attributes(rule.condition) if a not in _COLUMNS)
        if missing:
            refused.append(NotEvaluable(rule.rule.id, rule.rule.name, tuple(missing)))
        else:
            evaluable.append(rule)
    return evaluable, tuple(refused)


def _attributes(condition: Condition) -> set[str]:
    if isinstance(condition, Comparison):
        return {condition.attribute}
    if isinstance(condition, Not):
        return _attributes(condition.part)
    assert isinstance(condition, AllOf | AnyOf)
    return {a for part in condition.parts for a in _attributes(part)}


class _Query:
    """One DuckDB connection with the event scope and the version's tables registered."""

    def __init__(
        self,
        event_store_dir: Path,
        version: ProposedVersion,
        rules: Sequence[ProposedRule],
        since: date,
        until: date,
    ) -> None:
        joins: list[str] = []
        conditions: list[str] = []
        self.parameters: dict[str, object] = {
            "files": event_files_glob(event_store_dir),
            "since_month": f"{since:%Y-%m}",
            "until_month": f"{until:%Y-%m}",
            "since": _midnight(since),
            "until": _midnight(until),
            "channel": str(version.channel_id),
            "minor": minor_units(version.currency),
        }
        self.tables: dict[str, pa.Table] = {"proposed_entries": _entries(version.entries)}
        if version.segment is not None:
            self.tables["customer_segments"] = _pairs(version.segments, "customer_id", "segment")
            joins.append("JOIN customer_segments cs ON cs.customer_id = e.customer_id")
            conditions.append("AND cs.segment = $segment")
            self.parameters["segment"] = version.segment
        if version.partner_tier is not None:
            self.tables["partner_tiers"] = _pairs(version.partner_tiers, "partner_id", "tier")
            joins.append("JOIN partner_tiers pt ON pt.partner_id = e.partner_id")
            conditions.append("AND pt.tier = $tier")
            self.parameters["tier"] = version.partner_tier
        if version.region_codes is not None:
            conditions.append("AND list_contains($regions, e.region_code)")
            self.parameters["regions"] = sorted(version.region_codes)
        scoped = _SCOPED.replace("{joins}", "\n".join(joins)).replace(
            "{conditions}", "\n".join(conditions)
        )
        if rules or version.guard_rails:
            reference = version.reference or ReferenceData(channel=("", ""))
            self.tables.update(_reference_tables(reference))
            self.tables["rule_deltas"] = _rule_deltas(version.entries, rules)
            self.tables["guard_floors"] = _guard_floors(version.entries, version.guard_rails)
            self.parameters["channel_code"] = reference.channel[0]
            self.parameters["channel_type"] = reference.channel[1]
            self.prefix = "WITH " + scoped + _CONTEXT.replace("{hits}", _hits(rules)) + _PRICED
        else:
            self.prefix = "WITH " + scoped + _PLAIN + _PRICED
        self.connection = duckdb.connect()

    def __enter__(self) -> _Query:
        try:
            self.connection.execute("SET TimeZone = 'UTC'")
            for name, table in self.tables.items():
                self.connection.register(name, table)
            # The events are priced once (one scan, one pass of the rules) into a temporary
            # table (one narrow row per re-priced event); the summary and the per-rule
            # counts then read it.
            # Constants and sqlglot-compiled conditions only (see _hits); values are bound.
            sql = "CREATE TEMP TABLE priced AS " + self.prefix + " SELECT * FROM priced_rows"  # noqa: S608
            used = {k: v for k, v in self.parameters.items() if f"${k}" in sql}
            self.connection.execute(sql, used)
        except BaseException:
            self.connection.close()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.connection.close()

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.connection.execute(sql).fetchall()]


def _column(name: str) -> exp.Expression:
    return exp.column(_COLUMNS[name])


def _hits(rules: Sequence[ProposedRule]) -> str:
    """Which (event, rule) pairs hold: one SELECT per rule, its condition compiled to SQL."""
    if not rules:
        return "SELECT NULL::VARCHAR AS event_id, NULL::INTEGER AS rule_index, " + (
            "NULL::VARCHAR AS product_offering_id, NULL::VARCHAR AS charge, "
            "NULL::TIMESTAMPTZ AS event_time WHERE FALSE"
        )
    parts = []
    for index, rule in enumerate(rules):
        condition = compile_sql(rule.condition, _column).sql(dialect="duckdb")
        parts.append(
            # The condition is a sqlglot tree with typed literals, never user text.
            f"SELECT event_id, {index} AS rule_index, product_offering_id, charge, event_time "  # noqa: S608
            f"FROM ctx WHERE {condition}"
        )
    return "\nUNION ALL\n".join(parts)


def _exact(value: Decimal) -> Decimal:
    quantized = value.quantize(Decimal(1).scaleb(-_SCALE))
    if quantized != value:  # pragma: no cover - base and values have 4 places
        raise ValueError(f"{value} has more than {_SCALE} decimal places")
    return quantized


def _bases(entry: ProposedEntry) -> dict[Charge, Decimal | None]:
    return {Charge.RECURRING: entry.recurring, Charge.ONE_TIME: entry.one_time}


def _rule_deltas(entries: Sequence[ProposedEntry], rules: Sequence[ProposedRule]) -> pa.Table:
    """Per rule, targeted offering and charge: the change it alone makes to the base (exact,
    from the engine), its stacking policy, its rank (priority, then name) and window."""
    ranks = {
        id(r): position
        for position, r in enumerate(sorted(rules, key=lambda r: (-r.rule.priority, r.rule.name)))
    }
    rows: list[tuple[Any, ...]] = []
    for index, proposed in enumerate(rules):
        rule = proposed.rule
        for entry in entries:
            if not _targets(rule, entry):
                continue
            for charge, base in _bases(entry).items():
                if base is None or not rule.applies_to_charge(charge):
                    continue
                rows.append(
                    (index, str(entry.offering_id), charge.value, rule.stacking,
                     ranks[id(proposed)], _exact(rule.delta(base)), rule.valid_from,
                     rule.valid_to)
                )  # fmt: skip
    stamp = pa.timestamp("us", tz="UTC")
    names = ("rule_index", "offering_id", "charge", "stacking", "rank", "delta", "valid_from",
             "valid_to")  # fmt: skip
    types = (pa.int32(), pa.string(), pa.string(), pa.string(), pa.int32(), _EXACT, stamp, stamp)
    return _rows_table(rows, names, types)


def _targets(rule: CompiledRule, entry: ProposedEntry) -> bool:
    if rule.target == "all":
        return True
    if rule.target == "family":
        return rule.family_id is not None and rule.family_id == entry.family_id
    return entry.offering_id in rule.offering_ids


def _guard_floors(entries: Sequence[ProposedEntry], rails: Sequence[ProposedGuardRail]) -> pa.Table:
    """Per guard-rail row, offering and charge: the lowest price it allows (exact, from
    the engine; never above the base)."""
    rows: list[tuple[Any, ...]] = []
    for rail in rails:
        for entry in entries:
            if rail.offering_id is not None and rail.offering_id != entry.offering_id:
                continue
            bases = _bases(entry)
            margin_charge = cost_charge(bases)
            for charge, base in bases.items():
                if base is None:
                    continue
                cost = entry.unit_cost if charge is margin_charge else None
                floor, _ = floor_price(base, rail.limits, charge, cost)
                rows.append(
                    (str(entry.offering_id), charge.value, rail.offering_id is not None,
                     _exact(min(floor, base)), rail.valid_from, rail.valid_to)
                )  # fmt: skip
    stamp = pa.timestamp("us", tz="UTC")
    names = ("offering_id", "charge", "specific", "floor", "valid_from", "valid_to")
    types = (pa.string(), pa.string(), pa.bool_(), _EXACT, stamp, stamp)
    return _rows_table(rows, names, types)


def _reference_tables(reference: ReferenceData) -> dict[str, pa.Table]:
    text, day, stamp = pa.string(), pa.date32(), pa.timestamp("us", tz="UTC")
    return {
        "sim_customers": _rows_table(
            [(str(r[0]), *r[1:]) for r in reference.customers],
            ("id", "code", "kind", "segment", "credit_class", "age_band", "region", "since"),
            (text, text, text, text, text, text, text, day),
        ),
        "sim_premises": _rows_table(
            [(str(r[0]), r[1], list(r[2])) for r in reference.premises],
            ("id", "region", "technologies"),
            (text, text, pa.list_(text)),
        ),
        "sim_partners": _rows_table(
            [(str(r[0]), *r[1:]) for r in reference.partners],
            ("id", "code", "tier", "type"),
            (text, text, text, text),
        ),
        "sim_offerings": _rows_table(
            [(str(r[0]), *r[1:]) for r in reference.offerings],
            ("id", "code", "family", "is_bundle"),
            (text, text, text, pa.bool_()),
        ),
        "sim_installed": _rows_table(
            [(str(r[0]), *r[1:]) for r in reference.installed],
            ("customer_id", "code", "family", "valid_from", "valid_to"),
            (text, text, text, stamp, stamp),
        ),
    }


def _rows_table(
    rows: Sequence[tuple[Any, ...]], names: Sequence[str], types: Sequence[pa.DataType]
) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pa.table(
        {name: list(values) for name, values in zip(names, columns, strict=True)},
        schema=pa.schema([pa.field(n, t) for n, t in zip(names, types, strict=True)]),
    )


def _entries(entries: Sequence[ProposedEntry]) -> pa.Table:
    return pa.table(
        {
            "offering_id": [str(e.offering_id) for e in entries],
            "recurring": [e.recurring for e in entries],
            "one_time": [e.one_time for e in entries],
            "unit_cost": [e.unit_cost for e in entries],
        },
        schema=_ENTRY_SCHEMA,
    )


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
    proposed = load_proposed_version(session, price_list=price_list, version=version)
    return simulate_price_change(
        event_store_dir=event_store_dir, version=proposed, months=months, now=now
    )


def load_proposed_version(
    session: Session, *, price_list: PriceList, version: PriceListVersion
) -> ProposedVersion:
    """A stored version as the simulation sees it: scope, entries, rules, guard-rails and
    the reference data its rules' conditions need (a fixed number of queries)."""
    entries = tuple(
        ProposedEntry(
            row.product_offering_id,
            row.recurring_amount,
            row.one_time_amount,
            row.unit_cost,
            family_id,
        )
        for row, family_id in session.execute(
            select(PriceListEntry, ProductOffering.family_id)
            .join(ProductOffering, ProductOffering.id == PriceListEntry.product_offering_id)
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
    rules = tuple(
        ProposedRule(compile_rule(row), parsed_condition(row))
        for row in session.scalars(select(PricingRule).where(PricingRule.version_id == version.id))
    )
    rails = tuple(
        ProposedGuardRail(
            to_engine(row, price_list.currency),
            row.valid_from,
            row.valid_to,
            row.product_offering_id,
        )
        for row in session.scalars(
            select(PriceGuardRail).where(PriceGuardRail.channel_id == price_list.channel_id)
        )
    )
    reference = None
    if rules or rails:
        evaluable, _ = split_evaluable(rules)
        named = {a for r in evaluable for a in _attributes(r.condition)}
        reference = load_reference(
            session, channel_id=price_list.channel_id, offering_ids=[e.offering_id for e in entries],
            attributes=named,
        )  # fmt: skip
    return ProposedVersion(
        label=f"{price_list.name} v{version.number}",
        currency=price_list.currency,
        channel_id=price_list.channel_id,
        entries=entries,
        partner_tier=price_list.partner_tier,
        segment=price_list.market_segment,
        region_codes=regions,
        segments=segments,
        partner_tiers=tiers,
        rules=rules,
        guard_rails=rails,
        reference=reference,
    )


def load_reference(
    session: Session,
    *,
    channel_id: uuid.UUID,
    offering_ids: Sequence[uuid.UUID],
    attributes: set[str],
) -> ReferenceData:
    """The reference rows the conditions need: only the kinds of attribute they name."""
    channel = session.get(SalesChannel, channel_id)
    assert channel is not None  # the price list's channel (a foreign key)
    region_codes: dict[uuid.UUID, str] = {
        row[0]: row[1] for row in session.execute(select(Region.id, Region.code))
    }
    kinds = {a.split(".", 1)[0] for a in attributes}
    customers: list[tuple[Any, ...]] = []
    installed: list[tuple[Any, ...]] = []
    if kinds & {"customer"}:
        customers = [
            (c.id, c.code, c.kind, c.segment, c.credit_class, c.age_band,
             region_codes.get(c.region_id) if c.region_id else None, c.customer_since)
            for c in session.scalars(select(Customer))
        ]  # fmt: skip
    if attributes & {"customer.products", "customer.product_families"}:
        installed = [
            tuple(row)
            for row in session.execute(
                select(
                    InstalledProduct.customer_id,
                    ProductOffering.code,
                    ProductFamily.code,
                    InstalledProduct.valid_from,
                    InstalledProduct.valid_to,
                )
                .join(ProductOffering, ProductOffering.id == InstalledProduct.product_offering_id)
                .join(ProductFamily, ProductFamily.id == ProductOffering.family_id)
            )
        ]
    premises: list[tuple[Any, ...]] = []
    if "premise" in kinds:
        premises = [
            (q.id, region_codes.get(q.region_id) if q.region_id else None,
             tuple(t.strip() for t in q.technologies.split(",") if t.strip()))
            for q in session.scalars(select(Premise))
        ]  # fmt: skip
    partners: list[tuple[Any, ...]] = []
    if "partner" in kinds:
        partners = [
            tuple(row)
            for row in session.execute(
                select(Partner.id, Partner.code, Partner.tier, Partner.partner_type).where(
                    Partner.channel_id == channel_id
                )
            )
        ]
    offerings = [
        (row[0], row[1], row[2], bool(row[3]))
        for row in session.execute(
            select(
                ProductOffering.id,
                ProductOffering.code,
                ProductFamily.code,
                ProductOffering.is_bundle,
            )
            .join(ProductFamily, ProductFamily.id == ProductOffering.family_id)
            .where(ProductOffering.id.in_(list(offering_ids)))
        )
    ]
    return ReferenceData(
        channel=(channel.code, channel.channel_type),
        customers=customers,
        premises=premises,
        partners=partners,
        offerings=offerings,
        installed=installed,
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
