"""Recommendation rules: when a condition holds, recommend an offering (or a family) with a
weight and a reason for the agent.

Maintained by whoever maintains pricing (family PRICING). A rule's condition is written in
the one condition language (``salesdev.engine.rules``) and stored in its canonical JSON.
Validity is half-open; ``status`` ``inactive`` switches a rule off without ending it.
Offerings and families may be given by id or by code (``offering`` / ``family``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    Conflict,
    ErrorDetail,
    InvalidInput,
    NotFound,
    PreconditionFailed,
)
from salesdev.core.periods import parse_instant, require_aware
from salesdev.db.models import ProductFamily, ProductOffering
from salesdev.db.models.guidance import RecommendationRule
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize
from salesdev.engine.rules import condition_to_json, parse_condition

RULE_STATUSES = ("active", "inactive")
RULE_FIELDS = (
    "name",
    "condition",
    "product_offering_id",
    "family_id",
    "score",
    "reason",
    "status",
    "valid_from",
    "valid_to",
)
MAX_SCORE = Decimal(1000)
MAX_REASON = 500


def get_recommendation_rule(
    session: Session, *, principal: Principal, rule_id: uuid.UUID
) -> RecommendationRule:
    authorize(principal, Family.PRICING, "read")
    rule = session.get(RecommendationRule, rule_id)
    if rule is None:
        raise NotFound(f"Recommendation rule {rule_id} does not exist")
    return rule


def _parse_uuid(raw: str) -> uuid.UUID:
    return uuid.UUID(raw)


def _parse_time(raw: str) -> datetime:
    return parse_instant(raw)


def _parse_decimal(raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ValueError(f"expected a decimal number, got {raw!r}") from None
    if not value.is_finite() or abs(value) > MAX_SCORE * 1000:
        raise ValueError(f"expected a decimal number, got {raw!r}")
    return value


RULE_ATTRIBUTES: dict[str, Attribute] = {
    "name": Attribute(RecommendationRule.name),
    "status": Attribute(RecommendationRule.status),
    "score": Attribute(RecommendationRule.score, parse=_parse_decimal),
    "productOfferingId": Attribute(RecommendationRule.product_offering_id, parse=_parse_uuid),
    "familyId": Attribute(RecommendationRule.family_id, parse=_parse_uuid),
    "validFrom": Attribute(RecommendationRule.valid_from, parse=_parse_time),
    "validTo": Attribute(RecommendationRule.valid_to, parse=_parse_time),
}


def list_recommendation_rules(
    session: Session, *, principal: Principal, query: ListQuery
) -> Page[RecommendationRule]:
    """Rules by name unless sorted otherwise."""
    authorize(principal, Family.PRICING, "read")
    return fetch_page(
        session,
        select(RecommendationRule),
        attributes=RULE_ATTRIBUTES,
        query=query,
        tie_breaker=RecommendationRule.id,
        default_sort=(SortKey("name"),),
    )


def rules_in_force(session: Session, *, at: datetime) -> list[RecommendationRule]:
    """Active rules whose validity contains ``at`` (no permission check: for the strategy)."""
    require_aware(at, location="at")
    rule = RecommendationRule
    return list(
        session.scalars(
            select(rule)
            .where(
                rule.status == "active",
                rule.valid_from <= at,
                or_(rule.valid_to.is_(None), rule.valid_to > at),
            )
            .order_by(rule.name, rule.id)
        )
    )


def create_recommendation_rule(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> RecommendationRule:
    """Validate every field (all problems reported at once) and store the rule."""
    authorize(principal, Family.PRICING, "write")
    require_aware(now, location="now")
    clean = _validate(session, values, partial=False)
    _check_name_free(session, clean["name"], rule_id=None)
    rule = RecommendationRule(**clean, author=principal.actor, created_at=now, updated_at=now)
    session.add(rule)
    session.flush()
    return rule


def update_recommendation_rule(
    session: Session,
    *,
    principal: Principal,
    rule_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None = None,
) -> RecommendationRule:
    """Change some fields; the target stays exactly one of offering and family."""
    require_aware(now, location="now")
    rule = get_recommendation_rule(session, principal=principal, rule_id=rule_id)
    authorize(principal, Family.PRICING, "write")
    _check_version(rule, expected_version)
    clean = _validate(session, changes, partial=True)
    # Naming one target replaces the other.
    if "product_offering_id" in clean and clean["product_offering_id"] is not None:
        clean.setdefault("family_id", None)
    if "family_id" in clean and clean["family_id"] is not None:
        clean.setdefault("product_offering_id", None)
    merged_offering = clean.get("product_offering_id", rule.product_offering_id)
    merged_family = clean.get("family_id", rule.family_id)
    errors = _target_errors(merged_offering, merged_family)
    valid_from = clean.get("valid_from", rule.valid_from)
    valid_to = clean.get("valid_to", rule.valid_to)
    if valid_to is not None and valid_to <= valid_from:
        errors.append(ErrorDetail("valid_to", "must be after valid_from"))
    if errors:
        raise InvalidInput("Invalid recommendation rule", errors)
    if "name" in clean and clean["name"] != rule.name:
        _check_name_free(session, clean["name"], rule_id=rule.id)
    changed = {key: value for key, value in clean.items() if getattr(rule, key) != value}
    for key, value in changed.items():
        setattr(rule, key, value)
    if changed:
        rule.updated_at = now
        session.flush()
    return rule


def delete_recommendation_rule(
    session: Session,
    *,
    principal: Principal,
    rule_id: uuid.UUID,
    expected_version: int | None = None,
) -> None:
    """Remove a rule (the audit trail keeps what it was); to keep it, make it inactive."""
    rule = get_recommendation_rule(session, principal=principal, rule_id=rule_id)
    authorize(principal, Family.PRICING, "write")
    _check_version(rule, expected_version)
    session.delete(rule)
    session.flush()


# --- validation ----------------------------------------------------------------------------


def _check_version(rule: RecommendationRule, expected_version: int | None) -> None:
    if expected_version is not None and rule.version != expected_version:
        raise PreconditionFailed(
            f"Recommendation rule {rule.name} was changed by someone else "
            f"(version {rule.version}, you had {expected_version}); reload and try again"
        )


def _check_name_free(session: Session, name: str, *, rule_id: uuid.UUID | None) -> None:
    statement = select(RecommendationRule.id).where(RecommendationRule.name == name)
    if rule_id is not None:
        statement = statement.where(RecommendationRule.id != rule_id)
    if session.scalar(statement) is not None:
        raise Conflict(
            f"A recommendation rule named {name!r} already exists",
            [ErrorDetail("name", "rule names are unique")],
        )


def _target_errors(offering: uuid.UUID | None, family: uuid.UUID | None) -> list[ErrorDetail]:
    if (offering is None) == (family is None):
        return [
            ErrorDetail(
                "product_offering_id",
                "name exactly one target: an offering or a product family",
            )
        ]
    return []


def _validate(session: Session, values: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    aliases = {"offering": "product_offering_id", "family": "family_id"}
    errors = [
        ErrorDetail(key, f"unknown field; known: {', '.join(RULE_FIELDS)}")
        for key in values
        if key not in RULE_FIELDS and key not in aliases
    ]
    clean: dict[str, Any] = {}
    for key, raw in values.items():
        field = aliases.get(key, key)
        if field not in RULE_FIELDS:
            continue
        parser = _PARSERS[field]
        try:
            clean[field] = parser(session, raw, key)
        except InvalidInput as exc:
            errors += exc.details or [ErrorDetail(key, exc.message)]
    if not partial:
        for required in ("name", "condition", "score", "reason", "valid_from"):
            if clean.get(required) is None and not any(e.location == required for e in errors):
                errors.append(ErrorDetail(required, "is required"))
        if not any(
            e.location in ("product_offering_id", "family_id", "offering", "family") for e in errors
        ):
            errors += _target_errors(clean.get("product_offering_id"), clean.get("family_id"))
        clean.setdefault("status", "active")
        clean.setdefault("valid_to", None)
        start, end = clean.get("valid_from"), clean.get("valid_to")
        if start is not None and end is not None and end <= start:
            errors.append(ErrorDetail("valid_to", "must be after valid_from"))
        clean.setdefault("product_offering_id", None)
        clean.setdefault("family_id", None)
    if errors:
        raise InvalidInput("Invalid recommendation rule", errors)
    return clean


def _fail(location: str, message: str) -> InvalidInput:
    return InvalidInput("Invalid recommendation rule", [ErrorDetail(location, message)])


def _name(_session: Session, raw: Any, location: str) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise _fail(location, "is required")
    if len(text) > 200:
        raise _fail(location, "at most 200 characters")
    return text


def _condition(_session: Session, raw: Any, location: str) -> dict[str, Any]:
    if raw is None:
        raise _fail(location, 'is required (use {"all": []} for always)')
    return dict(condition_to_json(parse_condition(raw, location=location)))


def _offering(session: Session, raw: Any, location: str) -> uuid.UUID | None:
    if raw is None or raw == "":
        return None
    found = _lookup(session, ProductOffering, raw)
    if found is None:
        raise _fail(location, f"no product offering with id or code {raw!s:.60}")
    return found


def _family(session: Session, raw: Any, location: str) -> uuid.UUID | None:
    if raw is None or raw == "":
        return None
    found = _lookup(session, ProductFamily, raw)
    if found is None:
        raise _fail(location, f"no product family with id or code {raw!s:.60}")
    return found


def _lookup(session: Session, model: Any, raw: Any) -> uuid.UUID | None:
    if isinstance(raw, uuid.UUID):
        return raw if session.get(model, raw) is not None else None
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    try:
        entity_id = uuid.UUID(text)
    except ValueError:
        found: uuid.UUID | None = session.scalar(select(model.id).where(model.code == text))
        return found
    return entity_id if session.get(model, entity_id) is not None else None


def _score(_session: Session, raw: Any, location: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise _fail(location, f"expected a decimal number (as a string or integer), got {raw!r}")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise _fail(location, f"not a decimal number: {raw!r}") from None
    if not value.is_finite() or abs(value) > MAX_SCORE:
        raise _fail(location, f"must be between -{MAX_SCORE} and {MAX_SCORE}, got {raw!r}")
    if value != value.quantize(Decimal("0.0001")):
        raise _fail(location, f"at most 4 decimal places, got {raw!r}")
    return value


def _reason(_session: Session, raw: Any, location: str) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise _fail(location, "is required: the agent is told why")
    if len(text) > MAX_REASON:
        raise _fail(location, f"at most {MAX_REASON} characters")
    return text


def _status(_session: Session, raw: Any, location: str) -> str:
    if raw not in RULE_STATUSES:
        raise _fail(location, f"expected one of {', '.join(RULE_STATUSES)}; got {raw!r}")
    return str(raw)


def _instant(_session: Session, raw: Any, location: str) -> datetime | None:
    if raw is None or raw == "":
        if location == "valid_from":
            raise _fail(location, "is required")
        return None
    try:
        return parse_instant(raw)
    except ValueError as exc:
        raise _fail(location, str(exc)) from None


_PARSERS: dict[str, Callable[[Session, Any, str], Any]] = {
    "name": _name,
    "condition": _condition,
    "product_offering_id": _offering,
    "family_id": _family,
    "score": _score,
    "reason": _reason,
    "status": _status,
    "valid_from": _instant,
    "valid_to": _instant,
}
