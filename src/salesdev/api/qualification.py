"""TMF679 v4 Product Offering Qualification at ``/tmf-api/productOfferingQualification/v4``.

``POST .../productOfferingQualification`` qualifies synchronously and answers ``201`` with
the finished resource (state ``done``, or ``terminatedWithError`` when an eligibility rule
could not be evaluated): ``instantSyncQualification`` defaults to true, and a request that
sets it to false is answered synchronously all the same (the answer takes milliseconds; the
flag is kept as sent). Without ``productOfferingQualificationItem`` the channel's whole
catalogue at the instant is qualified. ``relatedParty`` names the customer
(``@referredType`` Customer, or role customer) and optionally the selling partner
(``@referredType`` Partner); ``place`` names the premise.

Events on ``/hub``: ``ProductOfferingQualificationCreateEvent`` and, since the request went
from acknowledged to its final state, ``ProductOfferingQualificationStateChangeEvent`` on
every POST; ``...AttributeValueChangeEvent`` on PATCH; ``...DeleteEvent`` on DELETE.

PATCH changes only ``description`` and ``expirationDate``: the answer is history.
Non-standard: each ``eligibilityUnavailabilityReason`` of a failed eligibility rule carries
``failedClause`` (the rule's failing clauses in words) and ``rule`` (the rule's code).
"""

from __future__ import annotations

import asyncio
import json
import uuid
import weakref
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from salesdev.api.actions import parse_instant
from salesdev.api.catalog import BASE_PATH as CATALOG_PATH
from salesdev.api.sales_development import BASE_PATH as SALES_PATH
from salesdev.api.toolkit import ApiSpec, Attr, Resource, ResourceOperations, Scalar
from salesdev.api.toolkit.attributes import Mode
from salesdev.api.toolkit.http import RawBody, etag_headers, read_raw_body
from salesdev.api.toolkit.listing import ServiceNames
from salesdev.api.toolkit.openapi import error_responses, json_content, ref, register_schemas
from salesdev.api.toolkit.patching import JSON
from salesdev.api.toolkit.resource import RenderContext
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.routes import context, install_resources, publish
from salesdev.api.toolkit.security import SECURITY, ApiCall, Guard, request_credential
from salesdev.core.errors import ErrorDetail, InvalidInput, SalesdevError
from salesdev.db.models.selling import ProductOfferingQualification
from salesdev.db.query import Attribute, ListQuery, Page
from salesdev.domains.access import Family, Principal
from salesdev.domains.notifications.subscriptions import has_subscriptions
from salesdev.domains.qualification import (
    QUALIFICATION_ATTRIBUTES,
    RESULTS,
    STATES,
    QualificationRequest,
    delete_qualification,
    get_qualification,
    item_view,
    list_qualifications,
    prepare_qualification,
    store_qualification,
    update_qualification,
)
from salesdev.domains.rules import SaleParties, sale_parties

API_NAME = "productOfferingQualification"
BASE_PATH = "/tmf-api/productOfferingQualification/v4"
RESOURCE = "productOfferingQualification"

NAMES = ServiceNames(
    {
        "state": "state",
        "qualificationResult": "qualificationResult",
        "channel.id": "channelId",
        "relatedParty.id": "customerId",
        "place.id": "premiseId",
        "effectiveQualificationDate": "qualifiedAt",
        "productOfferingQualificationDate": "createdAt",
    },
    QUALIFICATION_ATTRIBUTES,
)

CREATE_KEYS = (
    "description",
    "instantSyncQualification",
    "provideAlternative",
    "provideOnlyAvailable",
    "provideUnavailabilityReason",
    "requestedPOQCompletionDate",
    "expirationDate",
    "channel",
    "relatedParty",
    "place",
    "productOfferingQualificationItem",
    "note",
    "@type",
    "@baseType",
    "@schemaLocation",
)
ITEM_KEYS = ("id", "productOffering", "action", "expectedActivationDate", "note", "@type")
# Service field names -> where the client wrote them.
LOCATIONS = {
    "channel_id": "channel.id",
    "customer_id": "relatedParty",
    "partner_id": "relatedParty",
    "premise_id": "place",
    "description": "description",
    "expiration_date": "expirationDate",
    "at": "expectedActivationDate",
}


