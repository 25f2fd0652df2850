""" "Which channels drive the orders": orders, activations and revenue per channel over a period.

The monthly figures of the event store are summed over the period; each channel's
share of the orders and of the revenue is exact Decimal arithmetic, rounded once, to
a tenth of a percent, when shown (half up), so shown shares may add up to 99.9 or 100.1.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from markupsafe import Markup
from sqlalchemy.orm import Session

from salesdev.analytics.sales import sales_by_channel_month
from salesdev.web.charts import ChartData, Series, horizontal_bar_chart
from salesdev.web.choices import channel_names
from salesdev.web.format import format_amount

_PERCENT = Decimal("0.1")


@dataclass(frozen=True)
class ChannelShare:
    channel_id: uuid.UUID
    code: str
    name: str
    orders: int
    activations: int
    revenue: Decimal
    order_share: Decimal  # percent, exact until shown
    revenue_share: Decimal


@dataclass
class ChannelSalesReport:
    since: date
    until: date  # exclusive
    currency: str = ""
    problem: str = ""
    channels: list[ChannelShare] = field(default_factory=list)
    orders: int = 0
    activations: int = 0
    revenue: Decimal = Decimal(0)
    chart: Markup | None = None
    revenue_chart: Markup | None = None


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal:
    """``part`` as a percentage of ``whole`` (0 when the whole is 0), exact."""
    if not whole:
        return Decimal(0)
    return Decimal(part) * 100 / Decimal(whole)


def shown_percent(value: Decimal) -> str:
    return f"{value.quantize(_PERCENT, rounding=ROUND_HALF_UP)} %"


def build_channel_sales(
    session: Session, *, event_store_dir: Path, since: date, until: date
) -> ChannelSalesReport:
    report = ChannelSalesReport(since, until)
    rows = sales_by_channel_month(event_store_dir=event_store_dir, since=since, until=until)
    currencies = sorted({r.currency for r in rows if r.revenue})
    if len(currencies) > 1:
        report.problem = (
            f"Sales in several currencies ({', '.join(currencies)}) cannot be compared as shares."
        )
        return report
    report.currency = currencies[0] if currencies else (rows[0].currency if rows else "")
    totals: dict[uuid.UUID, list[int | Decimal]] = {}
    for r in rows:
        t = totals.setdefault(r.channel_id, [0, 0, Decimal(0)])
        t[0] = int(t[0]) + r.orders
        t[1] = int(t[1]) + r.activations
        t[2] = Decimal(t[2]) + r.revenue
    report.orders = sum(int(t[0]) for t in totals.values())
    report.activations = sum(int(t[1]) for t in totals.values())
    report.revenue = sum((Decimal(t[2]) for t in totals.values()), Decimal(0))
    names = channel_names(session, totals)
    report.channels = sorted(
        (
            ChannelShare(
                channel_id,
                names[channel_id].code if channel_id in names else "?",
                names[channel_id].name if channel_id in names else f"Unknown channel {channel_id}",
                int(orders),
                int(activations),
                Decimal(revenue),
                percent(orders, report.orders),
                percent(revenue, report.revenue),
            )
            for channel_id, (orders, activations, revenue) in totals.items()
        ),
        key=lambda c: (-c.orders, -c.revenue, c.name),
    )
    if report.channels:
        currency = report.currency
        report.chart = horizontal_bar_chart(
            ChartData(
                title="Orders by sales channel",
                description=(
                    f"Horizontal bars: the number of orders each sales channel captured from "
                    f"{since.isoformat()} to {until.isoformat()} (excluded), most first."
                ),
                categories=tuple(c.name for c in report.channels),
                series=(Series("Orders", tuple(Decimal(c.orders) for c in report.channels)),),
                value_label="Orders",
                category_label="Sales channel",
                format_value=lambda v: f"{int(v):,}",
            ),
            width=640,
        )
        report.revenue_chart = horizontal_bar_chart(
            ChartData(
                title="Revenue by sales channel",
                description=f"Horizontal bars: billed revenue in {currency} per sales channel.",
                categories=tuple(c.name for c in report.channels),
                series=(Series("Revenue", tuple(c.revenue for c in report.channels)),),
                value_label=f"Revenue ({currency})",
                category_label="Sales channel",
                format_value=lambda v: f"{format_amount(v)} {currency}",
            ),
            width=640,
        )
    return report
