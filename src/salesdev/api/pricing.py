"""Channel pricing in the Sales Development API: price lists, their versions and entries,
pricing rules, guard-rails, and price resolution for a sale.

- ``priceList``: one per exact scope (channel; partner tier, market segment, region).
- ``priceListVersion``: validity and content; ``POST .../transition`` submits, approves
  (someone other than the author) or rejects it; ``GET|POST .../entry`` reads or writes
  its entries (a JSON list, or CSV text: all or nothing, errors by line).
- ``pricingRule``: discounts and surcharges of a version (a condition in the rule language).
- ``priceGuardRail``: per channel (or offering), effective-dated; PATCH only ends one.
- ``POST priceResolution``: the price of offerings (or a bundle) for a sale, shaped like a
  TMF620 price with ``priceAlteration[]`` and the rules not applied with their reasons.

Family ``pricing`` (read for everyone who sells; write for channel and product managers);
resolution is ``selling``. Partner users see only their channel's lists for their tier.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from salesdev.api.actions import count_headers, listed, parse_instant, request_body
from salesdev.api.catalog import BASE_PATH as CATALOG_PATH
from salesdev.api.catalog_attributes import ForeignRef
from salesdev.api.toolkit import Reference, Resource, Scalar, ValidFor
from salesdev.api.toolkit.attributes import Attr, Mode, ScalarType
from salesdev.api.toolkit.http import JsonBody, etag_headers, expected_version, json_body_reader
from salesdev.api.toolkit.http import path_id as parse_path_id
from salesdev.api.toolkit.openapi import error_responses, json_content, ref, register_schemas
from salesdev.api.toolkit.operations import ServiceOperations
from salesdev.api.toolkit.patching import JSON
from salesdev.api.toolkit.resource import ApiSpec, RenderContext
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.routes import IF_MATCH_HELP
from salesdev.api.toolkit.security import ApiCall, Guard, permit_write
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.ids import parse_id
from salesdev.core.money import Money
from salesdev.db.models import ProductOffering
from salesdev.db.models.pricing import (
    PriceGuardRail,
    PriceList,
    PriceListVersion,
    PricingRule,
)
from salesdev.db.query import SortKey
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.notifications import format_datetime
from salesdev.domains.pricing import (
    PARTNER_TIERS,
    TRANSITIONS,
    VERSION_STATUSES,
    EntryInput,
    GuardRailInput,
    PriceListInput,
    PriceResolution,
    create_guard_rail,
    create_price_list,
    create_rule,
    create_version,
    delete_rule,
    end_guard_rail,
    get_guard_rail,
    get_price_list,
    get_rule,
    get_version,
    guard_rail_scope,
    import_entries_csv,
    list_entries,
    resolve_prices,
    set_entries,
    transition_version,
    update_price_list,
    update_rule,
    update_version,
)
from salesdev.domains.pricing.common import price_list_scope
from salesdev.engine.pricing import (
    APPLIES_TO,
    RULE_KINDS,
    RULE_METHODS,
    RULE_TARGETS,
    STACKING_POLICIES,
    Alteration,
    NotApplied,
)

_TIMESTAMPS: tuple[Attr, ...] = (
    Scalar("creationDate", "created_at", "datetime", readonly=True),
    Scalar("lastUpdate", "updated_at", "datetime", readonly=True),
)


def _reference(raw: Any, location: str) -> uuid.UUID | None:
    return None if raw is None else parse_id(raw, location=location)


# --- priceList -----------------------------------------------------------------------------


def _price_lists(session: Session, *, principal: Principal) -> Select[Any]:
    authorize(principal, Family.PRICING, "read")
    condition = price_list_scope(session, principal)
    statement = select(PriceList)
    return statement if condition is None else statement.where(condition)


def _create_price_list(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    errors = []
    channel_id = None
    if values.get("channel_id") is None:
        errors.append(ErrorDetail("channel", "is required"))
    else:
        channel_id = parse_id(values["channel_id"], location="channel.id")
    if errors:
        raise InvalidInput("Invalid PriceList", errors)
    assert channel_id is not None
    return create_price_list(
        session,
        principal=principal,
        values=PriceListInput(
            name=values.get("name") or "",
            channel_id=channel_id,
            currency=values.get("currency") or "",
            partner_tier=values.get("partner_tier"),
            market_segment=values.get("market_segment"),
            region_id=_reference(values.get("region_id"), "region.id"),
            description=values.get("description") or "",
        ),
        now=now,
    )


def price_list_resource() -> Resource:
    return Resource(
        name="priceList",
        type="PriceList",
        model=PriceList,
        operations=ServiceOperations(
            PriceList,
            "Price list",
            key="price_list_id",
            get=get_price_list,
            select=_price_lists,
            default_sort=(SortKey("name"),),
            create=_create_price_list,
            update=update_price_list,
        ),
        family=Family.PRICING,
        description=(
            "A channel's price list for one exact scope (partner tier, market segment and "
            "region each optional = any) in one currency; its prices live in versions"
        ),
        attributes=(
            Scalar("name", "name", required=True, nullable=False, max_length=200),
            Scalar("description", "description", max_length=2000),
            Reference("channel", "channel_id", target="salesChannel", required=True),
            Scalar("partnerTier", "partner_tier", choices=PARTNER_TIERS),
            Scalar("marketSegment", "market_segment", max_length=32),
            Reference("region", "region_id", target="region"),
            Scalar("currency", "currency", required=True, nullable=False, max_length=3),
            Scalar("latestVersion", "latest_number", "int", readonly=True),
            *_TIMESTAMPS,
        ),
    )


# --- priceListVersion ----------------------------------------------------------------------


def _get_version(session: Session, *, principal: Principal, version_id: uuid.UUID) -> Any:
    return get_version(session, principal=principal, version_id=version_id)[1]


def _versions(session: Session, *, principal: Principal) -> Select[Any]:
    authorize(principal, Family.PRICING, "read")
    statement = select(PriceListVersion).join(
        PriceList, PriceList.id == PriceListVersion.price_list_id
    )
    condition = price_list_scope(session, principal)
    return statement if condition is None else statement.where(condition)


def _create_version(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    if values.get("price_list_id") is None:
        raise InvalidInput("Invalid PriceListVersion", [ErrorDetail("priceList", "is required")])
    return create_version(
        session,
        principal=principal,
        price_list_id=parse_id(values["price_list_id"], location="priceList.id"),
        valid_from=values.get("valid_from"),
        valid_to=values.get("valid_to"),
        copy_from=_reference(values.get("copied_from_id"), "copiedFrom.id"),
        comment=values.get("comment") or "",
        now=now,
    )


def _update_version(session: Session, *, changes: Mapping[str, Any], **call: Any) -> Any:
    fixed = sorted(set(changes) - {"valid_from", "valid_to", "comment"})
    if fixed:
        raise InvalidInput(
            "Invalid change of PriceListVersion",
            [ErrorDetail(name, "does not change") for name in fixed],
        )
    return update_version(
        session,
        valid_from=changes.get("valid_from"),
        valid_to=changes.get("valid_to"),
        clear_valid_to="valid_to" in changes and changes["valid_to"] is None,
        comment=changes.get("comment"),
        **call,
    )


def price_list_version_resource() -> Resource:
    return Resource(
        name="priceListVersion",
        type="PriceListVersion",
        model=PriceListVersion,
        operations=ServiceOperations(
            PriceListVersion,
            "Price list version",
            key="version_id",
            get=_get_version,
            select=_versions,
            create=_create_version,
            update=_update_version,
        ),
        family=Family.PRICING,
        display_attribute="id",
        description=(
            "The prices of a price list for a half-open validity: draft -> submitted -> "
            "approved (by someone other than the author) or rejected back to draft. Approved "
            "versions of a list never overlap and never change"
        ),
        attributes=(
            Reference("priceList", "price_list_id", target="priceList", required=True),
            Scalar("number", "number", "int", readonly=True),
            Scalar("status", "status", choices=VERSION_STATUSES, readonly=True),
            ValidFor("valid_from", "valid_to", required=True),
            Reference(
                "copiedFrom",
                "copied_from_id",
                target="priceListVersion",
                description="Copy the entries and rules of this version of the same list",
            ),
            Scalar("author", "author", readonly=True),
            Scalar("submittedBy", "submitted_by", readonly=True),
            Scalar("submittedDate", "submitted_at", "datetime", readonly=True),
            Scalar("decidedBy", "decided_by", readonly=True),
            Scalar("decidedDate", "decided_at", "datetime", readonly=True),
            Scalar("comment", "comment", max_length=2000),
            *_TIMESTAMPS,
        ),
    )


# --- pricingRule ---------------------------------------------------------------------------


class Named(Scalar):
    """A scalar passed to the rules service under its API name."""

    def parse(self, raw: Any) -> dict[str, Any]:
        return {self.name: super().parse(raw)[self.domain]}

    def locations(self) -> dict[str, str]:
        return {self.name: self.name}


class NamedRef(Reference):
    def parse(self, raw: Any) -> dict[str, Any]:
        return {self.name: super().parse(raw)[self.domain]}

    def locations(self) -> dict[str, str]:
        return {self.name: self.name}


class OfferingList(Attr):
    """``[{id, href, name, @referredType}]``; in: ``[{"id": ...}]`` or codes."""

    name = "offerings"
    description = "The offerings a rule with target 'offerings' applies to"

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        ids = [uuid.UUID(i) for i in entity.offering_ids]
        if not ids:
            return []
        names: dict[uuid.UUID, str] = {
            row[0]: row[1]
            for row in ctx.session.execute(
                select(ProductOffering.id, ProductOffering.name).where(ProductOffering.id.in_(ids))
            )
        }
        return [
            {
                "id": str(i),
                "href": f"{ctx.base_url}{CATALOG_PATH}/productOffering/{i}",
                "name": names.get(i),
                "@referredType": "ProductOffering",
            }
            for i in ids
        ]

    def parse(self, raw: Any) -> dict[str, Any]:
        if raw is not None and not isinstance(raw, list):
            raise InvalidInput(
                "Invalid value", [ErrorDetail(self.name, 'expected a list such as [{"id": "..."}]')]
            )
        return {self.name: raw}

    def schema(self, mode: Mode) -> dict[str, Any]:
        return {"type": "array", "items": {"$ref": "#/components/schemas/EntityRef"}}

    def locations(self) -> dict[str, str]:
        return {self.name: self.name}


class ValidWindow(ValidFor):
    def parse(self, raw: Any) -> dict[str, Any]:
        if raw is None:
            return {"validFrom": None, "validTo": None}
        values = super().parse(raw)
        return {"validFrom": values.get(self.start), "validTo": values.get(self.end)}

    def locations(self) -> dict[str, str]:
        return {"validFrom": "validFor.startDateTime", "validTo": "validFor.endDateTime"}


def _rules(session: Session, *, principal: Principal) -> Select[Any]:
    authorize(principal, Family.PRICING, "read")
    statement = (
        select(PricingRule)
        .join(PriceListVersion, PriceListVersion.id == PricingRule.version_id)
        .join(PriceList, PriceList.id == PriceListVersion.price_list_id)
    )
    condition = price_list_scope(session, principal)
    return statement if condition is None else statement.where(condition)


def _create_rule(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    given = dict(values)
    raw_version = given.pop("priceListVersion", None)
    if raw_version is None:
        raise InvalidInput("Invalid PricingRule", [ErrorDetail("priceListVersion", "is required")])
    return create_rule(
        session,
        principal=principal,
        version_id=parse_id(raw_version, location="priceListVersion.id"),
        values=_rule_values(given),
        now=now,
    )


def _update_rule(session: Session, *, changes: Mapping[str, Any], **call: Any) -> Any:
    if "priceListVersion" in changes:
        raise InvalidInput(
            "Invalid change of PricingRule",
            [ErrorDetail("priceListVersion", "a rule stays in its version")],
        )
    return update_rule(session, changes=_rule_values(changes), **call)


def _rule_values(values: Mapping[str, Any]) -> dict[str, Any]:
    given = dict(values)
    if isinstance(given.get("offerings"), list):
        given["offerings"] = [
            item.get("id") if isinstance(item, Mapping) else item for item in given["offerings"]
        ]
    return given


def _named(name: str, column: str, kind: ScalarType = "str", **kw: Any) -> Named:
    return Named(name, column, kind, **kw)


def pricing_rule_resource() -> Resource:
    return Resource(
        name="pricingRule",
        type="PricingRule",
        model=PricingRule,
        operations=ServiceOperations(
            PricingRule,
            "Pricing rule",
            key="rule_id",
            get=get_rule,
            select=_rules,
            create=_create_rule,
            update=_update_rule,
            delete=delete_rule,
        ),
        family=Family.PRICING,
        description=(
            "A discount or surcharge of a price list version (percentage or amount per unit; "
            "recurring, one-time or both; for all offerings, a family or listed offerings) "
            "with a condition, a priority and a stacking policy: exclusive, stackable "
            "(percentages add), best (for the customer); optional promotion window"
        ),
        attributes=(
            NamedRef(
                "priceListVersion",
                "version_id",
                target="priceListVersion",
                required=True,
            ),
            _named("name", "name", required=True, nullable=False, max_length=200),
            _named("description", "description", max_length=2000),
            _named("kind", "kind", choices=RULE_KINDS, required=True),
            _named("method", "method", choices=RULE_METHODS, required=True),
            _named("value", "value", "decimal", required=True),
            _named("appliesTo", "applies_to", choices=APPLIES_TO, required=True),
            _named("target", "target", choices=RULE_TARGETS, required=True),
            NamedRef("family", "family_id", target="productFamily"),
            OfferingList(),
            _named("condition", "condition", "json", description="A rule-language condition"),
            _named("priority", "priority", "int"),
            _named("stacking", "stacking", choices=STACKING_POLICIES, required=True),
            ValidWindow("valid_from", "valid_to", description="The promotion window (optional)"),
            *_TIMESTAMPS,
        ),
    )


# --- priceGuardRail ------------------------------------------------------------------------


def _guard_rails(session: Session, *, principal: Principal) -> Select[Any]:
    authorize(principal, Family.PRICING, "read")
    statement = select(PriceGuardRail)
    condition = guard_rail_scope(session, principal)
    return statement if condition is None else statement.where(condition)


def _create_guard_rail(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    if values.get("channel_id") is None:
        raise InvalidInput("Invalid PriceGuardRail", [ErrorDetail("channel", "is required")])
    return create_guard_rail(
        session,
        principal=principal,
        values=GuardRailInput(
            channel_id=parse_id(values["channel_id"], location="channel.id"),
            product_offering_id=_reference(values.get("product_offering_id"), "productOffering.id"),
            valid_from=values.get("valid_from"),
            valid_to=values.get("valid_to"),
            currency=values.get("currency"),
            floor_recurring_amount=values.get("floor_recurring_amount"),
            floor_one_time_amount=values.get("floor_one_time_amount"),
            floor_percent=values.get("floor_percent"),
            max_discount_percent=values.get("max_discount_percent"),
            min_margin_percent=values.get("min_margin_percent"),
            comment=values.get("comment") or "",
        ),
        now=now,
    )


def _end_guard_rail(
    session: Session,
    *,
    principal: Principal,
    guard_rail_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None,
) -> Any:
    row = get_guard_rail(session, principal=principal, guard_rail_id=guard_rail_id)
    given = dict(changes)
    start = given.get("valid_from")
    if (
        start is not None
        and parse_instant(start, location="validFor.startDateTime") == row.valid_from
    ):
        given.pop("valid_from")
    fixed = sorted(set(given) - {"valid_to"})
    if fixed:
        raise InvalidInput(
            "Invalid change of PriceGuardRail",
            [
                ErrorDetail(name, "a guard-rail is never edited: end it and create a new one")
                for name in fixed
            ],
        )
    return end_guard_rail(
        session,
        principal=principal,
        guard_rail_id=guard_rail_id,
        valid_to=given.get("valid_to"),
        now=now,
        expected_version=expected_version,
    )


def price_guard_rail_resource() -> Resource:
    return Resource(
        name="priceGuardRail",
        type="PriceGuardRail",
        model=PriceGuardRail,
        operations=ServiceOperations(
            PriceGuardRail,
            "Price guard-rail",
            key="guard_rail_id",
            get=get_guard_rail,
            select=_guard_rails,
            create=_create_guard_rail,
            update=_end_guard_rail,
        ),
        family=Family.PRICING,
        display_attribute="id",
        description=(
            "Limits no price of a channel may break, effective-dated: floor price (absolute, "
            "per offering, or a percentage of list), maximum total discount, minimum margin "
            "over the entry's unit cost. An offering's row takes precedence over the "
            "channel-wide one. PATCH only brings validFor.endDateTime forward"
        ),
        attributes=(
            Reference("channel", "channel_id", target="salesChannel", required=True),
            ForeignRef(
                "productOffering",
                "product_offering_id",
                ProductOffering,
                CATALOG_PATH,
                "productOffering",
                "ProductOffering",
            ),
            Scalar("currency", "currency", max_length=3),
            Scalar("floorRecurringAmount", "floor_recurring_amount", "decimal"),
            Scalar("floorOneTimeAmount", "floor_one_time_amount", "decimal"),
            Scalar("floorPercent", "floor_percent", "decimal"),
            Scalar("maxDiscountPercent", "max_discount_percent", "decimal"),
            Scalar("minMarginPercent", "min_margin_percent", "decimal"),
            ValidFor("valid_from", "valid_to", required=True),
            Scalar("author", "author", readonly=True),
            Scalar("comment", "comment", max_length=2000),
            *_TIMESTAMPS,
        ),
    )


# --- rendering a resolution ---------------------------------------------------------------


def _money(value: Money | None) -> dict[str, Any] | None:
    return None if value is None else value.to_tmf()


def _alteration(a: Alteration, charge: str, currency: str, base_url: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@type": "PriceAlteration",
        "name": a.name,
        "priceType": charge,
        "alterationType": a.kind,
        "price": {"@type": "Price", "dutyFreeAmount": Money(a.amount, currency).to_tmf()},
        "reason": a.reason,
    }
    if a.percentage is not None:
        body["price"]["percentage"] = a.percentage
    if a.priority is not None:
        body["priority"] = a.priority
    if a.stacking is not None:
        body["stacking"] = a.stacking
    if a.rule_id is not None:
        body["pricingRule"] = {
            "id": str(a.rule_id),
            "href": f"{base_url}/pricingRule/{a.rule_id}",
            "name": a.name,
            "@referredType": "PricingRule",
        }
    if a.guard_rail_id is not None:
        body["priceGuardRail"] = {
            "id": str(a.guard_rail_id),
            "href": f"{base_url}/priceGuardRail/{a.guard_rail_id}",
            "@referredType": "PriceGuardRail",
        }
    return body


def _not_applied(n: NotApplied, base_url: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "pricingRule": {
            "id": str(n.rule_id),
            "href": f"{base_url}/pricingRule/{n.rule_id}",
            "name": n.name,
            "@referredType": "PricingRule",
        },
        "reason": n.reason,
        "detail": n.detail,
    }
    if n.charge is not None:
        body["priceType"] = n.charge.value
    return body


def render_resolution(r: PriceResolution, base_url: str) -> dict[str, Any]:
    """One offering's price, shaped like a TMF620 price with price alterations."""
    prices = []
    for c in r.charges:
        price: dict[str, Any] = {
            "@type": "ProductPrice",
            "priceType": c.charge.value,
            "listPrice": c.base.to_tmf(),
            "price": {"@type": "Price", "dutyFreeAmount": c.unit_price.to_tmf()},
            "totalPrice": {"@type": "Price", "dutyFreeAmount": c.total.to_tmf()},
            "priceAlteration": [
                _alteration(a, c.charge.value, r.currency, base_url) for a in c.alterations
            ],
            "notAppliedRule": [_not_applied(n, base_url) for n in c.not_applied],
        }
        if c.charge.value == "recurring":
            price["recurringChargePeriod"] = "month"
        prices.append(price)
    body: dict[str, Any] = {
        "@type": "OfferingPrice",
        "productOffering": {
            "id": str(r.offering_id),
            "href": f"{base_url.split('/tmf-api/')[0]}{CATALOG_PATH}/productOffering/{r.offering_id}",
            "name": r.offering_name,
            "@referredType": "ProductOffering",
        },
        "code": r.offering_code,
        "isBundle": r.is_bundle,
        "quantity": r.quantity,
        "priceSource": r.source,
        "productPrice": prices,
        "notAppliedRule": [_not_applied(n, base_url) for n in r.not_applied],
    }
    if r.version_id is not None:
        body["priceList"] = {
            "id": str(r.price_list_id),
            "href": f"{base_url}/priceList/{r.price_list_id}",
            "name": r.price_list_name,
            "@referredType": "PriceList",
        }
        body["priceListVersion"] = {
            "id": str(r.version_id),
            "href": f"{base_url}/priceListVersion/{r.version_id}",
            "number": r.version_number,
            "@referredType": "PriceListVersion",
        }
    if r.components:
        body["bundledProductOffering"] = [
            {
                "id": str(p.offering_id),
                "code": p.code,
                "count": p.count,
                "recurringCharge": _money(p.recurring),
                "oneTimeCharge": _money(p.one_time),
            }
            for p in r.components
        ]
    return body


