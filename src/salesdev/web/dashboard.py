"""The home dashboard's figures: sales analytics named from the relational store."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.analytics.sales import (
    SalesTotals,
    sales_by_channel_month,
    sales_totals,
    top_products,
)
from salesdev.core.errors import RuleViolation
from salesdev.core.periods import Period
from salesdev.db.models import ProductOffering, SalesChannel
from salesdev.domains.access import Principal
from salesdev.domains.reference import ENTITY_KINDS, EntityKind
from salesdev.web.charts import ChartData, Series, bar_chart, horizontal_bar_chart, line_chart
from salesdev.web.format import format_amount, format_count
from salesdev.web.listing import count_rows
from salesdev.web.nav import kind_slug

WINDOW_MONTHS = 12
TOP_PRODUCTS = 10
# More channels than this in the chart are summed as "Other channels" (the table has all).
CHART_CHANNELS = 7


@dataclass(frozen=True)
class ChannelTotal:
    channel_id: uuid.UUID
    code: str
    name: str
    orders: int
    activations: int
    revenue: Decimal


@dataclass(frozen=True)
class ProductRow:
    offering_id: uuid.UUID
    code: str
    name: str
    family_code: str
    units: int
    revenue: Decimal


@dataclass(frozen=True)
class ReferenceCount:
    kind: EntityKind
    href: str
    count: int


@dataclass
class Dashboard:
    since: date
    until: date  # exclusive
    totals: SalesTotals
    store_totals: SalesTotals
    currency: str = ""
    problem: str = ""
    # Company-wide sales figures are for unscoped roles; a partner, rep or manager sees none.
    company_wide: bool = True
    channel_totals: list[ChannelTotal] = field(default_factory=list)
    products: list[ProductRow] = field(default_factory=list)
    revenue_chart: Markup | None = None
    activity_chart: Markup | None = None
    products_chart: Markup | None = None
    reference_counts: list[ReferenceCount] = field(default_factory=list)

    @property
    def last_month(self) -> date:
        return Period(self.until.year, self.until.month).previous().first_day


def window_ending(now: datetime) -> tuple[date, date]:
    """The twelve calendar months up to and including the one ``now`` is in."""
    current = Period.containing(now)
    first = current
    for _ in range(WINDOW_MONTHS - 1):
        first = first.previous()
    return first.first_day, current.next().first_day


def build_dashboard(
    session: Session, *, principal: Principal, event_store_dir: Path, now: datetime
) -> Dashboard:
    since, until = window_ending(now)
    counts = [
        ReferenceCount(
            kind, "/" + kind_slug(kind), count_rows(session, principal=principal, kind=kind)
        )
        for kind in ENTITY_KINDS.values()
        if principal.can(kind.family, "read")
    ]
    if principal.is_scoped:
        empty = SalesTotals(0, 0, 0, 0, Decimal(0), None, None, None)
        return Dashboard(since, until, empty, empty, company_wide=False, reference_counts=counts)
    try:
        totals = sales_totals(event_store_dir=event_store_dir, since=since, until=until)
        store_totals = totals if totals.events else sales_totals(event_store_dir=event_store_dir)
    except RuleViolation as error:
        empty = SalesTotals(0, 0, 0, 0, Decimal(0), None, None, None)
        return Dashboard(since, until, empty, empty, problem=str(error), reference_counts=counts)
    board = Dashboard(since, until, totals, store_totals, reference_counts=counts)
    if not totals.events:
        return board
    board.currency = totals.currency or ""
    _add_channels(session, board, event_store_dir)
    _add_products(session, board, event_store_dir)
    return board


def _months(since: date, until: date) -> list[date]:
    months, period = [], Period(since.year, since.month)
    while period.first_day < until:
        months.append(period.first_day)
        period = period.next()
    return months


def _add_channels(session: Session, board: Dashboard, event_store_dir: Path) -> None:
    rows = sales_by_channel_month(
        event_store_dir=event_store_dir, since=board.since, until=board.until
    )
    names = _names(session, SalesChannel, {r.channel_id for r in rows})
    months = _months(board.since, board.until)
    index = {m: i for i, m in enumerate(months)}
    revenue: dict[uuid.UUID, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * len(months))
    orders = [Decimal(0)] * len(months)
    activations = [Decimal(0)] * len(months)
    per_channel: dict[uuid.UUID, list[Any]] = defaultdict(lambda: [0, 0, Decimal(0)])
    for r in rows:
        i = index[r.month]
        revenue[r.channel_id][i] += r.revenue
        orders[i] += r.orders
        activations[i] += r.activations
        totals = per_channel[r.channel_id]
        totals[0] += r.orders
        totals[1] += r.activations
        totals[2] += r.revenue
    board.channel_totals = sorted(
        (
            ChannelTotal(cid, *names.get(cid, ("?", f"Unknown channel {cid}")), o, a, rev)
            for cid, (o, a, rev) in per_channel.items()
        ),
        key=lambda c: (-c.revenue, c.name),
    )
    ranked = [c.channel_id for c in board.channel_totals]
    shown, rest = ranked[:CHART_CHANNELS], ranked[CHART_CHANNELS:]
    series = [Series(names.get(cid, ("?", str(cid)))[1], tuple(revenue[cid])) for cid in shown]
    if rest:
        other = tuple(
            sum((revenue[cid][i] for cid in rest), Decimal(0)) for i in range(len(months))
        )
        series.append(Series("Other channels", other))
    categories = tuple(f"{m:%Y-%m}" for m in months)
    currency = board.currency
    board.revenue_chart = bar_chart(
        ChartData(
            title="Revenue by sales channel and month",
            description=(
                f"Stacked bars: billed revenue in {currency} per month from {categories[0]} to "
                f"{categories[-1]}, one colour per sales channel."
            ),
            categories=categories,
            series=tuple(series),
            value_label=f"Revenue ({currency})",
            category_label="Month",
            format_value=lambda v: f"{format_amount(v)} {currency}",
        ),
        stacked=True,
    )
    board.activity_chart = line_chart(
        ChartData(
            title="Orders and activations by month",
            description=f"Lines: number of orders and of activations per month from {categories[0]} to {categories[-1]}.",
            categories=categories,
            series=(Series("Orders", tuple(orders)), Series("Activations", tuple(activations))),
            value_label="Events",
            category_label="Month",
            format_value=lambda v: format_count(int(v)),
        ),
        width=480,
    )


def _add_products(session: Session, board: Dashboard, event_store_dir: Path) -> None:
    rows = top_products(
        event_store_dir=event_store_dir, since=board.since, until=board.until, limit=TOP_PRODUCTS
    )
    names = _names(session, ProductOffering, {r.product_offering_id for r in rows})
    board.products = [
        ProductRow(
            r.product_offering_id,
            *names.get(r.product_offering_id, ("?", f"Unknown offering {r.product_offering_id}")),
            r.product_family_code,
            r.units,
            r.revenue,
        )
        for r in rows
    ]
    if not board.products:
        return
    currency = board.currency
    board.products_chart = horizontal_bar_chart(
        ChartData(
            title=f"Top {len(board.products)} product offerings by revenue",
            description=f"Horizontal bars: billed revenue in {currency} of each offering, highest first.",
            categories=tuple(p.name for p in board.products),
            series=(Series("Revenue", tuple(p.revenue for p in board.products)),),
            value_label=f"Revenue ({currency})",
            category_label="Product offering",
            format_value=lambda v: f"{format_amount(v)} {currency}",
        ),
        width=560,
    )


def _names(session: Session, model: Any, ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    """Code and name of each id, in one query."""
    if not ids:
        return {}
    rows = session.execute(select(model.id, model.code, model.name).where(model.id.in_(ids)))
    return {id_: (code, name) for id_, code, name in rows}
