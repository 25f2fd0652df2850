"""Building blocks of the generated SQL: typed literals, templates, dialect-bound functions.

Every value from a plan enters the SQL as a typed literal node of the syntax
tree (never by formatting text). Templates are constant DuckDB-dialect text with
``:name`` placeholders that are replaced by nodes; sqlglot then renders the tree
in the target dialect (``duckdb`` by default, ``spark`` for Apache Spark SQL).

What does not transpile by itself lives here and only here: instants as epoch
microseconds, the UTC calendar month of an instant, timestamp literals. Both
engines must run with their session time zone set to UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Final

import sqlglot
from sqlglot import exp

from salesdev.core.money import AMOUNT_SCALE
from salesdev.engine.compensation.plan import RATE_SCALE, SALES_EVENT_TYPES

SOURCE_DIALECT: Final[str] = "duckdb"
DIALECTS: Final[tuple[str, ...]] = ("duckdb", "spark")

# Exact types. Money in and out of stages: DECIMAL(18,4). Rates and attainment
# bounds: DECIMAL(10,6). Unrounded incentive amounts: DECIMAL(38,16), which holds
# money x rate x rate exactly (4 + 6 + 6 decimal places).
MONEY: Final[str] = f"DECIMAL(18, {AMOUNT_SCALE})"
RATE: Final[str] = f"DECIMAL(10, {RATE_SCALE})"
SLICE: Final[str] = "DECIMAL(24, 10)"  # money x bound: 4 + 6 decimal places
EXACT: Final[str] = "DECIMAL(38, 16)"


def template(text: str, **nodes: exp.Expr) -> exp.Expr:
    """Parse constant SQL ``text`` and replace its ``:name`` placeholders with ``nodes``."""
    tree = sqlglot.parse_one(text, read=SOURCE_DIALECT)
    missing = {p.name for p in tree.find_all(exp.Placeholder)} - set(nodes)
    if missing:
        raise KeyError(f"no node for placeholders {sorted(missing)}")
    return exp.replace_placeholders(tree, **nodes)


def render(tree: exp.Expr, dialect: str = SOURCE_DIALECT) -> str:
    if dialect not in DIALECTS:
        raise ValueError(f"unsupported dialect {dialect!r}; expected one of {DIALECTS}")
    return tree.sql(dialect=dialect)


def cast(value: exp.Expr, sql_type: str) -> exp.Cast:
    """``CAST(value AS sql_type)``, the type parsed once (parsing dominates compile time)."""
    return exp.Cast(this=value, to=_data_type(sql_type).copy())


@cache
def _data_type(sql_type: str) -> exp.DataType:
    return exp.DataType.build(sql_type, dialect=SOURCE_DIALECT)


def subquery(query: exp.Expr, alias: str) -> exp.Subquery:
    return exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(alias)))


def money(value: Decimal) -> exp.Expr:
    return _decimal(value, MONEY)


def rate(value: Decimal) -> exp.Expr:
    return _decimal(value, RATE)


def _decimal(value: Decimal, sql_type: str) -> exp.Expr:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError(f"expected a finite Decimal, got {value!r}")
    return cast(exp.Literal.number(format(value, "f")), sql_type)


def text(value: str) -> exp.Expr:
    return exp.Literal.string(value)


def integer(value: int) -> exp.Expr:
    return exp.Literal.number(int(value))


def texts(values: tuple[str, ...] | list[str]) -> list[exp.Expr]:
    return [text(value) for value in values]


def is_in(column: exp.Expr, values: tuple[str, ...] | list[str]) -> exp.Expr:
    """``column IN (...)``, or FALSE for no value (an empty IN list is not portable SQL)."""
    if not values:
        return exp.false()
    return exp.In(this=column, expressions=texts(sorted(values)))


def timestamp(at: datetime) -> exp.Expr:
    """An instant as a literal: TIMESTAMPTZ in DuckDB, TIMESTAMP (session zone UTC) in Spark."""
    utc = at.astimezone(UTC)
    return cast(exp.Literal.string(utc.isoformat(sep=" ")), "TIMESTAMPTZ")


def epoch_us(column: exp.Expr) -> exp.Expr:
    """Microseconds since the Unix epoch: ``epoch_us`` (DuckDB), ``unix_micros`` (Spark)."""
    return exp.UnixMicros(this=column)


def month_index(us: exp.Expr) -> exp.Expr:
    """Months since year 0 of the UTC calendar month of an instant in epoch microseconds.

    From microseconds, not from the TIMESTAMPTZ: DuckDB takes the calendar fields
    of a TIMESTAMPTZ through ICU, several times slower than from a plain
    TIMESTAMP (``make_timestamp`` in DuckDB, ``timestamp_micros`` in Spark).
    """
    return exp.Add(
        this=exp.Mul(this=exp.Year(this=_instant(us)), expression=integer(12)),
        expression=exp.Sub(this=exp.Month(this=_instant(us)), expression=integer(1)),
    )


def _instant(us: exp.Expr) -> exp.Expr:
    return exp.UnixToTime(this=us.copy(), scale=exp.UnixToTime.MICROS.copy())


def period_month_index(year: int, month: int) -> exp.Expr:
    return integer(year * 12 + month - 1)


# Loaded events carry their type as a small integer (``type_key``): 1 + its index in
# SALES_EVENT_TYPES. Grouping and filtering on it costs less than on the text.
TYPE_KEYS: Final[dict[str, int]] = {name: n for n, name in enumerate(SALES_EVENT_TYPES, start=1)}


def type_key(event_type: str) -> exp.Expr:
    return integer(TYPE_KEYS[event_type])


def type_in(column: exp.Expr, types: tuple[str, ...] | list[str]) -> exp.Expr:
    """``column IN (keys of types)`` over a ``type_key`` column, or FALSE for no type."""
    if not types:
        return exp.false()
    if len(types) == 1:
        return exp.EQ(this=column, expression=type_key(types[0]))
    return exp.In(this=column, expressions=[type_key(t) for t in sorted(types)])


def type_key_of(column: exp.Expr) -> exp.Expr:
    """The ``type_key`` of an ``event_type`` text column (null for an unknown type)."""
    return cast(
        exp.Case(
            this=column,
            ifs=[exp.If(this=text(name), true=integer(key)) for name, key in TYPE_KEYS.items()],
        ),
        "SMALLINT",
    )
