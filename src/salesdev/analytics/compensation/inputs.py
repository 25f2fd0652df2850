"""The optional inputs of a calculation, checked and put into the shape the stages read.

Shared by the DuckDB runner and the Spark runner, so both see the same relations:
- ``credit_splits`` (order_id, payee_id, share [, policy]) -> ``split_input``;
- ``hierarchy`` (payee_id, parent_id, relation, valid_from, valid_to) -> ``hierarchy_input``
  with validity as epoch microseconds, and the number of levels to unroll;
- ``payees`` -> ``payee_input``.
Every problem is reported with its row (``credit_splits[row 3].share``) or, for a
split that does not add up, its order (``credit_splits[order OR1].share``).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Final

import pyarrow as pa

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.money import AMOUNT_SCALE, parse_amount
from salesdev.engine.compensation import (
    HIERARCHY_INPUT,
    PAYEE_INPUT,
    QUOTA_INPUT,
    SPLIT_INPUT,
    CreditOptions,
    OverrideComponent,
    Plan,
    Relation,
    SplitPolicy,
)
from salesdev.engine.compensation.credit import epoch_us
from salesdev.engine.compensation.shares import SHARE_PLACES, parse_share
from salesdev.engine.compensation.validation import MAX_ROLLUP_LEVELS

# Open-ended validity: far beyond any event (year 9999).
OPEN_END_US: Final[int] = epoch_us(datetime(9999, 12, 31, tzinfo=UTC))

QUOTA_SCHEMA: Final = pa.schema(
    [
        pa.field("payee_id", pa.string(), nullable=False),
        pa.field("quota", pa.decimal128(18, AMOUNT_SCALE), nullable=False),
    ]
)
SPLIT_SCHEMA: Final = pa.schema(
    [
        pa.field("order_id", pa.string(), nullable=False),
        pa.field("payee_id", pa.string(), nullable=False),
        pa.field("share", pa.decimal128(18, SHARE_PLACES), nullable=False),
        pa.field("policy", pa.string(), nullable=False),
    ]
)
HIERARCHY_SCHEMA: Final = pa.schema(
    [
        pa.field("payee_id", pa.string(), nullable=False),
        pa.field("parent_id", pa.string(), nullable=False),
        pa.field("relation", pa.string(), nullable=False),
        pa.field("from_us", pa.int64(), nullable=False),
        pa.field("to_us", pa.int64(), nullable=False),
    ]
)
PAYEE_SCHEMA: Final = pa.schema([pa.field("payee_id", pa.string(), nullable=False)])


@dataclass(frozen=True)
class PreparedInputs:
    """The relations to register besides ``events``, and the compile options they imply."""

    quotas: pa.Table
    splits: pa.Table | None
    hierarchy: pa.Table | None
    payees: pa.Table | None
    options: CreditOptions

    def relations(self) -> dict[str, pa.Table]:
        """The relations by the names the stages read them under."""
        found = {
            QUOTA_INPUT: self.quotas,
            SPLIT_INPUT: self.splits,
            HIERARCHY_INPUT: self.hierarchy,
            PAYEE_INPUT: self.payees,
        }
        return {name: table for name, table in found.items() if table is not None}


def prepare_inputs(
    *,
    plan: Plan,
    quotas: Mapping[str, Decimal] | Mapping[uuid.UUID, Decimal],
    payees: Collection[str] | None,
    hierarchy: pa.Table | None,
    credit_splits: pa.Table | None,
) -> PreparedInputs:
    quota_table = quota_input(quotas)
    splits = split_input(credit_splits) if credit_splits is not None else None
    hierarchy_table, depth = (None, 0) if hierarchy is None else hierarchy_input(hierarchy)
    levels = 0
    if hierarchy_table is not None and any(
        isinstance(c, OverrideComponent) for c in plan.components
    ):
        levels = max(depth, 0)
    payee_table = None
    if payees is not None:
        ids = sorted({str(p) for p in payees})
        payee_table = pa.table({"payee_id": ids}, schema=PAYEE_SCHEMA)
    options = CreditOptions(
        splits=splits is not None and splits.num_rows > 0,
        rollup_levels=levels,
        payees=payee_table is not None,
    )
    return PreparedInputs(
        quotas=quota_table,
        splits=splits if options.splits else None,
        hierarchy=hierarchy_table if levels else None,
        payees=payee_table,
        options=options,
    )


def quota_input(quotas: Mapping[str, Decimal] | Mapping[uuid.UUID, Decimal]) -> pa.Table:
    problems: list[ErrorDetail] = []
    rows: list[tuple[str, Decimal]] = []
    for payee, value in quotas.items():
        location = f"quotas[{payee}]"
        try:
            quota = parse_amount(value, location=location)
        except InvalidInput as error:
            problems.extend(error.details)
            continue
        if quota <= 0:
            problems.append(ErrorDetail(location, f"a quota must be positive, got {quota}"))
            continue
        rows.append((str(payee), quota))
    if problems:
        raise InvalidInput("Invalid quotas", problems)
    rows.sort()
    return pa.table(
        {"payee_id": [r[0] for r in rows], "quota": [r[1] for r in rows]}, schema=QUOTA_SCHEMA
    )


def _columns(
    table: pa.Table, name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    missing = [c for c in required if c not in table.column_names]
    unknown = [c for c in table.column_names if c not in required + optional]
    problems = [ErrorDetail(f"{name}.{c}", "missing column") for c in missing]
    problems += [
        ErrorDetail(f"{name}.{c}", "unknown column; expected " + ", ".join(required + optional))
        for c in unknown
    ]
    if problems:
        raise InvalidInput(f"Invalid {name}", problems)
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def _text(value: object, location: str, problems: list[ErrorDetail]) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(ErrorDetail(location, "is required"))
        return None
    return str(value)


def split_input(table: pa.Table) -> pa.Table:
    """Check the split credits: 4-place shares in (0, 1], one policy per order,
    shares of a ``total_100`` order totalling exactly 1, no payee twice in an order."""
    rows = _columns(table, "credit_splits", ("order_id", "payee_id", "share"), ("policy",))
    problems: list[ErrorDetail] = []
    out: list[tuple[str, str, Decimal, str]] = []
    orders: dict[str, list[int]] = {}
    for number, row in enumerate(rows, start=1):
        at = f"credit_splits[row {number}]"
        order = _text(row.get("order_id"), f"{at}.order_id", problems)
        payee = _text(row.get("payee_id"), f"{at}.payee_id", problems)
        share = parse_share(row.get("share"), location=f"{at}.share", problems=problems)
        policy_text = row.get("policy") or SplitPolicy.TOTAL_100.value
        try:
            policy = SplitPolicy(policy_text)
        except ValueError:
            problems.append(
                ErrorDetail(
                    f"{at}.policy",
                    f"unknown policy {policy_text!r}; expected total_100 or overlay",
                )
            )
            continue
        if order is None or payee is None or share is None:
            continue
        orders.setdefault(order, []).append(len(out))
        out.append((order, payee, share, policy.value))
    for order, indexes in sorted(orders.items()):
        at = f"credit_splits[order {order}]"
        policies = {out[i][3] for i in indexes}
        payees = [out[i][1] for i in indexes]
        if len(policies) > 1:
            problems.append(
                ErrorDetail(
                    f"{at}.policy", "one order has one policy, got " + ", ".join(sorted(policies))
                )
            )
        duplicates = sorted({p for p in payees if payees.count(p) > 1})
        if duplicates:
            problems.append(
                ErrorDetail(f"{at}.payee_id", "a payee is listed twice: " + ", ".join(duplicates))
            )
        total = sum((out[i][2] for i in indexes), Decimal(0)).normalize()
        if policies == {SplitPolicy.TOTAL_100.value} and total != 1:
            problems.append(
                ErrorDetail(
                    f"{at}.share",
                    f"the shares total {format(total, 'f')}, not 1 (policy total_100; use overlay for "
                    "credit above 100 %)",
                )
            )
    if problems:
        raise InvalidInput("Invalid credit splits", problems)
    out.sort()
    return pa.table(
        {
            "order_id": [r[0] for r in out],
            "payee_id": [r[1] for r in out],
            "share": [r[2] for r in out],
            "policy": [r[3] for r in out],
        },
        schema=SPLIT_SCHEMA,
    )


def _instant_us(value: object, location: str, problems: list[ErrorDetail]) -> int | None:
    """A date means its first instant (00:00 UTC); a datetime must be aware."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            problems.append(ErrorDetail(location, "a timestamp needs a time zone (UTC)"))
            return None
        return epoch_us(value)
    if isinstance(value, date):
        return epoch_us(datetime.combine(value, time(), tzinfo=UTC))
    problems.append(ErrorDetail(location, f"expected a date or a timestamp, got {value!r}"))
    return None


