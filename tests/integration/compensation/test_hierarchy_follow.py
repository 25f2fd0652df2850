"""Hierarchy history follows the reference data: changing a sales person's manager (or a
partner's parent partner) records an effective-dated link in the same transaction, so a
run for a period before the change still rolls up to the old manager."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.analytics.compensation_runs import run_period
from salesdev.core.clock import FixedClock
from salesdev.core.errors import RuleViolation
from salesdev.core.periods import Period
from salesdev.core.settings import Settings
from salesdev.db.models import SalesPerson
from salesdev.db.models.compensation import HierarchyLink, LedgerEntry
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.compensation import assign_plan, hierarchy_rows
from salesdev.domains.reference import create_entity, update_entity
from salesdev.runtime import Runtime
from tests.integration.api.conftest import BASE, TestClient
from tests.integration.authorisation import builders as b
from tests.integration.compensation.builders import (
    AUTHOR,
    SETUP,
    T,
    World,
    approved_plan,
    at,
    october_events,
    standard_setup,
    write_events,
)

MANAGERS_PLAN: dict[str, Any] = {
    "components": [
        {"kind": "manager_override", "id": "team", "level_rates": [{"level": 1, "rate": "0.01"}]}
    ]
}


def _manager(session: Session, code: str) -> uuid.UUID:
    person = create_entity(session, principal=SYSTEM, kind="sales_person", now=SETUP,
                           values={"code": code, "name": code, "role": "manager"})  # fmt: skip
    return uuid.UUID(str(person.id))


def _set_manager(
    session: Session, person: uuid.UUID, manager: uuid.UUID | None, now: datetime, **kw: Any
) -> None:
    update_entity(session, principal=SYSTEM, kind="sales_person", entity_id=person,
                  changes={"manager_id": manager}, now=now, **kw)  # fmt: skip


def _links(session: Session, payee: uuid.UUID) -> list[tuple[str, Any, Any, Any]]:
    return [
        (k.relation, k.parent_id, k.valid_from, k.valid_to)
        for k in session.scalars(
            select(HierarchyLink)
            .where(HierarchyLink.payee_id == payee)
            .order_by(HierarchyLink.valid_from)
        )
    ]


def _team_override(session: Session, settings: Settings) -> dict[uuid.UUID, Decimal]:
    run_period(session, principal=AUTHOR, event_store_dir=settings.event_store_dir,
               data_dir=settings.data_dir, period="2026-10", now=T)  # fmt: skip
    paid: dict[uuid.UUID, Decimal] = {}
    for entry in session.scalars(select(LedgerEntry).where(LedgerEntry.plan_code == "MGRS")):
        paid[entry.payee_id] = paid.get(entry.payee_id, Decimal(0)) + entry.amount
    return paid


def _with_managers(session: Session) -> tuple[World, uuid.UUID, uuid.UUID]:
    w, _, _ = standard_setup(session)
    plan = approved_plan(session, code="MGRS", payee_type="sales_person", definition=MANAGERS_PLAN)
    assign_plan(session, principal=AUTHOR, plan_id=plan.id, scope="role", target="manager",
                valid_from=SETUP, now=T)  # fmt: skip
    return w, _manager(session, "MGR-1"), _manager(session, "MGR-2")


def test_a_change_of_manager_ends_the_old_link_and_october_still_rolls_up_to_the_old_manager(
    session: Session, settings: Settings
) -> None:
    # Given rep A managed by MGR-1 since January
    w, first, second = _with_managers(session)
    _set_manager(session, w.rep_a, first, SETUP)
    write_events(settings.event_store_dir, october_events(w))
    # When the manager changes to MGR-2 on 2 November (the clock's now)
    _set_manager(session, w.rep_a, second, T)
    # Then the history holds both links, half-open at the change
    assert _links(session, w.rep_a) == [
        ("manager", first, SETUP, T),
        ("manager", second, T, None),
    ]
    assert [r["parent_id"] for r in hierarchy_rows(session, period=Period(2026, 10))] == [
        str(first)
    ]
    # And October's run pays the override on rep A's 500 of fibre to MGR-1 (1 % = 5.00)
    assert _team_override(session, settings) == {first: Decimal("5.00")}


def test_an_effective_date_in_the_past_moves_october_to_the_new_manager(
    session: Session, settings: Settings
) -> None:
    w, first, second = _with_managers(session)
    _set_manager(session, w.rep_a, first, SETUP)
    write_events(settings.event_store_dir, october_events(w))
    # When the change is entered on 2 November, effective 1 October
    _set_manager(session, w.rep_a, second, T, effective_from=at(10, 1, 0))
    assert _links(session, w.rep_a) == [
        ("manager", first, SETUP, at(10, 1, 0)),
        ("manager", second, at(10, 1, 0), None),
    ]
    assert _team_override(session, settings) == {second: Decimal("5.00")}


def test_a_manager_never_recorded_is_kept_from_the_row_creation_on_the_first_change(
    session: Session,
) -> None:
    # Given rep A's manager set directly (no history recorded, e.g. loaded before this)
    w, first, second = _with_managers(session)
    rep = session.get(SalesPerson, w.rep_a)
    assert rep is not None
    rep.manager_id = first
    session.flush()
    # When the manager changes through the reference service
    _set_manager(session, w.rep_a, second, T)
    # Then the old manager is recorded from the row's creation (1 December 2025) to the change
    assert _links(session, w.rep_a) == [
        ("manager", first, b.SETUP, T),
        ("manager", second, T, None),
    ]


def test_removing_the_manager_ends_the_link_and_a_second_change_at_the_same_instant_replaces(
    session: Session,
) -> None:
    w, first, second = _with_managers(session)
    _set_manager(session, w.rep_a, first, SETUP)
    _set_manager(session, w.rep_a, second, T)
    _set_manager(session, w.rep_a, first, T)  # corrected at once: MGR-2 never held
    assert _links(session, w.rep_a) == [
        ("manager", first, SETUP, T),
        ("manager", first, T, None),
    ]
    _set_manager(session, w.rep_a, None, at(11, 20))
    assert _links(session, w.rep_a) == [
        ("manager", first, SETUP, T),
        ("manager", first, T, at(11, 20)),
    ]


def test_an_effective_date_before_the_latest_change_is_refused_and_nothing_changes(
    session: Session,
) -> None:
    w, first, second = _with_managers(session)
    _set_manager(session, w.rep_a, first, T)
    with pytest.raises(RuleViolation) as caught:
        _set_manager(session, w.rep_a, second, T, effective_from=at(10, 1))
    assert [(d.location, d.message) for d in caught.value.details] == [
        (
            "effective_from",
            f"must not be before the latest recorded change {T.isoformat()}",
        )
    ]
    session.rollback()  # the entrypoint rolls the whole change back
    assert _links(session, w.rep_a) == []


def test_a_partner_created_under_a_parent_and_moved_records_the_genealogy(
    session: Session,
) -> None:
    channel = b.channel(session)
    agent, master = (
        b.partner(session, "AGENT", channel.id),
        b.partner(session, "MASTER", channel.id),
    )
    dealer = create_entity(session, principal=SYSTEM, kind="partner", now=SETUP, values={
        "code": "SUB", "name": "Sub-dealer", "partner_type": "sub_dealer", "tier": "bronze",
        "channel_id": channel.id, "parent_id": agent.id})  # fmt: skip
    update_entity(session, principal=SYSTEM, kind="partner", entity_id=dealer.id,
                  changes={"parent_id": master.id}, now=T)  # fmt: skip
    assert _links(session, dealer.id) == [
        ("partner", agent.id, SETUP, T),
        ("partner", master.id, T, None),
    ]


def test_a_manager_changed_through_the_api_is_recorded_in_the_same_transaction(
    client: TestClient, runtime: Runtime, clock: FixedClock
) -> None:
    # Given a rep created through the API under MGR-1 on the clock's day
    with unit_of_work(runtime.session_factory) as session:
        first, second = _manager(session, "MGR-1"), _manager(session, "MGR-2")
    rep = client.post(f"{BASE}/salesPerson", json={
        "code": "REP-1", "name": "Rep", "role": "rep", "manager": {"id": str(first)}}).json()  # fmt: skip
    # When, a day later, the API moves the rep to MGR-2
    created, clock.at = clock.at, clock.at + timedelta(days=1)
    changed = client.patch(rep["href"], json={"manager": {"id": str(second)}})
    # Then the history says MGR-1 until the change and MGR-2 since
    assert changed.status_code == 200, changed.text
    with runtime.session_factory() as session:
        assert _links(session, uuid.UUID(rep["id"])) == [
            ("manager", first, created, clock.at),
            ("manager", second, clock.at, None),
        ]
