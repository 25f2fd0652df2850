"""Partners as TM Forum parties, read-only: TMF632 ``organization`` and TMF669 ``partyRole``.

Both answer from the partner rows the principal may see (a partner user: its own partner
and, when allowed, its sub-dealers) and render the partners domain's TMF shapes. Writes
stay on the Sales Development ``partner`` resource, so every other method is 405.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from salesdev.api.toolkit.http import path_id
from salesdev.api.toolkit.openapi import error_responses, json_content, register_schemas
from salesdev.api.toolkit.querystring import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_OFFSET,
    check_fields,
    parse_list_request,
    select_fields,
)
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.routes import FIELDS_HELP, SORT_HELP
from salesdev.api.toolkit.security import ApiCall, Guard
from salesdev.db.models import Partner, PartnerContact
from salesdev.db.query import Attribute, SortKey, fetch_page
from salesdev.domains.access import Family
from salesdev.domains.partners import (
    list_partner_contacts,
    partner_organization,
    partner_party_role,
)
from salesdev.domains.reference import get_entity, scoped_select

PARTY_PATH = "/tmf-api/party/v4"
PARTY_ROLE_PATH = "/tmf-api/partyRoleManagement/v4"
ORGANIZATION_STATUSES = ("initialized", "validated", "closed")
DEFAULT_SORT = (SortKey("name"),)

# TMF632 knows an organisation as initialized, validated or closed: an on-boarding partner
# is initialized, a terminated one closed (domains.partners.organization_status).
_ORGANIZATION_STATUS: ColumnElement[str] = case(
    (Partner.status == "terminated", "closed"),
    (Partner.status == "onboarding", "initialized"),
    else_="validated",
)


def _organization_status(raw: str) -> str:
    if raw not in ORGANIZATION_STATUSES:
        raise ValueError(f"expected one of {', '.join(ORGANIZATION_STATUSES)}")
    return raw


ORGANIZATION_FILTERS: dict[str, Attribute] = {
    "id": Attribute(Partner.id, uuid.UUID),
    "name": Attribute(Partner.name),
    "status": Attribute(_ORGANIZATION_STATUS, _organization_status),
    "organizationType": Attribute(Partner.partner_type),
}
PARTY_ROLE_FILTERS: dict[str, Attribute] = {
    "id": Attribute(Partner.id, uuid.UUID),
    "name": Attribute(Partner.partner_type),
    "status": Attribute(Partner.status),
    "engagedParty.id": Attribute(Partner.id, uuid.UUID),
    "engagedParty.name": Attribute(Partner.name),
}

Render = Callable[[Session, list[Partner], str], list[dict[str, Any]]]


def _organizations(
    session: Session, partners: list[Partner], base_url: str
) -> list[dict[str, Any]]:
    """A page of organisations: their contacts and parents in one query each. The partners
    are already in the principal's scope, and their contacts are theirs."""
    ids = [p.id for p in partners]
    contacts: dict[uuid.UUID, list[PartnerContact]] = {i: [] for i in ids}
    for contact in session.scalars(
        select(PartnerContact)
        .where(PartnerContact.partner_id.in_(ids))
        .order_by(PartnerContact.is_primary.desc(), PartnerContact.name, PartnerContact.id)
    ):
        contacts[contact.partner_id].append(contact)
    parent_ids = {p.parent_id for p in partners} - {None}
    parents = {
        parent.id: parent
        for parent in session.scalars(select(Partner).where(Partner.id.in_(parent_ids)))
    }
    return [
        partner_organization(
            partner,
            contacts=contacts[partner.id],
            parent=None if partner.parent_id is None else parents.get(partner.parent_id),
            base_url=base_url,
        )
        for partner in partners
    ]


def _party_roles(session: Session, partners: list[Partner], base_url: str) -> list[dict[str, Any]]:
    return [partner_party_role(partner, base_url=base_url) for partner in partners]


def _organization_one(call: ApiCall, partner: Partner, base_url: str) -> dict[str, Any]:
    """One organisation through the contacts service (which checks the row scope again)."""
    contacts = list_partner_contacts(call.session, principal=call.principal, partner_id=partner.id)
    parent = None if partner.parent_id is None else call.session.get(Partner, partner.parent_id)
    return partner_organization(partner, contacts=contacts, parent=parent, base_url=base_url)


