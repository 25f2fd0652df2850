"""Builders for settlement tests: payees, users and ledger versions written directly."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from salesdev.core.ids import new_id
from salesdev.db.models import Partner, SalesChannel, SalesPerson
from salesdev.db.models.compensation import CompensationRun, LedgerEntry, LedgerVersion
from salesdev.domains.access import Principal, Role

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass
class World:
    manager: SalesPerson
    rep_a: SalesPerson
    rep_b: SalesPerson
    partner: Partner


def build_world(session: Session) -> World:
    channel = SalesChannel(
        id=new_id(),
        code="DEALERS",
        name="Dealers",
        channel_type="indirect",
        created_at=T,
        updated_at=T,
    )
    session.add(channel)
    session.flush()
    manager = SalesPerson(
        id=new_id(),
        code="MGR1",
        name="Mia Manager",
        role="sales_manager",
        created_at=T,
        updated_at=T,
    )
    session.add(manager)
    session.flush()
    rep_a = SalesPerson(
        id=new_id(),
        code="REP1",
        name="Ann Rep",
        role="sales_rep",
        manager_id=manager.id,
        created_at=T,
        updated_at=T,
    )
    rep_b = SalesPerson(
        id=new_id(), code="REP2", name="Bob Rep", role="sales_rep", created_at=T, updated_at=T
    )
    partner = Partner(
        id=new_id(),
        code="DLR1",
        name="Dealer One",
        partner_type="dealer",
        tier="gold",
        channel_id=channel.id,
        created_at=T,
        updated_at=T,
    )
    session.add_all([rep_a, rep_b, partner])
    session.flush()
    return World(manager, rep_a, rep_b, partner)


def user(name: str, role: Role, **bindings: object) -> Principal:
    return Principal(kind="user", name=name, roles=frozenset({role}), id=new_id(), **bindings)  # type: ignore[arg-type]


OPS = user("ops", Role.SALES_OPERATIONS)
OPS2 = user("ops2", Role.SALES_OPERATIONS)


def line(
    payee: SalesPerson | Partner,
    component: str,
    amount: str,
    *,
    family: str | None = None,
    basis: str = "revenue",
    kind: str = "rate",
    measure: str = "1000.00",
    quota: str | None = None,
    tier: int | None = None,
    rate: str | None = "0.05",
) -> dict[str, object]:
    return {
        "payee_kind": "partner" if isinstance(payee, Partner) else "sales_person",
        "payee_id": payee.id,
        "component_id": component,
        "component_kind": kind,
        "product_family": family,
        "basis": basis,
        "measure": Decimal(measure),
        "quota": None if quota is None else Decimal(quota),
        "tier": tier,
        "rate": None if rate is None else Decimal(rate),
        "amount": Decimal(amount),
    }


def write_ledger(
    session: Session, period: str, lines: list[dict[str, object]], *, now: datetime = T
) -> tuple[uuid.UUID, int]:
    """A run and a new ledger version of the period with these lines (as a run would)."""
    number = (
        max(
            (v.number for v in session.query(LedgerVersion).filter_by(period=period)),
            default=0,
        )
        + 1
    )
    run = CompensationRun(
        id=new_id(),
        period=period,
        dry_run=False,
        status="succeeded",
        requested_by="user:ops",
        ledger_version=number,
        created_at=now,
        updated_at=now,
    )
    session.add(run)
    session.flush()
    version = LedgerVersion(
        id=new_id(),
        period=period,
        number=number,
        run_id=run.id,
        created_at=now,
        created_by="user:ops",
        line_count=len(lines),
        totals={},
    )
    session.add(version)
    session.flush()
    for values in lines:
        session.add(
            LedgerEntry(
                id=new_id(),
                period=period,
                ledger_version=number,
                ledger_version_id=version.id,
                run_id=run.id,
                plan_code="REPS",
                plan_version=1,
                event_count=3,
                unit_amount=None,
                gated=False,
                capped=False,
                floored=False,
                currency="EUR",
                created_at=now,
                **values,
            )
        )
    session.flush()
    return run.id, number