ITEMS = "productOfferingQualificationItem"
# Set on a qualification about to be answered by the POST: its items are rendered straight
# to JSON text (see ``encode_items``) rather than as thousands of dictionaries.
_AS_TEXT = "_salesdev_items_as_text"


class EncodedItems(str):
    """The items of a qualification, already encoded as one JSON array."""


def _offering_json(catalog: str, offering_id: str, name: str) -> str:
    key = (catalog, offering_id, name)
    found = _OFFERING_JSON.get(key)
    if found is None:
        if len(_OFFERING_JSON) >= _MAX_OFFERING_JSON:
            _OFFERING_JSON.clear()
        found = _OFFERING_JSON[key] = _dumps(
            {
                "id": offering_id,
                "href": catalog + offering_id,
                "name": name,
                "@referredType": "ProductOffering",
            }
        )
    return found


# The productOffering reference of an item is a function of (base URL, id, name) alone.
_OFFERING_JSON: dict[tuple[str, str, str], str] = {}
_MAX_OFFERING_JSON = 50_000


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def encode_items(
    ctx: RenderContext, items: Sequence[Sequence[Any]], reasons: bool, alternatives: bool
) -> str:
    """The items as JSON text, equal to encoding :func:`_item` of each: an item with
    alternatives or errors goes through :func:`_item`; the others are put together from
    pre-encoded parts (the offering reference, and each distinct reason list once)."""
    catalog = f"{ctx.base_url}{CATALOG_PATH}/productOffering/"
    head = '{"id":"%d","@type":"ProductOfferingQualificationItem","state":"done",'
    tail = (',"alternateProductOfferingProposal":[]' if alternatives else "") + "}"
    qualified = '"qualificationItemResult":"qualified","productOffering":%s' + (
        ',"eligibilityUnavailabilityReason":[]' if reasons else ""
    )
    unqualified = '"qualificationItemResult":"unqualified","productOffering":%s'
    encoded_reasons: dict[int, str] = {}
    parts = []
    for number, stored in enumerate(items, start=1):
        if len(stored) > 5 or (len(stored) < 5 and not stored[3]):
            parts.append(_dumps(_item(ctx, number, stored, reasons, alternatives)))
            continue
        offering = _offering_json(catalog, stored[0], stored[2])
        if stored[3]:
            parts.append(head % number + qualified % offering + tail)
            continue
        text = head % number + unqualified % offering
        if reasons:
            # Keyed by identity: every list looked up is held by ``items`` meanwhile.
            found = stored[4]
            fragment = encoded_reasons.get(id(found))
            if fragment is None:
                fragment = encoded_reasons[id(found)] = _dumps(_reasons(found))
            text += ',"eligibilityUnavailabilityReason":' + fragment
        parts.append(text + tail)
    return "[" + ",".join(parts) + "]"


class PlainJSONResponse(TmfJSONResponse):
    """A qualification holds no decimal (amounts are not part of it): one pass of the C
    encoder over the body as it is, without the exact-decimal walk (thousands of items);
    anything else falls back to the exact encoder."""

    def render(self, content: Any) -> bytes:
        items = content.get(ITEMS) if isinstance(content, Mapping) else None
        if isinstance(items, EncodedItems):
            # The rest encoded with a placeholder that JSON writes as is, then the items in.
            marker = "@@items-" + uuid.uuid4().hex
            text = _dumps({**content, ITEMS: marker})
            return text.replace(f'"{marker}"', items, 1).encode("utf-8")
        try:
            return _dumps(content).encode("utf-8")
        except (TypeError, ValueError):
            return super().render(content)


def _sales_href(ctx: RenderContext, resource: str, entity_id: Any) -> str:
    return f"{ctx.base_url}{SALES_PATH}/{resource}/{entity_id}"


def _named_parties(ctx: RenderContext, entity: Any) -> SaleParties:
    """The names of a qualification's parties: one read for all four (none when the
    qualification was just answered: they were read for it)."""
    return sale_parties(
        ctx.session,
        channel_id=entity.channel_id,
        partner_id=entity.partner_id,
        customer_id=entity.customer_id,
        premise_id=entity.premise_id,
    )