def install_party_api(app: FastAPI, guard: Guard) -> None:
    reading = Depends(guard.requires(Family.PARTNERS, "read"))
    router = APIRouter()
    _read_routes(
        router,
        reading,
        path=f"{PARTY_PATH}/organization",
        type_="Organization",
        filters=ORGANIZATION_FILTERS,
        render=_organizations,
        known=ORGANIZATION_SCHEMA["properties"],
    )
    _read_routes(
        router,
        reading,
        path=f"{PARTY_ROLE_PATH}/partyRole",
        type_="PartyRole",
        filters=PARTY_ROLE_FILTERS,
        render=_party_roles,
        known=PARTY_ROLE_SCHEMA["properties"],
    )
    app.include_router(router)
    register_schemas(app, {"Organization": ORGANIZATION_SCHEMA, "PartyRole": PARTY_ROLE_SCHEMA})


def _read_routes(
    router: APIRouter,
    reading: Any,
    *,
    path: str,
    type_: str,
    filters: Mapping[str, Attribute],
    render: Render,
    known: Mapping[str, Any],
) -> None:
    schema = {"$ref": f"#/components/schemas/{type_}"}

    @router.get(
        path,
        summary=f"List {type_} resources (partners the caller may see)",
        tags=[type_],
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": f"A page of {type_}",
                "content": json_content({"type": "array", "items": schema}),
                "headers": {
                    "X-Total-Count": {"schema": {"type": "integer"}},
                    "X-Result-Count": {"schema": {"type": "integer"}},
                },
            },
            **error_responses(400),
        },
        openapi_extra={"parameters": _filter_parameters(sorted(filters))},
        operation_id=f"list{type_}",
    )
    def list_parties(
        request: Request,
        call: ApiCall = reading,
        fields: str | None = Query(None, description=FIELDS_HELP),
        sort: str | None = Query(None, description=SORT_HELP),
        offset: int = Query(0, ge=0, le=MAX_OFFSET),
        limit: int = Query(DEFAULT_LIMIT, ge=0, le=MAX_LIMIT),
    ) -> Response:
        listing = parse_list_request(request.query_params.multi_items())
        check_fields(listing.fields, known)
        page = fetch_page(
            call.session,
            scoped_select(call.session, principal=call.principal, kind="partner"),
            attributes=filters,
            query=listing.query,
            tie_breaker=Partner.id,
            default_sort=DEFAULT_SORT,
        )
        body = render(call.session, page.items, _base_url(request))
        selected = [select_fields(item, listing.fields) for item in body]
        headers = {"X-Total-Count": str(page.total), "X-Result-Count": str(len(selected))}
        return TmfJSONResponse(selected, headers=headers)

    @router.get(
        f"{path}/{{id}}",
        summary=f"Read a {type_}",
        tags=[type_],
        response_class=TmfJSONResponse,
        responses={
            200: {"description": type_, "content": json_content(schema)},
            **error_responses(400, 404),
        },
        operation_id=f"retrieve{type_}",
    )
    def read_party(
        request: Request,
        id: str,
        call: ApiCall = reading,
        fields: str | None = Query(None, description=FIELDS_HELP),
    ) -> Response:
        selection = parse_list_request([("fields", fields)] if fields else []).fields
        check_fields(selection, known)
        partner: Partner = get_entity(
            call.session,
            principal=call.principal,
            kind="partner",
            entity_id=path_id(id, label=type_),
        )
        base_url = _base_url(request)
        if type_ == "Organization":
            body = _organization_one(call, partner, base_url)
        else:
            (body,) = render(call.session, [partner], base_url)
        return TmfJSONResponse(select_fields(body, selection))


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _filter_parameters(names: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": f"Filter on {name}: comma-separated values mean OR",
        }
        for name in names
    ]


_REF = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "href": {"type": "string", "format": "uri"},
        "name": {"type": "string"},
        "role": {"type": "string"},
        "@referredType": {"type": "string"},
    },
}
ORGANIZATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A partner as a TMF632 Organization (contacts as contact media)",
    "required": ["id", "href", "@type"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "href": {"type": "string", "format": "uri"},
        "name": {"type": "string"},
        "organizationType": {"type": "string"},
        "status": {"type": "string", "enum": list(ORGANIZATION_STATUSES)},
        "externalReference": {"type": "array", "items": {"type": "object"}},
        "partyCharacteristic": {"type": "array", "items": {"type": "object"}},
        "contactMedium": {"type": "array", "items": {"type": "object"}},
        "relatedParty": {"type": "array", "items": _REF},
        "@type": {"type": "string", "const": "Organization"},
        "@baseType": {"type": "string", "const": "Party"},
    },
}
PARTY_ROLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The TMF669 PartyRole a partner organisation plays (its partner type)",
    "required": ["id", "href", "@type"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "href": {"type": "string", "format": "uri"},
        "name": {"type": "string"},
        "status": {"type": "string"},
        "engagedParty": _REF,
        "@type": {"type": "string", "const": "PartyRole"},
    },
}