# --- routes --------------------------------------------------------------------------------

_TRANSITION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "PriceListVersionTransition",
    "properties": {
        "action": {"type": "string", "enum": list(TRANSITIONS)},
        "comment": {"type": "string", "description": "Why; required to reject"},
    },
    "required": ["action"],
    "additionalProperties": False,
}
_ENTRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "productOffering": {"$ref": "#/components/schemas/EntityRef"},
        "recurringCharge": {"$ref": "#/components/schemas/Money"},
        "oneTimeCharge": {"$ref": "#/components/schemas/Money"},
        "unitCost": {"$ref": "#/components/schemas/Money"},
    },
}
_ENTRY_INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "PriceListEntryInput",
    "description": "Either entry (a list) or csv (offering,recurring,one_time,unit_cost); "
    "all or nothing",
    "properties": {
        "entry": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "offering": {"type": "string", "description": "Offering id or code"},
                    "recurring": {"type": ["string", "number"]},
                    "oneTime": {"type": ["string", "number"]},
                    "unitCost": {"type": ["string", "number"]},
                },
                "required": ["offering"],
            },
        },
        "csv": {"type": "string"},
    },
    "additionalProperties": False,
}
_RESOLUTION_INPUT: dict[str, Any] = {
    "type": "object",
    "title": "PriceResolutionInput",
    "properties": {
        "channel": {"$ref": "#/components/schemas/EntityRef_FVO"},
        "partner": {"$ref": "#/components/schemas/EntityRef_FVO"},
        "customer": {"$ref": "#/components/schemas/EntityRef_FVO"},
        "premise": {"$ref": "#/components/schemas/EntityRef_FVO"},
        "productOffering": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/EntityRef_FVO"},
        },
        "bundle": {"$ref": "#/components/schemas/EntityRef_FVO"},
        "quantity": {"type": "integer", "minimum": 1},
        "date": {"type": "string", "format": "date-time"},
    },
    "required": ["channel"],
    "additionalProperties": False,
}
_RESOLUTION: dict[str, Any] = {
    "type": "object",
    "properties": {
        "@type": {"type": "string", "const": "PriceResolution"},
        "date": {"type": "string", "format": "date-time"},
        "quantity": {"type": "integer"},
        "item": {"type": "array", "items": {"type": "object"}},
    },
}
_RESOLUTION_KEYS = (
    "channel",
    "partner",
    "customer",
    "premise",
    "productOffering",
    "bundle",
    "quantity",
    "date",
)


