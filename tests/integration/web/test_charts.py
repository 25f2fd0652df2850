"""SVG charts: accessible, exact, and with the figures as a table."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from salesdev.web.charts import (
    ChartData,
    Series,
    bar_chart,
    compact,
    horizontal_bar_chart,
    line_chart,
    nice_step,
)
from tests.integration.web.pages import text

DATA = ChartData(
    title="Revenue <by> channel",
    description="Two channels over two months.",
    categories=("2026-01", "2026-02"),
    series=(
        Series("Retail", (Decimal("100.10"), Decimal("0.3333"))),
        Series("Online", (Decimal("50"), Decimal("-20"))),
    ),
    value_label="Revenue (EUR)",
    category_label="Month",
)


def test_a_chart_has_a_title_a_description_and_escapes_text() -> None:
    html = str(bar_chart(DATA, stacked=True))

    assert re.search(r'<svg [^>]*role="img" aria-labelledby="(chart\d+)-title \1-desc"', html)
    assert "<title id=" in html and "Revenue &lt;by&gt; channel</title>" in html
    assert "<desc id=" in html and "Two channels over two months.</desc>" in html
    assert "<by>" not in html


def test_the_data_table_holds_the_exact_values_and_totals() -> None:
    html = str(bar_chart(DATA, stacked=True))
    table = re.search(r"<table.*</table>", html, re.S)
    assert table is not None

    assert text(table.group(0)) == (
        "Revenue <by> channel: Revenue (EUR) Month Retail Online Total "
        "2026-01 100.10 50 150.10 2026-02 0.3333 -20 -19.6667"
    )
    assert "<title>Retail, 2026-02: 0.3333</title>" in html


def test_grouped_bars_draw_one_bar_per_series_and_category() -> None:
    assert str(bar_chart(DATA)).count("<rect ") == 4


def test_line_and_horizontal_charts_draw_every_value() -> None:
    assert str(line_chart(DATA)).count("<circle ") == 4
    single = ChartData(
        "Top",
        "Ranked.",
        ("A", "B", "C"),
        (Series("Revenue", (Decimal(3), Decimal(2), Decimal(1))),),
        "EUR",
    )
    assert str(horizontal_bar_chart(single)).count("<rect ") == 3


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        ChartData("t", "d", ("a",), (Series("s", (1.5,)),), "v")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("span", "step"),
    [
        (Decimal(1), Decimal("0.5")),
        (Decimal(170000), Decimal(50000)),
        (Decimal(9), Decimal(5)),
        (Decimal(0), Decimal(1)),
    ],
)
def test_axis_steps_are_round(span: Decimal, step: Decimal) -> None:
    assert nice_step(span) == step


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (Decimal(0), "0"),
        (Decimal(150000), "150k"),
        (Decimal(1250000), "1.3M"),
        (Decimal("-2500"), "-2.5k"),
    ],
)
def test_axis_labels_are_compact(value: Decimal, label: str) -> None:
    assert compact(value) == label
