"""Plans and versions: validation with locations, four-eyes approval, immutability, supersession."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput, PermissionDenied, RuleViolation
from salesdev.core.periods import Period
from salesdev.domains.access import Role
from salesdev.domains.compensation import (
    create_plan,
    create_version,
    get_version,
    plan_code_exists,
    transition_version,
    update_draft,
    version_in_force,
)
from tests.integration.compensation.builders import (
    APPROVER,
    AUTHOR,
    REP_PLAN,
    T,
    approved_plan,
    principal,
    world,
)


@pytest.fixture
def plan(session: Session):  # type: ignore[no-untyped-def]
    world(session)
    return create_plan(
        session, principal=AUTHOR, code="REPS", name="Reps", payee_type="sales_person",
        currency="EUR", now=T,
    )  # fmt: skip


def test_a_version_is_validated_and_every_problem_named_by_its_location(
    session: Session, plan
) -> None:
    # Given a definition with overlapping tiers, a negative rate and an unknown family
    bad = copy.deepcopy(REP_PLAN)
    bad["components"][0]["rates"][0]["product_family"] = "FIBER"
    bad["components"][1]["tiers"][1]["lower"] = "0.8"
    bad["components"][1]["tiers"][0]["rate"] = "-0.02"
    # When it is saved, then it is refused with every problem and nothing is written
    with pytest.raises(InvalidInput) as refused:
        create_version(session, principal=AUTHOR, plan_id=plan.id, effective_from="2026-01",
                       definition=bad, now=T)  # fmt: skip
    locations = {d.location for d in refused.value.details}
    assert {
        "components[0].rates[0].product_family",
        "components[1].tiers[1].lower",
        "components[1].tiers[0].rate",
    } <= locations
    assert plan.latest_version == 0


def test_the_author_cannot_approve_and_another_user_can(session: Session, plan) -> None:
    version = create_version(session, principal=AUTHOR, plan_id=plan.id, effective_from="2026-01",
                             definition=REP_PLAN, now=T)  # fmt: skip
    transition_version(session, principal=AUTHOR, plan_id=plan.id, number=1, action="submit", now=T)
    with pytest.raises(RuleViolation, match="cannot approve"):
        transition_version(
            session, principal=AUTHOR, plan_id=plan.id, number=1, action="approve", now=T
        )
    approved = transition_version(session, principal=APPROVER, plan_id=plan.id, number=1,
                                  action="approve", now=T)  # fmt: skip
    assert (approved.state, approved.approved_by, version.author) == (
        "approved",
        "user:olaf",
        "user:ana",
    )


def test_a_draft_must_be_submitted_before_approval(session: Session, plan) -> None:
    create_version(session, principal=AUTHOR, plan_id=plan.id, effective_from="2026-01",
                   definition=REP_PLAN, now=T)  # fmt: skip
    with pytest.raises(RuleViolation, match="is draft; it cannot approve"):
        transition_version(
            session, principal=APPROVER, plan_id=plan.id, number=1, action="approve", now=T
        )


def test_an_approved_version_never_changes(session: Session) -> None:
    world(session)
    plan = approved_plan(session, code="REPS", payee_type="sales_person", definition=REP_PLAN)
    with pytest.raises(RuleViolation, match="only a draft can change"):
        update_draft(
            session, principal=AUTHOR, plan_id=plan.id, number=1, definition=REP_PLAN, now=T
        )
    # Even a service that bypasses the rule is stopped by the model guard.
    version = get_version(session, principal=AUTHOR, plan_id=plan.id, number=1)
    version.definition = {"components": []}
    with pytest.raises(RuleViolation, match="cannot change"):
        session.flush()


def test_a_later_approved_version_supersedes_and_each_pays_its_own_months(session: Session) -> None:
    world(session)
    plan = approved_plan(session, code="REPS", payee_type="sales_person", definition=REP_PLAN)
    create_version(session, principal=AUTHOR, plan_id=plan.id, effective_from="2026-11",
                   definition=REP_PLAN, now=T)  # fmt: skip
    transition_version(session, principal=AUTHOR, plan_id=plan.id, number=2, action="submit", now=T)
    transition_version(
        session, principal=APPROVER, plan_id=plan.id, number=2, action="approve", now=T
    )
    first = get_version(session, principal=AUTHOR, plan_id=plan.id, number=1)
    assert first.state == "superseded"
    october = version_in_force(session, plan=plan, period=Period(2026, 10))
    november = version_in_force(session, plan=plan, period=Period(2026, 11))
    assert (october.number if october else None, november.number if november else None) == (1, 2)


def test_a_rep_may_not_read_plans(session: Session, plan) -> None:
    from salesdev.domains.compensation import get_plan

    with pytest.raises(PermissionDenied):
        get_plan(session, principal=principal("rita", Role.SALES_REP), plan_id=plan.id)


def test_duplicate_codes_and_bad_headers_are_refused(session: Session, plan) -> None:
    assert plan_code_exists(session, "REPS")
    with pytest.raises(RuleViolation, match="already exists"):
        create_plan(session, principal=AUTHOR, code="REPS", name="x", payee_type="partner",
                    currency="EUR", now=T)  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        create_plan(session, principal=AUTHOR, code="", name="x", payee_type="robot",
                    currency="EURO", now=T)  # fmt: skip
    assert {d.location for d in refused.value.details} == {"code", "payeeType", "currency"}
