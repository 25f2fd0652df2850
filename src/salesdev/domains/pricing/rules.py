"""Pricing rules of a price list version: discounts and surcharges with a condition.

Rules belong to a version (not to a channel), so they are reviewed and approved with the
prices they change, never change once approved, and a version's compiled rules can be
cached by the version's identity (see ``resolution``). The condition is written in the
rule language (``salesdev.engine.rules``) and validated against ``SALE_VOCABULARY``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, RuleViolation
from salesdev.core.ids import new_id
from salesdev.db.models import ProductFamily, ProductOffering
from salesdev.db.models.pricing import (
    PriceGuardRail,
    PriceList,
    PriceListEntry,
    PriceListVersion,
    PricingRule,
)
from salesdev.domains.access import Principal
from salesdev.domains.pricing.common import (
    HUNDRED,
    MAX_AMOUNT,
    check_expected,
    check_period,
    decimal_value,
    get_version,
    instant_value,
    iso,
    text_value,
)
from salesdev.domains.pricing.guardrails import applicable, guard_rails_overlapping, to_engine
from salesdev.domains.pricing.lists import editable_version, touch
from salesdev.engine.pricing import (
    APPLIES_TO,
    RULE_KINDS,
    RULE_METHODS,
    RULE_TARGETS,
    STACKING_POLICIES,
    Charge,
    CompiledRule,
    rule_violations,
)
from salesdev.engine.rules import (
    SALE_VOCABULARY,
    Condition,
    compile_predicate,
    condition_to_json,
    describe,
    explain,
    parse_condition,
)

RULE_FIELDS = (
    "name",
    "description",
    "kind",
    "method",
    "value",
    "appliesTo",
    "target",
    "family",
    "offerings",
    "condition",
    "priority",
    "stacking",
    "validFrom",
    "validTo",
)
MAX_OFFERINGS = 500


def list_rules(
    session: Session, *, principal: Principal, version_id: uuid.UUID
) -> list[PricingRule]:
    _, version = get_version(session, principal=principal, version_id=version_id)
    return list(
        session.scalars(
            select(PricingRule)
            .where(PricingRule.version_id == version.id)
            .order_by(PricingRule.priority.desc(), PricingRule.name)
        )
    )


def get_rule(session: Session, *, principal: Principal, rule_id: uuid.UUID) -> PricingRule:
    rule = session.get(PricingRule, rule_id)
    if rule is None:
        raise NotFound(f"Pricing rule {rule_id} does not exist")
    try:
        get_version(session, principal=principal, version_id=rule.version_id)
    except NotFound:
        raise NotFound(f"Pricing rule {rule_id} does not exist") from None
    return rule


def _validate(
    session: Session, values: Mapping[str, Any], version_id: uuid.UUID, rule_id: uuid.UUID | None
) -> dict[str, Any]:
    """Column values from API-style names; every problem reported at once."""
    errors: list[ErrorDetail] = []
    unknown = sorted(set(values) - set(RULE_FIELDS))
    errors += [
        ErrorDetail(k, f"unknown attribute; known: {', '.join(RULE_FIELDS)}") for k in unknown
    ]
    out: dict[str, Any] = {
        "name": text_value(values.get("name"), "name", errors, max_length=200, required=True),
        "description": text_value(
            values.get("description"), "description", errors, max_length=2000
        ),
    }
    for key, column, choices in (
        ("kind", "kind", RULE_KINDS),
        ("method", "method", RULE_METHODS),
        ("appliesTo", "applies_to", APPLIES_TO),
        ("target", "target", RULE_TARGETS),
        ("stacking", "stacking", STACKING_POLICIES),
    ):
        raw = values.get(key)
        if raw not in choices:
            errors.append(
                ErrorDetail(key, f"expected one of {', '.join(choices)}; got {raw!r}")
                if raw is not None
                else ErrorDetail(key, f"is required: one of {', '.join(choices)}")
            )
        out[column] = raw
    high = HUNDRED if out["method"] == "percentage" and out["kind"] == "discount" else MAX_AMOUNT
    value = decimal_value(values.get("value"), "value", errors, required=True, high=high)
    if value is not None and value == 0:
        errors.append(ErrorDetail("value", "must be more than 0"))
    out["value"] = value
    priority = values.get("priority", 0)
    if (
        isinstance(priority, bool)
        or not isinstance(priority, int)
        or not -(10**6) <= priority <= 10**6
    ):
        errors.append(ErrorDetail("priority", "expected a whole number from -1000000 to 1000000"))
        priority = 0
    out["priority"] = priority
    out["family_id"], out["offering_ids"] = None, []
    if out["target"] == "family":
        family = _family(session, values.get("family"), errors)
        out["family_id"] = family
    elif out["target"] == "offerings":
        out["offering_ids"] = _offerings(session, values.get("offerings"), errors)
    elif values.get("family") or values.get("offerings"):
        errors.append(ErrorDetail("target", "a rule for all offerings names no family or offering"))
    start = instant_value(values.get("validFrom"), "validFrom", errors)
    end = instant_value(values.get("validTo"), "validTo", errors)
    check_period(start, end, "validTo", errors)
    out["valid_from"], out["valid_to"] = start, end
    raw_condition = values.get("condition")
    if raw_condition is None:
        raw_condition = {"all": []}
    try:
        out["condition"] = condition_to_json(
            parse_condition(raw_condition, vocabulary=SALE_VOCABULARY)
        )
    except InvalidInput as exc:
        errors += exc.details
    if not errors and out["name"]:
        clash = session.scalar(
            select(PricingRule.id).where(
                PricingRule.version_id == version_id,
                PricingRule.name == out["name"],
                PricingRule.id != (rule_id or uuid.UUID(int=0)),
            )
        )
        if clash is not None:
            errors.append(
                ErrorDetail("name", f"the version already has a rule named {out['name']!r}")
            )
    if errors:
        raise InvalidInput("Invalid pricing rule", errors)
    return out


def _family(session: Session, raw: Any, errors: list[ErrorDetail]) -> uuid.UUID | None:
    if raw in (None, ""):
        errors.append(ErrorDetail("family", "is required for a family rule (id or code)"))
        return None
    text = str(raw)
    try:
        found = session.get(ProductFamily, uuid.UUID(text))
    except ValueError:
        found = session.scalar(select(ProductFamily).where(ProductFamily.code == text))
    if found is None:
        errors.append(ErrorDetail("family", f"no product family {text!r}"))
        return None
    return found.id


def _offerings(session: Session, raw: Any, errors: list[ErrorDetail]) -> list[str]:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_OFFERINGS:
        errors.append(
            ErrorDetail("offerings", f"give 1 to {MAX_OFFERINGS} offering ids or codes as a list")
        )
        return []
    ids: list[str] = []
    for index, item in enumerate(raw):
        text = str(item.get("id") if isinstance(item, Mapping) else item)
        try:
            found = session.get(ProductOffering, uuid.UUID(text))
        except ValueError:
            found = session.scalar(select(ProductOffering).where(ProductOffering.code == text))
        if found is None:
            errors.append(ErrorDetail(f"offerings[{index}]", f"no product offering {text!r}"))
        elif str(found.id) not in ids:
            ids.append(str(found.id))
    return ids


def create_rule(
    session: Session,
    *,
    principal: Principal,
    version_id: uuid.UUID,
    values: Mapping[str, Any],
    now: datetime,
) -> PricingRule:
    price_list, version = editable_version(session, principal, version_id, None)
    clean = _validate(session, values, version.id, None)
    rule = PricingRule(id=new_id(), version_id=version.id, created_at=now, updated_at=now, **clean)
    check_rules_against_guard_rails(session, price_list, version, rule)
    session.add(rule)
    touch(version, principal, now)
    session.flush()
    return rule


def update_rule(
    session: Session,
    *,
    principal: Principal,
    rule_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None = None,
) -> PricingRule:
    rule = get_rule(session, principal=principal, rule_id=rule_id)
    price_list, version = editable_version(session, principal, rule.version_id, None)
    check_expected(rule, expected_version, "Pricing rule")
    merged = {**rule_values(session, rule), **changes}
    clean = _validate(session, merged, version.id, rule.id)
    candidate = PricingRule(id=rule.id, version_id=version.id, **clean)
    check_rules_against_guard_rails(session, price_list, version, candidate)
    for column, value in clean.items():
        if getattr(rule, column) != value:
            setattr(rule, column, value)
    if session.is_modified(rule):
        rule.updated_at = now
        touch(version, principal, now)
    session.flush()
    return rule


def delete_rule(
    session: Session,
    *,
    principal: Principal,
    rule_id: uuid.UUID,
    now: datetime,
    expected_version: int | None = None,
) -> None:
    rule = get_rule(session, principal=principal, rule_id=rule_id)
    _, version = editable_version(session, principal, rule.version_id, None)
    check_expected(rule, expected_version, "Pricing rule")
    session.delete(rule)
    touch(version, principal, now)
    session.flush()


def rule_values(session: Session, rule: PricingRule) -> dict[str, Any]:
    """The rule in the API's names (as ``create_rule`` takes them)."""
    return {
        "name": rule.name,
        "description": rule.description,
        "kind": rule.kind,
        "method": rule.method,
        "value": rule.value,
        "appliesTo": rule.applies_to,
        "target": rule.target,
        "family": str(rule.family_id) if rule.family_id else None,
        "offerings": list(rule.offering_ids) or None,
        "condition": rule.condition,
        "priority": rule.priority,
        "stacking": rule.stacking,
        "validFrom": rule.valid_from,
        "validTo": rule.valid_to,
    }


