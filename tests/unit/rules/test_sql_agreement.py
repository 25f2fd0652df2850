"""The SQL compilation and the in-process predicate agree (property-based, DuckDB).

Random valid conditions over one attribute of each type are evaluated by
``compile_predicate`` and, compiled by ``compile_sql``, by DuckDB over the same
random rows, including missing values: the answers must be equal row by row.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from salesdev.engine.rules import (
    Attribute,
    Vocabulary,
    compile_predicate,
    compile_sql,
    condition_to_json,
    parse_condition,
)

VOCABULARY = Vocabulary(
    [
        Attribute("x.text", "string", "Text", "", ("a", "b", "c")),
        Attribute("x.int", "integer", "Int", ""),
        Attribute("x.dec", "decimal", "Dec", ""),
        Attribute("x.flag", "boolean", "Flag", ""),
        Attribute("x.day", "date", "Day", ""),
        Attribute("x.tags", "string_set", "Tags", ""),
    ]
)
COLUMNS = {
    "x.text": "VARCHAR",
    "x.int": "BIGINT",
    "x.dec": "DECIMAL(18, 4)",
    "x.flag": "BOOLEAN",
    "x.day": "DATE",
    "x.tags": "VARCHAR[]",
}
TEXTS = ["a", "b", "c"]
INTS = [-3, -1, 0, 1, 2, 5]
DECS = [Decimal("-1.5"), Decimal("0"), Decimal("0.25"), Decimal("2"), Decimal("2.0001")]
DAYS = [date(2026, 1, 1), date(2026, 2, 28), date(2026, 3, 1), date(2027, 1, 1)]

texts = st.sampled_from(TEXTS)
ints = st.sampled_from(INTS)
decs = st.sampled_from(DECS)
days = st.sampled_from(DAYS)


def _json(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _pair(values: st.SearchStrategy[object]) -> st.SearchStrategy[list[object]]:
    return st.lists(values, min_size=2, max_size=2, unique=True).map(
        lambda p: [_json(v) for v in sorted(p)]  # type: ignore[type-var]
    )


def _comparisons() -> st.SearchStrategy[dict[str, object]]:
    def leaf(
        attribute: str, op: str, value: st.SearchStrategy[object]
    ) -> st.SearchStrategy[dict[str, object]]:
        return value.map(lambda v: {"attribute": attribute, "op": op, "value": v})

    def scalar(
        attribute: str, values: st.SearchStrategy[object], ops: list[str]
    ) -> list[st.SearchStrategy[dict[str, object]]]:
        return [leaf(attribute, op, values.map(_json)) for op in ops]

    ordering = ["eq", "ne", "lt", "le", "gt", "ge"]
    options = [
        *scalar("x.text", texts, ["eq", "ne"]),
        leaf("x.text", "in", st.lists(texts, min_size=1, max_size=3)),
        leaf("x.text", "not_in", st.lists(texts, min_size=1, max_size=3)),
        *scalar("x.int", ints, ordering),
        leaf("x.int", "in", st.lists(ints, min_size=1, max_size=3)),
        leaf("x.int", "not_in", st.lists(ints, min_size=1, max_size=3)),
        leaf("x.int", "between", _pair(ints)),
        *scalar("x.dec", decs, ordering),
        leaf("x.dec", "between", _pair(decs)),
        *scalar("x.flag", st.booleans(), ["eq", "ne"]),
        *scalar("x.day", days, ordering),
        leaf("x.day", "between", _pair(days)),
        leaf("x.tags", "contains", texts),
        leaf("x.tags", "contains_any", st.lists(texts, min_size=1, max_size=3)),
        leaf("x.tags", "contains_all", st.lists(texts, min_size=1, max_size=3)),
    ]
    presence = st.builds(
        lambda a, op: {"attribute": a, "op": op},
        st.sampled_from(list(COLUMNS)),
        st.sampled_from(["is_set", "is_not_set"]),
    )
    return st.one_of(*options, presence)


conditions = st.recursive(
    _comparisons(),
    lambda children: st.one_of(
        st.builds(lambda parts: {"all": parts}, st.lists(children, max_size=4)),
        st.builds(lambda parts: {"any": parts}, st.lists(children, max_size=4)),
        st.builds(lambda part: {"not": part}, children),
    ),
    max_leaves=12,
)

rows = st.lists(
    st.fixed_dictionaries(
        {
            "x.text": st.none() | texts,
            "x.int": st.none() | ints,
            "x.dec": st.none() | decs,
            "x.flag": st.none() | st.booleans(),
            "x.day": st.none() | days,
            "x.tags": st.none() | st.frozensets(texts),
        }
    ),
    min_size=1,
    max_size=8,
)


@cache
def _connection() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _column(name: str) -> exp.Expression:
    return exp.column(name.replace(".", "_"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=conditions, contexts=rows)
def test_sql_and_predicate_agree(
    data: dict[str, object], contexts: list[dict[str, object]]
) -> None:
    # given a valid condition and rows with missing values
    condition = parse_condition(data, vocabulary=VOCABULARY)
    assert parse_condition(condition_to_json(condition), vocabulary=VOCABULARY) == condition
    # when both compilations evaluate it
    predicate = compile_predicate(condition)
    expected = [predicate(row) for row in contexts]
    con = _connection().cursor()
    columns = ", ".join(f"{_column(n).sql('duckdb')} {t}" for n, t in COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE ctx (n INTEGER, {columns})")
    con.executemany(
        f"INSERT INTO ctx VALUES (?, {', '.join(f'CAST(? AS {t})' for t in COLUMNS.values())})",
        [
            [i, *(sorted(v) if isinstance(v, frozenset) else v for v in map(row.get, COLUMNS))]
            for i, row in enumerate(contexts)
        ],
    )
    sql = compile_sql(condition, _column).sql(dialect="duckdb")
    actual = [r[0] for r in con.execute(f"SELECT {sql} FROM ctx ORDER BY n").fetchall()]
    # then they agree row by row, and SQL never answers NULL
    assert actual == expected, sql