class _ReadOnly(Attr):
    readonly = True

    def __init__(self, name: str, schema: dict[str, Any], description: str = "") -> None:
        self.name = name
        self._schema = schema
        self.description = description

    def parse(self, raw: Any) -> dict[str, Any]:
        raise InvalidInput("Invalid value", [ErrorDetail(self.name, "is set by the server")])

    def schema(self, mode: Mode) -> dict[str, Any]:
        return {**self._schema, "readOnly": True}


class ChannelAttr(_ReadOnly):
    def __init__(self) -> None:
        super().__init__("channel", ref("ChannelRef"), "The sales channel qualified for")

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        channel = _named_parties(ctx, entity).channel
        return {
            "id": str(entity.channel_id),
            "href": _sales_href(ctx, "salesChannel", entity.channel_id),
            "name": channel.name if channel is not None else None,
            "@referredType": "SalesChannel",
        }


class RelatedPartyAttr(_ReadOnly):
    def __init__(self) -> None:
        super().__init__(
            "relatedParty",
            {"type": "array", "items": ref("RelatedParty")},
            "The customer (role customer) and the selling partner (role seller), if any",
        )

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        parties = []
        named = _named_parties(ctx, entity)
        if entity.customer_id is not None:
            customer = named.customer
            parties.append(
                {
                    "id": str(entity.customer_id),
                    "href": _sales_href(ctx, "customer", entity.customer_id),
                    "name": customer.name if customer is not None else None,
                    "role": "customer",
                    "@referredType": "Customer",
                }
            )
        if entity.partner_id is not None:
            partner = named.partner
            parties.append(
                {
                    "id": str(entity.partner_id),
                    "href": _sales_href(ctx, "partner", entity.partner_id),
                    "name": partner.name if partner is not None else None,
                    "role": "seller",
                    "@referredType": "Partner",
                }
            )
        return parties


class PlaceAttr(_ReadOnly):
    def __init__(self) -> None:
        super().__init__(
            "place",
            {"type": "array", "items": ref("RelatedPlaceRefOrValue")},
            "The premise (role installationAddress)",
        )

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        if entity.premise_id is None:
            return []
        premise = _named_parties(ctx, entity).premise
        return [
            {
                "id": str(entity.premise_id),
                "href": _sales_href(ctx, "premise", entity.premise_id),
                "name": premise.address if premise is not None else None,
                "role": "installationAddress",
                "@referredType": "Premise",
            }
        ]


class ItemsAttr(_ReadOnly):
    def __init__(self) -> None:
        super().__init__(
            "productOfferingQualificationItem",
            {"type": "array", "items": ref("ProductOfferingQualificationItem")},
            "One item per offering, qualified or not, with every reason",
        )

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        reasons = entity.provide_unavailability_reason
        alternatives = entity.provide_alternative
        if getattr(entity, _AS_TEXT, False):
            return EncodedItems(encode_items(ctx, entity.items, reasons, alternatives))
        return [
            _item(ctx, number, item, reasons, alternatives)
            for number, item in enumerate(entity.items, start=1)
        ]


def _item(
    ctx: RenderContext, number: int, stored: Sequence[Any], reasons: bool, alternatives: bool
) -> dict[str, Any]:
    item = item_view(number, stored)
    catalog = f"{ctx.base_url}{CATALOG_PATH}/productOffering/"
    body: dict[str, Any] = {
        "id": str(number),
        "@type": "ProductOfferingQualificationItem",
        "state": item.state,
        "qualificationItemResult": "qualified" if item.qualified else "unqualified",
        "productOffering": {
            "id": item.offering_id,
            "href": catalog + item.offering_id,
            "name": item.name,
            "@referredType": "ProductOffering",
        },
    }
    if reasons:
        body["eligibilityUnavailabilityReason"] = _reasons(item.reasons)
    if alternatives:
        body["alternateProductOfferingProposal"] = [
            {
                "id": f"{number}-{n}",
                "alternateProductOffering": {
                    "id": offering_id,
                    "href": catalog + offering_id,
                    "name": name,
                    "@referredType": "ProductOffering",
                },
                "@type": "AlternateProductOfferingProposal",
            }
            for n, (offering_id, _code, name) in enumerate(item.alternatives, start=1)
        ]
    if item.errors:
        body["terminationError"] = [
            {"id": str(n), "value": text, "@type": "TerminationError"}
            for n, text in enumerate(item.errors, start=1)
        ]
    return body


