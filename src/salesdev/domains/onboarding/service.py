"""Partner on-boarding cases: moves through the workflow, approvals, checklist, history.

Every move is appended to the case's history (who, when, from, to, comment); the
history is never changed. A move that needs an approval is first requested (the
case records the request) and takes effect only when another user approves it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    Conflict,
    ErrorDetail,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RuleViolation,
)
from salesdev.core.periods import parse_instant, require_aware
from salesdev.db.models import (
    ChannelAgreement,
    OnboardingCase,
    OnboardingChecklistItem,
    OnboardingHistoryEntry,
    Partner,
)
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize, partner_rows_condition
from salesdev.domains.access.approval import require_second_person
from salesdev.domains.onboarding.states import (
    DEFAULT_CHECKLIST,
    PARTNER_ONBOARDING_STATUS,
    PARTNER_STATUS,
    OnboardingState,
    check_move,
    needs_approval,
    parse_state,
)
from salesdev.domains.reference import update_entity

_COMMENT_LENGTH = 2000
_EVIDENCE_LENGTH = 4000


# --- reading -------------------------------------------------------------------------------


def _scope(session: Session, principal: Principal) -> ColumnElement[bool] | None:
    """A partner user sees its own partner's case (and its sub-dealers' when allowed)."""
    return partner_rows_condition(session, principal=principal, column=OnboardingCase.partner_id)


def get_onboarding_case(
    session: Session, *, principal: Principal, case_id: uuid.UUID
) -> OnboardingCase:
    """One case; a case outside the principal's scope is "not found"."""
    authorize(principal, Family.PARTNERS, "read")
    statement = select(OnboardingCase).where(OnboardingCase.id == case_id)
    condition = _scope(session, principal)
    if condition is not None:
        statement = statement.where(condition)
    case = session.scalar(statement)
    if case is None:
        raise NotFound(f"On-boarding case {case_id} does not exist")
    return case


ONBOARDING_ATTRIBUTES: dict[str, Attribute] = {
    "partnerId": Attribute(OnboardingCase.partner_id, parse=uuid.UUID),
    "state": Attribute(OnboardingCase.state),
    "requestedState": Attribute(OnboardingCase.requested_state),
    "createdAt": Attribute(OnboardingCase.created_at, parse=parse_instant),
    "updatedAt": Attribute(OnboardingCase.updated_at, parse=parse_instant),
}


def list_onboarding_cases(
    session: Session, *, principal: Principal, query: ListQuery
) -> Page[OnboardingCase]:
    """Cases the principal may see, most recently changed first unless sorted otherwise."""
    authorize(principal, Family.PARTNERS, "read")
    statement = select(OnboardingCase)
    condition = _scope(session, principal)
    if condition is not None:
        statement = statement.where(condition)
    return fetch_page(
        session,
        statement,
        attributes=ONBOARDING_ATTRIBUTES,
        query=query,
        tie_breaker=OnboardingCase.id,
        default_sort=(SortKey("updatedAt", descending=True),),
    )


def list_onboarding_history(
    session: Session, *, principal: Principal, case_id: uuid.UUID
) -> list[OnboardingHistoryEntry]:
    """The case's history, oldest first."""
    case = get_onboarding_case(session, principal=principal, case_id=case_id)
    return list(
        session.scalars(
            select(OnboardingHistoryEntry)
            .where(OnboardingHistoryEntry.case_id == case.id)
            .order_by(OnboardingHistoryEntry.sequence)
        )
    )


def list_checklist(
    session: Session, *, principal: Principal, case_id: uuid.UUID
) -> list[OnboardingChecklistItem]:
    case = get_onboarding_case(session, principal=principal, case_id=case_id)
    return _checklist(session, case)


# --- opening and the checklist ---------------------------------------------------------------


