"""Benchmark: the compensation engine (DuckDB) against pandas and a per-row Python loop.

    .venv/bin/python benchmarks/compensation.py [--events 10000000] [--loop-events 1000000]
        [--memory-limit-mb 2048] [--threads N] [--no-baselines] [--work-dir DIR] [--keep-store]

Generates a synthetic event store (Parquet, the store layout) of about ``--events``
events for ~20,000 payees (18,000 reps, 2,000 dealer partners) and five product
families: October 2026 orders, activations, port-ins, cancellations, recurring
charges, payments, suspensions, resumptions and deactivations, plus the
activations of the lines billed in October in the months before. The events are
generated a chunk of lines at a time, so any size fits in bounded memory. The
plan has every component kind: per-family rates with a component cap, marginal
tiers with a gate, cap and floor, activation and port-in bounties with a 30-day
chargeback window, a 12-month residual, a per-unit SPIFF, a manager override
through a 4-level sales hierarchy (with a re-organisation in the month) and a
dealer-chain override through a 2-level partner genealogy, and a plan cap; every
20th new line's order is split 60/40 between two reps (its chargebacks and
residuals follow the split too). The baselines implement the same splits,
roll-up and caps.

Figures:
- compute_s: the calculating stages of ``calculate`` (credit, measure, incentive,
  payment) and its input checks, over the loaded native tables;
- load_s: its load stages: read the period's events and the line history from the
  Parquet store into native tables with integer surrogate keys;
- end_to_end_s: load + calculate + fetch + write the lines to Parquet (all of it);
- peak_rss_mb: the high-water mark of the process that ran end_to_end (a fresh
  one: neither the generator nor the baselines count);
- pandas_s: the same rules with pandas on the same events (read included);
- loop_1m_s: a per-row Python loop over ``--loop-events`` events, scaled to N.
Both baselines read only the columns their rules use, as the engine does.
Totals (sum of rounded payment lines) must match exactly: DuckDB and pandas on N
events, DuckDB and the loop on the loop's events. The calculation runs a second
time with every stage profiled, from an Arrow table in memory (from the store
with ``--no-baselines``): its lines must be byte-identical, and the plan-shape
check (salesdev.analytics.compensation.plan_shape) must find every join a hash
join built on its small side. The last line is one JSON object; the exit status
is 1 when totals differ or a plan lost its shape. ``--no-baselines`` is for runs
too large for pandas (100 million events): pandas_s and loop_1m_s are null.
``--keep-store`` keeps the generated stores in ``--work-dir`` (named by size and seed)
and reuses them on the next run instead of generating them again. The wall and CPU
seconds of every stage, and the load average, are printed to stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from salesdev.analytics.compensation import CalculationResult, calculate, plan_shape_problems
from salesdev.analytics.compensation.plan_shape import hash_join_build_tables
from salesdev.analytics.compensation.runner import DEFAULT_MEMORY_LIMIT_MB
from salesdev.analytics.events import EVENT_SCHEMA, EventStoreWriter
from salesdev.core.periods import Period
from salesdev.engine.compensation import (
    BountyComponent,
    DealerOverrideComponent,
    FamilyRate,
    LevelRate,
    ManagerOverrideComponent,
    OverrideComponent,
    Plan,
    RateComponent,
    ResidualComponent,
    SpiffComponent,
    Tier,
    TieredComponent,
    TierMode,
)

PERIOD = Period(2026, 10)
FAMILIES = ("DSL", "FIBRE", "MOBILE_POSTPAID", "MOBILE_PREPAID", "TV")
REPS, PARTNERS, STAFF_PER_PARTNER = 18_000, 2_000, 2
DEALER_STAFF_FROM = REPS - PARTNERS * STAFF_PER_PARTNER  # reps from here work for a partner
US_PER_DAY = 86_400_000_000
CHUNK_EVENTS = 2_000_000  # events generated at a time
UNITS = 10_000  # amounts are generated in units of 0.0001 (DECIMAL(18,4))
TYPES = (
    "order", "activation", "port_in", "cancellation", "recurring_charge", "payment",
    "suspension", "resumption", "deactivation",
)  # fmt: skip
T = {name: code for code, name in enumerate(TYPES)}


def bench_plan() -> Plan:
    d = Decimal
    return Plan(
        id="bench",
        version=1,
        currency="EUR",
        period=PERIOD,
        components=(
            RateComponent(
                id="revenue",
                rates=(
                    FamilyRate("DSL", d("0.030000")),
                    FamilyRate("FIBRE", d("0.045000")),
                    FamilyRate("MOBILE_POSTPAID", d("0.025000")),
                    FamilyRate("TV", d("0.020000")),
                ),
                cap=REVENUE_CAP,
            ),
            TieredComponent(
                id="attainment",
                tiers=(
                    Tier(d("0"), d("0.5"), d("0.010000")),
                    Tier(d("0.5"), d("1.0"), d("0.030000")),
                    Tier(d("1.0"), d("1.5"), d("0.050000")),
                    Tier(d("1.5"), None, d("0.070000")),
                ),
                mode=TierMode.MARGINAL,
                threshold=d("0.25"),
                cap=d("900"),
                floor=d("5"),
            ),
            BountyComponent(id="activation-bounty", amount=d("25"), chargeback_days=30),
            BountyComponent(
                id="port-in-bounty", amount=d("10"), chargeback_days=30, event_types=("port_in",)
            ),
            ResidualComponent(
                id="residual", rate=d("0.05"), months=12, product_families=("DSL", "FIBRE", "TV")
            ),
            SpiffComponent(
                id="fibre-spiff",
                product_families=("FIBRE",),
                window_start=SPIFF_WINDOW[0],
                window_end=SPIFF_WINDOW[1],
                amount=d("5"),
            ),
            ManagerOverrideComponent(
                id="manager-override",
                level_rates=(LevelRate(1, d("0.010000")), LevelRate(2, d("0.005000"))),
                default_rate=d("0.002000"),
            ),
            DealerOverrideComponent(
                id="dealer-chain",
                level_rates=(LevelRate(1, d("0.020000")), LevelRate(2, d("0.010000"))),
            ),
        ),
        cap=PLAN_CAP,
    )


# Caps: the revenue component per payee and period, and the whole plan.
REVENUE_CAP = Decimal("1500")
PLAN_CAP = Decimal("6000")
SPIFF_WINDOW = (date(2026, 10, 1), date(2026, 10, 16))
SPLIT_EVERY = 20  # every 20th new line's order is split 60/40 between two reps
REORG_EVERY = 50  # every 50th rep moves to another team lead on REORG_DAY
REORG_DAY = date(2026, 10, 16)


def _rep_parent(r: int) -> int | None:
    """The sales hierarchy, 4 levels above the reps: 16,000 reps -> 1,800 team leads ->
    180 managers -> 18 directors -> 2 vice presidents (all of them payees)."""
    if r >= 2000:
        return 200 + r % 1800
    if r >= 200:
        return 20 + r % 180
    if r >= 20:
        return 2 + r % 18
    if r >= 2:
        return r % 2
    return None


def _partner_parent(q: int) -> int | None:
    """The partner genealogy: 1,800 sub-dealers -> 180 agents -> 20 master agents."""
    if q >= 200:
        return 20 + q % 180
    if q >= 20:
        return q % 20
    return None


def hierarchy_edges(seed: int) -> list[tuple[str, str, str, int, int]]:
    """(payee, parent, relation, from_us, to_us) of the benchmark's hierarchy."""
    dims = dimensions(seed)
    reps, partners = dims.reps.to_pylist(), dims.partners.to_pylist()
    since, reorg, never = _us(datetime(2025, 1, 1, tzinfo=UTC)), _day_us(REORG_DAY), 2**62
    edges: list[tuple[str, str, str, int, int]] = []
    for r in range(REPS):
        parent = _rep_parent(r)
        if parent is None:
            continue
        if r >= 2000 and r % REORG_EVERY == 0:
            edges.append((reps[r], reps[parent], "manager", since, reorg))
            edges.append((reps[r], reps[200 + (r + 1) % 1800], "manager", reorg, never))
        else:
            edges.append((reps[r], reps[parent], "manager", since, never))
    for q in range(PARTNERS):
        parent = _partner_parent(q)
        if parent is not None:
            edges.append((partners[q], partners[parent], "partner", since, never))
    return edges


