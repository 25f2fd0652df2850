"""Offer catalogue browsing: ``GET .../salesChannel/{id}/sellableOffering``.

What a channel (and optionally one of its partners) may sell at an instant (default:
now), one page at a time, shaped like TMF620 ``ProductOffering``: bundle structure in
``bundledProductOffering`` and list prices in ``productOfferingPrice``. A sub-resource of
the channel rather than a top-level list: the channel is not a filter but the subject,
and an unknown channel (or one outside a partner user's scope) is a 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from starlette.responses import Response

from salesdev.api.actions import (
    count_headers,
    listed,
    parse_count,
    parse_instant,
    refuse_unknown_parameters,
)
from salesdev.api.catalog import BASE_PATH as CATALOG_PATH
from salesdev.api.toolkit.http import path_id
from salesdev.api.toolkit.openapi import error_responses, json_content, ref, register_schemas
from salesdev.api.toolkit.querystring import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET
from salesdev.api.toolkit.resource import ApiSpec
from salesdev.api.toolkit.security import ApiCall, Guard
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.money import Money
from salesdev.domains.access import Family
from salesdev.domains.authorisation import BundleComponent, SellableOffering, sellable_offerings
from salesdev.domains.notifications import format_datetime
from salesdev.domains.pricing import PriceResolution, resolve_prices

PARAMETERS = ("partner.id", "at", "offset", "limit")


def _prices(recurring: Money, one_time: Money) -> list[dict[str, Any]]:
    # TMF620 productOfferingPrice, embedded: both list prices, a zero one included, so a
    # client always finds the same two entries.
    return [
        {
            "name": "Recurring charge",
            "priceType": "recurring",
            "price": {"unit": recurring.currency, "value": recurring.amount},
            "@type": "ProductOfferingPrice",
        },
        {
            "name": "One-time charge",
            "priceType": "oneTime",
            "price": {"unit": one_time.currency, "value": one_time.amount},
            "@type": "ProductOfferingPrice",
        },
    ]


def channel_price(resolution: PriceResolution) -> dict[str, Any]:
    """The channel's price of an offering (its price list and rules, no customer)."""
    return {
        "priceSource": resolution.source,
        "priceListVersion": None
        if resolution.version_id is None
        else {"id": str(resolution.version_id), "number": resolution.version_number},
        "price": [
            {"priceType": c.charge.value, "price": c.unit_price.to_tmf()}
            for c in resolution.charges
        ],
    }


class Renderer:
    def __init__(self, request: Request, api: ApiSpec) -> None:
        root = str(request.base_url).rstrip("/")
        self.base = root + api.base_path
        self.catalog = root + CATALOG_PATH

    def href(self, resource: str, entity_id: uuid.UUID) -> str:
        return f"{self.base}/{resource}/{entity_id}"

    def offering_href(self, entity_id: uuid.UUID) -> str:
        # Offerings live in the TMF620 API.
        return f"{self.catalog}/productOffering/{entity_id}"

    def offering(self, item: SellableOffering) -> dict[str, Any]:
        return {
            "id": str(item.offering_id),
            "href": self.offering_href(item.offering_id),
            "@type": "ProductOffering",
            "code": item.code,
            "name": item.name,
            "isBundle": item.is_bundle,
            "isSellable": True,
            "lifecycleStatus": item.lifecycle_status,
            "productFamily": {"code": item.family_code, "name": item.family_name},
            "productOfferingPrice": _prices(item.recurring_charge, item.one_time_charge),
            "bundledProductOffering": [self.component(c) for c in item.components],
            "channelAuthorisation": {
                "id": str(item.authorisation_id),
                "href": self.href("channelAuthorisation", item.authorisation_id),
                "@referredType": "ChannelAuthorisation",
                "partner": None
                if item.partner_id is None
                else {
                    "id": str(item.partner_id),
                    "href": self.href("partner", item.partner_id),
                    "@referredType": "Partner",
                },
                "validFor": {
                    "startDateTime": format_datetime(item.authorised_from),
                    "endDateTime": None
                    if item.authorised_to is None
                    else format_datetime(item.authorised_to),
                },
                "prerequisites": [dict(p) for p in item.prerequisites],
            },
        }

    def component(self, component: BundleComponent) -> dict[str, Any]:
        return {
            "id": str(component.offering_id),
            "href": self.offering_href(component.offering_id),
            "name": component.name,
            "code": component.code,
            "isBundle": component.is_bundle,
            "position": component.position,
            "@referredType": "ProductOffering",
            "productOfferingPrice": _prices(component.recurring_charge, component.one_time_charge),
        }


