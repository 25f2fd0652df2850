"""Compensation plans and their versions: draft -> submitted -> approved -> superseded.

A version's definition is the engine's plan (its components) as JSON, validated with
``validate_plan`` on every save: every problem comes back with its location. A version
is in force from its ``effective_from`` month. Approval must be by someone other than the
version's author; approving a version supersedes the approved version it follows (the
earlier one stays in force for the months before the new one's first month). Approved
and superseded versions never change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    ErrorDetail,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RuleViolation,
)
from salesdev.core.money import parse_currency
from salesdev.core.periods import Period, parse_instant, require_aware
from salesdev.core.text import NUL_MESSAGE
from salesdev.db.models import ProductFamily
from salesdev.db.models.compensation import CompensationPlan, CompensationPlanVersion
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.access.approval import require_second_person
from salesdev.domains.compensation.codec import plan_from_definition
from salesdev.engine.compensation import Plan, validate_plan

PAYEE_TYPES = ("sales_person", "partner")
_CODE_LENGTH = 64
_NAME_LENGTH = 200
_TEXT_LENGTH = 2000


class VersionState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    SUPERSEDED = "superseded"


# Moves a person asks for; "superseded" happens only by approving a later version.
ACTIONS: dict[str, tuple[tuple[VersionState, ...], VersionState]] = {
    "submit": ((VersionState.DRAFT,), VersionState.SUBMITTED),
    "withdraw": ((VersionState.SUBMITTED,), VersionState.DRAFT),
    "reject": ((VersionState.SUBMITTED,), VersionState.DRAFT),
    "approve": ((VersionState.SUBMITTED,), VersionState.APPROVED),
}
IN_FORCE_STATES = (VersionState.APPROVED.value, VersionState.SUPERSEDED.value)


PLAN_ATTRIBUTES: dict[str, Attribute] = {
    "code": Attribute(CompensationPlan.code),
    "name": Attribute(CompensationPlan.name),
    "payeeType": Attribute(CompensationPlan.payee_type),
    "currency": Attribute(CompensationPlan.currency),
    "updatedAt": Attribute(CompensationPlan.updated_at, parse=parse_instant),
}


# --- reading -------------------------------------------------------------------------------


def list_plans(
    session: Session, *, principal: Principal, query: ListQuery
) -> Page[CompensationPlan]:
    authorize(principal, Family.COMPENSATION, "read")
    return fetch_page(
        session,
        select(CompensationPlan),
        attributes=PLAN_ATTRIBUTES,
        query=query,
        tie_breaker=CompensationPlan.id,
        default_sort=(SortKey("code"),),
    )


def get_plan(session: Session, *, principal: Principal, plan_id: uuid.UUID) -> CompensationPlan:
    authorize(principal, Family.COMPENSATION, "read")
    plan = session.get(CompensationPlan, plan_id)
    if plan is None:
        raise NotFound(f"Compensation plan {plan_id} does not exist")
    return plan


def find_plan(session: Session, *, principal: Principal, code: str) -> CompensationPlan:
    authorize(principal, Family.COMPENSATION, "read")
    plan = session.scalar(select(CompensationPlan).where(CompensationPlan.code == code))
    if plan is None:
        raise NotFound(
            f"No compensation plan with code {code!r}",
            [ErrorDetail("plan", f"unknown code {code!r}")],
        )
    return plan


def plan_code_exists(session: Session, code: str) -> bool:
    """For other capabilities' validation (a commission schedule names a plan by code)."""
    return (
        session.scalar(select(CompensationPlan.id).where(CompensationPlan.code == code)) is not None
    )


def list_versions(
    session: Session, *, principal: Principal, plan_id: uuid.UUID
) -> list[CompensationPlanVersion]:
    plan = get_plan(session, principal=principal, plan_id=plan_id)
    return list(
        session.scalars(
            select(CompensationPlanVersion)
            .where(CompensationPlanVersion.plan_id == plan.id)
            .order_by(CompensationPlanVersion.number)
        )
    )


def get_version(
    session: Session, *, principal: Principal, plan_id: uuid.UUID, number: int
) -> CompensationPlanVersion:
    plan = get_plan(session, principal=principal, plan_id=plan_id)
    version = session.scalar(
        select(CompensationPlanVersion).where(
            CompensationPlanVersion.plan_id == plan.id, CompensationPlanVersion.number == number
        )
    )
    if version is None:
        raise NotFound(
            f"Compensation plan {plan.code} has no version {number}",
            [ErrorDetail("number", f"versions are 1 to {plan.latest_version}")],
        )
    return version