def hierarchy_table(seed: int) -> pa.Table:
    edges = hierarchy_edges(seed)
    never = 2**62
    return pa.table(
        {
            "payee_id": [e[0] for e in edges],
            "parent_id": [e[1] for e in edges],
            "relation": [e[2] for e in edges],
            "valid_from": pa.array([e[3] for e in edges], pa.timestamp("us", tz="UTC")),
            "valid_to": pa.array(
                [None if e[4] == never else e[4] for e in edges], pa.timestamp("us", tz="UTC")
            ),
        }
    )


def _day_us(day: date) -> int:
    return _us(datetime(day.year, day.month, day.day, tzinfo=UTC))


def splits_path(store: Path) -> Path:
    return store.parent / f"{store.name}-splits.parquet"


def read_splits(store: Path) -> pa.Table:
    return pq.read_table(splits_path(store))


# --- synthetic data ---------------------------------------------------------------------------


def _us(at: datetime) -> int:
    return int(at.timestamp()) * 1_000_000


@dataclass(frozen=True)
class Dimensions:
    """The ids every chunk of events draws from: the same for a seed."""

    reps: pa.Array
    partners: pa.Array
    customers: pa.Array
    offerings: pa.Array


def dimensions(seed: int) -> Dimensions:
    rng = np.random.default_rng(seed + 1)
    return Dimensions(
        _uuids(REPS, rng), _uuids(PARTNERS, rng), _uuids(1000, rng), _uuids(len(FAMILIES), rng)
    )


