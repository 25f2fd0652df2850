"""Assignments (no overlap for the same plan and target), quotas and their CSV import, hierarchy."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput, RuleViolation
from salesdev.core.periods import Period
from salesdev.db.models import SalesPerson
from salesdev.db.models.compensation import HierarchyLink, PlanAssignment, Quota
from salesdev.domains.compensation import (
    assign_plan,
    end_assignment,
    hierarchy_rows,
    import_quotas_csv,
    plan_payees,
    quotas_for,
    record_parent,
    seed_hierarchy,
)
from tests.integration.compensation.builders import AUTHOR, SETUP, T, standard_setup


def at(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=UTC)


def test_an_overlapping_assignment_is_refused_naming_the_other(session: Session) -> None:
    w, reps, _ = standard_setup(session)
    first = assign_plan(session, principal=AUTHOR, plan_id=reps.id, scope="sales_person",
                        target=str(w.rep_a), valid_from=at(2026, 3), valid_to=at(2026, 6), now=T)  # fmt: skip
    with pytest.raises(RuleViolation) as refused:
        assign_plan(session, principal=AUTHOR, plan_id=reps.id, scope="sales_person",
                    target=str(w.rep_a), valid_from=at(2026, 5), now=T)  # fmt: skip
    assert str(first.id) in refused.value.details[0].message
    # Half-open: starting exactly when the first ends is fine.
    assign_plan(session, principal=AUTHOR, plan_id=reps.id, scope="sales_person",
                target=str(w.rep_a), valid_from=at(2026, 6), now=T)  # fmt: skip


def test_payees_come_from_roles_and_partners_and_end_with_the_assignment(session: Session) -> None:
    w, reps, dealers = standard_setup(session)
    assert plan_payees(session, plan=reps, period=Period(2026, 10)) == {w.rep_a, w.rep_b}
    assert plan_payees(session, plan=dealers, period=Period(2026, 10)) == {w.partner}
    assignment = session.scalars(
        select(PlanAssignment).where(PlanAssignment.plan_id == dealers.id)
    ).one()
    end_assignment(
        session, principal=AUTHOR, assignment_id=assignment.id, valid_to=at(2026, 10), now=T
    )
    assert plan_payees(session, plan=dealers, period=Period(2026, 10)) == set()
    assert plan_payees(session, plan=dealers, period=Period(2026, 9)) == {w.partner}


def test_a_partner_plan_cannot_be_assigned_to_a_role(session: Session) -> None:
    _, _, dealers = standard_setup(session)
    with pytest.raises(RuleViolation, match="pays partners"):
        assign_plan(session, principal=AUTHOR, plan_id=dealers.id, scope="role", target="rep",
                    valid_from=SETUP, now=T)  # fmt: skip


def test_a_quota_file_with_bad_rows_names_each_line_and_writes_nothing(session: Session) -> None:
    standard_setup(session)
    before = session.scalar(select(func.count()).select_from(Quota))
    text = (
        "payee_kind,payee_code,period,amount,currency\n"
        "sales_person,REP-A,2026-11,500,EUR\n"
        "sales_person,NOBODY,2026-11,500,EUR\n"
        "sales_person,REP-B,2026-13,500,EUR\n"
        "sales_person,REP-B,2026-11,-5,EUR\n"
        "sales_person,REP-A,2026-11,600,EUR\n"
    )
    with pytest.raises(InvalidInput) as refused:
        import_quotas_csv(session, principal=AUTHOR, text=text, now=T)
    assert [d.location for d in refused.value.details] == [
        "line 3: payee_code",
        "line 4: period",
        "line 5: amount",
        "line 6: payee_code",
    ]
    assert session.scalar(select(func.count()).select_from(Quota)) == before


def test_importing_the_same_quota_file_twice_is_idempotent(session: Session) -> None:
    w, _, _ = standard_setup(session)
    text = "payee_kind,payee_code,period,amount,currency\nsales_person,REP-A,2026-11,750.50,EUR\n"
    first = import_quotas_csv(session, principal=AUTHOR, text=text, now=T)
    second = import_quotas_csv(session, principal=AUTHOR, text=text, now=T)
    assert (first.created_or_changed, second.created_or_changed) == (1, 0)
    assert quotas_for(session, period=Period(2026, 11)) == {w.rep_a: Decimal("750.5000")}


def test_hierarchy_history_is_seeded_then_changes_end_the_old_link(session: Session) -> None:
    w, _, _ = standard_setup(session)
    session.get(SalesPerson, w.rep_a).manager_id = w.outsider  # type: ignore[union-attr]
    session.flush()
    assert seed_hierarchy(session, principal=AUTHOR, valid_from=SETUP, now=T) == 1
    record_parent(session, principal=AUTHOR, relation="manager", payee_id=w.rep_a,
                  parent_id=w.rep_b, valid_from=at(2026, 10), now=T)  # fmt: skip
    links = session.scalars(select(HierarchyLink).order_by(HierarchyLink.valid_from)).all()
    assert [(k.parent_id, k.valid_from, k.valid_to) for k in links] == [
        (w.outsider, SETUP, at(2026, 10)),
        (w.rep_b, at(2026, 10), None),
    ]
    assert [r["parent_id"] for r in hierarchy_rows(session, period=Period(2026, 9))] == [
        str(w.outsider)
    ]