def version_in_force(
    session: Session, *, plan: CompensationPlan, period: Period
) -> CompensationPlanVersion | None:
    """The approved (or since superseded) version whose first month is the latest one not
    after ``period``: the version that pays ``period``."""
    return session.scalars(
        select(CompensationPlanVersion)
        .where(
            CompensationPlanVersion.plan_id == plan.id,
            CompensationPlanVersion.state.in_(IN_FORCE_STATES),
            CompensationPlanVersion.effective_from <= str(period),
        )
        .order_by(
            CompensationPlanVersion.effective_from.desc(), CompensationPlanVersion.number.desc()
        )
        .limit(1)
    ).first()


def engine_plan(session: Session, plan: CompensationPlan, version: CompensationPlanVersion) -> Plan:
    """The version as the engine's plan, validated against the catalogue's families."""
    built = plan_from_definition(
        version.definition,
        code=plan.code,
        number=version.number,
        currency=plan.currency,
        period=Period.parse(version.effective_from),
    )
    return validate_plan(built, product_families=family_codes(session))


def family_codes(session: Session) -> set[str]:
    return set(session.scalars(select(ProductFamily.code)))


# --- writing -------------------------------------------------------------------------------


def create_plan(
    session: Session,
    *,
    principal: Principal,
    code: str,
    name: str,
    payee_type: str,
    currency: str,
    now: datetime,
    description: str = "",
) -> CompensationPlan:
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    problems: list[ErrorDetail] = []
    code = _text(code, "code", _CODE_LENGTH, problems, required=True)
    name = _text(name, "name", _NAME_LENGTH, problems, required=True)
    description = _text(description, "description", _TEXT_LENGTH, problems)
    if payee_type not in PAYEE_TYPES:
        problems.append(
            ErrorDetail(
                "payeeType", f"expected one of {', '.join(PAYEE_TYPES)}; got {payee_type!r}"
            )
        )
    try:
        currency = parse_currency(currency, location="currency")
    except InvalidInput as error:
        problems.extend(error.details)
    if problems:
        raise InvalidInput("Invalid compensation plan", problems)
    if plan_code_exists(session, code):
        raise RuleViolation(
            f"A compensation plan with code {code!r} already exists",
            [ErrorDetail("code", "must be unique")],
        )
    plan = CompensationPlan(
        code=code,
        name=name,
        payee_type=payee_type,
        currency=currency,
        description=description,
        latest_version=0,
        created_at=now,
        updated_at=now,
    )
    session.add(plan)
    session.flush()
    return plan


def create_version(
    session: Session,
    *,
    principal: Principal,
    plan_id: uuid.UUID,
    effective_from: str,
    definition: Mapping[str, Any],
    now: datetime,
    comment: str = "",
) -> CompensationPlanVersion:
    """A new draft version (its definition validated: every problem with its location)."""
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    plan = get_plan(session, principal=principal, plan_id=plan_id)
    period = Period.parse(str(effective_from), location="effectiveFrom")
    problems: list[ErrorDetail] = []
    comment = _text(comment, "comment", _TEXT_LENGTH, problems)
    if problems:
        raise InvalidInput("Invalid plan version", problems)
    number = plan.latest_version + 1
    clean = check_definition(
        session, plan=plan, definition=definition, number=number, period=period
    )
    plan.latest_version = number
    plan.updated_at = now
    version = CompensationPlanVersion(
        plan_id=plan.id,
        number=number,
        state=VersionState.DRAFT.value,
        effective_from=str(period),
        definition=clean,
        author=principal.actor,
        comment=comment,
        created_at=now,
        updated_at=now,
    )
    session.add(version)
    session.flush()
    return version


def update_draft(
    session: Session,
    *,
    principal: Principal,
    plan_id: uuid.UUID,
    number: int,
    now: datetime,
    definition: Mapping[str, Any] | None = None,
    effective_from: str | None = None,
    comment: str | None = None,
    expected_version: int | None = None,
) -> CompensationPlanVersion:
    """Change a draft; whoever changes it becomes its author (so cannot approve it)."""
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    plan = get_plan(session, principal=principal, plan_id=plan_id)
    version = get_version(session, principal=principal, plan_id=plan_id, number=number)
    _check_expected(version, expected_version)
    if version.state != VersionState.DRAFT.value:
        raise RuleViolation(
            f"Version {number} of {plan.code} is {version.state}; only a draft can change",
            [ErrorDetail("state", "create a new version instead")],
        )
    period = (
        Period.parse(str(effective_from), location="effectiveFrom")
        if effective_from is not None
        else Period.parse(version.effective_from)
    )
    if definition is not None:
        version.definition = check_definition(
            session, plan=plan, definition=definition, number=number, period=period
        )
    version.effective_from = str(period)
    if comment is not None:
        problems: list[ErrorDetail] = []
        version.comment = _text(comment, "comment", _TEXT_LENGTH, problems)
        if problems:
            raise InvalidInput("Invalid plan version", problems)
    version.author = principal.actor
    version.updated_at = now
    session.flush()
    return version


