"""A partner's payout details: ``GET|PUT .../partner/{id}/payoutDetails``.

Bank and tax details are narrower than the partner itself (the ``payouts`` family):
writing needs ``payouts`` write, checked before the body is read. Reading is decided by
the payouts service, which also lets a partner user read its own partner's details (not
its sub-dealers'). The details appear nowhere else: no other representation carries the
IBAN.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from starlette.responses import Response

from salesdev.api.actions import renamed, request_body
from salesdev.api.toolkit.http import JsonBody, etag_headers, expected_version, json_body_reader
from salesdev.api.toolkit.http import path_id as parse_path_id
from salesdev.api.toolkit.openapi import error_responses, json_content, ref, register_schemas
from salesdev.api.toolkit.patching import JSON
from salesdev.api.toolkit.resource import ApiSpec
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.routes import IF_MATCH_HELP
from salesdev.api.toolkit.security import ApiCall, Guard
from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.db.models import Partner, PartnerPayout
from salesdev.domains.access import Family
from salesdev.domains.notifications import format_datetime
from salesdev.domains.partners import get_payout_details, set_payout_details

LABEL = "Payout details"
TYPE = "PartnerPayoutDetails"
# TMF name -> the service's keyword (and the location its errors name).
FIELDS = {
    "payeeName": "payee_name",
    "iban": "iban",
    "bic": "bic",
    "taxId": "tax_id",
    "currency": "currency",
    "paymentTermsDays": "payment_terms_days",
}
OPTIONAL = ("bic",)


def render_payout(payout: PartnerPayout, partner: Partner, partner_href: str) -> dict[str, Any]:
    return {
        "href": f"{partner_href}/payoutDetails",
        "@type": TYPE,
        "partner": {
            "id": str(partner.id),
            "href": partner_href,
            "name": partner.name,
            "@referredType": "Partner",
        },
        "payeeName": payout.payee_name,
        "iban": payout.iban,
        "bic": payout.bic,
        "taxId": payout.tax_id,
        "currency": payout.currency,
        "paymentTermsDays": payout.payment_terms_days,
        "creationDate": format_datetime(payout.created_at),
        "lastUpdate": format_datetime(payout.updated_at),
    }


def parse_payout_body(body: Any) -> dict[str, Any]:
    """The service's keywords; types and values are the service's to check (with locations)."""
    if not isinstance(body, dict):
        raise InvalidInput(f"Invalid {TYPE}", [ErrorDetail("body", "expected a JSON object")])
    known = ", ".join(FIELDS)
    errors = [
        ErrorDetail(str(key), f"unknown attribute; known: {known}")
        for key in body
        if key not in FIELDS and key != "@type"
    ]
    if "@type" in body and body["@type"] != TYPE:
        errors.append(ErrorDetail("@type", f"expected {TYPE!r}"))
    if errors:
        raise InvalidInput(f"Invalid {TYPE}", errors)
    return {domain: body.get(tmf) for tmf, domain in FIELDS.items()}


def install_payout_details(app: FastAPI, guard: Guard, api: ApiSpec) -> None:
    partners = api.resources["partner"]
    path = f"{partners.path}/{{id}}/payoutDetails"
    router = APIRouter(tags=[TYPE])
    # The service applies the read rule (payouts read, or a partner user's own partner).
    reading = Depends(guard.requires(None, "read"))
    writing = Depends(guard.requires(Family.PAYOUTS, "write"))
    read_body = json_body_reader(guard.runtime.settings.max_request_bytes)
    etag = {"ETag": {"description": "The details' version", "schema": {"type": "string"}}}
    answer = {"description": LABEL, "content": json_content(ref(TYPE)), "headers": etag}

    def partner_href(request: Request, partner_id: uuid.UUID) -> str:
        return f"{str(request.base_url).rstrip('/')}{partners.path}/{partner_id}"

    @router.get(
        path,
        summary="Read a partner's payout details (payouts read; a partner user: its own)",
        response_class=TmfJSONResponse,
        responses={200: answer, **error_responses(403, 404)},
    )
    def read_payout_details(request: Request, id: str, call: ApiCall = reading) -> Response:
        partner_id = parse_path_id(id, label="Partner")
        payout = get_payout_details(call.session, principal=call.principal, partner_id=partner_id)
        partner = call.session.get_one(Partner, partner_id)
        body = render_payout(payout, partner, partner_href(request, partner_id))
        return TmfJSONResponse(body, headers=etag_headers(payout))

    @router.put(
        path,
        summary="Record or replace a partner's payout details (payouts write)",
        response_class=TmfJSONResponse,
        responses={200: answer, 201: answer, **error_responses(400, 403, 404, 412, 415)},
        openapi_extra=request_body(ref(f"{TYPE}_FVO")),
    )
    def put_payout_details(
        request: Request,
        id: str,
        call: ApiCall = writing,
        body: JsonBody = Depends(read_body),
        if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
    ) -> Response:
        partner_id = parse_path_id(id, label="Partner")
        values = parse_payout_body(body.require(JSON))
        session, principal = call.session, call.principal
        try:
            current: PartnerPayout | None = get_payout_details(
                session, principal=principal, partner_id=partner_id
            )
        except NotFound:
            current = None  # no details yet, or no such partner: the service says which
        version = None if current is None else expected_version(if_match, current, label=LABEL)
        with renamed({domain: tmf for tmf, domain in FIELDS.items()}):
            payout = set_payout_details(
                session,
                principal=principal,
                partner_id=partner_id,
                now=call.now,
                expected_version=version,
                **values,
            )
        partner = session.get_one(Partner, partner_id)
        shown = render_payout(payout, partner, partner_href(request, partner_id))
        status = 201 if current is None else 200
        return TmfJSONResponse(shown, status_code=status, headers=etag_headers(payout))

    app.include_router(router)
    register_schemas(app, {TYPE: PAYOUT_SCHEMA, f"{TYPE}_FVO": PAYOUT_INPUT_SCHEMA})


PAYOUT_INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [tmf for tmf, domain in FIELDS.items() if tmf not in OPTIONAL],
    "properties": {
        "@type": {"type": "string", "const": TYPE},
        "payeeName": {"type": "string", "maxLength": 200},
        "iban": {"type": "string", "description": "ISO 13616, spaces allowed; check digits"},
        "bic": {"type": ["string", "null"], "description": "ISO 9362, 8 or 11 characters"},
        "taxId": {"type": "string", "maxLength": 32},
        "currency": {"type": "string", "description": "ISO 4217, e.g. EUR"},
        "paymentTermsDays": {"type": "integer", "minimum": 0, "maximum": 365},
    },
}
PAYOUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Where and how a partner's commissions are paid",
    "properties": {
        "href": {"type": "string", "format": "uri"},
        "@type": {"type": "string", "const": TYPE},
        "partner": ref("EntityRef"),
        **{k: v for k, v in PAYOUT_INPUT_SCHEMA["properties"].items() if k != "@type"},
        "creationDate": {"type": "string", "format": "date-time"},
        "lastUpdate": {"type": "string", "format": "date-time"},
    },
}
