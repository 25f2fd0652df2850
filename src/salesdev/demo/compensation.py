"""Demo compensation: a plan per payee population, approved by a second person, assigned,
with quotas for the recent periods and the hierarchy history seeded.

- ``REPS-STD`` (sales people with role ``rep``): 4 % of billed revenue (6 % on fibre) and a
  marginal attainment bonus on quota (1 % to 100 %, 3 % above), capped at 5,000 a month.
- ``DEALER-STD`` (every partner of a channel that has partners): a 40.00 bounty per
  activation, clawed back on churn within 90 days, and a 3 % residual on the line's
  monthly charges for 12 months. Every demo channel agreement names it as its commission
  schedule, so the plans come before the agreements (``load_demo``).

Quotas: every rep, for the last three months of the demo window and the month of ``now``,
at a fixed 2,500.00 (so attainment varies with what each rep sold).

Credit splits (:func:`setup_demo_splits`, once the events exist): a few orders of the last
demo month shared between the selling rep and a teammate (same manager): 50/50 and 70/30
(policy ``total_100``) and an overlay of 100 % + 25 %, so the credit-split list and the
statements of the last month show split credit.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from salesdev.analytics.events import month_partition_dir
from salesdev.core.periods import Period
from salesdev.db.models import Partner, ProductFamily, SalesPerson
from salesdev.db.models.compensation import Quota
from salesdev.domains.access import Principal, Role
from salesdev.domains.compensation import (
    assign_plan,
    create_plan,
    create_version,
    seed_hierarchy,
    transition_version,
)
from salesdev.domains.compensation.splits import import_credit_splits

CURRENCY = "EUR"
REPS_PLAN = "REPS-STD"
# What every demo channel agreement's commission schedule names: the plan that pays partners.
DEALERS_PLAN = "DEALER-STD"
REP_QUOTA = Decimal("2500.00")
AUTHOR = Principal(
    kind="user", name="demo:compensation-author", roles=frozenset({Role.SALES_OPERATIONS})
)
APPROVER = Principal(kind="user", name="demo:compensation-approver", roles=frozenset({Role.ADMIN}))

REPS_DEFINITION: dict[str, Any] = {
    "components": [
        {
            "kind": "rate",
            "id": "revenue",
            "rates": [{"product_family": "FIBRE", "rate": "0.06"}],
            "default_rate": "0.04",
        },
        {
            "kind": "tiered",
            "id": "attainment",
            "mode": "marginal",
            "tiers": [
                {"lower": "0", "upper": "1", "rate": "0.01"},
                {"lower": "1", "upper": None, "rate": "0.03"},
            ],
            "cap": "5000",
        },
    ]
}
DEALERS_DEFINITION: dict[str, Any] = {
    "components": [
        {"kind": "bounty", "id": "activation", "amount": "40", "chargeback_days": 90},
        {"kind": "residual", "id": "residual", "rate": "0.03", "months": 12},
    ]
}


@dataclass(frozen=True)
class DemoCompensation:
    plans: int
    assignments: int
    quotas: int
    hierarchy_links: int


def setup_demo_compensation(
    session: Session, *, now: datetime, first_period: Period, last_period: Period
) -> DemoCompensation:
    """Plans, approved versions from ``first_period``, assignments from its start, quotas
    for the last three periods up to ``last_period`` and the month of ``now``."""
    start = first_period.start
    families = _families_in_use(session)
    reps_definition = _only_known(REPS_DEFINITION, families)
    reps = _approved(session, REPS_PLAN, "Retail and field reps", "sales_person",
                     reps_definition, first_period, now)  # fmt: skip
    dealers = _approved(session, DEALERS_PLAN, "Dealer bounty and residual", "partner",
                        DEALERS_DEFINITION, first_period, now)  # fmt: skip
    assignments = 1
    assign_plan(
        session, principal=AUTHOR, plan_id=reps.id, scope="role", target="rep",
        valid_from=start, now=now,
    )  # fmt: skip
    channels = sorted(set(session.scalars(select(Partner.channel_id))), key=str)
    for channel_id in channels:
        assign_plan(
            session, principal=AUTHOR, plan_id=dealers.id, scope="channel",
            target=str(channel_id), valid_from=start, now=now,
        )  # fmt: skip
        assignments += 1
    periods = {last_period, last_period.previous(), last_period.previous().previous()}
    periods.add(Period.containing(now))
    rep_ids = list(session.scalars(select(SalesPerson.id).where(SalesPerson.role == "rep")))
    rows = [
        {
            "id": uuid.uuid4(),
            "payee_kind": "sales_person",
            "payee_id": rep_id,
            "period": str(period),
            "amount": REP_QUOTA,
            "currency": CURRENCY,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for period in sorted(periods, key=str)
        for rep_id in rep_ids
    ]
    for offset in range(0, len(rows), 5000):
        session.execute(insert(Quota), rows[offset : offset + 5000])
    links = seed_hierarchy(session, principal=AUTHOR, valid_from=start, now=now)
    session.flush()
    return DemoCompensation(
        plans=2, assignments=assignments, quotas=len(rows), hierarchy_links=links
    )


# (policy, seller's share, teammate's share), in turn over the chosen orders.
SPLIT_PATTERNS: tuple[tuple[str, str, str], ...] = (
    ("total_100", "0.5", "0.5"),
    ("total_100", "0.7", "0.3"),
    ("overlay", "1", "0.25"),
)
SPLIT_ORDERS = 6


def setup_demo_splits(
    session: Session, *, event_store_dir: Path, period: Period, now: datetime
) -> int:
    """Split the first ``SPLIT_ORDERS`` orders of ``period`` (by order id) whose rep has a
    teammate; returns how many orders were split (0 when the month has no such order)."""
    team_of: dict[str, uuid.UUID] = {}
    members: dict[uuid.UUID, list[tuple[str, str]]] = {}
    for person_id, code, manager_id in session.execute(
        select(SalesPerson.id, SalesPerson.code, SalesPerson.manager_id)
        .where(SalesPerson.role == "rep", SalesPerson.manager_id.is_not(None))
        .order_by(SalesPerson.code)
    ):
        if manager_id is not None:  # the query keeps only reps with a manager
            team_of[str(person_id)] = manager_id
            members.setdefault(manager_id, []).append((str(person_id), code))
    files = sorted(
        month_partition_dir(event_store_dir, year=period.year, month=period.month).glob("*.parquet")
    )
    if not files:
        return 0
    with contextlib.closing(duckdb.connect(":memory:")) as connection:
        orders = (
            connection.read_parquet([str(f) for f in files])
            .filter("event_type = 'order' AND order_id IS NOT NULL AND sales_person_id IS NOT NULL")
            .aggregate("order_id, min(sales_person_id) AS seller", "order_id")
            .order("order_id")
            .fetchall()
        )
    rows: list[dict[str, object]] = []
    chosen = 0
    for order_id, seller in orders:
        manager = team_of.get(seller)
        team = members.get(manager) if manager is not None else None
        if team is None or len(team) < 2:
            continue
        codes = [code for _, code in team]
        position = [person for person, _ in team].index(seller)
        teammate = codes[(position + 1) % len(codes)]
        policy, mine, theirs = SPLIT_PATTERNS[chosen % len(SPLIT_PATTERNS)]
        rows += [
            {"order_id": order_id, "payee": codes[position], "share": mine, "policy": policy},
            {"order_id": order_id, "payee": teammate, "share": theirs, "policy": policy},
        ]
        chosen += 1
        if chosen == SPLIT_ORDERS:
            break
    if rows:
        import_credit_splits(session, principal=AUTHOR, rows=rows, now=now)
    return chosen


def _families_in_use(session: Session) -> set[str]:
    return set(session.scalars(select(ProductFamily.code)))


def _only_known(definition: dict[str, Any], families: set[str]) -> dict[str, Any]:
    """The definition without family rates for families the catalogue does not have."""
    components = []
    for component in definition["components"]:
        if component["kind"] == "rate":
            component = {
                **component,
                "rates": [r for r in component["rates"] if r["product_family"] in families],
            }
        components.append(component)
    return {"components": components}


def _approved(
    session: Session,
    code: str,
    name: str,
    payee_type: str,
    definition: dict[str, Any],
    period: Period,
    now: datetime,
) -> Any:
    plan = create_plan(
        session, principal=AUTHOR, code=code, name=name, payee_type=payee_type,
        currency=CURRENCY, now=now,
    )  # fmt: skip
    version = create_version(
        session, principal=AUTHOR, plan_id=plan.id, effective_from=str(period),
        definition=definition, now=now, comment="Demo plan",
    )  # fmt: skip
    transition_version(
        session, principal=AUTHOR, plan_id=plan.id, number=version.number, action="submit",
        now=now,
    )  # fmt: skip
    transition_version(
        session, principal=APPROVER, plan_id=plan.id, number=version.number, action="approve",
        now=now,
    )  # fmt: skip
    return plan