def open_onboarding_case(
    session: Session,
    *,
    principal: Principal,
    partner_id: uuid.UUID,
    now: datetime,
    comment: str = "",
) -> OnboardingCase:
    """Open the partner's case in ``application`` with the default due-diligence checklist."""
    authorize(principal, Family.PARTNERS, "write")
    require_aware(now, location="now")
    comment = _comment(comment)
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise InvalidInput(
            "Invalid on-boarding case",
            [ErrorDetail("partner_id", f"no partner with id {partner_id}")],
        )
    existing = session.scalar(select(OnboardingCase).where(OnboardingCase.partner_id == partner_id))
    if existing is not None:
        raise Conflict(
            f"Partner {partner.code} already has an on-boarding case ({existing.id}, in {existing.state})",
            [ErrorDetail("partner_id", "a partner has one on-boarding case")],
        )
    case = OnboardingCase(
        partner_id=partner_id,
        state=OnboardingState.APPLICATION.value,
        opened_by=principal.actor,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    if partner.status != PARTNER_ONBOARDING_STATUS:
        # An applicant may not sell until its case reaches active (then "active").
        update_entity(
            session,
            principal=principal,
            kind="partner",
            entity_id=partner_id,
            changes={"status": PARTNER_ONBOARDING_STATUS},
            now=now,
        )
    for position, (code, label, mandatory) in enumerate(DEFAULT_CHECKLIST, start=1):
        session.add(
            OnboardingChecklistItem(
                case_id=case.id,
                code=code,
                label=label,
                mandatory=mandatory,
                position=position,
                created_at=now,
                updated_at=now,
            )
        )
    _append_history(
        session,
        case,
        event="opened",
        from_state=None,
        to_state=OnboardingState.APPLICATION,
        principal=principal,
        now=now,
        comment=comment,
    )
    session.flush()
    return case


def add_checklist_item(
    session: Session,
    *,
    principal: Principal,
    case_id: uuid.UUID,
    code: str,
    label: str,
    now: datetime,
    mandatory: bool = True,
) -> OnboardingChecklistItem:
    """Add a check to a case that has not passed due diligence yet."""
    case = _case_for_write(session, principal, case_id, None, now)
    if case.state not in (OnboardingState.APPLICATION, OnboardingState.DUE_DILIGENCE):
        raise RuleViolation(
            f"The checklist of a case in {case.state} is closed",
            [ErrorDetail("code", "items are added during application or due_diligence")],
        )
    errors: list[ErrorDetail] = []
    code = (code or "").strip()
    label = (label or "").strip()
    if not code or len(code) > 48:
        errors.append(ErrorDetail("code", "is required, at most 48 characters"))
    if not label or len(label) > 200:
        errors.append(ErrorDetail("label", "is required, at most 200 characters"))
    if errors:
        raise InvalidInput("Invalid checklist item", errors)
    items = _checklist(session, case)
    if any(item.code == code for item in items):
        raise Conflict(
            f"The checklist already has an item {code!r}", [ErrorDetail("code", "must be unique")]
        )
    item = OnboardingChecklistItem(
        case_id=case.id,
        code=code,
        label=label,
        mandatory=mandatory,
        position=max((i.position for i in items), default=0) + 1,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    session.flush()
    return item


def check_checklist_item(
    session: Session,
    *,
    principal: Principal,
    case_id: uuid.UUID,
    code: str,
    evidence: str,
    now: datetime,
) -> OnboardingChecklistItem:
    """Record that an item was checked, with its evidence (a text or a document reference)."""
    case = _case_for_write(session, principal, case_id, None, now)
    if case.state != OnboardingState.DUE_DILIGENCE:
        raise RuleViolation(
            f"Checklist items are checked during due_diligence; the case is in {case.state}",
            [ErrorDetail("code", "move the case to due_diligence first")],
        )
    evidence = (evidence or "").strip()
    if not evidence or len(evidence) > _EVIDENCE_LENGTH:
        raise InvalidInput(
            "Invalid evidence",
            [ErrorDetail("evidence", f"is required, at most {_EVIDENCE_LENGTH} characters")],
        )
    item = next((i for i in _checklist(session, case) if i.code == code), None)
    if item is None:
        raise NotFound(f"The case's checklist has no item {code!r}")
    if item.checked_by is not None:
        raise RuleViolation(
            f"Item {code} was already checked by {item.checked_by}",
            [ErrorDetail("code", "a checked item keeps its evidence")],
        )
    item.evidence = evidence
    item.checked_by = principal.actor
    item.checked_at = now
    item.updated_at = now
    session.flush()
    return item


# --- moving through the workflow ------------------------------------------------------------


def advance_onboarding(
    session: Session,
    *,
    principal: Principal,
    case_id: uuid.UUID,
    to_state: str,
    now: datetime,
    comment: str = "",
    expected_version: int | None = None,
) -> OnboardingCase:
    """Move the case to its next state, or request the move when it needs an approval."""
    case = _case_for_write(session, principal, case_id, expected_version, now)
    target = parse_state(to_state)
    comment = _comment(comment)
    current = OnboardingState(case.state)
    if case.requested_state is not None:
        raise RuleViolation(
            f"A move to {case.requested_state} requested by {case.requested_by} awaits approval",
            [ErrorDetail("to_state", "approve or reject the pending request first")],
        )
    check_move(current, target)
    _check_preconditions(session, case, current, target)
    if needs_approval(current, target):
        case.requested_state = target.value
        case.requested_by = principal.actor
        case.requested_at = now
        case.request_comment = comment
        case.updated_at = now
        _append_history(
            session,
            case,
            event="requested",
            from_state=current,
            to_state=target,
            principal=principal,
            now=now,
            comment=comment,
        )
    else:
        _move(session, case, target, principal=principal, now=now, comment=comment)
    session.flush()
    return case


def approve_onboarding_request(
    session: Session,
    *,
    principal: Principal,
    case_id: uuid.UUID,
    now: datetime,
    comment: str = "",
    expected_version: int | None = None,
) -> OnboardingCase:
    """Approve the pending move; the approver must be another user than the requester."""
    case = _case_for_write(session, principal, case_id, expected_version, now)
    comment = _comment(comment)
    if case.requested_state is None or case.requested_by is None:
        raise RuleViolation(f"On-boarding case {case.id} has no request awaiting approval")
    require_second_person(
        principal,
        first=case.requested_by,
        role="requester",
        did=f"requested the move to {case.requested_state}",
    )
    current, target = OnboardingState(case.state), OnboardingState(case.requested_state)
    # The checklist may have grown since the request.
    _check_preconditions(session, case, current, target)
    requested_by = case.requested_by
    _clear_request(case)
    _move(
        session,
        case,
        target,
        principal=principal,
        now=now,
        comment=comment,
        requested_by=requested_by,
        event="approved",
    )
    session.flush()
    return case


def reject_onboarding_request(
    session: Session,
    *,
    principal: Principal,
    case_id: uuid.UUID,
    now: datetime,
    comment: str,
    expected_version: int | None = None,
) -> OnboardingCase:
    """Refuse (or, by the requester, withdraw) the pending move; the case stays where it is."""
    case = _case_for_write(session, principal, case_id, expected_version, now)
    comment = _comment(comment)
    if not comment:
        raise InvalidInput("A reason is required", [ErrorDetail("comment", "say why")])
    if case.requested_state is None:
        raise RuleViolation(f"On-boarding case {case.id} has no request awaiting approval")
    target = OnboardingState(case.requested_state)
    requested_by = case.requested_by
    _clear_request(case)
    case.updated_at = now
    _append_history(
        session,
        case,
        event="rejected",
        from_state=OnboardingState(case.state),
        to_state=target,
        principal=principal,
        now=now,
        comment=comment,
        requested_by=requested_by,
    )
    session.flush()
    return case


# --- internals -------------------------------------------------------------------------------


def _case_for_write(
    session: Session,
    principal: Principal,
    case_id: uuid.UUID,
    expected_version: int | None,
    now: datetime,
) -> OnboardingCase:
    require_aware(now, location="now")
    case = get_onboarding_case(session, principal=principal, case_id=case_id)
    authorize(principal, Family.PARTNERS, "write")
    if expected_version is not None and case.version != expected_version:
        raise PreconditionFailed(
            f"On-boarding case {case.id} was changed by someone else "
            f"(version {case.version}, you had {expected_version}); reload and try again"
        )
    return case


def _check_preconditions(
    session: Session, case: OnboardingCase, current: OnboardingState, target: OnboardingState
) -> None:
    if current is OnboardingState.DUE_DILIGENCE and target is not OnboardingState.TERMINATED:
        missing = [
            item for item in _checklist(session, case) if item.mandatory and item.checked_by is None
        ]
        if missing:
            raise RuleViolation(
                "Due diligence is not complete: every mandatory checklist item must be checked",
                [
                    ErrorDetail(f"checklist.{item.code}", f"{item.label}: not checked")
                    for item in missing
                ],
            )
    if current is OnboardingState.AGREEMENT_NEGOTIATION and target is OnboardingState.TRAINING:
        # Negotiation ends with terms: an approved (or already active) agreement with the partner.
        agreed = session.scalar(
            select(ChannelAgreement.id).where(
                ChannelAgreement.partner_id == case.partner_id,
                ChannelAgreement.status.in_(("approved", "active")),
            )
        )
        if agreed is None:
            raise RuleViolation(
                "Agreement negotiation is not complete: the partner has no approved agreement",
                [ErrorDetail("agreement", "approve a channel agreement with this partner first")],
            )


def _move(
    session: Session,
    case: OnboardingCase,
    target: OnboardingState,
    *,
    principal: Principal,
    now: datetime,
    comment: str,
    requested_by: str | None = None,
    event: str = "transitioned",
) -> None:
    current = OnboardingState(case.state)
    case.state = target.value
    case.updated_at = now
    _append_history(
        session,
        case,
        event=event,
        from_state=current,
        to_state=target,
        principal=principal,
        now=now,
        comment=comment,
        requested_by=requested_by,
    )
    status = PARTNER_STATUS.get(target)
    if status is not None:
        # Through the reference service: validated, versioned and audited like any edit.
        update_entity(
            session,
            principal=principal,
            kind="partner",
            entity_id=case.partner_id,
            changes={"status": status},
            now=now,
        )


def _clear_request(case: OnboardingCase) -> None:
    case.requested_state = None
    case.requested_by = None
    case.requested_at = None
    case.request_comment = None


def _append_history(
    session: Session,
    case: OnboardingCase,
    *,
    event: str,
    from_state: OnboardingState | None,
    to_state: OnboardingState,
    principal: Principal,
    now: datetime,
    comment: str,
    requested_by: str | None = None,
) -> None:
    last = session.scalar(
        select(func.max(OnboardingHistoryEntry.sequence)).where(
            OnboardingHistoryEntry.case_id == case.id
        )
    )
    session.add(
        OnboardingHistoryEntry(
            case_id=case.id,
            sequence=(last or 0) + 1,
            event=event,
            from_state=from_state.value if from_state is not None else None,
            to_state=to_state.value,
            actor=principal.actor,
            requested_by=requested_by,
            occurred_at=now,
            comment=comment,
        )
    )


def _checklist(session: Session, case: OnboardingCase) -> list[OnboardingChecklistItem]:
    return list(
        session.scalars(
            select(OnboardingChecklistItem)
            .where(OnboardingChecklistItem.case_id == case.id)
            .order_by(OnboardingChecklistItem.position)
        )
    )


def _comment(comment: str | None) -> str:
    text = (comment or "").strip()
    if len(text) > _COMMENT_LENGTH:
        raise InvalidInput(
            "Comment too long", [ErrorDetail("comment", f"at most {_COMMENT_LENGTH} characters")]
        )
    return text