def hierarchy_input(table: pa.Table) -> tuple[pa.Table, int]:
    """Check the hierarchy and return it with validity in epoch microseconds, and its depth.

    Refused: an unknown relation, a payee its own parent, ``valid_to`` not after
    ``valid_from``, and cycles (a payee its own ancestor through edges of one
    relation, whatever their validity). The depth is the longest chain of edges.
    """
    rows = _columns(
        table, "hierarchy", ("payee_id", "parent_id", "relation", "valid_from"), ("valid_to",)
    )
    problems: list[ErrorDetail] = []
    out: list[tuple[str, str, str, int, int]] = []
    first_row: dict[tuple[str, str, str], int] = {}
    for number, row in enumerate(rows, start=1):
        at = f"hierarchy[row {number}]"
        payee = _text(row.get("payee_id"), f"{at}.payee_id", problems)
        parent = _text(row.get("parent_id"), f"{at}.parent_id", problems)
        relation_text = row.get("relation")
        try:
            relation = Relation(str(relation_text))
        except ValueError:
            problems.append(
                ErrorDetail(
                    f"{at}.relation",
                    f"unknown relation {relation_text!r}; expected manager or partner",
                )
            )
            continue
        start = _instant_us(row.get("valid_from"), f"{at}.valid_from", problems)
        end_value = row.get("valid_to")
        end = (
            OPEN_END_US if end_value is None else _instant_us(end_value, f"{at}.valid_to", problems)
        )
        if payee is None or parent is None or start is None or end is None:
            continue
        if payee == parent:
            problems.append(ErrorDetail(f"{at}.parent_id", f"{payee} cannot be its own parent"))
            continue
        if end <= start:
            problems.append(
                ErrorDetail(f"{at}.valid_to", "must be after valid_from (validity is [from, to))")
            )
            continue
        first_row.setdefault((relation.value, payee, parent), number)
        out.append((payee, parent, relation.value, start, end))
    if problems:
        raise InvalidInput("Invalid hierarchy", problems)
    depth = _depth_or_cycle(out, first_row)
    out.sort()
    table_out = pa.table(
        {
            "payee_id": [r[0] for r in out],
            "parent_id": [r[1] for r in out],
            "relation": [r[2] for r in out],
            "from_us": [r[3] for r in out],
            "to_us": [r[4] for r in out],
        },
        schema=HIERARCHY_SCHEMA,
    )
    return table_out, depth


