"""Guided selling and price-change simulation.

- ``recommendationRule``: CRUD of recommendation rules (family PRICING).
- ``POST .../recommendation``: the ranked, priced recommendations for a customer in a
  channel, and the offerings not available with their reasons (family SELLING; scoped
  principals only in their own channels). Nothing is stored.
- ``POST .../priceSimulation``: a proposed price-list version applied to the last N months
  of sales events (family PRICING). Nothing is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.responses import Response

from salesdev.analytics.pricing_simulation import SimulationLine, simulate_version
from salesdev.api.actions import parse_instant, request_body
from salesdev.api.catalog import BASE_PATH as CATALOG_PATH
from salesdev.api.catalog_attributes import ForeignRef
from salesdev.api.toolkit import Reference, Resource, Scalar, ValidFor
from salesdev.api.toolkit.http import JsonBody, json_body_reader
from salesdev.api.toolkit.listing import ServiceNames
from salesdev.api.toolkit.openapi import error_responses, json_content, ref, register_schemas
from salesdev.api.toolkit.operations import ServiceOperations
from salesdev.api.toolkit.patching import JSON
from salesdev.api.toolkit.resource import ApiSpec
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.security import ApiCall, Guard
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.models import ProductOffering
from salesdev.db.models.guidance import RecommendationRule
from salesdev.domains.access import Family
from salesdev.domains.guidance import (
    MAX_LIMIT,
    RULE_ATTRIBUTES,
    RULE_STATUSES,
    RankedOffer,
    Recommendations,
    create_recommendation_rule,
    delete_recommendation_rule,
    get_recommendation_rule,
    list_recommendation_rules,
    recommend,
    update_recommendation_rule,
)
from salesdev.domains.notifications import format_datetime

NAMES = ServiceNames(
    {
        "name": "name",
        "status": "status",
        "score": "score",
        "productOffering.id": "productOfferingId",
        "productFamily.id": "familyId",
        "validFor.startDateTime": "validFrom",
        "validFor.endDateTime": "validTo",
    },
    RULE_ATTRIBUTES,
)


def recommendation_rule_resource() -> Resource:
    return Resource(
        name="recommendationRule",
        type="RecommendationRule",
        model=RecommendationRule,
        operations=ServiceOperations(
            RecommendationRule,
            "Recommendation rule",
            key="rule_id",
            get=get_recommendation_rule,
            list=list_recommendation_rules,
            names=NAMES,
            create=create_recommendation_rule,
            update=update_recommendation_rule,
            delete=delete_recommendation_rule,
        ),
        family=Family.PRICING,
        display_attribute="name",
        filters=NAMES.published(),
        description=(
            "When the condition holds for a sale, recommend the offering (or any offering of "
            "the family) with this score (weight) and tell the agent the reason"
        ),
        attributes=(
            Scalar("name", "name", required=True, nullable=False, max_length=200),
            Scalar(
                "condition",
                "condition",
                "json",
                required=True,
                nullable=False,
                description="A condition in the rules language (docs/rules.md)",
            ),
            ForeignRef(
                "productOffering",
                "product_offering_id",
                ProductOffering,
                CATALOG_PATH,
                "productOffering",
                "ProductOffering",
            ),
            Reference("productFamily", "family_id", target="productFamily"),
            Scalar(
                "score",
                "score",
                "decimal",
                required=True,
                nullable=False,
                description="Weight added when the rule matches, -1000 to 1000",
            ),
            Scalar("reason", "reason", required=True, nullable=False, max_length=500),
            Scalar("status", "status", choices=RULE_STATUSES, nullable=False),
            ValidFor("valid_from", "valid_to", required=True),
            Scalar("author", "author", readonly=True),
            Scalar("creationDate", "created_at", "datetime", readonly=True),
            Scalar("lastUpdate", "updated_at", "datetime", readonly=True),
        ),
    )


# --- recommendation ------------------------------------------------------------------------

_REF_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": {"type": "string"}},
}
RECOMMENDATION_REQUEST: dict[str, Any] = {
    "type": "object",
    "title": "RecommendationRequest",
    "required": ["customer", "channel"],
    "additionalProperties": False,
    "properties": {
        "customer": _REF_SCHEMA,
        "channel": _REF_SCHEMA,
        "premise": _REF_SCHEMA,
        "partner": _REF_SCHEMA,
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        "strategy": {"type": "string", "description": "Ranking strategy (default rules)"},
        "at": {"type": "string", "format": "date-time", "description": "Default: now"},
    },
}
RECOMMENDATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Ranked, priced offerings for the customer, and those not available",
    "properties": {
        "@type": {"type": "string", "const": "Recommendation"},
        "customer": {"type": "object"},
        "channel": {"type": "object"},
        "strategy": {"type": "string"},
        "qualifiedCount": {"type": "integer"},
        "recommendedOffering": {"type": "array", "items": {"type": "object"}},
        "unavailableOffering": {"type": "array", "items": {"type": "object"}},
    },
}
SIMULATION_REQUEST: dict[str, Any] = {
    "type": "object",
    "title": "PriceSimulationRequest",
    "required": ["priceListVersion"],
    "additionalProperties": False,
    "properties": {
        "priceListVersion": _REF_SCHEMA,
        "months": {"type": "integer", "minimum": 1, "maximum": 120, "default": 6},
    },
}
SIMULATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Revenue and margin under current and proposed prices",
    "properties": {
        "@type": {"type": "string", "const": "PriceSimulation"},
        "line": {"type": "array", "items": {"type": "object"}},
        "total": {"type": "object"},
    },
}


def _body_id(
    body: Mapping[str, Any], name: str, errors: list[ErrorDetail], *, required: bool
) -> uuid.UUID | None:
    raw = body.get(name)
    if raw is None:
        if required:
            errors.append(ErrorDetail(name, "is required"))
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
        errors.append(ErrorDetail(name, 'expected a reference object such as {"id": "..."}'))
        return None
    try:
        return uuid.UUID(str(raw["id"]).strip())
    except ValueError:
        errors.append(ErrorDetail(f"{name}.id", "expected an identifier"))
        return None


def _body_int(
    body: Mapping[str, Any], name: str, errors: list[ErrorDetail], *, default: int, high: int
) -> int:
    raw = body.get(name, default)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= high:
        errors.append(ErrorDetail(name, f"expected a whole number from 1 to {high}"))
        return default
    return raw


def _refuse_unknown(
    body: Mapping[str, Any], known: tuple[str, ...], errors: list[ErrorDetail]
) -> None:
    errors += [
        ErrorDetail(str(key), f"unknown attribute; known: {', '.join(known)}")
        for key in body
        if key not in known
    ]


def _money(currency: str, value: Any) -> dict[str, Any]:
    return {"unit": currency, "value": value}


def render_offer(offer: RankedOffer, rank: int, catalog: str) -> dict[str, Any]:
    c = offer.candidate
    price = c.price
    rendered: dict[str, Any] = {
        "rank": rank,
        "score": offer.score,
        "productOffering": {
            "id": str(c.offering_id),
            "href": f"{catalog}/productOffering/{c.offering_id}",
            "code": c.code,
            "name": c.name,
            "@referredType": "ProductOffering",
        },
        "productFamily": {"code": c.family_code},
        "reason": [{"text": r.text, "rule": r.rule, "weight": r.weight} for r in offer.reasons],
        "price": None,
    }
    if price is not None:
        rendered["price"] = {
            "source": price.source,
            "listRecurring": _money(price.currency, price.list_recurring),
            "listOneTime": _money(price.currency, price.list_one_time),
            "finalRecurring": _money(price.currency, price.final_recurring),
            "finalOneTime": _money(price.currency, price.final_one_time),
            "margin": None if price.margin is None else _money(price.currency, price.margin),
            "priceAlteration": [
                {
                    "name": s.name,
                    "description": s.description,
                    "priceType": s.price_type,
                    "price": _money(price.currency, s.amount),
                }
                for s in price.steps
            ],
        }
    return rendered


def render_recommendations(result: Recommendations, root: str, base: str) -> dict[str, Any]:
    catalog = root + CATALOG_PATH
    facts = result.customer
    return {
        "@type": "Recommendation",
        "at": format_datetime(result.at),
        "strategy": result.strategy,
        "customer": {
            "id": str(facts.customer_id),
            "href": f"{base}/customer/{facts.customer_id}",
            "code": facts.code,
            "name": facts.name,
            "kind": facts.kind,
            "segment": facts.segment,
            "creditClass": facts.credit_class,
            "tenureMonths": facts.tenure_months,
            "ageBand": facts.age_band,
            "region": facts.region,
            "installedBase": list(facts.installed_base),
        },
        "premise": None
        if facts.premise_id is None
        else {
            "id": str(facts.premise_id),
            "href": f"{base}/premise/{facts.premise_id}",
            "code": facts.premise_code,
            "address": facts.premise_address,
            "technologies": list(facts.premise_technologies),
        },
        "channel": {
            "id": str(result.channel_id),
            "href": f"{base}/salesChannel/{result.channel_id}",
            "code": result.channel_code,
            "name": result.channel_name,
        },
        "partner": None
        if result.partner_id is None
        else {"id": str(result.partner_id), "href": f"{base}/partner/{result.partner_id}"},
        "qualifiedCount": result.qualified_count,
        "recommendedOffering": [
            render_offer(offer, rank, catalog)
            for rank, offer in enumerate(result.recommended, start=1)
        ],
        "unavailableOffering": [
            {
                "productOffering": {
                    "id": str(item.offering_id),
                    "href": f"{catalog}/productOffering/{item.offering_id}",
                    "code": item.code,
                    "name": item.name,
                    "@referredType": "ProductOffering",
                },
                "eligibilityUnavailabilityReason": [
                    {"code": code, "label": label} for code, label in item.reasons
                ],
            }
            for item in result.not_available
        ],
    }


def install_guidance_actions(app: FastAPI, guard: Guard, api: ApiSpec) -> None:
    router = APIRouter(tags=["GuidedSelling"])
    selling = Depends(guard.requires(Family.SELLING, "write"))
    pricing = Depends(guard.requires(Family.PRICING, "write"))
    read_body = json_body_reader(guard.runtime.settings.max_request_bytes)
    base_path = api.base_path

    @router.post(
        f"{base_path}/recommendation",
        summary="Ranked, priced recommendations for a customer in a channel (nothing stored)",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "The recommendations",
                "content": json_content(ref("Recommendation")),
            },
            **error_responses(400, 404, 415, 422),
        },
        openapi_extra=request_body(ref("RecommendationRequest")),
    )
    def create_recommendation(
        request: Request, call: ApiCall = selling, body: JsonBody = Depends(read_body)
    ) -> Response:
        given = body.require(JSON)
        errors: list[ErrorDetail] = []
        if not isinstance(given, Mapping):
            raise InvalidInput(
                "Invalid recommendation request", [ErrorDetail("body", "expected a JSON object")]
            )
        _refuse_unknown(given, tuple(RECOMMENDATION_REQUEST["properties"]), errors)
        customer = _body_id(given, "customer", errors, required=True)
        channel = _body_id(given, "channel", errors, required=True)
        premise = _body_id(given, "premise", errors, required=False)
        partner = _body_id(given, "partner", errors, required=False)
        limit = _body_int(given, "limit", errors, default=10, high=MAX_LIMIT)
        strategy = given.get("strategy", "rules")
        if not isinstance(strategy, str):
            errors.append(ErrorDetail("strategy", "expected a string"))
        at = call.now
        if given.get("at") is not None:
            try:
                at = parse_instant(given["at"], location="at")
            except InvalidInput as exc:
                errors += exc.details
        if errors or customer is None or channel is None:
            raise InvalidInput("Invalid recommendation request", errors)
        result = recommend(
            call.session,
            principal=call.principal,
            customer_id=customer,
            channel_id=channel,
            premise_id=premise,
            partner_id=partner,
            at=at,
            limit=limit,
            strategy=str(strategy),
        )
        root = str(request.base_url).rstrip("/")
        return TmfJSONResponse(render_recommendations(result, root, root + base_path))

    def line(item: SimulationLine) -> dict[str, Any]:
        return {
            "channel": None if item.channel_id is None else {"id": str(item.channel_id)},
            "productFamily": None if item.family_code is None else {"code": item.family_code},
            "events": item.events,
            "currentRevenue": _money(item.currency, item.current_revenue),
            "proposedRevenue": _money(item.currency, item.proposed_revenue),
            "revenueDelta": _money(item.currency, item.revenue_delta),
            "cost": _money(item.currency, item.cost),
            "currentMargin": _money(item.currency, item.current_margin),
            "proposedMargin": _money(item.currency, item.proposed_margin),
            "marginDelta": _money(item.currency, item.margin_delta),
            "eventsWithRules": item.events_with_rules,
            "eventsCappedByGuardRail": item.events_capped,
        }

    @router.post(
        f"{base_path}/priceSimulation",
        summary="Apply a proposed price-list version to the last N months of sales (nothing stored)",
        response_class=TmfJSONResponse,
        responses={
            200: {"description": "The simulation", "content": json_content(ref("PriceSimulation"))},
            **error_responses(400, 404, 415, 422),
        },
        openapi_extra=request_body(ref("PriceSimulationRequest")),
    )
    def create_price_simulation(
        call: ApiCall = pricing, body: JsonBody = Depends(read_body)
    ) -> Response:
        given = body.require(JSON)
        errors: list[ErrorDetail] = []
        if not isinstance(given, Mapping):
            raise InvalidInput(
                "Invalid price simulation", [ErrorDetail("body", "expected a JSON object")]
            )
        _refuse_unknown(given, tuple(SIMULATION_REQUEST["properties"]), errors)
        version = _body_id(given, "priceListVersion", errors, required=True)
        months = _body_int(given, "months", errors, default=6, high=120)
        if errors or version is None:
            raise InvalidInput("Invalid price simulation", errors)
        result = simulate_version(
            call.session,
            principal=call.principal,
            version_id=version,
            months=months,
            now=call.now,
            event_store_dir=guard.runtime.settings.event_store_dir,
        )
        return TmfJSONResponse(
            {
                "@type": "PriceSimulation",
                "priceListVersion": {"id": str(version), "name": result.version_label},
                "months": result.months,
                "period": {
                    "startDateTime": f"{result.since.isoformat()}T00:00:00Z",
                    "endDateTime": f"{result.until.isoformat()}T00:00:00Z",
                },
                "currency": result.currency,
                "line": [line(item) for item in result.lines],
                "total": line(result.totals),
                "rulesApplied": result.rules_applied,
                "pricingRule": [
                    {"id": str(use.rule_id), "name": use.name, "events": use.events}
                    for use in result.rules_used
                ],
                "notEvaluableRule": [
                    {
                        "id": str(rule.rule_id),
                        "name": rule.name,
                        "reason": rule.reason,
                        "attribute": list(rule.attributes),
                    }
                    for rule in result.not_evaluable
                ],
            }
        )

    app.include_router(router)
    register_schemas(
        app,
        {
            "RecommendationRequest": RECOMMENDATION_REQUEST,
            "Recommendation": RECOMMENDATION_SCHEMA,
            "PriceSimulationRequest": SIMULATION_REQUEST,
            "PriceSimulation": SIMULATION_SCHEMA,
        },
    )
