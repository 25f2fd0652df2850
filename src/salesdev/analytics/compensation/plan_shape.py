"""Plan-shape regression check: every stage keeps its intended join strategy.

A planner that picks a bad join order or strategy does not change the result,
only the time (in a prototype, 1.5 s became 110 s), so the result tests cannot
catch it. This reads the physical plan DuckDB actually ran for each stage
(``EXPLAIN (ANALYZE, FORMAT JSON)``, with actual row counts) and checks the
intended shape:

- joins are hash joins: no nested-loop, block-wise, piecewise-merge, range (IE)
  join or cross product anywhere;
- a dimension (``cmp_family``, ``cmp_payee``, ``cmp_component``, ``cmp_quota``, the
  load's dictionaries ``cmp_line_id`` and ``cmp_split_order``, a constant list) joined with facts is the build side of the hash join, unless the
  facts are not larger (plus ``BUILD_SLACK_ROWS``): small inputs such as the split
  credits or the hierarchy may build against a dimension of their size;
- no hash join builds its table on the larger side: the build side has at most
  ``BUILD_RATIO`` times the rows of the probe side (plus ``BUILD_SLACK_ROWS``,
  so that tiny inputs do not count).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

import duckdb

FORBIDDEN_OPERATORS: Final[frozenset[str]] = frozenset(
    {
        "NESTED_LOOP_JOIN",
        "BLOCKWISE_NL_JOIN",
        "PIECEWISE_MERGE_JOIN",
        "IE_JOIN",
        "CROSS_PRODUCT",
        "POSITIONAL_JOIN",
    }
)
# The dictionaries built at load (cmp_line_id, cmp_split_order) are dimensions too:
# keying the events must build on them and probe with the events.
DIMENSION_TABLES: Final[frozenset[str]] = frozenset(
    {"cmp_family", "cmp_payee", "cmp_component", "cmp_quota", "cmp_line_id", "cmp_split_order"}
)
# Scans of constants (IN lists turned into joins, VALUES): as small as a dimension.
_CONSTANT_SCANS: Final[frozenset[str]] = frozenset({"COLUMN_DATA_SCAN", "DUMMY_SCAN"})
BUILD_RATIO: Final[int] = 2
BUILD_SLACK_ROWS: Final[int] = 10_000

Operator = Mapping[str, Any]


@dataclass(frozen=True)
class ShapeProblem:
    stage: str  # the stage table, e.g. cmp_credit
    message: str

    def __str__(self) -> str:
        return f"{self.stage}: {self.message}"


def explain_analyze(connection: duckdb.DuckDBPyConnection, statement: str) -> Operator:
    """Run ``statement`` under EXPLAIN ANALYZE and return the root of its physical plan."""
    rows = connection.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}").fetchall()
    profile = json.loads(rows[0][1])
    return {"name": "QUERY", "children": profile.get("operator", [])}


def plan_shape_problems(profiles: Mapping[str, Operator]) -> list[ShapeProblem]:
    """Every departure from the intended shape, per stage (none when the plans are sound)."""
    problems: list[ShapeProblem] = []
    for stage, root in profiles.items():
        for node in _walk(root):
            name = str(node.get("name", ""))
            if name in FORBIDDEN_OPERATORS:
                problems.append(ShapeProblem(stage, f"{name} {_condition(node)}: not a hash join"))
            elif name == "HASH_JOIN":
                problems.extend(_hash_join_problems(stage, node))
    return problems


def hash_join_build_tables(root: Operator) -> list[tuple[frozenset[str], frozenset[str]]]:
    """(probe side tables, build side tables) of every hash join of a plan, in plan order."""
    return [
        (_tables(children[0]), _tables(children[1]))
        for node in _walk(root)
        if node.get("name") == "HASH_JOIN" and len(children := _children(node)) == 2
    ]


def _hash_join_problems(stage: str, node: Operator) -> Iterator[ShapeProblem]:
    children = _children(node)
    if len(children) != 2:
        return
    probe, build = children
    probe_rows, build_rows = _rows(probe), _rows(build)
    condition = _condition(node)
    if (
        _is_dimension(probe)
        and not _is_dimension(build)
        and build_rows > probe_rows + BUILD_SLACK_ROWS
    ):
        yield ShapeProblem(
            stage,
            f"hash join on {condition} builds on the facts ({sorted(_tables(build))}, "
            f"{build_rows:,} rows) and probes the dimension ({sorted(_tables(probe))})",
        )
    elif build_rows > BUILD_RATIO * probe_rows + BUILD_SLACK_ROWS:
        yield ShapeProblem(
            stage,
            f"hash join on {condition} builds on the larger side: {build_rows:,} rows "
            f"({sorted(_tables(build))}) against {probe_rows:,} probing ({sorted(_tables(probe))})",
        )


def _walk(node: Operator) -> Iterator[Operator]:
    yield node
    for child in _children(node):
        yield from _walk(child)


def _children(node: Operator) -> list[Operator]:
    return list(node.get("children", []))


def _rows(node: Operator) -> int:
    """Rows the subtree delivers: its top operator's actual output (a UNION reports
    none of its own: it delivers its inputs' rows)."""
    if node.get("name") == "UNION":
        return sum(_rows(child) for child in _children(node))
    return int(node.get("intermediate_rows", 0))


def _tables(node: Operator) -> frozenset[str]:
    """Tables scanned in a subtree, by their last name part (memory.main.x -> x); a scan
    of constants as ``(constants)``, any other scan without a table (the Parquet store,
    an Arrow table) by its operator, e.g. ``(parquet_scan)``."""
    names: set[str] = set()
    for child in _walk(node):
        table = child.get("extra_info", {}).get("Table")
        name = str(child.get("name", ""))
        if table:
            names.add(str(table).rsplit(".", 1)[-1])
        elif name in _CONSTANT_SCANS:
            names.add("(constants)")
        elif name.endswith("_SCAN"):
            names.add(f"({name.lower()})")
    return frozenset(names)


def _is_dimension(node: Operator) -> bool:
    tables = _tables(node)
    return bool(tables) and tables <= DIMENSION_TABLES | {"(constants)"}


def _condition(node: Operator) -> str:
    condition = node.get("extra_info", {}).get("Conditions", "")
    if isinstance(condition, list):
        return ", ".join(str(c) for c in condition)
    return str(condition)
