"""Compile a condition into a boolean SQL expression (a sqlglot tree).

For set-based use: filter a table of contexts (one row per customer, sale or
offering) with the same condition the in-process predicate evaluates. Values
enter the tree as typed literal nodes, never as formatted text. Two-valued
logic, as in process: every comparison is wrapped in ``COALESCE(..., FALSE)``,
so a NULL attribute makes it false and ``NOT`` negates a definite answer.

Set attributes (``string_set``) are list columns (DuckDB ``VARCHAR[]``, Spark
``ARRAY<STRING>``). Render with ``expression.sql(dialect="duckdb")``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import cast

from sqlglot import exp

from salesdev.engine.rules.model import AllOf, Comparison, Condition, Not, Scalar

ColumnOf = Callable[[str], exp.Expression]


def compile_sql(condition: Condition, column: ColumnOf) -> exp.Expression:
    """A boolean expression over the columns ``column(attribute_name)`` returns."""
    if isinstance(condition, Comparison):
        return _comparison(condition, column)
    if isinstance(condition, Not):
        return exp.Not(this=exp.Paren(this=compile_sql(condition.part, column)))
    parts = [compile_sql(p, column) for p in condition.parts]
    if isinstance(condition, AllOf):
        if not parts:
            return exp.true()
        return parts[0] if len(parts) == 1 else exp.and_(*parts, copy=False)  # type: ignore[return-value]
    if not parts:
        return exp.false()
    return parts[0] if len(parts) == 1 else exp.or_(*parts, copy=False)  # type: ignore[return-value]


def _comparison(c: Comparison, column: ColumnOf) -> exp.Expression:
    col = column(c.attribute)
    if c.op == "is_set":
        return exp.Not(this=exp.Is(this=col, expression=exp.null()))
    if c.op == "is_not_set":
        return exp.Is(this=col, expression=exp.null())
    value = c.value
    test: exp.Expression
    if c.op in ("in", "not_in"):
        assert isinstance(value, tuple)
        test = exp.In(this=col, expressions=[literal(v) for v in value])
        if c.op == "not_in":
            test = exp.Not(this=test)
    elif c.op == "between":
        assert isinstance(value, tuple)
        low, high = value
        test = exp.And(
            this=exp.GTE(this=col, expression=literal(low)),
            expression=exp.LT(this=col.copy(), expression=literal(high)),
        )
    elif c.op == "contains":
        assert value is not None and not isinstance(value, tuple)
        test = exp.ArrayContains(this=col, expression=literal(value))
    elif c.op in ("contains_any", "contains_all"):
        assert isinstance(value, tuple)
        array = exp.Array(expressions=[literal(v) for v in value])
        node = exp.ArrayOverlaps if c.op == "contains_any" else exp.ArrayContainsAll
        test = node(this=col, expression=array)
    else:
        assert value is not None and not isinstance(value, tuple)
        node_type = _BINARY[c.op]
        test = cast(exp.Expression, node_type(this=col, expression=literal(value)))
    return exp.Coalesce(this=test, expressions=[exp.false()])


_BINARY: dict[str, type[exp.Binary]] = {
    "eq": exp.EQ,
    "ne": exp.NEQ,
    "lt": exp.LT,
    "le": exp.LTE,
    "gt": exp.GT,
    "ge": exp.GTE,
}


def literal(value: Scalar) -> exp.Expression:
    """A typed literal node for a condition value."""
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, Decimal):
        return exp.Cast(
            this=exp.Literal.number(format(value, "f")),
            to=exp.DataType.build("DECIMAL(38, 10)"),
        )
    if isinstance(value, date):
        return exp.Cast(this=exp.Literal.string(value.isoformat()), to=exp.DataType.build("DATE"))
    return exp.Literal.string(value)
