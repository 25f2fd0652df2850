"""Builders for split credit and roll-up tests: hierarchy and split tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa

MANAGER = "00000000-0000-4000-8000-0000000000e1"
DIRECTOR = "00000000-0000-4000-8000-0000000000f1"
AGENT = "00000000-0000-4000-8000-0000000000d2"
MASTER = "00000000-0000-4000-8000-0000000000d3"


def edge(
    payee: str,
    parent: str,
    relation: str = "manager",
    valid_from: date = date(2026, 1, 1),
    valid_to: date | None = None,
) -> dict[str, object]:
    return {
        "payee_id": payee,
        "parent_id": parent,
        "relation": relation,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def hierarchy(*edges: dict[str, object]) -> pa.Table:
    return pa.Table.from_pylist(
        list(edges),
        schema=pa.schema(
            [
                ("payee_id", pa.string()),
                ("parent_id", pa.string()),
                ("relation", pa.string()),
                ("valid_from", pa.date32()),
                ("valid_to", pa.date32()),
            ]
        ),
    )


def splits(*rows: tuple[str, str, str] | tuple[str, str, str, str]) -> pa.Table:
    """(order_id, payee_id, share[, policy]) rows."""
    return pa.table(
        {
            "order_id": [r[0] for r in rows],
            "payee_id": [r[1] for r in rows],
            "share": [Decimal(r[2]) for r in rows],
            "policy": [r[3] if len(r) > 3 else "total_100" for r in rows],  # type: ignore[misc]
        }
    )