def _ref_id(body: Mapping[str, Any], key: str, errors: list[ErrorDetail]) -> uuid.UUID | None:
    raw = body.get(key)
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
        errors.append(ErrorDetail(key, 'expected a reference such as {"id": "..."}'))
        return None
    try:
        return parse_id(raw["id"], location=f"{key}.id")
    except InvalidInput as exc:
        errors += exc.details
        return None


def parse_resolution_body(body: Any, now: datetime) -> dict[str, Any]:
    """The arguments of ``resolve_prices`` from a request body; every problem at once."""
    if not isinstance(body, Mapping):
        raise InvalidInput("Invalid price resolution", [ErrorDetail("body", "expected an object")])
    errors = [
        ErrorDetail(str(k), f"unknown attribute; known: {', '.join(_RESOLUTION_KEYS)}")
        for k in body
        if k not in _RESOLUTION_KEYS
    ]
    values: dict[str, Any] = {
        "channel_id": _ref_id(body, "channel", errors),
        "partner_id": _ref_id(body, "partner", errors),
        "customer_id": _ref_id(body, "customer", errors),
        "premise_id": _ref_id(body, "premise", errors),
    }
    if values["channel_id"] is None and not any(d.location.startswith("channel") for d in errors):
        errors.append(ErrorDetail("channel", "is required"))
    offerings: list[uuid.UUID] = []
    raw_offerings = body.get("productOffering")
    if raw_offerings is not None:
        if not isinstance(raw_offerings, list):
            errors.append(ErrorDetail("productOffering", "expected a list of references"))
        else:
            for index, item in enumerate(raw_offerings):
                found = _ref_id({"x": item}, "x", [])
                if found is None:
                    errors.append(
                        ErrorDetail(f"productOffering[{index}]", 'expected {"id": "<uuid>"}')
                    )
                else:
                    offerings.append(found)
    bundle = _ref_id(body, "bundle", errors)
    if bundle is not None:
        offerings.append(bundle)
    if not offerings and not errors:
        errors.append(ErrorDetail("productOffering", "give productOffering[] or bundle"))
    quantity = body.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        errors.append(ErrorDetail("quantity", "expected a whole number"))
        quantity = 1
    at = now
    if body.get("date") is not None:
        try:
            at = parse_instant(body["date"], location="date")
        except InvalidInput as exc:
            errors += exc.details
    if errors:
        raise InvalidInput("Invalid price resolution", errors)
    return {**values, "offering_ids": offerings, "quantity": quantity, "at": at}