def _depth_or_cycle(
    edges: list[tuple[str, str, str, int, int]], first_row: dict[tuple[str, str, str], int]
) -> int:
    """The longest chain of edges of one relation; a cycle is refused, naming its payees."""
    parents: dict[tuple[str, str], set[str]] = {}
    for payee, parent, relation, _start, _end in edges:
        parents.setdefault((relation, payee), set()).add(parent)
    height: dict[tuple[str, str], int] = {}
    state: dict[tuple[str, str], int] = {}  # 1: on the current path, 2: done
    for start in sorted(parents):
        if state.get(start) == 2:
            continue
        stack: list[tuple[tuple[str, str], list[str]]] = [(start, sorted(parents.get(start, ())))]
        path = [start]
        state[start] = 1
        while stack:
            node, todo = stack[-1]
            if todo:
                upper = (node[0], todo.pop())
                if state.get(upper) == 1:
                    cycle = [n[1] for n in path[path.index(upper) :]] + [upper[1]]
                    row = first_row[(node[0], node[1], upper[1])]
                    raise InvalidInput(
                        "The hierarchy has a cycle",
                        [
                            ErrorDetail(
                                f"hierarchy[row {row}].parent_id",
                                f"{node[0]} cycle: " + " -> ".join(cycle),
                            )
                        ],
                    )
                if state.get(upper) != 2:
                    state[upper] = 1
                    path.append(upper)
                    stack.append((upper, sorted(parents.get(upper, ()))))
                continue
            stack.pop()
            path.pop()
            state[node] = 2
            height[node] = max(
                (height.get((node[0], p), 0) + 1 for p in parents.get(node, ())), default=0
            )
    depth = max(height.values(), default=0)
    if depth > MAX_ROLLUP_LEVELS:
        raise InvalidInput(
            "The hierarchy is too deep",
            [ErrorDetail("hierarchy", f"at most {MAX_ROLLUP_LEVELS} levels, found {depth}")],
        )
    return depth