def parsed_condition(rule: PricingRule) -> Condition:
    return parse_condition(rule.condition, vocabulary=SALE_VOCABULARY)


def compile_rule(rule: PricingRule) -> CompiledRule:
    """The engine's form: the condition compiled once into a predicate."""
    condition = parsed_condition(rule)

    def explainer(context: Any) -> str:
        return "; ".join(explain(condition, context).failed) or "the condition does not hold"

    return CompiledRule(
        id=rule.id,
        name=rule.name,
        kind=rule.kind,  # type: ignore[arg-type]  # validated on save
        method=rule.method,  # type: ignore[arg-type]
        value=Decimal(rule.value),
        applies_to=rule.applies_to,  # type: ignore[arg-type]
        target=rule.target,  # type: ignore[arg-type]
        priority=rule.priority,
        stacking=rule.stacking,  # type: ignore[arg-type]
        predicate=compile_predicate(condition),
        explain=explainer,
        family_id=rule.family_id,
        offering_ids=frozenset(uuid.UUID(i) for i in rule.offering_ids),
        valid_from=rule.valid_from,
        valid_to=rule.valid_to,
        condition_text=describe(condition, vocabulary=SALE_VOCABULARY),
    )


def check_rules_against_guard_rails(
    session: Session, price_list: PriceList, version: PriceListVersion, rule: PricingRule | None
) -> None:
    """Refuse a rule (or, with None, every rule of the version) that alone breaks a
    guard-rail overlapping the version's validity, for any entry it targets."""
    rows = guard_rails_overlapping(
        session, price_list.channel_id, version.valid_from, version.valid_to
    )
    if not rows:
        return
    rules = (
        [rule]
        if rule is not None
        else list(session.scalars(select(PricingRule).where(PricingRule.version_id == version.id)))
    )
    entries = session.execute(
        select(PriceListEntry, ProductOffering.code, ProductOffering.family_id)
        .join(ProductOffering, ProductOffering.id == PriceListEntry.product_offering_id)
        .where(PriceListEntry.version_id == version.id)
    ).all()
    problems: list[ErrorDetail] = []
    for candidate in rules:
        compiled = compile_rule(candidate)
        targeted = [
            (e, code)
            for e, code, family_id in entries
            if compiled.target == "all"
            or (compiled.target == "family" and family_id == compiled.family_id)
            or e.product_offering_id in compiled.offering_ids
        ]
        channel_rows = [r for r in rows if r.product_offering_id is None]
        checks: list[
            tuple[PriceGuardRail, list[tuple[str, dict[Charge, Decimal | None], Decimal | None]]]
        ] = [(r, []) for r in channel_rows] if not targeted else []
        for e, code in targeted:
            base = {Charge.RECURRING: e.recurring_amount, Charge.ONE_TIME: e.one_time_amount}
            for row in applicable(rows, e.product_offering_id):
                checks.append((row, [(f"offering {code}", base, e.unit_cost)]))
        seen: set[str] = set()
        for row, items in checks:
            for text in rule_violations(compiled, to_engine(row, price_list.currency), items):
                message = f"{text} (guard-rail {row.id}, from {iso(row.valid_from)})"
                if message not in seen:
                    seen.add(message)
                    problems.append(ErrorDetail(f"rule {candidate.name!r}", message))
    if problems:
        raise RuleViolation("A pricing rule breaks a guard-rail by itself", problems)