def _reasons(stored: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "label": label,
            "failedClause": clauses,
            **({"rule": rule} if rule else {}),
            "@type": "EligibilityUnavailabilityReason",
        }
        for code, label, clauses, rule in stored
    ]


class QualificationOperations(ResourceOperations):
    can_update = can_delete = True

    def __init__(self) -> None:
        super().__init__(ProductOfferingQualification, label="Product offering qualification")

    def get(self, session: Session, *, principal: Principal, entity_id: uuid.UUID) -> Any:
        return get_qualification(session, principal=principal, qualification_id=entity_id)

    def list(
        self,
        session: Session,
        *,
        principal: Principal,
        query: ListQuery,
        attributes: Mapping[str, Attribute],
    ) -> Page[Any]:
        with NAMES.tmf_errors():
            return list_qualifications(session, principal=principal, query=NAMES.translate(query))

    def update(
        self,
        session: Session,
        *,
        principal: Principal,
        entity_id: uuid.UUID,
        changes: Mapping[str, Any],
        now: datetime,
        expected_version: int | None,
    ) -> Any:
        values = dict(changes)
        if values.get("expiration_date") is not None:
            values["expiration_date"] = parse_instant(
                values["expiration_date"], location="expirationDate"
            )
        return update_qualification(
            session,
            principal=principal,
            qualification_id=entity_id,
            changes=values,
            now=now,
            expected_version=expected_version,
        )

    def delete(
        self,
        session: Session,
        *,
        principal: Principal,
        entity_id: uuid.UUID,
        expected_version: int | None,
        now: datetime,
    ) -> None:
        delete_qualification(
            session,
            principal=principal,
            qualification_id=entity_id,
            expected_version=expected_version,
        )


def qualification_resource() -> Resource:
    return Resource(
        name=RESOURCE,
        type="ProductOfferingQualification",
        model=ProductOfferingQualification,
        operations=QualificationOperations(),
        family=Family.SELLING,
        display_attribute="id",
        filters=NAMES.published(),
        description=(
            "Which product offerings a customer can have at a place through a channel, each "
            "with its unavailability reasons and alternatives (TMF679 v4). Answered "
            "synchronously on creation"
        ),
        attributes=(
            Scalar("description", "description", max_length=2000, nullable=True),
            Scalar("state", "state", readonly=True, choices=STATES),
            Scalar("qualificationResult", "qualification_result", readonly=True, choices=RESULTS),
            Scalar("effectiveQualificationDate", "qualified_at", "datetime", readonly=True),
            Scalar("productOfferingQualificationDate", "created_at", "datetime", readonly=True),
            Scalar("expirationDate", "expiration_date", "datetime"),
            Scalar("instantSyncQualification", "instant_sync", "bool", readonly=True),
            Scalar("provideAlternative", "provide_alternative", "bool", readonly=True),
            Scalar("provideOnlyAvailable", "provide_only_available", "bool", readonly=True),
            Scalar(
                "provideUnavailabilityReason",
                "provide_unavailability_reason",
                "bool",
                readonly=True,
            ),
            ChannelAttr(),
            RelatedPartyAttr(),
            PlaceAttr(),
            ItemsAttr(),
            Scalar("lastUpdate", "updated_at", "datetime", readonly=True),
        ),
    )


def qualification_api() -> ApiSpec:
    return ApiSpec(
        name=API_NAME, base_path=BASE_PATH, title="Product Offering Qualification (TMF679 v4)"
    ).add(qualification_resource())


# --- the create request -------------------------------------------------------------------


def _reference_id(raw: Any, location: str, errors: list[ErrorDetail]) -> uuid.UUID | None:
    if not isinstance(raw, Mapping) or "id" not in raw:
        errors.append(ErrorDetail(location, 'expected a reference such as {"id": "..."}'))
        return None
    value = raw["id"]
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        pass
    errors.append(ErrorDetail(f"{location}.id", "expected an identifier"))
    return None


def _flag(body: Mapping[str, Any], key: str, default: bool, errors: list[ErrorDetail]) -> bool:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        errors.append(ErrorDetail(key, "expected true or false"))
        return default
    return value


