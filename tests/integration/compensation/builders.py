"""A small world for compensation tests: catalogue, channel, partner, reps, plans, events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from salesdev.analytics.events import EVENT_SCHEMA, month_partition_dir
from salesdev.db.models.compensation import CompensationPlan
from salesdev.domains.access import SYSTEM, Principal, Role
from salesdev.domains.compensation import (
    assign_plan,
    create_plan,
    create_version,
    set_quota,
    transition_version,
)
from salesdev.domains.reference import create_entity
from tests.integration.authorisation import builders as b

SETUP = datetime(2026, 1, 1, tzinfo=UTC)
T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AUTHOR = b.user("ana", Role.SALES_OPERATIONS)
APPROVER = b.user("olaf", Role.SALES_OPERATIONS)

REP_PLAN: dict[str, Any] = {
    "components": [
        {
            "kind": "rate",
            "id": "revenue",
            "rates": [{"product_family": "FIBRE", "rate": "0.05"}],
            "default_rate": "0.01",
        },
        {
            "kind": "tiered",
            "id": "attainment",
            "mode": "marginal",
            "tiers": [
                {"lower": "0", "upper": "1", "rate": "0.02"},
                {"lower": "1", "upper": None, "rate": "0.04"},
            ],
        },
    ]
}
DEALER_PLAN: dict[str, Any] = {
    "components": [
        {"kind": "bounty", "id": "activation", "amount": "25", "chargeback_days": 30},
        {"kind": "residual", "id": "residual", "rate": "0.05", "months": 12},
    ]
}


@dataclass
class World:
    channel: uuid.UUID
    partner: uuid.UUID
    offering: uuid.UUID
    rep_a: uuid.UUID
    rep_b: uuid.UUID
    outsider: uuid.UUID  # a rep no plan is assigned to


def world(session: Session) -> World:
    fibre = b.family(session, "FIBRE")
    b.family(session, "MOBILE", "mobile")
    channel = b.channel(session)
    partner = b.partner(session, "ACME", channel.id)
    offering = b.offering(session, "FIB100", fibre.id, recurring="40")
    people = []
    for code in ("REP-A", "REP-B", "REP-X"):
        people.append(
            create_entity(
                session,
                principal=SYSTEM,
                kind="sales_person",
                values={"code": code, "name": code, "role": "rep", "channel_id": channel.id}
                if code != "REP-X"
                else {"code": code, "name": code, "role": "manager"},
                now=b.SETUP,
            ).id
        )
    return World(channel.id, partner.id, offering.id, *people)


def approved_plan(
    session: Session,
    *,
    code: str,
    payee_type: str,
    definition: dict[str, Any],
    effective_from: str = "2026-01",
) -> CompensationPlan:
    plan = create_plan(
        session,
        principal=AUTHOR,
        code=code,
        name=code,
        payee_type=payee_type,
        currency="EUR",
        now=T,
    )
    version = create_version(
        session,
        principal=AUTHOR,
        plan_id=plan.id,
        effective_from=effective_from,
        definition=definition,
        now=T,
    )
    transition_version(
        session, principal=AUTHOR, plan_id=plan.id, number=version.number, action="submit", now=T
    )
    transition_version(
        session,
        principal=APPROVER,
        plan_id=plan.id,
        number=version.number,
        action="approve",
        now=T,
    )
    return plan


def standard_setup(session: Session) -> tuple[World, CompensationPlan, CompensationPlan]:
    w = world(session)
    reps = approved_plan(session, code="REPS", payee_type="sales_person", definition=REP_PLAN)
    dealers = approved_plan(session, code="DEALERS", payee_type="partner", definition=DEALER_PLAN)
    assign_plan(
        session,
        principal=AUTHOR,
        plan_id=reps.id,
        scope="role",
        target="rep",
        valid_from=SETUP,
        now=T,
    )
    assign_plan(
        session,
        principal=AUTHOR,
        plan_id=dealers.id,
        scope="partner",
        target=str(w.partner),
        valid_from=SETUP,
        now=T,
    )
    for rep, quota in ((w.rep_a, "400"), (w.rep_b, "900")):
        set_quota(
            session,
            principal=AUTHOR,
            payee_kind="sales_person",
            payee_id=rep,
            period="2026-10",
            amount=quota,
            currency="EUR",
            now=T,
        )
    return w, reps, dealers


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def event(
    w: World,
    event_id: str,
    event_type: str,
    when: datetime,
    *,
    amount: str = "0",
    line: str = "LN1",
    family: str = "FIBRE",
    rep: uuid.UUID | str | None = None,
    partner: uuid.UUID | str | None = None,
    currency: str = "EUR",
    channel: str | None = None,
    offering: str | None = None,
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "event_type": event_type,
        "event_time": when,
        "line_id": line,
        "order_id": None,
        "customer_id": "00000000-0000-4000-8000-000000000c01",
        "premise_id": None,
        "product_offering_id": offering or str(w.offering),
        "product_family_code": family,
        "channel_id": channel or str(w.channel),
        "outlet_id": None,
        "partner_id": None if partner is None else str(partner),
        "sales_person_id": None if rep is None else str(rep),
        "region_code": "AT-9",
        "quantity": 1,
        "amount": Decimal(amount),
        "currency": currency,
    }


def write_events(store: Path, rows: list[dict[str, Any]]) -> None:
    """Write rows into the event store, one file per month (tests may write bad rows)."""
    by_month: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in rows:
        when: datetime = row["event_time"]
        by_month.setdefault((when.year, when.month), []).append(row)
    for (year, month), month_rows in by_month.items():
        directory = month_partition_dir(store, year=year, month=month)
        directory.mkdir(parents=True, exist_ok=True)
        existing = len(list(directory.glob("*.parquet")))
        table = pa.Table.from_pylist(month_rows, schema=EVENT_SCHEMA)
        pq.write_table(table, directory / f"part-{existing:05d}.parquet")


def october_events(w: World) -> list[dict[str, Any]]:
    """Rep A sells 500 of fibre (5 % = 25.00; tiered on quota 400: 400 x 2 % + 100 x 4 % =
    12.00); rep B 300 of mobile (1 % = 3.00; 300 x 2 % = 6.00); the dealer wins a line
    activated in October (bounty 25.00) and a September line billed 40 in October
    (residual 5 % = 2.00)."""
    return [
        event(w, "O1", "order", at(10, 3), amount="500", rep=w.rep_a, line="L1"),
        event(w, "O2", "order", at(10, 4), amount="300", rep=w.rep_b, family="MOBILE", line="L2"),
        event(w, "A0", "activation", at(9, 10), partner=w.partner, line="L0"),
        event(w, "A3", "activation", at(10, 5), partner=w.partner, line="L3"),
        event(w, "R0", "recurring_charge", at(10, 10), amount="40", partner=w.partner, line="L0"),
        event(w, "OX", "order", at(10, 6), amount="1000", rep=w.outsider, line="L9"),
    ]


def principal(name: str, *roles: Role) -> Principal:
    return b.user(name, *roles)