SELLABLE_OFFERING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A product offering (TMF620 shape) sellable through the channel at `at`",
    "required": ["id", "href", "@type", "code", "name", "productOfferingPrice"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "href": {"type": "string", "format": "uri"},
        "@type": {"type": "string", "const": "ProductOffering"},
        "code": {"type": "string"},
        "name": {"type": "string"},
        "isBundle": {"type": "boolean"},
        "isSellable": {"type": "boolean"},
        "lifecycleStatus": {"type": "string"},
        "productFamily": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
        },
        "productOfferingPrice": {"type": "array", "items": ref("EmbeddedProductOfferingPrice")},
        "channelPrice": {
            "type": "object",
            "description": "The price in this channel (price list and pricing rules, no "
            "customer); see POST priceResolution for a sale's full breakdown",
        },
        "bundledProductOffering": {
            "type": "array",
            "description": "The bundle's components in order (one level deep)",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "href": {"type": "string", "format": "uri"},
                    "name": {"type": "string"},
                    "code": {"type": "string"},
                    "isBundle": {"type": "boolean"},
                    "position": {"type": "integer"},
                    "@referredType": {"type": "string"},
                    "productOfferingPrice": {
                        "type": "array",
                        "items": ref("EmbeddedProductOfferingPrice"),
                    },
                },
            },
        },
        "channelAuthorisation": {
            "type": "object",
            "description": "The authorisation that makes it sellable (a partner's own "
            "rather than the channel-wide one when both exist)",
        },
    },
}

PRICE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "priceType": {"type": "string", "enum": ["recurring", "oneTime"]},
        "price": ref("Money"),
        "@type": {"type": "string", "const": "ProductOfferingPrice"},
    },
}


def install_catalogue_browsing(app: FastAPI, guard: Guard, api: ApiSpec) -> None:
    channel_path = api.resources["salesChannel"].path
    router = APIRouter(tags=["SellableOffering"])
    reading = Depends(guard.requires(Family.CHANNELS, "read"))

    @router.get(
        f"{channel_path}/{{id}}/sellableOffering",
        summary="Browse the offerings a channel (or one of its partners) may sell at an instant",
        response_class=Response,
        responses={
            200: {
                "description": "A page of sellable offerings, ordered by code",
                "content": json_content({"type": "array", "items": ref("SellableOffering")}),
                "headers": count_headers(),
            },
            **error_responses(400, 404),
        },
    )
    def browse_sellable_offerings(
        request: Request,
        id: str,
        call: ApiCall = reading,
        partner_id: str | None = Query(
            None, alias="partner.id", description="A partner of the channel: its own rows too"
        ),
        at: str | None = Query(None, description="The instant (ISO 8601); default now"),
        offset: str | None = Query(None, description="Default 0"),
        limit: str | None = Query(
            None, description=f"Default {DEFAULT_LIMIT}, at most {MAX_LIMIT}"
        ),
    ) -> Response:
        refuse_unknown_parameters(request, PARAMETERS)
        channel_id = path_id(id, label="Sales channel")
        errors: list[ErrorDetail] = []
        partner: uuid.UUID | None = None
        if partner_id is not None:
            try:
                partner = uuid.UUID(partner_id.strip())
            except ValueError:
                errors.append(ErrorDetail("partner.id", "expected an identifier"))
        instant, first, size = call.now, 0, DEFAULT_LIMIT
        try:
            if at is not None:
                instant = parse_instant(at, location="at")
        except InvalidInput as exc:
            errors += exc.details
        try:
            first = parse_count(offset, location="offset", default=0, high=MAX_OFFSET)
        except InvalidInput as exc:
            errors += exc.details
        try:
            size = parse_count(limit, location="limit", default=DEFAULT_LIMIT, high=MAX_LIMIT)
        except InvalidInput as exc:
            errors += exc.details
        if errors:
            raise InvalidInput("Invalid query", errors)
        page = sellable_offerings(
            call.session,
            principal=call.principal,
            channel_id=channel_id,
            partner_id=partner,
            at=instant,
            offset=first,
            limit=size,
        )
        renderer = Renderer(request, api)
        found = [renderer.offering(item) for item in page.items]
        if page.items and call.principal.can(Family.SELLING, "read"):
            prices = resolve_prices(
                call.session,
                principal=call.principal,
                channel_id=channel_id,
                partner_id=partner,
                offering_ids=[item.offering_id for item in page.items],
                at=instant,
            )
            for body, resolution in zip(found, prices, strict=True):
                body["channelPrice"] = channel_price(resolution)
        return listed(found, page.total)

    app.include_router(router)
    register_schemas(
        app,
        {
            "SellableOffering": SELLABLE_OFFERING_SCHEMA,
            "EmbeddedProductOfferingPrice": PRICE_SCHEMA,
        },
    )
