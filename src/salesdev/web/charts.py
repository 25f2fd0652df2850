"""Server-rendered SVG charts: bar (grouped or stacked), horizontal bar and line.

Every chart is an inline ``<svg role="img">`` with a title and a description, and
is followed by the same figures as a table, so nothing is only visible as a shape.
Geometry is computed in Decimal too, so no value passes through a float; the
figures shown (tooltips and table) are the exact values given.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

PALETTE_SIZE = 8
_ids = itertools.count(1)

_H = Decimal(300)
_TOP = Decimal(16)
_RIGHT = Decimal(16)
_BOTTOM = Decimal(44)
_LEFT = Decimal(72)
_PX = Decimal("0.1")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Decimal, ...]


@dataclass(frozen=True)
class ChartData:
    title: str
    description: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    # What the numbers are, for the axis and the table header: "Revenue (EUR)".
    value_label: str
    category_label: str = ""
    # How values read in tooltips, table and axis (exact; e.g. grouped thousands).
    format_value: Callable[[Decimal], str] = str

    def __post_init__(self) -> None:
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(
                    f"series {s.name!r} has {len(s.values)} values for {len(self.categories)} categories"
                )
            if any(not isinstance(v, Decimal) for v in s.values):
                raise TypeError("chart values must be Decimal")


def _n(value: Decimal) -> str:
    """An SVG coordinate: a tenth of a pixel is plenty."""
    text = str(value.quantize(_PX))
    return text[:-2] if text.endswith(".0") else text


def nice_step(span: Decimal, ticks: int = 4) -> Decimal:
    """A round tick step (1, 2 or 5 times a power of ten) giving about ``ticks`` ticks."""
    if span <= 0:
        return Decimal(1)
    raw = span / ticks
    base = Decimal(1).scaleb(raw.adjusted())
    for multiple in (1, 2, 5, 10):
        if base * multiple >= raw:
            return base * multiple
    return base * 10  # pragma: no cover - the loop always returns


def _scale(low: Decimal, high: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """Axis bounds on round steps, always including zero."""
    low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if low == high:
        high = Decimal(1)
    step = nice_step(high - low)
    top = (high / step).to_integral_value(ROUND_CEILING) * step
    bottom = (low / step).to_integral_value(ROUND_FLOOR) * step
    return bottom, top, step


def compact(value: Decimal) -> str:
    """Axis labels: 1.5M, 250k; exact figures are in the tooltips and the table."""
    magnitude = abs(value)
    for factor, suffix in (
        (Decimal(10) ** 9, "B"),
        (Decimal(10) ** 6, "M"),
        (Decimal(10) ** 3, "k"),
    ):
        if magnitude >= factor:
            return _plain(value / factor) + suffix
    return _plain(value)


def _plain(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}"
    return text[:-2] if text.endswith(".0") else text


def _svg_open(data: ChartData, uid: str, width: Decimal, height: Decimal = _H) -> list[str]:
    return [
        f'<svg class="chart-svg" viewBox="0 0 {_n(width)} {_n(height)}" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{uid}-title">{escape(data.title)}</title>',
        f'<desc id="{uid}-desc">{escape(data.description)}</desc>',
    ]


def _y_axis(
    width: Decimal,
    bottom: Decimal,
    top: Decimal,
    step: Decimal,
    y: Callable[[Decimal], Decimal],
    label: str,
) -> list[str]:
    parts = ['<g class="axis axis-y" aria-hidden="true">']
    tick = bottom
    while tick <= top:
        pos = _n(y(tick))
        css = "gridline zero" if tick == 0 else "gridline"
        parts.append(
            f'<line class="{css}" x1="{_n(_LEFT)}" x2="{_n(width - _RIGHT)}" y1="{pos}" y2="{pos}"/>'
        )
        parts.append(
            f'<text x="{_n(_LEFT - 8)}" y="{pos}" dy="0.32em" text-anchor="end">{escape(compact(tick))}</text>'
        )
        tick += step
    parts.append(
        f'<text class="axis-label" transform="rotate(-90)" x="{_n(-(_TOP + (_H - _TOP - _BOTTOM) / 2))}" '
        f'y="14" text-anchor="middle">{escape(label)}</text>'
    )
    parts.append("</g>")
    return parts


def _x_labels(
    categories: Sequence[str], center: Callable[[int], Decimal], band: Decimal
) -> list[str]:
    # Thin the labels so they never overlap: about 7.5 px per character at 12 px.
    widest = max((len(c) for c in categories), default=1) * Decimal("7.5") + 8
    every = max(1, int((widest / band).to_integral_value(ROUND_CEILING)))
    parts = ['<g class="axis axis-x" aria-hidden="true">']
    for i, name in enumerate(categories):
        if i % every == 0:
            parts.append(
                f'<text x="{_n(center(i))}" y="{_n(_H - _BOTTOM + 18)}" text-anchor="middle">{escape(name)}</text>'
            )
    parts.append("</g>")
    return parts


def _legend(data: ChartData) -> str:
    if len(data.series) < 2:
        return ""
    items = "".join(
        f'<li><span class="swatch series-{i % PALETTE_SIZE}" aria-hidden="true"></span>{escape(s.name)}</li>'
        for i, s in enumerate(data.series)
    )
    return f'<ul class="chart-legend" aria-label="Legend">{items}</ul>'


def data_table(data: ChartData, *, totals: bool = False) -> str:
    head = "".join(f'<th scope="col">{escape(s.name)}</th>' for s in data.series)
    if totals:
        head += '<th scope="col">Total</th>'
    rows = []
    for i, category in enumerate(data.categories):
        cells = "".join(
            f'<td class="num">{escape(data.format_value(s.values[i]))}</td>' for s in data.series
        )
        if totals:
            total = sum((s.values[i] for s in data.series), Decimal(0))
            cells += f'<td class="num">{escape(data.format_value(total))}</td>'
        rows.append(f'<tr><th scope="row">{escape(category)}</th>{cells}</tr>')
    first = escape(data.category_label or "Category")
    return (
        '<div class="table-wrap"><table class="data-table chart-table">'
        f"<caption>{escape(data.title)}: {escape(data.value_label)}</caption>"
        f'<thead><tr><th scope="col">{first}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _figure(
    data: ChartData, svg: list[str], *, totals: bool = False, table_open: bool = False
) -> Markup:
    table = data_table(data, totals=totals)
    open_attr = " open" if table_open else ""
    return Markup(  # noqa: S704 - every value inside was escaped above
        '<figure class="chart">'
        f'<figcaption class="chart-title">{escape(data.title)}</figcaption>'
        f'<div class="chart-scroll" tabindex="0" role="region" aria-label="{escape(data.title)} (scrolls sideways)">'
        f"{''.join(svg)}</div>"
        f"{_legend(data)}"
        f'<details class="chart-data"{open_attr}><summary>Show the figures as a table</summary>{table}</details>'
        "</figure>"
    )


def _tooltip(data: ChartData, series: Series, category: str, value: Decimal) -> str:
    who = f"{series.name}, " if len(data.series) > 1 else ""
    return f"<title>{escape(who + category)}: {escape(data.format_value(value))}</title>"


def bar_chart(data: ChartData, *, stacked: bool = False, width: int = 640) -> Markup:
    """Vertical bars per category: one per series side by side, or stacked."""
    uid = f"chart{next(_ids)}"
    w = Decimal(width)
    n = max(len(data.categories), 1)
    if stacked:
        ups = [
            sum((max(s.values[i], Decimal(0)) for s in data.series), Decimal(0))
            for i in range(len(data.categories))
        ]
        downs = [
            sum((min(s.values[i], Decimal(0)) for s in data.series), Decimal(0))
            for i in range(len(data.categories))
        ]
        bottom, top, step = _scale(min(downs, default=Decimal(0)), max(ups, default=Decimal(0)))
    else:
        values = [v for s in data.series for v in s.values]
        bottom, top, step = _scale(min(values, default=Decimal(0)), max(values, default=Decimal(0)))
    plot_h = _H - _TOP - _BOTTOM
    plot_w = w - _LEFT - _RIGHT
    band = plot_w / n

    def y(value: Decimal) -> Decimal:
        return _TOP + (top - value) * plot_h / (top - bottom)

    def center(i: int) -> Decimal:
        return _LEFT + band * i + band / 2

    svg = _svg_open(data, uid, w)
    svg += _y_axis(w, bottom, top, step, y, data.value_label)
    svg.append('<g class="bars">')
    bar_w = band * Decimal("0.7")
    for i, category in enumerate(data.categories):
        left = center(i) - bar_w / 2
        if stacked:
            up, down = Decimal(0), Decimal(0)
            for k, s in enumerate(data.series):
                value = s.values[i]
                if value == 0:
                    continue
                base = up if value > 0 else down
                end = base + value
                if value > 0:
                    up = end
                else:
                    down = end
                y1, y2 = sorted((y(base), y(end)))
                svg.append(
                    f'<rect class="series-{k % PALETTE_SIZE}" x="{_n(left)}" y="{_n(y1)}" '
                    f'width="{_n(bar_w)}" height="{_n(y2 - y1)}">{_tooltip(data, s, category, value)}</rect>'
                )
        else:
            each = bar_w / max(len(data.series), 1)
            for k, s in enumerate(data.series):
                value = s.values[i]
                y1, y2 = sorted((y(Decimal(0)), y(value)))
                svg.append(
                    f'<rect class="series-{k % PALETTE_SIZE}" x="{_n(left + each * k)}" y="{_n(y1)}" '
                    f'width="{_n(each)}" height="{_n(y2 - y1)}">{_tooltip(data, s, category, value)}</rect>'
                )
    svg.append("</g>")
    svg += _x_labels(data.categories, center, band)
    svg.append("</svg>")
    return _figure(data, svg, totals=stacked and len(data.series) > 1)


def horizontal_bar_chart(data: ChartData, *, width: int = 640) -> Markup:
    """One bar per category, labels on the left: for rankings such as top products."""
    uid = f"chart{next(_ids)}"
    w = Decimal(width)
    series = data.series[0]
    row_h = Decimal(28)
    label_w = Decimal(200)
    height = _TOP + row_h * max(len(data.categories), 1) + Decimal(8)
    bottom, top, _step = _scale(
        min(series.values, default=Decimal(0)), max(series.values, default=Decimal(0))
    )
    plot_w = w - label_w - _RIGHT - Decimal(96)

    def x(value: Decimal) -> Decimal:
        return label_w + (value - bottom) * plot_w / (top - bottom)

    svg = _svg_open(data, uid, w, height)
    svg.append('<g class="bars">')
    for i, category in enumerate(data.categories):
        value = series.values[i]
        y_top = _TOP + row_h * i
        x1, x2 = sorted((x(Decimal(0)), x(value)))
        name = category if len(category) <= 28 else category[:27] + "…"
        svg.append(
            f'<text class="bar-label" x="{_n(label_w - 8)}" y="{_n(y_top + row_h / 2)}" dy="0.32em" '
            f'text-anchor="end" aria-hidden="true">{escape(name)}</text>'
        )
        svg.append(
            f'<rect class="series-0" x="{_n(x1)}" y="{_n(y_top + 4)}" width="{_n(x2 - x1)}" '
            f'height="{_n(row_h - 8)}">{_tooltip(data, series, category, value)}</rect>'
        )
        svg.append(
            f'<text class="bar-value" x="{_n(x2 + 6)}" y="{_n(y_top + row_h / 2)}" dy="0.32em" '
            f'aria-hidden="true">{escape(data.format_value(value))}</text>'
        )
    svg.append("</g></svg>")
    return _figure(data, svg)


def line_chart(data: ChartData, *, width: int = 640) -> Markup:
    """One line per series across the categories (months, usually)."""
    uid = f"chart{next(_ids)}"
    w = Decimal(width)
    n = max(len(data.categories), 1)
    values = [v for s in data.series for v in s.values]
    bottom, top, step = _scale(min(values, default=Decimal(0)), max(values, default=Decimal(0)))
    plot_h = _H - _TOP - _BOTTOM
    plot_w = w - _LEFT - _RIGHT
    band = plot_w / n

    def y(value: Decimal) -> Decimal:
        return _TOP + (top - value) * plot_h / (top - bottom)

    def center(i: int) -> Decimal:
        return _LEFT + band * i + band / 2

    svg = _svg_open(data, uid, w)
    svg += _y_axis(w, bottom, top, step, y, data.value_label)
    for k, s in enumerate(data.series):
        css = f"series-{k % PALETTE_SIZE}"
        points = " ".join(f"{_n(center(i))},{_n(y(v))}" for i, v in enumerate(s.values))
        svg.append(f'<g class="line {css}"><polyline points="{points}"/>')
        for i, value in enumerate(s.values):
            svg.append(
                f'<circle cx="{_n(center(i))}" cy="{_n(y(value))}" r="4">'
                f"{_tooltip(data, s, data.categories[i], value)}</circle>"
            )
        svg.append("</g>")
    svg += _x_labels(data.categories, center, band)
    svg.append("</svg>")
    return _figure(data, svg)
