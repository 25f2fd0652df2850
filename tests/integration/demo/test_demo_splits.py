"""The demo splits a few orders of its last month between the selling rep and a teammate,
so the credit-split list and the last month's run show split credit."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.db.models import SalesPerson
from salesdev.db.models.compensation import CreditSplit
from salesdev.runtime import Runtime
from tests.conftest import DemoLoader


def test_the_demo_splits_six_orders_between_teammates(
    runtime: Runtime, load_demo_copy: DemoLoader, session: Session
) -> None:
    # Given the tiny demo loaded
    load_demo_copy(runtime, "tiny", 3)
    # Then six orders are split, two rows each, by the demo's compensation author
    splits = session.scalars(select(CreditSplit).order_by(CreditSplit.order_id)).all()
    by_order: dict[str, list[CreditSplit]] = defaultdict(list)
    for split in splits:
        by_order[split.order_id].append(split)
    assert (len(by_order), len(splits)) == (6, 12)
    assert {s.created_by for s in splits} == {"user:demo:compensation-author"}
    # In turn 50/50 and 70/30 (total_100) and an overlay of 100 % + 25 %
    shapes = [
        (rows[0].policy, sorted((s.share for s in rows), reverse=True))
        for rows in by_order.values()
    ]
    assert sorted(shapes, key=repr) == sorted(
        [
            ("total_100", [Decimal("0.5"), Decimal("0.5")]),
            ("total_100", [Decimal("0.7"), Decimal("0.3")]),
            ("overlay", [Decimal("1"), Decimal("0.25")]),
        ]
        * 2,
        key=repr,
    )
    # And the two payees of an order are reps of the same manager
    people = {p.id: p for p in session.scalars(select(SalesPerson))}
    for rows in by_order.values():
        first, second = (people[s.payee_id] for s in rows)
        assert first.id != second.id
        assert (first.role, second.role) == ("rep", "rep")
        assert first.manager_id == second.manager_id is not None