def parse_request(body: Any) -> QualificationRequest:
    """A TMF679 create body as a service request; every problem names its place."""
    if not isinstance(body, Mapping):
        raise InvalidInput("Invalid body", [ErrorDetail("body", "expected a JSON object")])
    errors: list[ErrorDetail] = []
    for key in body:
        if key not in CREATE_KEYS:
            errors.append(
                ErrorDetail(
                    key,
                    "unknown or unsupported attribute; known: "
                    + ", ".join(k for k in CREATE_KEYS if not k.startswith("@")),
                )
            )
    if body.get("@type") not in (None, "ProductOfferingQualification"):
        errors.append(ErrorDetail("@type", "expected 'ProductOfferingQualification'"))
    channel_id = None
    if body.get("channel") is None:
        errors.append(ErrorDetail("channel", "is required: the sales channel to qualify for"))
    else:
        channel_id = _reference_id(body["channel"], "channel", errors)
    customer_id, partner_id = _parties(body.get("relatedParty"), errors)
    premise_id = _place(body.get("place"), errors)
    offering_ids = _items(body.get("productOfferingQualificationItem"), errors)
    description = body.get("description") or ""
    if not isinstance(description, str):
        errors.append(ErrorDetail("description", "expected a string"))
        description = ""
    expiration = None
    if body.get("expirationDate") is not None:
        try:
            expiration = parse_instant(body["expirationDate"], location="expirationDate")
        except InvalidInput as exc:
            errors += exc.details
    if body.get("requestedPOQCompletionDate") is not None:
        try:
            parse_instant(body["requestedPOQCompletionDate"], location="requestedPOQCompletionDate")
        except InvalidInput as exc:
            errors += exc.details
    note = body.get("note")
    if note is not None and not isinstance(note, list):
        errors.append(ErrorDetail("note", "expected a list"))
    flags = {
        key: _flag(body, key, default, errors)
        for key, default in (
            ("instantSyncQualification", True),
            ("provideAlternative", False),
            ("provideOnlyAvailable", False),
            ("provideUnavailabilityReason", True),
        )
    }
    if errors or channel_id is None:
        raise InvalidInput("Invalid ProductOfferingQualification", errors)
    return QualificationRequest(
        channel_id=channel_id,
        customer_id=customer_id,
        premise_id=premise_id,
        partner_id=partner_id,
        offering_ids=offering_ids,
        provide_alternative=flags["provideAlternative"],
        provide_only_available=flags["provideOnlyAvailable"],
        provide_unavailability_reason=flags["provideUnavailabilityReason"],
        instant_sync=flags["instantSyncQualification"],
        description=description,
        expiration_date=expiration,
    )


def _parties(raw: Any, errors: list[ErrorDetail]) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    if raw is None:
        return None, None
    if not isinstance(raw, list):
        errors.append(ErrorDetail("relatedParty", "expected a list of party references"))
        return None, None
    customer = partner = None
    for index, party in enumerate(raw):
        where = f"relatedParty[{index}]"
        if not isinstance(party, Mapping):
            errors.append(ErrorDetail(where, "expected a party reference"))
            continue
        kind = str(party.get("@referredType") or "").lower()
        role = str(party.get("role") or "").lower()
        party_id = _reference_id(party, where, errors)
        if kind == "partner" or role in ("seller", "partner"):
            if partner is not None:
                errors.append(ErrorDetail(where, "only one selling partner"))
            partner = party_id
        elif kind == "customer" or role == "customer":
            if customer is not None:
                errors.append(ErrorDetail(where, "only one customer"))
            customer = party_id
        else:
            errors.append(
                ErrorDetail(
                    where,
                    "say who the party is: @referredType Customer (or role customer) or "
                    "Partner (role seller)",
                )
            )
    return customer, partner


def _place(raw: Any, errors: list[ErrorDetail]) -> uuid.UUID | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        errors.append(ErrorDetail("place", "expected a list with one premise reference"))
        return None
    if len(raw) > 1:
        errors.append(ErrorDetail("place", "at most one place (the premise) is qualified for"))
        return None
    return _reference_id(raw[0], "place[0]", errors) if raw else None


