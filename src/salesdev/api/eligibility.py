"""Eligibility rules (``eligibilityRule``) in the Sales Development API.

A rule holds a condition in the rules language (``docs/rules.md``) that must be true for
an offering (``appliesTo`` offering), every offering of a family (family) or every
offering (all) to be eligible; ``kind`` customer or premise; ``reasonCode`` and ``label``
are what a qualification shows when it fails. ``conditionText`` is the condition in words.
Once in force, only ``name``, ``description``, ``label`` and ``validFor.endDateTime`` change;
DELETE removes only a rule not yet in force (409/422 otherwise: end it instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from salesdev.api.actions import parse_instant
from salesdev.api.catalog import BASE_PATH as CATALOG_PATH
from salesdev.api.catalog_attributes import ForeignRef
from salesdev.api.sales_development import BASE_PATH as SALES_PATH
from salesdev.api.toolkit import Attr, Resource, Scalar, ValidFor
from salesdev.api.toolkit.attributes import Mode
from salesdev.api.toolkit.listing import ServiceNames
from salesdev.api.toolkit.operations import ServiceOperations
from salesdev.api.toolkit.resource import RenderContext
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.ids import parse_id
from salesdev.db.models import ProductFamily, ProductOffering
from salesdev.db.models.selling import EligibilityRule
from salesdev.domains.access import Family, Principal
from salesdev.domains.eligibility import (
    APPLIES_TO,
    RULE_ATTRIBUTES,
    RULE_KINDS,
    RuleInput,
    create_rule,
    delete_rule,
    get_rule,
    list_rules,
    update_rule,
)
from salesdev.engine.rules import describe, parse_condition

NAMES = ServiceNames(
    {
        "code": "code",
        "name": "name",
        "kind": "kind",
        "appliesTo": "appliesTo",
        "reasonCode": "reasonCode",
        "productOffering.id": "productOfferingId",
        "productFamily.id": "productFamilyId",
        "validFor.startDateTime": "validFrom",
        "validFor.endDateTime": "validTo",
    },
    RULE_ATTRIBUTES,
)


class ConditionAttr(Attr):
    name = "condition"
    required = True
    nullable = False
    description = (
        'The condition (rules language), e.g. {"attribute": "customer.credit_class", '
        '"op": "in", "value": ["A", "B"]}; {"all": []} always holds'
    )

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        return entity.condition

    def parse(self, raw: Any) -> dict[str, Any]:
        return {"condition": raw}

    def schema(self, mode: Mode) -> dict[str, Any]:
        return {"type": "object", "description": self.description}

    def locations(self) -> dict[str, str]:
        return {"condition": "condition"}


class ConditionText(Attr):
    name = "conditionText"
    readonly = True
    description = "The condition in words"

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        try:
            return describe(parse_condition(entity.condition))
        except InvalidInput:
            return None

    def parse(self, raw: Any) -> dict[str, Any]:
        raise InvalidInput("Invalid value", [ErrorDetail(self.name, "is set by the server")])

    def schema(self, mode: Mode) -> dict[str, Any]:
        return {"type": ["string", "null"], "readOnly": True, "description": self.description}


def _rule_values(values: Mapping[str, Any], errors: list[ErrorDetail]) -> dict[str, Any]:
    """Raw domain values (strings for ids and instants) as typed service values."""
    typed = dict(values)
    for domain, location in (
        ("product_offering_id", "productOffering.id"),
        ("product_family_id", "productFamily.id"),
    ):
        raw = typed.get(domain)
        if raw is not None:
            try:
                typed[domain] = parse_id(raw, location=location)
            except InvalidInput as exc:
                errors += exc.details
                typed[domain] = None
    for domain, location in (
        ("valid_from", "validFor.startDateTime"),
        ("valid_to", "validFor.endDateTime"),
    ):
        raw = typed.get(domain)
        if raw is not None:
            try:
                typed[domain] = parse_instant(raw, location=location)
            except InvalidInput as exc:
                errors += exc.details
                typed[domain] = None
    return typed


def _create_rule(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    errors: list[ErrorDetail] = []
    typed = _rule_values(values, errors)
    for domain, location in (
        ("code", "code"),
        ("name", "name"),
        ("kind", "kind"),
        ("applies_to", "appliesTo"),
        ("reason_code", "reasonCode"),
        ("label", "label"),
        ("condition", "condition"),
    ):
        if typed.get(domain) is None:
            errors.append(ErrorDetail(location, "is required"))
    if "valid_from" not in values:
        errors.append(ErrorDetail("validFor.startDateTime", "is required"))
    if errors:
        raise InvalidInput("Invalid EligibilityRule", errors)
    rule = RuleInput(
        code=typed["code"],
        name=typed["name"],
        kind=typed["kind"],
        applies_to=typed["applies_to"],
        condition=typed["condition"],
        reason_code=typed["reason_code"],
        label=typed["label"],
        valid_from=typed["valid_from"],
        valid_to=typed.get("valid_to"),
        product_offering_id=typed.get("product_offering_id"),
        product_family_id=typed.get("product_family_id"),
        description=typed.get("description") or "",
    )
    return create_rule(session, principal=principal, rule=rule, now=now)


def _update_rule(session: Session, *, changes: Mapping[str, Any], **call: Any) -> Any:
    errors: list[ErrorDetail] = []
    typed = _rule_values(changes, errors)
    if errors:
        raise InvalidInput("Invalid change of EligibilityRule", errors)
    if "description" in typed and typed["description"] is None:
        typed["description"] = ""
    return update_rule(session, changes=typed, **call)


def eligibility_rule_resource() -> Resource:
    return Resource(
        name="eligibilityRule",
        type="EligibilityRule",
        model=EligibilityRule,
        operations=ServiceOperations(
            EligibilityRule,
            "Eligibility rule",
            key="rule_id",
            get=get_rule,
            list=list_rules,
            names=NAMES,
            create=_create_rule,
            update=_update_rule,
            delete=delete_rule,
        ),
        family=Family.PRICING,
        display_attribute="code",
        filters=NAMES.published(),
        description=(
            "A condition that must hold for an offering, a family's offerings or every "
            "offering to be eligible, with the reason code and label shown when it does not"
        ),
        attributes=(
            Scalar("code", "code", required=True, nullable=False, max_length=48),
            Scalar("name", "name", required=True, nullable=False, max_length=200),
            Scalar("description", "description", max_length=4000),
            Scalar("kind", "kind", required=True, nullable=False, choices=RULE_KINDS),
            Scalar("appliesTo", "applies_to", required=True, nullable=False, choices=APPLIES_TO),
            ForeignRef(
                "productOffering",
                "product_offering_id",
                ProductOffering,
                CATALOG_PATH,
                "productOffering",
                "ProductOffering",
            ),
            ForeignRef(
                "productFamily",
                "product_family_id",
                ProductFamily,
                SALES_PATH,
                "productFamily",
                "ProductFamily",
            ),
            ConditionAttr(),
            ConditionText(),
            Scalar("reasonCode", "reason_code", required=True, nullable=False, max_length=48),
            Scalar("label", "label", required=True, nullable=False, max_length=300),
            ValidFor("valid_from", "valid_to", required=True),
            Scalar("creationDate", "created_at", "datetime", readonly=True),
            Scalar("lastUpdate", "updated_at", "datetime", readonly=True),
        ),
    )
