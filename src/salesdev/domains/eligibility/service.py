"""Eligibility rules: create, change, end, delete, list; validated against the rules language.

A rule applies to one offering, to every offering of a family, or to every offering. Its
``kind`` says which criteria it holds (the issue: "criteria can differ for premise or
customer"): a ``customer`` rule reads customer, channel, partner, offering and sale
attributes and never the premise's; a ``premise`` rule reads at least one premise
attribute (technology at the address, region) and can only hold when a premise is given.

History is never rewritten: once a rule is in force (``valid_from <= now``) its condition,
kind, scope, reason code and start are fixed; it can be ended (``valid_to``, never in the
past) and its name, description and label corrected. A rule not yet in force can be
changed freely or deleted.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    Conflict,
    ErrorDetail,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RuleViolation,
)
from salesdev.core.periods import require_aware
from salesdev.db.models import ProductFamily, ProductOffering
from salesdev.db.models.selling import EligibilityRule
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize
from salesdev.engine.rules import (
    SALE_VOCABULARY,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Not,
    condition_to_json,
    parse_condition,
)

RULE_KINDS = ("customer", "premise")
APPLIES_TO = ("offering", "family", "all")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,47}$")
REASON_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{1,47}$")
_LIMITS = {"name": 200, "label": 300, "description": 4000}
# What may change once a rule is in force (the rest is history).
MUTABLE_IN_FORCE = frozenset({"name", "description", "label", "valid_to"})
RULE_FIELDS = (
    "code",
    "name",
    "description",
    "kind",
    "applies_to",
    "product_offering_id",
    "product_family_id",
    "condition",
    "reason_code",
    "label",
    "valid_from",
    "valid_to",
)


@dataclass(frozen=True)
class RuleInput:
    """A rule as given (a form, an API body, a file row); the service validates it."""

    code: str
    name: str
    kind: str
    applies_to: str
    condition: Any
    reason_code: str
    label: str
    valid_from: datetime
    valid_to: datetime | None = None
    product_offering_id: uuid.UUID | None = None
    product_family_id: uuid.UUID | None = None
    description: str = ""


def iso(value: datetime | None) -> str:
    if value is None:
        return "open-ended"
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def attributes_of(condition: Condition) -> set[str]:
    """Every attribute a condition reads."""
    if isinstance(condition, Comparison):
        return {condition.attribute}
    if isinstance(condition, Not):
        return attributes_of(condition.part)
    assert isinstance(condition, AllOf | AnyOf)
    found: set[str] = set()
    for part in condition.parts:
        found |= attributes_of(part)
    return found


def reads_premise(condition: Condition) -> bool:
    return any(name.startswith("premise.") for name in attributes_of(condition))


def validate_rule(session: Session, rule: RuleInput) -> tuple[Condition | None, list[ErrorDetail]]:
    """Every problem of ``rule`` (each naming its field), and the parsed condition."""
    errors: list[ErrorDetail] = []
    code = rule.code.strip() if isinstance(rule.code, str) else ""
    if not code:
        errors.append(ErrorDetail("code", "is required"))
    elif not CODE_PATTERN.match(code):
        errors.append(
            ErrorDetail("code", "1 to 48 letters, digits, '.', '_' or '-', starting alphanumeric")
        )
    for field, limit in _LIMITS.items():
        value = getattr(rule, field)
        if not isinstance(value, str):
            errors.append(ErrorDetail(field, "expected text"))
        elif field != "description" and not value.strip():
            errors.append(ErrorDetail(field, "is required"))
        elif len(value) > limit:
            errors.append(ErrorDetail(field, f"at most {limit} characters"))
    if not isinstance(rule.reason_code, str) or not REASON_PATTERN.match(rule.reason_code):
        errors.append(
            ErrorDetail(
                "reason_code",
                "a stable code of 2 to 48 capital letters, digits or '_' starting with a letter, "
                "e.g. CREDIT_CLASS",
            )
        )
    if rule.kind not in RULE_KINDS:
        errors.append(ErrorDetail("kind", f"expected one of {', '.join(RULE_KINDS)}"))
    errors += _scope_errors(session, rule)
    errors += _period_errors(rule.valid_from, rule.valid_to)
    condition: Condition | None = None
    try:
        condition = parse_condition(rule.condition, vocabulary=SALE_VOCABULARY)
    except InvalidInput as exc:
        errors += exc.details
    if condition is not None and rule.kind in RULE_KINDS:
        if rule.kind == "premise" and not reads_premise(condition):
            errors.append(
                ErrorDetail(
                    "condition",
                    "a premise rule reads at least one premise attribute "
                    "(premise.technologies, premise.region)",
                )
            )
        if rule.kind == "customer" and reads_premise(condition):
            errors.append(
                ErrorDetail(
                    "condition",
                    "a customer rule does not read premise attributes; make it a premise rule",
                )
            )
    return condition, errors


def _scope_errors(session: Session, rule: RuleInput) -> list[ErrorDetail]:
    errors: list[ErrorDetail] = []
    if rule.applies_to not in APPLIES_TO:
        return [ErrorDetail("applies_to", f"expected one of {', '.join(APPLIES_TO)}")]
    offering, family = rule.product_offering_id, rule.product_family_id
    if rule.applies_to == "offering":
        if offering is None:
            errors.append(ErrorDetail("product_offering_id", "is required for an offering rule"))
        elif session.get(ProductOffering, offering) is None:
            errors.append(
                ErrorDetail("product_offering_id", f"no product offering with id {offering}")
            )
    elif offering is not None:
        errors.append(ErrorDetail("product_offering_id", "only an offering rule names one"))
    if rule.applies_to == "family":
        if family is None:
            errors.append(ErrorDetail("product_family_id", "is required for a family rule"))
        elif session.get(ProductFamily, family) is None:
            errors.append(ErrorDetail("product_family_id", f"no product family with id {family}"))
    elif family is not None:
        errors.append(ErrorDetail("product_family_id", "only a family rule names one"))
    return errors


def _period_errors(valid_from: Any, valid_to: Any) -> list[ErrorDetail]:
    errors: list[ErrorDetail] = []
    for location, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        if value is None and location == "valid_from":
            errors.append(ErrorDetail(location, "is required"))
        elif value is not None and (
            not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None
        ):
            errors.append(ErrorDetail(location, "expected a date and time with a timezone"))
    if not errors and valid_to is not None and valid_to <= valid_from:
        errors.append(ErrorDetail("valid_to", "must be after valid_from"))
    return errors


def create_rule(
    session: Session, *, principal: Principal, rule: RuleInput, now: datetime
) -> EligibilityRule:
    authorize(principal, Family.PRICING, "write")
    require_aware(now, location="now")
    condition, errors = validate_rule(session, rule)
    if errors or condition is None:
        raise InvalidInput("Invalid eligibility rule", errors)
    code = rule.code.strip()
    if session.scalar(select(EligibilityRule.id).where(EligibilityRule.code == code)):
        raise Conflict(
            f"An eligibility rule with code {code} already exists",
            [ErrorDetail("code", "is already used")],
        )
    row = EligibilityRule(
        code=code,
        name=rule.name.strip(),
        description=rule.description,
        kind=rule.kind,
        applies_to=rule.applies_to,
        product_offering_id=rule.product_offering_id,
        product_family_id=rule.product_family_id,
        condition=condition_to_json(condition),
        reason_code=rule.reason_code,
        label=rule.label.strip(),
        valid_from=rule.valid_from,
        valid_to=rule.valid_to,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def update_rule(
    session: Session,
    *,
    principal: Principal,
    rule_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None = None,
) -> EligibilityRule:
    """Apply ``changes`` (domain field names); a rule in force only gets ended or renamed."""
    row = _get_for_write(session, principal, rule_id, expected_version)
    require_aware(now, location="now")
    unknown = [ErrorDetail(k, "unknown field") for k in changes if k not in RULE_FIELDS]
    if unknown:
        raise InvalidInput("Invalid change of eligibility rule", unknown)
    real = {k: v for k, v in changes.items() if _current(row, k) != v}
    if not real:
        return row
    if row.valid_from <= now:
        fixed = sorted(set(real) - MUTABLE_IN_FORCE)
        if fixed:
            raise RuleViolation(
                f"Eligibility rule {row.code} is in force since {iso(row.valid_from)}; "
                "its history is not rewritten",
                [
                    ErrorDetail(
                        name,
                        "cannot change once the rule is in force; end it and create a new rule",
                    )
                    for name in fixed
                ],
            )
        if "valid_to" in real:
            if real["valid_to"] is None:
                raise RuleViolation(
                    "An end can be moved but not removed once in force",
                    [ErrorDetail("valid_to", "an end can be moved but not removed")],
                )
            if (
                isinstance(real["valid_to"], datetime)
                and real["valid_to"].tzinfo
                and (real["valid_to"] < now)
            ):
                raise RuleViolation(
                    "A rule cannot be ended in the past",
                    [ErrorDetail("valid_to", f"must be {iso(now)} or later")],
                )
            if row.valid_to is not None and row.valid_to <= now:
                raise RuleViolation(
                    f"Eligibility rule {row.code} already ended at {iso(row.valid_to)}",
                    [ErrorDetail("valid_to", "an ended rule is history and is not changed")],
                )
    merged = RuleInput(**{name: real.get(name, _current(row, name)) for name in RULE_FIELDS})
    condition, errors = validate_rule(session, merged)
    if errors or condition is None:
        raise InvalidInput("Invalid eligibility rule", errors)
    if "code" in real:
        taken = session.scalar(
            select(EligibilityRule.id).where(
                EligibilityRule.code == merged.code.strip(), EligibilityRule.id != row.id
            )
        )
        if taken:
            raise Conflict(
                f"An eligibility rule with code {merged.code} already exists",
                [ErrorDetail("code", "is already used")],
            )
    for name in real:
        value = getattr(merged, name)
        if name == "condition":
            value = condition_to_json(condition)
        elif name in ("code", "name", "label") and isinstance(value, str):
            value = value.strip()
        setattr(row, name, value)
    row.updated_at = now
    session.flush()
    return row


def _current(row: EligibilityRule, name: str) -> Any:
    return getattr(row, name)


def delete_rule(
    session: Session,
    *,
    principal: Principal,
    rule_id: uuid.UUID,
    now: datetime,
    expected_version: int | None = None,
) -> None:
    """Delete a rule that has not come into force; one that has is ended instead."""
    row = _get_for_write(session, principal, rule_id, expected_version)
    if row.valid_from <= require_aware(now, location="now"):
        raise RuleViolation(
            f"Eligibility rule {row.code} is in force since {iso(row.valid_from)}; end it instead",
            [ErrorDetail("valid_to", "set an end (validFor.endDateTime) to stop it")],
        )
    session.delete(row)
    session.flush()


def get_rule(session: Session, *, principal: Principal, rule_id: uuid.UUID) -> EligibilityRule:
    authorize(principal, Family.PRICING, "read")
    row = session.get(EligibilityRule, rule_id)
    if row is None:
        raise NotFound(f"Eligibility rule {rule_id} does not exist")
    return row


def get_rule_by_code(session: Session, *, principal: Principal, code: str) -> EligibilityRule:
    authorize(principal, Family.PRICING, "read")
    row = session.scalar(select(EligibilityRule).where(EligibilityRule.code == code))
    if row is None:
        raise NotFound(f"Eligibility rule {code} does not exist")
    return row


def _get_for_write(
    session: Session, principal: Principal, rule_id: uuid.UUID, expected_version: int | None
) -> EligibilityRule:
    row = get_rule(session, principal=principal, rule_id=rule_id)
    authorize(principal, Family.PRICING, "write")
    if expected_version is not None and row.version != expected_version:
        raise PreconditionFailed(
            f"Eligibility rule {row.code} was changed by someone else "
            f"(version {row.version}, you had {expected_version}); reload and try again"
        )
    return row


def _parse_uuid(raw: str) -> uuid.UUID:
    return uuid.UUID(raw)


def _parse_time(raw: str) -> datetime:
    value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("a timezone is required")
    return value


RULE_ATTRIBUTES: dict[str, Attribute] = {
    "id": Attribute(EligibilityRule.id, parse=_parse_uuid),
    "code": Attribute(EligibilityRule.code),
    "name": Attribute(EligibilityRule.name),
    "kind": Attribute(EligibilityRule.kind),
    "appliesTo": Attribute(EligibilityRule.applies_to),
    "reasonCode": Attribute(EligibilityRule.reason_code),
    "productOfferingId": Attribute(EligibilityRule.product_offering_id, parse=_parse_uuid),
    "productFamilyId": Attribute(EligibilityRule.product_family_id, parse=_parse_uuid),
    "validFrom": Attribute(EligibilityRule.valid_from, parse=_parse_time),
    "validTo": Attribute(EligibilityRule.valid_to, parse=_parse_time),
}


def list_rules(
    session: Session,
    *,
    principal: Principal,
    query: ListQuery,
    in_force_at: datetime | None = None,
) -> Page[EligibilityRule]:
    """Rules by code unless sorted otherwise; with ``in_force_at``, only those in force then."""
    authorize(principal, Family.PRICING, "read")
    statement = select(EligibilityRule)
    if in_force_at is not None:
        require_aware(in_force_at, location="in_force_at")
        statement = statement.where(
            EligibilityRule.valid_from <= in_force_at,
            or_(EligibilityRule.valid_to.is_(None), EligibilityRule.valid_to > in_force_at),
        )
    return fetch_page(
        session,
        statement,
        attributes=RULE_ATTRIBUTES,
        query=query,
        tie_breaker=EligibilityRule.id,
        default_sort=(SortKey("code"),),
    )