def _items(raw: Any, errors: list[ErrorDetail]) -> list[uuid.UUID] | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        errors.append(ErrorDetail("productOfferingQualificationItem", "expected a list"))
        return None
    if not raw:
        return None
    ids: list[uuid.UUID] = []
    for index, item in enumerate(raw):
        where = f"productOfferingQualificationItem[{index}]"
        if not isinstance(item, Mapping):
            errors.append(ErrorDetail(where, "expected an item object"))
            continue
        for key in item:
            if key not in ITEM_KEYS:
                errors.append(
                    ErrorDetail(
                        f"{where}.{key}",
                        "unknown or unsupported attribute; known: " + ", ".join(ITEM_KEYS),
                    )
                )
        if "productOffering" not in item:
            errors.append(ErrorDetail(f"{where}.productOffering", "is required"))
            continue
        found = _reference_id(item["productOffering"], f"{where}.productOffering", errors)
        if found is not None:
            ids.append(found)
    return ids


def _translated(exc: SalesdevError) -> SalesdevError:
    details = []
    for detail in exc.details:
        location = detail.location
        if location.startswith("offering_ids["):
            index = location[len("offering_ids[") : location.index("]")]
            location = f"productOfferingQualificationItem[{index}].productOffering.id"
        else:
            location = LOCATIONS.get(location, location)
        details.append(ErrorDetail(location, detail.message))
    return type(exc)(exc.message, details)


ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "@type": {"type": "string"},
        "state": {"type": "string", "enum": list(STATES)},
        "qualificationItemResult": {"type": "string", "enum": ["qualified", "unqualified"]},
        "productOffering": ref("ProductOfferingRef"),
        "eligibilityUnavailabilityReason": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "label": {"type": "string"},
                    "failedClause": {"type": "array", "items": {"type": "string"}},
                    "rule": {"type": "string"},
                    "@type": {"type": "string"},
                },
            },
        },
        "alternateProductOfferingProposal": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "alternateProductOffering": ref("ProductOfferingRef"),
                    "@type": {"type": "string"},
                },
            },
        },
        "terminationError": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "value": {"type": "string"}},
            },
        },
    },
}
_REF = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "string"},
        "href": {"type": "string"},
        "name": {"type": ["string", "null"]},
        "role": {"type": "string"},
        "@referredType": {"type": "string"},
    },
}
CREATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "ProductOfferingQualification_Create",
    "required": ["channel"],
    "additionalProperties": False,
    "properties": {
        "description": {"type": "string"},
        "instantSyncQualification": {
            "type": "boolean",
            "description": "Default true; false is answered synchronously too",
        },
        "provideAlternative": {"type": "boolean", "default": False},
        "provideOnlyAvailable": {"type": "boolean", "default": False},
        "provideUnavailabilityReason": {"type": "boolean", "default": True},
        "requestedPOQCompletionDate": {"type": "string", "format": "date-time"},
        "expirationDate": {"type": "string", "format": "date-time"},
        "channel": ref("ChannelRef"),
        "relatedParty": {"type": "array", "items": ref("RelatedParty")},
        "place": {"type": "array", "maxItems": 1, "items": ref("RelatedPlaceRefOrValue")},
        "productOfferingQualificationItem": {
            "type": "array",
            "description": "Omit (or send none) to qualify the channel's whole catalogue",
            "items": {
                "type": "object",
                "required": ["productOffering"],
                "properties": {
                    "id": {"type": "string"},
                    "productOffering": ref("ProductOfferingRef"),
                },
            },
        },
        "note": {"type": "array", "items": {"type": "object"}},
        "@type": {"type": "string", "const": "ProductOfferingQualification"},
    },
}


# How many qualifications one process answers at a time; further requests wait their turn.
# The work is CPU-bound in one interpreter (one core at most): more at once only
# interleaves them, lengthening each one and the time the audit chain (PostgreSQL) or the
# database (SQLite) stays locked by a request that waits for the interpreter. Two at once
# still overlap one's database round trips with another's computing. Measured (load test,
# 2 processes, same session): 1 at once 429 req/s, 2 at once 438-513, 3 at once 390-440,
# 5 at once 373; unlimited had a 99th percentile twice as long (docs/qualification.md).
# The turn is waited for on the event loop, not in a worker thread: a thread blocked on a
# lock must be woken (and contends for the interpreter) at every release, which cost as
# much CPU as a tenth of the request under load.
CONCURRENT_QUALIFICATIONS = 2
_ADMISSION: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _admission() -> asyncio.Semaphore:
    """The running event loop's semaphore (one per loop: a server has one; tests may
    start several, one after the other)."""
    loop = asyncio.get_running_loop()
    semaphore = _ADMISSION.get(loop)
    if semaphore is None:
        semaphore = _ADMISSION[loop] = asyncio.Semaphore(CONCURRENT_QUALIFICATIONS)
    return semaphore