def install_pricing_actions(app: FastAPI, guard: Guard, api: ApiSpec) -> None:
    versions = api.resources["priceListVersion"]
    router = APIRouter(tags=["PriceListVersion"])
    item_path = f"{versions.path}/{{id}}"
    reading = Depends(guard.requires(Family.PRICING, "read"))
    writing_row = Depends(guard.requires_row_write(Family.PRICING))
    selling = Depends(guard.requires(Family.SELLING, "write"))
    read_body = json_body_reader(guard.runtime.settings.max_request_bytes)

    def base(request: Request) -> str:
        return f"{str(request.base_url).rstrip('/')}{api.base_path}"

    def render_version(request: Request, session: Session, version: PriceListVersion) -> Any:
        ctx = RenderContext(api=api, base_url=str(request.base_url), session=session)
        return versions.render(version, ctx)

    @router.post(
        f"{item_path}/transition",
        summary="Submit, approve (someone other than the author) or reject a version",
        response_class=TmfJSONResponse,
        responses={
            200: {"description": "The version", "content": json_content(ref(versions.type))},
            **error_responses(400, 404, 412, 415, 422),
        },
        openapi_extra=request_body(ref("PriceListVersionTransition")),
    )
    def transition_price_list_version(
        request: Request,
        id: str,
        call: ApiCall = writing_row,
        body: JsonBody = Depends(read_body),
        if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
    ) -> Response:
        version_id = parse_path_id(id, label="Price list version")
        _, version = get_version(call.session, principal=call.principal, version_id=version_id)
        permit_write(call, Family.PRICING)
        given = body.require(JSON)
        errors: list[ErrorDetail] = []
        if not isinstance(given, Mapping):
            raise InvalidInput("Invalid transition", [ErrorDetail("body", "expected an object")])
        errors += [
            ErrorDetail(str(k), "unknown attribute; known: action, comment")
            for k in given
            if k not in ("action", "comment")
        ]
        action, comment = given.get("action"), given.get("comment", "")
        if not isinstance(action, str):
            errors.append(ErrorDetail("action", f"is required: one of {', '.join(TRANSITIONS)}"))
        if not isinstance(comment, str):
            errors.append(ErrorDetail("comment", "expected a string"))
        if errors:
            raise InvalidInput("Invalid transition", errors)
        version = transition_version(
            call.session,
            principal=call.principal,
            version_id=version.id,
            action=str(action),
            comment=str(comment),
            now=call.now,
            expected_version=expected_version(if_match, version, label="Price list version"),
        )
        return TmfJSONResponse(
            render_version(request, call.session, version), headers=etag_headers(version)
        )

    @router.get(
        f"{item_path}/entry",
        summary="The entries of a version, by offering code",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "Entries",
                "content": json_content({"type": "array", "items": ref("PriceListEntry")}),
                "headers": count_headers(),
            },
            **error_responses(404),
        },
    )
    def list_price_list_entries(request: Request, id: str, call: ApiCall = reading) -> Response:
        version_id = parse_path_id(id, label="Price list version")
        price_list, _ = get_version(call.session, principal=call.principal, version_id=version_id)
        rows = list_entries(call.session, principal=call.principal, version_id=version_id)
        return listed([_render_entry(e, o, price_list.currency, request) for e, o in rows])

    @router.post(
        f"{item_path}/entry",
        summary="Add or replace entries of a draft version (a list, or CSV); all or nothing",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "The entries written",
                "content": json_content({"type": "array", "items": ref("PriceListEntry")}),
                "headers": count_headers(),
            },
            **error_responses(400, 404, 415, 422),
        },
        openapi_extra=request_body(ref("PriceListEntryInput")),
    )
    def write_price_list_entries(
        request: Request,
        id: str,
        call: ApiCall = writing_row,
        body: JsonBody = Depends(read_body),
    ) -> Response:
        version_id = parse_path_id(id, label="Price list version")
        price_list, _ = get_version(call.session, principal=call.principal, version_id=version_id)
        permit_write(call, Family.PRICING)
        given = body.require(JSON)
        if not isinstance(given, Mapping) or set(given) - {"entry", "csv"} or len(given) != 1:
            raise InvalidInput(
                "Invalid entries", [ErrorDetail("body", "give exactly one of entry[] and csv")]
            )
        if "csv" in given:
            if not isinstance(given["csv"], str):
                raise InvalidInput("Invalid entries", [ErrorDetail("csv", "expected text")])
            written = import_entries_csv(
                call.session,
                principal=call.principal,
                version_id=version_id,
                text=given["csv"],
                now=call.now,
            )
        else:
            written = set_entries(
                call.session,
                principal=call.principal,
                version_id=version_id,
                entries=_entry_inputs(given["entry"]),
                now=call.now,
            )
        offerings = {
            o.id: o
            for o in call.session.scalars(
                select(ProductOffering).where(
                    ProductOffering.id.in_([e.product_offering_id for e in written])
                )
            )
        }
        return listed(
            [
                _render_entry(e, offerings[e.product_offering_id], price_list.currency, request)
                for e in written
            ]
        )

    pricing_router = APIRouter(tags=["PriceResolution"])

    @pricing_router.post(
        f"{api.base_path}/priceResolution",
        summary="The price of offerings (or a bundle) for a sale, with every rule applied or not",
        response_class=TmfJSONResponse,
        responses={
            200: {"description": "The breakdown", "content": json_content(ref("PriceResolution"))},
            **error_responses(400, 404, 415),
        },
        openapi_extra=request_body(ref("PriceResolutionInput")),
    )
    def resolve_price(
        request: Request, call: ApiCall = selling, body: JsonBody = Depends(read_body)
    ) -> Response:
        arguments = parse_resolution_body(body.require(JSON), call.now)
        results = resolve_prices(call.session, principal=call.principal, **arguments)
        return TmfJSONResponse(
            {
                "@type": "PriceResolution",
                "date": format_datetime(arguments["at"]),
                "quantity": arguments["quantity"],
                "item": [render_resolution(r, base(request)) for r in results],
            }
        )

    app.include_router(router)
    app.include_router(pricing_router)
    register_schemas(
        app,
        {
            "PriceListVersionTransition": _TRANSITION_SCHEMA,
            "PriceListEntry": _ENTRY_SCHEMA,
            "PriceListEntryInput": _ENTRY_INPUT_SCHEMA,
            "PriceResolutionInput": _RESOLUTION_INPUT,
            "PriceResolution": _RESOLUTION,
        },
    )