def check_definition(
    session: Session,
    *,
    plan: CompensationPlan,
    definition: Mapping[str, Any],
    number: int,
    period: Period,
) -> dict[str, Any]:
    """The definition, parsed and validated; raises with every problem's location."""
    if not isinstance(definition, Mapping):
        raise InvalidInput(
            "Invalid plan definition", [ErrorDetail("definition", "expected a JSON object")]
        )
    built = plan_from_definition(
        definition, code=plan.code, number=number, currency=plan.currency, period=period
    )
    validate_plan(built, product_families=family_codes(session))
    return dict(definition)


def transition_version(
    session: Session,
    *,
    principal: Principal,
    plan_id: uuid.UUID,
    number: int,
    action: str,
    now: datetime,
    comment: str = "",
    expected_version: int | None = None,
) -> CompensationPlanVersion:
    """submit, withdraw, reject or approve a version (approval by someone other than its
    author; approving supersedes the approved version with the latest earlier first month)."""
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    if action not in ACTIONS:
        raise InvalidInput(
            "Unknown action", [ErrorDetail("action", f"expected one of {', '.join(ACTIONS)}")]
        )
    plan = get_plan(session, principal=principal, plan_id=plan_id)
    version = get_version(session, principal=principal, plan_id=plan_id, number=number)
    _check_expected(version, expected_version)
    sources, target = ACTIONS[action]
    if version.state not in [s.value for s in sources]:
        raise RuleViolation(
            f"Version {number} of {plan.code} is {version.state}; it cannot {action}",
            [ErrorDetail("action", f"{action} applies to a {' or '.join(sources)} version")],
        )
    if action == "approve":
        require_second_person(
            principal,
            first=version.author,
            role="author",
            did=f"wrote version {number} of {plan.code}",
        )
        # Re-check against today's catalogue: a family may have gone since it was saved.
        check_definition(
            session,
            plan=plan,
            definition=version.definition,
            number=number,
            period=Period.parse(version.effective_from),
        )
        _supersede(session, plan, version, now)
        version.approved_by = principal.actor
        version.approved_at = now
    if action == "submit":
        version.submitted_by = principal.actor
        version.submitted_at = now
    if comment:
        problems: list[ErrorDetail] = []
        text = _text(comment, "comment", _TEXT_LENGTH, problems)
        if problems:
            raise InvalidInput("Invalid comment", problems)
        if version.state == VersionState.DRAFT.value or action in ("submit",):
            version.comment = text
    version.state = target.value
    version.updated_at = now
    plan.updated_at = now
    session.flush()
    return version


def _supersede(
    session: Session, plan: CompensationPlan, version: CompensationPlanVersion, now: datetime
) -> None:
    """Approved versions in force from the same or an earlier month than ``version`` become
    superseded by it when ``version`` is the newer decision for those months; an approved
    version from the very same month is replaced outright (still kept, superseded)."""
    approved = session.scalars(
        select(CompensationPlanVersion).where(
            CompensationPlanVersion.plan_id == plan.id,
            CompensationPlanVersion.state == VersionState.APPROVED.value,
            CompensationPlanVersion.id != version.id,
        )
    ).all()
    for other in approved:
        if other.effective_from <= version.effective_from:
            other.state = VersionState.SUPERSEDED.value
            other.superseded_at = now
            other.updated_at = now


def _check_expected(version: CompensationPlanVersion, expected: int | None) -> None:
    if expected is not None and version.version != expected:
        raise PreconditionFailed(
            f"Plan version {version.number} was changed by someone else "
            f"(version {version.version}, you had {expected}); reload and try again"
        )


def _text(
    value: object, location: str, limit: int, problems: list[ErrorDetail], *, required: bool = False
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(ErrorDetail(location, "expected text"))
        return ""
    text = value.strip()
    if "\x00" in text:
        problems.append(ErrorDetail(location, NUL_MESSAGE))
        return ""
    if required and not text:
        problems.append(ErrorDetail(location, "is required"))
    if len(text) > limit:
        problems.append(ErrorDetail(location, f"at most {limit} characters"))
    return text