def install_qualification(app: FastAPI, guard: Guard, api: ApiSpec) -> None:
    """The resource's list/read/patch/delete and hub (toolkit) and its synchronous POST."""
    resource = api.resources[RESOURCE]
    max_bytes = guard.runtime.settings.max_request_bytes

    # Declared on the app with the request as its only parameter: FastAPI solves no
    # dependencies for it. Authenticated, authorized and answered in one worker thread
    # (Guard.run): the header's form is checked and the body read on the event loop, and
    # the body is judged after the permission check, as with ``guard.requires`` and
    # ``json_body_reader``. Measured (load test, 2 processes, with other work on the
    # machine): 2.5-3.7 ms of server CPU per request with the dependencies and an included
    # router, 1.9-2.9 ms without; on a quiet machine the two were within the run-to-run
    # spread (2.7-3.4 ms), see docs/qualification.md.
    @app.post(
        resource.path,
        tags=[resource.type],
        summary="Qualify product offerings (synchronously) and keep the answer",
        status_code=201,
        response_class=TmfJSONResponse,
        responses={
            201: {
                "description": "The finished qualification",
                "content": json_content(ref(resource.type)),
                "headers": {
                    "Location": {"schema": {"type": "string"}},
                    "ETag": {"schema": {"type": "string"}},
                },
            },
            **error_responses(400, 404, 415),
        },
        openapi_extra={
            "security": SECURITY,
            "requestBody": {
                "required": True,
                "content": json_content(ref("ProductOfferingQualification_Create")),
            },
        },
    )
    async def create_product_offering_qualification(request: Request) -> Response:
        credential = request_credential(request, Family.SELLING, "write")
        body = await read_raw_body(request)
        async with _admission():
            response: Response = await run_in_threadpool(
                guard.run, request, credential, partial(_create, request, body)
            )
            return response

    # The busiest route of the API is tried first, before the routers of every resource.
    app.router.routes.insert(0, app.router.routes.pop())

    def _create(request: Request, body: RawBody, call: ApiCall) -> Response:
        wanted = parse_request(body.decoded(max_bytes).require(JSON))
        session, now = call.session, call.now
        try:
            entity = prepare_qualification(
                session, principal=call.principal, request=wanted, now=now
            )
        except SalesdevError as exc:
            if not exc.details:
                raise
            raise _translated(exc) from None
        # Rendered and encoded before anything is written: the writes come last, so the
        # transaction holds its locks (SQLite: the database's) as briefly as possible.
        # Without hub listeners (one look-up), nothing needs the items as dictionaries:
        # they are encoded straight to text and no event is queued (there is no one to
        # queue it for; ``publish`` would find the same empty list twice).
        listening = has_subscriptions(session, api=resource.spec.name)
        setattr(entity, _AS_TEXT, not listening)
        try:
            created = resource.render(entity, context(request, resource, session))
        finally:
            setattr(entity, _AS_TEXT, False)
        headers = {"Location": created["href"], **etag_headers(entity)}
        response = PlainJSONResponse(created, status_code=201, headers=headers)
        store_qualification(session, entity)
        if listening:
            publish(session, resource, "CreateEvent", created, now)
            publish(session, resource, "StateChangeEvent", created, now)
        # Guard.run commits as this returns, in this thread: the audit chain's head
        # (PostgreSQL) or the database (SQLite) stays locked only for the writes.
        return response

    install_resources(app, guard, api)
    register_schemas(
        app,
        {
            "ProductOfferingQualification_Create": CREATE_SCHEMA,
            "ProductOfferingQualificationItem": ITEM_SCHEMA,
            "ProductOfferingRef": _REF,
            "ChannelRef": _REF,
            "RelatedParty": _REF,
            "RelatedPlaceRefOrValue": _REF,
        },
    )