def _entry_inputs(raw: Any) -> list[EntryInput]:
    if not isinstance(raw, list):
        raise InvalidInput("Invalid entries", [ErrorDetail("entry", "expected a list")])
    found: list[EntryInput] = []
    errors: list[ErrorDetail] = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping) or not isinstance(item.get("offering"), str):
            errors.append(ErrorDetail(f"entry[{index}].offering", "an offering id or code"))
            continue
        unknown = set(item) - {"offering", "recurring", "oneTime", "unitCost"}
        errors += [ErrorDetail(f"entry[{index}].{k}", "unknown attribute") for k in sorted(unknown)]
        found.append(
            EntryInput(
                offering=item["offering"],
                recurring=item.get("recurring"),
                one_time=item.get("oneTime"),
                unit_cost=item.get("unitCost"),
            )
        )
    if errors:
        raise InvalidInput("Invalid entries", errors)
    return found


def _render_entry(entry: Any, offering: ProductOffering, currency: str, request: Request) -> Any:
    def money(value: Decimal | None) -> Any:
        return None if value is None else Money(value, currency).to_tmf()

    return {
        "productOffering": {
            "id": str(offering.id),
            "href": f"{str(request.base_url).rstrip('/')}{CATALOG_PATH}/productOffering/{offering.id}",
            "name": offering.name,
            "@referredType": "ProductOffering",
        },
        "code": offering.code,
        "recurringCharge": money(entry.recurring_amount),
        "oneTimeCharge": money(entry.one_time_amount),
        "unitCost": money(entry.unit_cost),
    }
