"""Who a plan pays: assignments by role, channel, partner or one payee, effective-dated.

An assignment of a plan to a target (a role, a channel, a partner, one sales person or
one partner) is valid during ``[valid_from, valid_to)``. Two assignments of the same plan
to the same target may not overlap: the second is refused, naming the first. Ending an
assignment sets its ``valid_to``; rows are never deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, RuleViolation
from salesdev.core.periods import Period, parse_instant, require_aware
from salesdev.db.models import Partner, SalesChannel, SalesPerson
from salesdev.db.models.compensation import CompensationPlan, PlanAssignment
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.compensation.plans import get_plan

SCOPES = ("role", "channel", "partner", "sales_person")

ASSIGNMENT_ATTRIBUTES: dict[str, Attribute] = {
    "planId": Attribute(PlanAssignment.plan_id, parse=uuid.UUID),
    "scope": Attribute(PlanAssignment.scope),
    "target": Attribute(PlanAssignment.target),
    "validFrom": Attribute(PlanAssignment.valid_from, parse=parse_instant),
    "validTo": Attribute(PlanAssignment.valid_to, parse=parse_instant),
}


def list_assignments(
    session: Session, *, principal: Principal, query: ListQuery
) -> Page[PlanAssignment]:
    authorize(principal, Family.COMPENSATION, "read")
    return fetch_page(
        session,
        select(PlanAssignment),
        attributes=ASSIGNMENT_ATTRIBUTES,
        query=query,
        tie_breaker=PlanAssignment.id,
        default_sort=(SortKey("validFrom"),),
    )


def get_assignment(
    session: Session, *, principal: Principal, assignment_id: uuid.UUID
) -> PlanAssignment:
    authorize(principal, Family.COMPENSATION, "read")
    found = session.get(PlanAssignment, assignment_id)
    if found is None:
        raise NotFound(f"Plan assignment {assignment_id} does not exist")
    return found


def assign_plan(
    session: Session,
    *,
    principal: Principal,
    plan_id: uuid.UUID,
    scope: str,
    target: str,
    valid_from: datetime,
    now: datetime,
    valid_to: datetime | None = None,
) -> PlanAssignment:
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    plan = get_plan(session, principal=principal, plan_id=plan_id)
    require_aware(valid_from, location="validFrom")
    if valid_to is not None:
        require_aware(valid_to, location="validTo")
        if valid_to <= valid_from:
            raise InvalidInput(
                "Invalid assignment", [ErrorDetail("validTo", "must be after validFrom")]
            )
    target = _check_target(session, plan, scope, target)
    _refuse_overlap(session, plan, scope, target, valid_from, valid_to, exclude=None)
    assignment = PlanAssignment(
        plan_id=plan.id,
        scope=scope,
        target=target,
        valid_from=valid_from,
        valid_to=valid_to,
        created_at=now,
        updated_at=now,
    )
    session.add(assignment)
    session.flush()
    return assignment


def end_assignment(
    session: Session,
    *,
    principal: Principal,
    assignment_id: uuid.UUID,
    valid_to: datetime,
    now: datetime,
    expected_version: int | None = None,
) -> PlanAssignment:
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    require_aware(valid_to, location="validTo")
    assignment = get_assignment(session, principal=principal, assignment_id=assignment_id)
    if expected_version is not None and assignment.version != expected_version:
        from salesdev.core.errors import PreconditionFailed

        raise PreconditionFailed(
            f"Plan assignment {assignment.id} was changed by someone else; reload and try again"
        )
    if valid_to <= assignment.valid_from:
        raise InvalidInput(
            "Invalid assignment end", [ErrorDetail("validTo", "must be after validFrom")]
        )
    if assignment.valid_to is not None and valid_to > assignment.valid_to:
        raise RuleViolation(
            "An assignment can be shortened, not extended",
            [ErrorDetail("validTo", "assign the plan again for a later period")],
        )
    assignment.valid_to = valid_to
    assignment.updated_at = now
    session.flush()
    return assignment


def _check_target(session: Session, plan: CompensationPlan, scope: str, target: str) -> str:
    if scope not in SCOPES:
        raise InvalidInput(
            "Invalid assignment", [ErrorDetail("scope", f"expected one of {', '.join(SCOPES)}")]
        )
    target = (target or "").strip()
    if not target or len(target) > 64 or "\x00" in target:
        raise InvalidInput(
            "Invalid assignment", [ErrorDetail("target", "required: a role code or an id")]
        )
    if scope == "role":
        if plan.payee_type != "sales_person":
            raise RuleViolation(
                f"Plan {plan.code} pays partners; a role selects sales people",
                [ErrorDetail("scope", "assign a partner plan to a channel or a partner")],
            )
        return target
    try:
        target_id = uuid.UUID(target)
    except ValueError:
        raise InvalidInput(
            "Invalid assignment", [ErrorDetail("target", f"expected the {scope}'s id")]
        ) from None
    model = {"channel": SalesChannel, "partner": Partner, "sales_person": SalesPerson}[scope]
    if session.get(model, target_id) is None:
        raise InvalidInput(
            "Invalid assignment", [ErrorDetail("target", f"no {scope} with id {target_id}")]
        )
    if scope == "sales_person" and plan.payee_type != "sales_person":
        raise RuleViolation(
            f"Plan {plan.code} pays partners, not sales people",
            [ErrorDetail("scope", "assign a partner plan to a channel or a partner")],
        )
    return str(target_id)


def _refuse_overlap(
    session: Session,
    plan: CompensationPlan,
    scope: str,
    target: str,
    valid_from: datetime,
    valid_to: datetime | None,
    *,
    exclude: uuid.UUID | None,
) -> None:
    other = PlanAssignment
    statement = select(other).where(
        other.plan_id == plan.id,
        other.scope == scope,
        other.target == target,
        or_(other.valid_to.is_(None), other.valid_to > valid_from),
    )
    if valid_to is not None:
        statement = statement.where(other.valid_from < valid_to)
    if exclude is not None:
        statement = statement.where(other.id != exclude)
    conflict = session.scalars(statement.order_by(other.valid_from).limit(1)).first()
    if conflict is not None:
        end = "open-ended" if conflict.valid_to is None else conflict.valid_to.isoformat()
        raise RuleViolation(
            f"Plan {plan.code} is already assigned to this {scope} in that time",
            [
                ErrorDetail(
                    "validFrom",
                    f"overlaps assignment {conflict.id} valid from "
                    f"{conflict.valid_from.isoformat()} to {end}",
                )
            ],
        )


@dataclass(frozen=True)
class Payee:
    kind: str  # sales_person | partner
    id: uuid.UUID


def plan_payees(session: Session, *, plan: CompensationPlan, period: Period) -> set[uuid.UUID]:
    """The payees the plan pays in ``period``: every assignment valid at some time in it,
    expanded to sales people (a role, a channel, a partner's staff, one person) or partners
    (a channel's partners, a partner, one partner)."""
    assignments = session.scalars(
        select(PlanAssignment).where(
            PlanAssignment.plan_id == plan.id,
            PlanAssignment.valid_from < period.end,
            or_(PlanAssignment.valid_to.is_(None), PlanAssignment.valid_to > period.start),
        )
    ).all()
    payees: set[uuid.UUID] = set()
    for assignment in assignments:
        payees |= _expand(session, plan.payee_type, assignment.scope, assignment.target)
    return payees


def _expand(session: Session, payee_type: str, scope: str, target: str) -> set[uuid.UUID]:
    if payee_type == "partner":
        if scope == "channel":
            return set(
                session.scalars(select(Partner.id).where(Partner.channel_id == uuid.UUID(target)))
            )
        return {uuid.UUID(target)}
    if scope == "sales_person":
        return {uuid.UUID(target)}
    column = {
        "role": SalesPerson.role,
        "channel": SalesPerson.channel_id,
        "partner": SalesPerson.partner_id,
    }[scope]
    value: object = target if scope == "role" else uuid.UUID(target)
    return set(session.scalars(select(SalesPerson.id).where(column == value)))


def assigned_plans(
    session: Session, *, payee_ids: Collection[uuid.UUID], period: Period
) -> list[CompensationPlan]:
    """Plans paying any of ``payee_ids`` in ``period`` (for a payee's own view)."""
    plans = session.scalars(select(CompensationPlan).order_by(CompensationPlan.code)).all()
    wanted = set(payee_ids)
    return [p for p in plans if plan_payees(session, plan=p, period=period) & wanted]
