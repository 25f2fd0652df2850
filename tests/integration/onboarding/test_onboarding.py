"""Partner on-boarding: no skipped steps, four-eyes approvals, a complete checklist, full history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    Conflict,
    ErrorDetail,
    NotFound,
    PreconditionFailed,
    RuleViolation,
)
from salesdev.db.models import AuditEvent, OnboardingCase, OnboardingHistoryEntry, Partner
from salesdev.db.query import ListQuery
from salesdev.domains.access import Role
from salesdev.domains.audit import set_audit_context
from salesdev.domains.onboarding import (
    add_checklist_item,
    advance_onboarding,
    approve_onboarding_request,
    check_checklist_item,
    get_onboarding_case,
    list_checklist,
    list_onboarding_cases,
    list_onboarding_history,
    open_onboarding_case,
    reject_onboarding_request,
)
from tests.integration.authorisation import builders as b

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CARLA = b.user("carla")  # channel manager who runs the case
OMAR = b.user("omar")  # another channel manager who approves
MANDATORY = ("company_registration", "credit_check", "sanctions_screening", "bank_details_verified")


def at(hours: int) -> datetime:
    return T + timedelta(hours=hours)


@pytest.fixture
def partner(session: Session) -> Any:
    return b.partner(session, "ACME", b.channel(session).id)


@pytest.fixture
def case(session: Session, partner: Any) -> OnboardingCase:
    return open_onboarding_case(
        session, principal=CARLA, partner_id=partner.id, now=T, comment="Applied at the fair"
    )


def _advance(
    session: Session, case: OnboardingCase, to: str, hours: int, who: Any = CARLA, **kw: Any
) -> OnboardingCase:
    return advance_onboarding(
        session, principal=who, case_id=case.id, to_state=to, now=at(hours), **kw
    )


def _approve(
    session: Session, case: OnboardingCase, hours: int, who: Any = OMAR, **kw: Any
) -> OnboardingCase:
    return approve_onboarding_request(session, principal=who, case_id=case.id, now=at(hours), **kw)


def _check_all(session: Session, case: OnboardingCase, codes: tuple[str, ...] = MANDATORY) -> None:
    for code in codes:
        check_checklist_item(
            session, principal=CARLA, case_id=case.id, code=code, evidence=f"doc:{code}", now=at(2)
        )


def _history(session: Session, case: OnboardingCase) -> list[tuple[Any, ...]]:
    return [
        (
            h.sequence,
            h.event,
            h.from_state,
            h.to_state,
            h.actor,
            h.requested_by,
            h.occurred_at,
            h.comment,
        )
        for h in list_onboarding_history(session, principal=CARLA, case_id=case.id)
    ]


def test_a_partner_moves_through_every_step_to_active_with_history_in_order(
    session: Session, partner: Any, case: OnboardingCase
) -> None:
    # given a new case in application
    # an applicant is "onboarding" (it may not sell) until its case is active
    assert (case.state, partner.status) == ("application", "onboarding")
    # when it goes through due diligence, negotiation and training with approvals
    _advance(session, case, "due_diligence", 1)
    _check_all(session, case)
    _advance(session, case, "agreement_negotiation", 3, comment="All checks clear")
    _approve(session, case, 4, comment="Agreed")
    b.approved_agreement(session, partner.id, now=at(4))
    _advance(session, case, "training", 5)
    _advance(session, case, "active", 6, comment="Passed FIBRE-101")
    _approve(session, case, 7)
    # then the case and the partner are active, and every step is listed in order
    assert (case.state, case.requested_state, partner.status) == ("active", None, "active")
    assert _history(session, case) == [
        (1, "opened", None, "application", "user:carla", None, T, "Applied at the fair"),
        (2, "transitioned", "application", "due_diligence", "user:carla", None, at(1), ""),
        (
            3,
            "requested",
            "due_diligence",
            "agreement_negotiation",
            "user:carla",
            None,
            at(3),
            "All checks clear",
        ),
        (
            4,
            "approved",
            "due_diligence",
            "agreement_negotiation",
            "user:omar",
            "user:carla",
            at(4),
            "Agreed",
        ),
        (5, "transitioned", "agreement_negotiation", "training", "user:carla", None, at(5), ""),
        (6, "requested", "training", "active", "user:carla", None, at(6), "Passed FIBRE-101"),
        (7, "approved", "training", "active", "user:omar", "user:carla", at(7), ""),
    ]


def test_negotiation_ends_only_with_an_approved_agreement(
    session: Session, partner: Any, case: OnboardingCase
) -> None:
    # given a case in agreement negotiation and no approved agreement with the partner
    _advance(session, case, "due_diligence", 1)
    _check_all(session, case)
    _advance(session, case, "agreement_negotiation", 3)
    _approve(session, case, 4)
    # when it is sent to training, it is refused and stays where it is
    with pytest.raises(RuleViolation) as caught:
        _advance(session, case, "training", 5)
    assert caught.value.message == (
        "Agreement negotiation is not complete: the partner has no approved agreement"
    )
    assert case.state == "agreement_negotiation"
    # then once an agreement is approved it moves on
    b.approved_agreement(session, partner.id, now=at(5))
    assert _advance(session, case, "training", 6).state == "training"


def test_a_skipped_step_is_refused_saying_what_comes_next_and_nothing_changes(
    session: Session, case: OnboardingCase
) -> None:
    # when the case in application is sent straight to training
    with pytest.raises(RuleViolation) as caught:
        _advance(session, case, "training", 1)
    # then the error says which state is expected, and neither state nor history moved
    assert caught.value.message == "An on-boarding case in application cannot move to training"
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("to_state", "the next state after application is due_diligence or terminated")
    ]
    assert case.state == "application"
    assert len(_history(session, case)) == 1


def test_an_unknown_state_is_invalid_input(session: Session, case: OnboardingCase) -> None:
    from salesdev.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        _advance(session, case, "approved", 1)
    assert caught.value.details[0].message == (
        "expected one of application, due_diligence, agreement_negotiation, training, active, "
        "suspended, terminated; got 'approved'"
    )


def test_due_diligence_cannot_end_until_every_mandatory_item_is_checked(
    session: Session, case: OnboardingCase
) -> None:
    # given due diligence with two mandatory checks still open (the optional one too)
    _advance(session, case, "due_diligence", 1)
    _check_all(session, case, ("company_registration", "credit_check"))
    # when the move to negotiation is requested
    with pytest.raises(RuleViolation) as caught:
        _advance(session, case, "agreement_negotiation", 3)
    # then the missing mandatory items are named, the optional one is not, and no request exists
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("checklist.sanctions_screening", "Sanctions screening clear: not checked"),
        ("checklist.bank_details_verified", "Bank details verified: not checked"),
    ]
    assert (case.state, case.requested_state) == ("due_diligence", None)


def test_checked_items_keep_evidence_and_who_checked_them(
    session: Session, case: OnboardingCase
) -> None:
    _advance(session, case, "due_diligence", 1)
    check_checklist_item(
        session,
        principal=OMAR,
        case_id=case.id,
        code="credit_check",
        evidence="Creditreform report 2026-114, score 212",
        now=at(2),
    )
    items = {i.code: i for i in list_checklist(session, principal=CARLA, case_id=case.id)}
    assert list(items) == [*MANDATORY, "trade_references"]
    credit = items["credit_check"]
    assert (credit.evidence, credit.checked_by, credit.checked_at) == (
        "Creditreform report 2026-114, score 212",
        "user:omar",
        at(2),
    )
    assert (items["trade_references"].mandatory, items["trade_references"].checked_by) == (
        False,
        None,
    )
    with pytest.raises(RuleViolation, match="already checked by user:omar"):
        check_checklist_item(
            session, principal=CARLA, case_id=case.id, code="credit_check", evidence="x", now=at(3)
        )


def test_an_added_mandatory_item_is_enforced_even_after_the_request(
    session: Session, case: OnboardingCase
) -> None:
    _advance(session, case, "due_diligence", 1)
    _check_all(session, case)
    _advance(session, case, "agreement_negotiation", 3)
    add_checklist_item(
        session,
        principal=OMAR,
        case_id=case.id,
        code="insurance",
        label="Liability insurance",
        now=at(4),
    )
    with pytest.raises(RuleViolation) as caught:
        _approve(session, case, 5)
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("checklist.insurance", "Liability insurance: not checked")
    ]
    assert case.state == "due_diligence"


def test_the_requester_cannot_approve_their_own_request(
    session: Session, case: OnboardingCase
) -> None:
    # given carla requested the end of due diligence
    _advance(session, case, "due_diligence", 1)
    _check_all(session, case)
    _advance(session, case, "agreement_negotiation", 3)
    # when carla approves it herself
    with pytest.raises(RuleViolation) as caught:
        _approve(session, case, 4, who=CARLA)
    # then it is refused and the request still waits for someone else
    assert caught.value.message == (
        "user:carla requested the move to agreement_negotiation and cannot approve it; "
        "another user must"
    )
    assert caught.value.details == [
        ErrorDetail("approver", "must differ from the requester user:carla")
    ]
    assert (case.state, case.requested_state, case.requested_by) == (
        "due_diligence",
        "agreement_negotiation",
        "user:carla",
    )
    assert [h[1] for h in _history(session, case)] == ["opened", "transitioned", "requested"]


def test_a_pending_request_blocks_other_moves_until_rejected(
    session: Session, case: OnboardingCase
) -> None:
    _advance(session, case, "due_diligence", 1)
    _check_all(session, case)
    _advance(session, case, "agreement_negotiation", 3)
    with pytest.raises(RuleViolation, match="awaits approval"):
        _advance(session, case, "terminated", 4)
    reject_onboarding_request(
        session, principal=OMAR, case_id=case.id, now=at(4), comment="Bank letter is unsigned"
    )
    assert (case.state, case.requested_state) == ("due_diligence", None)
    assert _history(session, case)[-1] == (
        4,
        "rejected",
        "due_diligence",
        "agreement_negotiation",
        "user:omar",
        "user:carla",
        at(4),
        "Bank letter is unsigned",
    )


def test_suspension_and_reactivation_follow_the_partner_status(
    session: Session, partner: Any, case: OnboardingCase
) -> None:
    _advance(session, case, "due_diligence", 1)
    _check_all(session, case)
    _advance(session, case, "agreement_negotiation", 3)
    _approve(session, case, 4)
    b.approved_agreement(session, partner.id, now=at(4))
    _advance(session, case, "training", 5)
    _advance(session, case, "active", 6)
    _approve(session, case, 7)
    _advance(session, case, "suspended", 8, comment="Unpaid invoices")
    assert (case.state, partner.status) == ("suspended", "suspended")
    # reactivation is an activation: it needs another user's approval
    _advance(session, case, "active", 9)
    assert (case.state, case.requested_state) == ("suspended", "active")
    _approve(session, case, 10)
    assert (case.state, partner.status) == ("active", "active")
    _advance(session, case, "terminated", 11, comment="Contract ended")
    assert (case.state, partner.status) == ("terminated", "terminated")
    with pytest.raises(RuleViolation) as caught:
        _advance(session, case, "active", 12)
    assert caught.value.details[0].message == (
        "the next state after terminated is none: a terminated case is closed"
    )


def test_a_partner_has_one_case(session: Session, partner: Any, case: OnboardingCase) -> None:
    with pytest.raises(Conflict, match="Partner ACME already has an on-boarding case"):
        open_onboarding_case(session, principal=CARLA, partner_id=partner.id, now=at(1))
    assert session.scalar(select(func.count()).select_from(OnboardingCase)) == 1


def test_a_stale_write_is_refused(session: Session, case: OnboardingCase) -> None:
    version = case.version
    _advance(session, case, "due_diligence", 1)
    with pytest.raises(PreconditionFailed, match=f"you had {version}"):
        _advance(session, case, "terminated", 2, expected_version=version)
    assert case.state == "due_diligence"


def test_a_partner_user_sees_only_its_own_case(
    session: Session, partner: Any, case: OnboardingCase
) -> None:
    # given a second partner with its own case
    other = b.partner(session, "RIVAL", partner.channel_id)
    other_case = open_onboarding_case(session, principal=CARLA, partner_id=other.id, now=T)
    acme_user = b.user("acme-user", Role.PARTNER_USER, partner_id=partner.id)
    # then ACME's user lists and reads its own case, and the other is not found
    page = list_onboarding_cases(session, principal=acme_user, query=ListQuery())
    assert ([c.id for c in page.items], page.total) == ([case.id], 1)
    assert (
        get_onboarding_case(session, principal=acme_user, case_id=case.id).partner_id == partner.id
    )
    with pytest.raises(NotFound, match=f"On-boarding case {other_case.id} does not exist"):
        get_onboarding_case(session, principal=acme_user, case_id=other_case.id)
    with pytest.raises(NotFound):
        list_onboarding_history(session, principal=acme_user, case_id=other_case.id)


def test_history_rows_cannot_be_rewritten(session: Session, case: OnboardingCase) -> None:
    entry = session.scalars(select(OnboardingHistoryEntry)).one()
    entry.comment = "edited"
    with pytest.raises(RuleViolation, match="onboarding_history rows are append-only"):
        session.flush()


def test_every_step_is_in_the_audit_trail(session: Session, partner: Any) -> None:
    set_audit_context(session, actor=CARLA.actor, now=T)
    case = open_onboarding_case(session, principal=CARLA, partner_id=partner.id, now=T)
    _advance(session, case, "due_diligence", 1)
    _advance(session, case, "terminated", 2, comment="Withdrew application")
    events = session.execute(
        select(AuditEvent.action, AuditEvent.object_type, AuditEvent.after)
        .where(
            AuditEvent.object_type.in_(["onboarding_case", "partner"]),
            AuditEvent.actor == "user:carla",
        )
        .order_by(AuditEvent.sequence)
    ).all()
    assert [
        (action, kind, (after or {}).get("state", (after or {}).get("status")))
        for action, kind, after in events
    ] == [
        ("create", "onboarding_case", "application"),
        ("update", "partner", "onboarding"),
        ("update", "onboarding_case", "due_diligence"),
        ("update", "onboarding_case", "terminated"),
        ("update", "partner", "terminated"),
    ]
    history_events = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.object_type == "onboarding_history")
    )
    assert history_events == 3
    assert session.get(Partner, partner.id).status == "terminated"  # type: ignore[union-attr]