def generate(events: int, seed: int, store: Path, *, chunk_events: int = CHUNK_EVENTS) -> int:
    """Write about ``events`` events to ``store``; return how many were written.

    Lines are independent, so the events are generated a chunk of lines at a
    time (each with its own seeded generator) and appended to the store: memory
    holds one chunk, whatever ``events``.
    """
    existing_total = int(events / 3.55)
    new_total = int(existing_total * 0.2)
    chunks = max(1, -(-events // chunk_events))
    dims = dimensions(seed)
    written, line_offset = 0, 0
    split_parts: list[pa.Table] = []
    with EventStoreWriter(store) as writer:
        for chunk in range(chunks):
            existing = _share(existing_total, chunk, chunks)
            new = _share(new_total, chunk, chunks)
            rng = np.random.default_rng([seed, chunk])
            table, splits = _chunk(
                existing, new, rng, dims, line_offset=line_offset, first_event=written
            )
            for offset in range(0, table.num_rows, 2_000_000):
                writer.write(table.slice(offset, 2_000_000))
            split_parts.append(splits)
            written += table.num_rows
            line_offset += existing + new
    pq.write_table(pa.concat_tables(split_parts), splits_path(store))
    return written


def _share(total: int, chunk: int, chunks: int) -> int:
    return total * (chunk + 1) // chunks - total * chunk // chunks


def _chunk(
    existing: int,
    new: int,
    rng: np.random.Generator,
    dims: Dimensions,
    *,
    line_offset: int,
    first_event: int,
) -> tuple[pa.Table, pa.Table]:
    start, end = _us(PERIOD.start), _us(PERIOD.end)
    lines = existing + new
    rep = rng.integers(0, REPS, lines)
    partner = np.where(rep >= DEALER_STAFF_FROM, (rep - DEALER_STAFF_FROM) // STAFF_PER_PARTNER, -1)
    family = rng.choice(len(FAMILIES), lines, p=[0.15, 0.2, 0.4, 0.15, 0.1])
    mrc = (rng.integers(999, 8999, lines) * 100).astype(np.int64)  # cents -> units
    is_new = np.arange(lines) >= existing
    history_start = _us(datetime(2025, 6, 1, tzinfo=UTC))
    activation = np.where(
        is_new,
        start + rng.integers(0, 26 * US_PER_DAY, lines),
        rng.integers(history_start, start - US_PER_DAY, lines),
    )
    activation = activation // 1_000_000 * 1_000_000
    activated = ~is_new | (rng.random(lines) < 0.95)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(mask: np.ndarray, kind: str, when: np.ndarray, amount: np.ndarray | int) -> None:
        index = np.flatnonzero(mask)
        amounts = np.broadcast_to(np.asarray(amount, dtype=np.int64), (lines,))[index]
        parts.append((index, np.full(index.size, T[kind], np.int8), when[index], amounts))

    # New lines: order (and a handset for some), activation or cancellation, port-ins.
    order_at = activation - rng.integers(0, 3 * US_PER_DAY, lines)
    order_at = np.maximum(order_at, start)
    fee = (rng.integers(0, 100, lines) * 10_000).astype(np.int64)
    add(is_new, "order", order_at, fee)
    handset = is_new & (rng.random(lines) < 0.3)
    add(handset, "order", order_at, fee * 20)
    add(is_new & ~activated, "cancellation", order_at + US_PER_DAY, -fee)
    add(is_new & ~activated & handset, "cancellation", order_at + US_PER_DAY, -fee * 20)
    add(activated, "activation", activation, mrc)
    add(activated & (rng.random(lines) < 0.25), "port_in", activation, 0)
    # Churn in October: some lines deactivate, a few of them within 30 days of service.
    deactivation = np.where(
        is_new,
        activation + rng.integers(1, 25, lines) * US_PER_DAY + 3_600_000_000,
        start + rng.integers(0, 30 * US_PER_DAY, lines),
    )
    churned = activated & (rng.random(lines) < np.where(is_new, 0.05, 0.04)) & (deactivation < end)
    add(churned, "deactivation", deactivation, -mrc)
    # Suspensions: some lines were suspended for a while (some still are at churn).
    suspension = activation + rng.integers(1, 12, lines) * US_PER_DAY
    resumption = suspension + rng.integers(1, 15, lines) * US_PER_DAY
    suspended = activated & (rng.random(lines) < 0.04) & (suspension < end)
    suspended &= ~churned | (suspension < deactivation)
    add(suspended, "suspension", suspension, 0)
    resumed = suspended & (resumption < end) & (~churned | (resumption < deactivation))
    add(resumed, "resumption", resumption, 0)
    # October bill for lines activated before October, unless churned before it.
    day = (activation // US_PER_DAY) % 28
    charge = start + day * US_PER_DAY + 2 * 3_600_000_000
    billed = ~is_new & (~churned | (charge < deactivation))
    add(billed, "recurring_charge", charge, mrc)
    add(
        billed & (rng.random(lines) < 0.9),
        "payment",
        charge + rng.integers(1, 4, lines) * US_PER_DAY,
        mrc,
    )

    index = np.concatenate([p[0] for p in parts])
    kinds = np.concatenate([p[1] for p in parts])
    times = np.concatenate([p[2] for p in parts])
    amounts = np.concatenate([p[3] for p in parts])
    order = np.lexsort((kinds, index, times))
    index, kinds, times, amounts = index[order], kinds[order], times[order], amounts[order]
    table = _table(
        index, kinds, times, amounts, rep, partner, family, is_new, dims,
        line_offset=line_offset, first_event=first_event,
    )  # fmt: skip
    # Split credit: every SPLIT_EVERY-th new line's order, 60/40 with the next rep.
    split = np.flatnonzero(is_new & ((np.arange(lines) + line_offset) % SPLIT_EVERY == 0))
    order_ids = _labels(split + line_offset + 1, "OR", 9)
    splits = pa.table(
        {
            "order_id": pa.concat_arrays([order_ids, order_ids]),
            "payee_id": pa.concat_arrays(
                [
                    dims.reps.take(pa.array(rep[split])),
                    dims.reps.take(pa.array((rep[split] + 1) % REPS)),
                ]
            ),
            "share": pa.array(
                [Decimal("0.6")] * split.size + [Decimal("0.4")] * split.size, pa.decimal128(18, 4)
            ),
        }
    )
    return table, splits


def _uuids(count: int, rng: np.random.Generator) -> pa.Array:
    raw = rng.integers(0, 2**63, (count, 2), dtype=np.int64)
    text = [f"{a:016x}{b:016x}" for a, b in raw.tolist()]
    return pa.array([f"{t[:8]}-{t[8:12]}-4{t[13:16]}-8{t[17:20]}-{t[20:32]}" for t in text])


def _labels(codes: np.ndarray, prefix: str, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(codes), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _decimal(units: np.ndarray) -> pa.Array:
    pairs = np.empty((units.size, 2), dtype=np.int64)
    pairs[:, 0] = units
    pairs[:, 1] = units >> 63  # sign extension: 128-bit two's complement
    return pa.Array.from_buffers(pa.decimal128(18, 4), units.size, [None, pa.py_buffer(pairs)])


def _table(
    line: np.ndarray,
    kinds: np.ndarray,
    times: np.ndarray,
    amounts: np.ndarray,
    rep: np.ndarray,
    partner: np.ndarray,
    family: np.ndarray,
    is_new: np.ndarray,
    dims: Dimensions,
    *,
    line_offset: int,
    first_event: int,
) -> pa.Table:
    n = line.size
    ordered = is_new[line] & np.isin(
        kinds, [T["order"], T["cancellation"], T["activation"], T["port_in"]]
    )
    order_ids = pc.if_else(
        pa.array(ordered), _labels(line + line_offset + 1, "OR", 9), pa.scalar(None, pa.string())
    )
    reps, partners, customers, offerings = dims.reps, dims.partners, dims.customers, dims.offerings
    line_partner = partner[line]
    partner_ids = partners.take(pa.array(np.where(line_partner < 0, 0, line_partner)))
    partner_ids = pc.if_else(pa.array(line_partner < 0), pa.scalar(None, pa.string()), partner_ids)
    return pa.table(
        {
            "event_id": _labels(np.arange(first_event + 1, first_event + n + 1), "EV", 10),
            "event_type": pa.array(np.asarray(TYPES, dtype=object)[kinds], pa.string()),
            "event_time": pa.array(times, pa.timestamp("us", tz="UTC")),
            "line_id": _labels(line + line_offset + 1, "LN", 9),
            "order_id": order_ids,
            "customer_id": customers.take(pa.array((line + line_offset) % 1000)),
            "premise_id": pa.nulls(n, pa.string()),
            "product_offering_id": offerings.take(pa.array(family[line])),
            "product_family_code": pa.array(np.asarray(FAMILIES, dtype=object)[family[line]]),
            "channel_id": pa.array(np.where(line_partner < 0, "own", "dealer").astype(object)),
            "outlet_id": pa.nulls(n, pa.string()),
            "partner_id": partner_ids,
            "sales_person_id": reps.take(pa.array(rep[line])),
            "region_code": pa.array(np.full(n, "AT-9", dtype=object)),
            "quantity": pa.array(np.ones(n, np.int32)),
            "amount": _decimal(amounts),
            "currency": pa.array(np.full(n, "EUR", dtype=object)),
        },
        schema=EVENT_SCHEMA,
    )


def quotas_for(seed: int) -> dict[str, Decimal]:
    """A quota for every payee of the data set, derived from its id: the same for every run."""
    dims = dimensions(seed)
    quotas = {rep: Decimal(1500 + (int(rep[:6], 16) % 400) * 10) for rep in dims.reps.to_pylist()}
    quotas.update(
        {p: Decimal(30_000 + (int(p[:6], 16) % 400) * 100) for p in dims.partners.to_pylist()}
    )
    return quotas


def read_store(store: Path, columns: list[str] | None = None) -> pa.Table:
    files = sorted(store.rglob("*.parquet"))
    return pa.concat_tables(pq.read_table(f, columns=columns, schema=EVENT_SCHEMA) for f in files)


# --- shared incentive rules for the two baselines (per line, on aggregated measures) ----------

CENT = Decimal("0.01")


def payments(
    plan: Plan,
    measures: Iterable[tuple[str, str, str | None, str, int]],
    quotas: Mapping[str, Decimal],
) -> dict[tuple[str, str, str | None, str], Decimal]:
    """Payment per (payee, component, family, basis) from measures in units of 0.0001."""
    out: dict[tuple[str, str, str | None, str], Decimal] = {}
    for payee, component_id, family, basis, units in measures:
        measure = Decimal(units) / UNITS
        component = plan.component(component_id)
        if isinstance(component, RateComponent):
            rate = {r.product_family: r.rate for r in component.rates}[family]  # type: ignore[index]
            amount = measure * rate
        elif isinstance(component, TieredComponent):
            amount = _tiered(component, measure, quotas[payee])
        elif isinstance(component, BountyComponent):
            amount = measure * component.amount * (-1 if basis == "chargeback" else 1)
        elif isinstance(component, SpiffComponent):
            assert component.amount is not None
            amount = measure * component.amount
        elif isinstance(component, OverrideComponent):
            rate_at_level = component.rate_for(int(basis.removeprefix("level_")))
            assert rate_at_level is not None
            amount = measure * rate_at_level
        else:
            assert isinstance(component, ResidualComponent)
            amount = measure * component.rate
        out[(payee, component_id, family, basis)] = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return with_caps(plan, out)


def with_caps(
    plan: Plan, lines: dict[tuple[str, str, str | None, str], Decimal]
) -> dict[tuple[str, str, str | None, str], Decimal]:
    """Add the cap lines: per payee and capped component, then per payee for the plan."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for (payee, component_id, _family, _basis), payment in lines.items():
        totals[(payee, component_id)] += payment
    out = dict(lines)
    for (payee, component_id), total in totals.items():
        cap = plan.component(component_id).cap
        tiered = isinstance(plan.component(component_id), TieredComponent)
        if cap is not None and not tiered and total > cap:
            out[(payee, component_id, None, "cap")] = (cap - total).quantize(
                CENT, rounding=ROUND_HALF_UP
            )
    if plan.cap is not None:
        per_payee: dict[str, Decimal] = defaultdict(Decimal)
        for (payee, _c, _f, _b), payment in out.items():
            per_payee[payee] += payment
        for payee, total in per_payee.items():
            if total > plan.cap:
                out[(payee, "(plan)", None, "plan_cap")] = (plan.cap - total).quantize(
                    CENT, rounding=ROUND_HALF_UP
                )
    return out


def split_parts(amount_units: int, parts: list[tuple[str, int]]) -> list[tuple[str, int, int]]:
    """(payee, credited units, share units) of a split amount: largest remainder, exact."""
    magnitude, sign = abs(amount_units), (-1 if amount_units < 0 else 1)
    products = [(payee, magnitude * share, share) for payee, share in parts]
    base = sum(product // UNITS for _p, product, _s in products)
    target = (magnitude * sum(share for _p, share in parts) + UNITS // 2) // UNITS
    ranked = sorted(products, key=lambda item: (-(item[1] % UNITS), item[0]))
    extra = {payee for payee, _product, _share in ranked[: target - base]}
    return [
        (payee, sign * (product // UNITS + (1 if payee in extra else 0)), share)
        for payee, product, share in products
    ]


def rollup_paths(
    edges: list[tuple[str, str, str, int, int]],
) -> list[tuple[str, str, str, int, int, int]]:
    """(payee, ancestor, relation, level, from_us, to_us): every path, valid where all its
    edges are."""
    parents: dict[tuple[str, str], list[tuple[str, int, int]]] = defaultdict(list)
    for payee, parent, relation, start, end in edges:
        parents[(relation, payee)].append((parent, start, end))
    paths: list[tuple[str, str, str, int, int, int]] = []
    for relation, payee in list(parents):
        frontier = [(payee, 0, -(2**62), 2**62)]
        while frontier:
            node, level, start, end = frontier.pop()
            for parent, p_start, p_end in parents.get((relation, node), ()):
                lo, hi = max(start, p_start), min(end, p_end)
                if lo < hi:
                    paths.append((payee, parent, relation, level + 1, lo, hi))
                    frontier.append((parent, level + 1, lo, hi))
    return paths


def override_measures(
    plan: Plan, rolled: Mapping[tuple[str, str, int], int]
) -> list[tuple[str, str, str | None, str, int]]:
    """Override measures from credit rolled up per (ancestor, relation, level)."""
    measures: list[tuple[str, str, str | None, str, int]] = []
    for component in plan.components:
        if not isinstance(component, OverrideComponent):
            continue
        for (ancestor, relation, level), units in rolled.items():
            if relation == component.relation.value and component.rate_for(level) is not None:
                measures.append((ancestor, component.id, None, f"level_{level}", units))
    return measures


def _tiered(component: TieredComponent, measure: Decimal, quota: Decimal) -> Decimal:
    if component.threshold is not None and measure < component.threshold * quota:
        return Decimal(0)
    raw = Decimal(0)
    for tier in component.tiers:
        top = measure if tier.upper is None else min(measure, tier.upper * quota)
        raw += max(top - tier.lower * quota, Decimal(0)) * tier.rate
    if component.floor is not None:
        raw = max(raw, component.floor)
    if component.cap is not None:
        raw = min(raw, component.cap)
    return raw


# --- pandas ------------------------------------------------------------------------------------

LIFECYCLE = ["activation", "port_in", "suspension", "resumption", "deactivation"]
REVENUE = ["order", "cancellation", "recurring_charge"]


def pandas_total(
    plan: Plan,
    store: Path,
    quotas: Mapping[str, Decimal],
    splits: pa.Table,
    edges: list[tuple[str, str, str, int, int]],
) -> Decimal:
    columns = ["event_id", "event_type", "event_time", "line_id", "product_family_code",
               "sales_person_id", "partner_id", "amount", "order_id", "quantity"]  # fmt: skip
    table = read_store(store, columns)  # only what the rules read, like the engine
    units = pc.cast(pc.multiply(table.column("amount"), pa.scalar(UNITS)), pa.int64())
    frame = table.drop_columns(["amount"]).to_pandas()
    frame["units"] = units.to_numpy()
    frame["us"] = (
        frame["event_time"].astype("int64") // 1000
        if frame["event_time"].dtype.unit == "ns"
        else frame["event_time"].astype("int64")
    )
    start, end = _us(PERIOD.start), _us(PERIOD.end)
    period = frame[(frame["us"] >= start) & (frame["us"] < end)]
    split_frame = splits.to_pandas()
    split_frame["share_units"] = (split_frame["share"].map(Decimal) * UNITS).astype("int64")
    is_split = period["order_id"].isin(split_frame["order_id"])
    direct = period[~is_split & period["sales_person_id"].notna()]
    credit = pd.concat(
        [
            direct.assign(payee=direct["sales_person_id"], bunits=UNITS, own=True),
            period[period["partner_id"].notna()].assign(
                payee=period["partner_id"], bunits=UNITS, own=False
            ),
            _pandas_split_parts(period[is_split], split_frame).assign(own=False),
        ]
    )
    measures: list[tuple[str, str, str | None, str, int]] = []
    revenue = credit[credit["event_type"].isin(REVENUE)]
    rated = revenue[revenue["product_family_code"].isin(["DSL", "FIBRE", "MOBILE_POSTPAID", "TV"])]
    for (payee, family), units_sum in (
        rated.groupby(["payee", "product_family_code"])["units"].sum().items()
    ):
        measures.append((payee, "revenue", family, "revenue", int(units_sum)))
    for payee, units_sum in revenue.groupby("payee")["units"].sum().items():
        measures.append((payee, "attainment", None, "attainment", int(units_sum)))
    # Line life from the whole history before the period end.
    needed = period.loc[
        period["event_type"].isin(["deactivation", "recurring_charge"]), "line_id"
    ].unique()
    history = frame[
        (frame["us"] < end) & frame["event_type"].isin(LIFECYCLE) & frame["line_id"].isin(needed)
    ]
    life = pd.DataFrame(index=pd.Index(needed, name="line_id"))
    for kind in ("activation", "deactivation"):
        life[kind] = history[history["event_type"] == kind].groupby("line_id")["us"].min()
    signed = np.where(history["event_type"] == "resumption", history["us"],
                      np.where(history["event_type"] == "suspension", -history["us"], 0))  # fmt: skip
    life["balance"] = pd.Series(signed, index=history.index).groupby(history["line_id"]).sum()
    opened = (history["event_type"] == "suspension").astype(int) - (
        history["event_type"] == "resumption"
    ).astype(int)
    life["open"] = opened.groupby(history["line_id"]).sum()
    life[["balance", "open"]] = life[["balance", "open"]].fillna(0)
    # A line sold on a split order: its chargebacks and residuals follow that split.
    won = history[history["event_type"].isin(["activation", "port_in"])
                  & history["order_id"].isin(split_frame["order_id"])]  # fmt: skip
    line_order = won.groupby("line_id")["order_id"].min()
    on_line = period[period["event_type"].isin(["deactivation", "recurring_charge"]) & ~is_split]
    on_line = on_line.assign(order_id=on_line["line_id"].map(line_order))
    on_line = on_line[on_line["order_id"].notna()]
    line_credit = credit[credit["event_type"].isin(["deactivation", "recurring_charge"])]
    line_credit = pd.concat(
        [
            line_credit[~(line_credit["own"] & line_credit["line_id"].isin(line_order.index))],
            _pandas_split_parts(on_line, split_frame),
        ]
    )
    life["suspended"] = np.where((life["open"] > 0) & life["deactivation"].notna(),
                                 life["balance"] + life["deactivation"].fillna(0), life["balance"])  # fmt: skip
    act = pd.to_datetime(life["activation"], unit="us", utc=True)
    life["activation_month"] = act.dt.year * 12 + act.dt.month - 1
    for component_id, kind in (("activation-bounty", "activation"), ("port-in-bounty", "port_in")):
        component = plan.component(component_id)
        assert isinstance(component, BountyComponent)
        earned = credit[credit["event_type"] == kind].groupby("payee")["bunits"].sum()
        measures.extend((p, component_id, None, "bounty", int(c)) for p, c in earned.items())
        bounty = (
            history[history["event_type"] == kind].groupby("line_id")["us"].agg(["min", "size"])
        )
        deact = line_credit[line_credit["event_type"] == "deactivation"].join(
            bounty, on="line_id", how="inner"
        )
        deact = deact.join(life["suspended"], on="line_id")
        early = deact[
            deact["us"] - deact["min"] - deact["suspended"] < component.chargeback_days * US_PER_DAY
        ]
        clawed = early["size"] * early["bunits"]  # each payee's share of each bounty
        for p, c in clawed.groupby(early["payee"]).sum().items():
            measures.append((p, component_id, None, "chargeback", int(c)))
    residual = plan.component("residual")
    assert isinstance(residual, ResidualComponent)
    charges = line_credit[(line_credit["event_type"] == "recurring_charge")
                          & line_credit["product_family_code"].isin(residual.product_families)]  # fmt: skip
    charges = charges.join(life[["activation_month", "deactivation"]], on="line_id")
    age = PERIOD.year * 12 + PERIOD.month - 1 - charges["activation_month"]
    keep = (age >= 1) & (age <= residual.months)
    keep &= charges["deactivation"].isna() | (charges["us"] < charges["deactivation"])
    for p, u in charges[keep].groupby("payee")["units"].sum().items():
        measures.append((p, "residual", None, "residual", int(u)))
    # SPIFF: units (quantity x share) of FIBRE orders in the window.
    spiff = plan.component("fibre-spiff")
    assert isinstance(spiff, SpiffComponent)
    window = (_day_us(spiff.window_start), _day_us(spiff.window_end))
    sold = credit[(credit["event_type"] == "order")
                  & credit["product_family_code"].isin(spiff.product_families)
                  & (credit["us"] >= window[0]) & (credit["us"] < window[1])]  # fmt: skip
    for p, u in (
        (sold["quantity"].astype("int64") * sold["bunits"]).groupby(sold["payee"]).sum().items()
    ):
        measures.append((p, "fibre-spiff", None, "spiff", int(u)))
    # Roll-up: revenue credit to every ancestor valid at the event, once, at its nearest level.
    paths = pd.DataFrame(
        rollup_paths(edges), columns=["payee", "ancestor", "relation", "level", "from", "to"]
    )
    rolled = revenue[["event_id", "payee", "us", "units"]].merge(paths, on="payee")
    rolled = rolled[(rolled["from"] <= rolled["us"]) & (rolled["us"] < rolled["to"])]
    rolled = rolled.sort_values("level").drop_duplicates(["event_id", "payee", "ancestor"])
    sums = rolled.groupby(["ancestor", "relation", "level"])["units"].sum()
    measures.extend(override_measures(plan, {k: int(v) for k, v in sums.items()}))
    return sum(payments(plan, measures, quotas).values(), Decimal(0))


def _pandas_split_parts(events: pd.DataFrame, split_frame: pd.DataFrame) -> pd.DataFrame:
    """The events (by their ``order_id``) credited to the order's split payees: largest
    remainder on the absolute amount, in units of 0.0001."""
    parts = events.merge(split_frame[["order_id", "payee_id", "share_units"]], on="order_id")
    magnitude = parts["units"].abs()
    product = magnitude * parts["share_units"]
    parts["base"], parts["rem"] = product // UNITS, product % UNITS
    by_event = parts.groupby("event_id")
    target = (magnitude * by_event["share_units"].transform("sum") + UNITS // 2) // UNITS
    parts = parts.sort_values(["event_id", "rem", "payee_id"], ascending=[True, False, True])
    rank = parts.groupby("event_id").cumcount() + 1
    missing = (target - parts.groupby("event_id")["base"].transform("sum")).loc[parts.index]
    sign = np.where(parts["units"] < 0, -1, 1)
    parts["units"] = sign * (parts["base"] + (rank <= missing).astype("int64"))
    return parts.assign(payee=parts["payee_id"], bunits=parts["share_units"]).drop(
        columns=["payee_id", "share_units", "base", "rem"]
    )


# --- per-row Python loop -----------------------------------------------------------------------


LOOP_COLUMNS = ["event_type", "event_time", "line_id", "product_family_code",
                "sales_person_id", "partner_id", "amount", "order_id", "quantity"]  # fmt: skip


def loop_total(
    plan: Plan,
    table: pa.Table,
    quotas: Mapping[str, Decimal],
    splits: pa.Table,
    edges: list[tuple[str, str, str, int, int]],
) -> Decimal:
    start, end = PERIOD.start, PERIOD.end
    period_index = PERIOD.year * 12 + PERIOD.month - 1
    rows = table.select(LOOP_COLUMNS).to_pylist()  # only what the rules read
    life: dict[str, dict[str, object]] = defaultdict(
        lambda: {
            "activation": None,
            "deactivation": None,
            "balance": 0,
            "open": 0,
            "activation_bounty": [],
            "port_in_bounty": [],
            "order": None,
        }
    )
    split_of: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for split in splits.to_pylist():
        split_of[split["order_id"]].append((split["payee_id"], int(split["share"] * UNITS)))
    for row in rows:  # first pass: the life of every line
        when = row["event_time"]
        if when >= end:
            continue
        kind, line = row["event_type"], life[row["line_id"]]
        us = int(when.timestamp()) * 1_000_000 + when.microsecond
        won = row["order_id"]  # the split order that won the line, if split
        if kind in ("activation", "port_in") and won is not None and won in split_of:
            line["order"] = won if line["order"] is None else min(line["order"], won)  # type: ignore[call-overload]
        if kind == "activation":
            line["activation"] = us if line["activation"] is None else min(line["activation"], us)  # type: ignore[call-overload]
            line["activation_bounty"].append(us)  # type: ignore[attr-defined]
        elif kind == "port_in":
            line["port_in_bounty"].append(us)  # type: ignore[attr-defined]
        elif kind == "deactivation":
            line["deactivation"] = (
                us if line["deactivation"] is None else min(line["deactivation"], us)
            )  # type: ignore[call-overload]
        elif kind == "suspension":
            line["balance"] -= us  # type: ignore[operator]
            line["open"] += 1  # type: ignore[operator]
        elif kind == "resumption":
            line["balance"] += us  # type: ignore[operator]
            line["open"] -= 1  # type: ignore[operator]
    sums: dict[tuple[str, str, str | None, str], int] = defaultdict(int)
    rated = {r.product_family for r in plan.component("revenue").rates}  # type: ignore[union-attr]
    residual = plan.component("residual")
    assert isinstance(residual, ResidualComponent)
    spiff = plan.component("fibre-spiff")
    assert isinstance(spiff, SpiffComponent)
    window = (_day_us(spiff.window_start), _day_us(spiff.window_end))
    parents: dict[str, list[tuple[str, str, int, int]]] = defaultdict(list)
    for payee, parent, relation, valid_from, valid_to in edges:
        parents[payee].append((parent, relation, valid_from, valid_to))
    rolled: dict[tuple[str, str, int], int] = defaultdict(int)
    for row in rows:  # second pass: credit and measure
        when = row["event_time"]
        if not start <= when < end:
            continue
        kind = row["event_type"]
        units = int(row["amount"] * UNITS)
        us = int(when.timestamp()) * 1_000_000 + when.microsecond
        credits: list[tuple[str, int, int]] = []  # (payee, credited units, bounty units)
        order = row["order_id"]
        if order is not None and order in split_of:
            credits.extend(split_parts(units, split_of[order]))
        elif row["sales_person_id"] is not None:
            credits.append((row["sales_person_id"], units, UNITS))
        if row["partner_id"] is not None:
            credits.append((row["partner_id"], units, UNITS))
        family = row["product_family_code"]
        for payee, units, bounty_units in credits:
            if kind in REVENUE:
                if family in rated:
                    sums[(payee, "revenue", family, "revenue")] += units
                sums[(payee, "attainment", None, "attainment")] += units
                # roll-up: every ancestor valid at the event, once, at its nearest level
                seen: dict[str, tuple[str, int]] = {}
                frontier, level = [payee], 0
                while frontier:
                    level += 1
                    upper = []
                    for node in frontier:
                        for parent, relation, valid_from, valid_to in parents.get(node, ()):
                            if valid_from <= us < valid_to and parent not in seen:
                                seen[parent] = (relation, level)
                                upper.append(parent)
                    frontier = upper
                for ancestor, (relation, at_level) in seen.items():
                    rolled[(ancestor, relation, at_level)] += units
            if kind == "activation":
                sums[(payee, "activation-bounty", None, "bounty")] += bounty_units
            if kind == "port_in":
                sums[(payee, "port-in-bounty", None, "bounty")] += bounty_units
            if kind == "order" and family in spiff.product_families and window[0] <= us < window[1]:
                sums[(payee, "fibre-spiff", None, "spiff")] += row["quantity"] * bounty_units
        if kind not in ("deactivation", "recurring_charge"):
            continue
        line = life[row["line_id"]]
        won = line["order"]
        if order not in split_of and won is not None:  # the line's split replaces the rep
            credits = split_parts(int(row["amount"] * UNITS), split_of[won])  # type: ignore[index]
            if row["partner_id"] is not None:
                credits.append((row["partner_id"], int(row["amount"] * UNITS), UNITS))
        for payee, units, bounty_units in credits:
            if kind == "deactivation":
                suspended = line["balance"] + (us if line["open"] > 0 else 0)  # type: ignore[operator]
                for component_id, key in (("activation-bounty", "activation_bounty"),
                                          ("port-in-bounty", "port_in_bounty")):  # fmt: skip
                    bounties = line[key]
                    component = plan.component(component_id)
                    assert isinstance(component, BountyComponent)
                    if (
                        bounties
                        and us - min(bounties) - suspended < component.chargeback_days * US_PER_DAY
                    ):  # type: ignore[type-var, operator, arg-type]
                        sums[(payee, component_id, None, "chargeback")] += (
                            len(bounties) * bounty_units
                        )  # type: ignore[arg-type]
            if kind == "recurring_charge" and family in residual.product_families:
                activation = line["activation"]
                if activation is None:
                    continue
                act = datetime.fromtimestamp(activation / 1_000_000, tz=UTC)  # type: ignore[operator]
                age = period_index - (act.year * 12 + act.month - 1)
                deactivation = line["deactivation"]
                if 1 <= age <= residual.months and (deactivation is None or us < deactivation):  # type: ignore[operator]
                    sums[(payee, "residual", None, "residual")] += units
    measures = [(*key, units) for key, units in sums.items()]
    measures.extend(override_measures(plan, rolled))
    return sum(payments(plan, measures, quotas).values(), Decimal(0))


# --- the run -----------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def end_to_end(
    store: Path, lines: Path, seed: int, memory_limit_mb: int, threads: int | None
) -> dict[str, object]:
    """Read the store, calculate, write the payment lines (run in a fresh process)."""
    plan, quotas, hierarchy = bench_plan(), quotas_for(seed), hierarchy_table(seed)
    started = time.perf_counter()
    result = calculate(
        plan=plan, events=store, quotas=quotas, period=PERIOD, product_families=FAMILIES,
        memory_limit_mb=memory_limit_mb, threads=threads, spill_dir=lines.parent / "spill",
        hierarchy=hierarchy, credit_splits=read_splits(store),
    )  # fmt: skip
    result.write_parquet(lines)
    seconds = time.perf_counter() - started
    return {
        "end_to_end_s": seconds,
        "phases": {**result.seconds, "write": seconds - sum(result.seconds.values())},
        "stages": dict(result.stage_seconds),
        "peak_rss_mb": peak_rss_mb(),
        "lines": result.table.num_rows,
        "total": result.total,
        "digest": hashlib.sha256(result.to_ipc_bytes()).hexdigest(),
    }


def isolated(function: Callable[..., dict[str, object]], *args: object) -> dict[str, object]:
    """Run ``function`` in a fresh process: its peak RSS is the calculation's alone,
    not the generator's or the baselines'."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def generated(events: int, seed: int, store: Path) -> int:
    """The events of ``store``: generated unless a finished store is already there."""
    done = store.parent / f"{store.name}.done"
    if done.exists():
        return int(done.read_text())
    if store.exists():  # an unfinished store: start again
        shutil.rmtree(store)
    n = generate(events, seed, store)
    done.write_text(str(n))
    return n


def print_stages(stages: Mapping[str, tuple[float, float]]) -> None:
    """Wall and CPU seconds (the process, every thread) of every stage of the measured run."""
    for name, (wall, cpu) in stages.items():
        print(f"  {name:18} wall {wall:6.3f} s  cpu {cpu:6.3f} s", file=sys.stderr)


def check_plan_shapes(result: CalculationResult) -> list[str]:
    problems = [str(problem) for problem in plan_shape_problems(result.profiles)]
    joins = sum(len(hash_join_build_tables(root)) for root in result.profiles.values())
    print(f"plan shape: {len(result.profiles)} stages, {joins} hash joins, "
          + ("ok" if not problems else f"{len(problems)} problems:"), file=sys.stderr)  # fmt: skip
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--loop-events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--memory-limit-mb", type=int, default=DEFAULT_MEMORY_LIMIT_MB)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--no-baselines", action="store_true",
        help="DuckDB only (for runs too large for pandas): pandas_s and loop_1m_s are null",
    )  # fmt: skip
    parser.add_argument("--work-dir", type=Path, default=None, help="where the store is written")
    parser.add_argument(
        "--keep-store", action="store_true",
        help="keep the generated stores in --work-dir and reuse them on the next run",
    )  # fmt: skip
    args = parser.parse_args()
    if args.keep_store and args.work_dir is None:
        parser.error("--keep-store needs --work-dir")
    plan = bench_plan()
    baselines = not args.no_baselines
    with tempfile.TemporaryDirectory(prefix="salesdev-comp-", dir=args.work_dir) as tmp:
        work = Path(tmp)
        stores = args.work_dir if args.keep_store else work
        t0 = time.perf_counter()
        store = stores / f"store-{args.events}-seed{args.seed}"
        n = generated(args.events, args.seed, store)
        loop_store = stores / f"store-{args.loop_events}-seed{args.seed + 7}"
        loop_n = generated(args.loop_events, args.seed + 7, loop_store) if baselines else 0
        print(f"generated or reused {n:,} + {loop_n:,} events in {time.perf_counter() - t0:.1f} s "
              f"({_store_mb(store):,.0f} MB of Parquet)", file=sys.stderr)  # fmt: skip
        quotas = quotas_for(args.seed)

        # End to end in a fresh process: read the store, calculate, write the payment lines.
        load_before = os.getloadavg()[0]
        e2e = isolated(
            end_to_end, store, work / "lines.parquet", args.seed,
            args.memory_limit_mb, args.threads,
        )  # fmt: skip
        print(f"load average (1 min) before / after the measured run: {load_before:.2f} / "
              f"{os.getloadavg()[0]:.2f}", file=sys.stderr)  # fmt: skip
        print_stages(e2e["stages"])  # type: ignore[arg-type]
        phases: dict[str, float] = e2e["phases"]  # type: ignore[assignment]
        compute_s = phases["compute"]
        end_to_end_s = float(e2e["end_to_end_s"])  # type: ignore[arg-type]
        e2e_total: Decimal = e2e["total"]  # type: ignore[assignment]
        print(f"duckdb: end to end {end_to_end_s:.2f} s ("
              + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phases.items())
              + f"), peak RSS {e2e['peak_rss_mb']:,.0f} MB; {e2e['lines']:,} payment lines, "
              f"total {e2e_total}, sha256 {e2e['digest']}", file=sys.stderr)  # fmt: skip

        # The plan-shape check at volume: the same calculation, every stage profiled; from
        # the events held in memory (an Arrow table) when there is room for them.
        source: Path | pa.Table = read_store(store) if baselines else store
        profiled = calculate(
            plan=plan, events=source, quotas=quotas, period=PERIOD, product_families=FAMILIES,
            memory_limit_mb=args.memory_limit_mb, threads=args.threads, profile=True,
            hierarchy=hierarchy_table(args.seed), credit_splits=read_splits(store),
        )  # fmt: skip
        del source
        problems = check_plan_shapes(profiled)
        same_bytes = hashlib.sha256(profiled.to_ipc_bytes()).hexdigest() == e2e["digest"]
        print(f"profiled run from {'Arrow' if baselines else 'the store'}: "
              + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in profiled.seconds.items())
              + f"; byte-identical lines: {same_bytes}", file=sys.stderr)  # fmt: skip

        pandas_s: float | None = None
        loop_s: float | None = None
        totals_match = e2e_total == profiled.total and same_bytes
        if baselines:
            started = time.perf_counter()
            pandas_sum = pandas_total(
                plan, store, quotas, read_splits(store),
                hierarchy_edges(args.seed),
            )  # fmt: skip
            pandas_s = time.perf_counter() - started
            print(f"pandas: {pandas_s:.2f} s, total {pandas_sum}", file=sys.stderr)

            loop_events = read_store(loop_store)
            loop_quotas = quotas_for(args.seed + 7)
            loop_splits = read_splits(loop_store)
            loop_duckdb = calculate(
                plan=plan, events=loop_events, quotas=loop_quotas, period=PERIOD,
                product_families=FAMILIES, memory_limit_mb=args.memory_limit_mb,
                hierarchy=hierarchy_table(args.seed + 7), credit_splits=loop_splits,
            )  # fmt: skip
            loop_edges = hierarchy_edges(args.seed + 7)
            started = time.perf_counter()
            loop_sum = loop_total(plan, loop_events, loop_quotas, loop_splits, loop_edges)
            loop_s = (time.perf_counter() - started) * n / loop_n
            print(f"loop: {loop_s:.2f} s scaled from {loop_n:,} events, total {loop_sum} "
                  f"(duckdb on the same events {loop_duckdb.total})", file=sys.stderr)  # fmt: skip
            totals_match = totals_match and e2e_total == pandas_sum
            totals_match = totals_match and loop_sum == loop_duckdb.total
            print(f"ratios: pandas / duckdb compute {pandas_s / compute_s:.1f}x, "
                  f"loop / duckdb compute {loop_s / compute_s:.1f}x", file=sys.stderr)  # fmt: skip
            # Like for like: the baselines' times include turning events into their own
            # structures (pandas reads the store), which the engine does in its load stages.
            loaded = compute_s + phases["load"]
            print(f"ratios with the engine's load: pandas / duckdb load+compute "
                  f"{pandas_s / loaded:.1f}x, loop / duckdb load+compute {loop_s / loaded:.1f}x",
                  file=sys.stderr)  # fmt: skip
    print(
        json.dumps(
            {
                "events": n,
                "compute_s": round(compute_s, 3),
                "load_s": round(phases["load"], 3),
                "end_to_end_s": round(end_to_end_s, 3),
                "peak_rss_mb": round(float(e2e["peak_rss_mb"]), 1),  # type: ignore[arg-type]
                "pandas_s": None if pandas_s is None else round(pandas_s, 3),
                "loop_1m_s": None if loop_s is None else round(loop_s, 3),
                "totals_match": totals_match,
            }
        )
    )
    if problems or not totals_match:
        sys.exit(1)


def _store_mb(store: Path) -> float:
    return sum(f.stat().st_size for f in store.rglob("*.parquet")) / 2**20


if __name__ == "__main__":
    main()
