"""Channel agreements (``channelAgreement``, shaped like TMF651 Agreement): versioned terms.

The terms (``name``, ``validFor``, ``commissionScheduleRef``, ``discountAllowances``,
``volumeCommitments``, ``paymentTermsDays``, ``clauses``) are top-level attributes, read
from the latest version. A PATCH revises them (a new version; ``If-Match`` guards against
a stale write) while the agreement is draft or in negotiation; the status moves only by
``POST .../transition``. Every version stays readable (``.../version``, ``.../version/{n}``)
and two versions compare field by field (``.../diff?from=1&to=3``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from salesdev.api.actions import (
    Field,
    action_route,
    body_schema,
    count_headers,
    listed,
    refuse_unknown_parameters,
    renamed,
)
from salesdev.api.toolkit import Reference, Resource, Scalar
from salesdev.api.toolkit.attributes import Attr, Mode
from salesdev.api.toolkit.http import path_id as parse_path_id
from salesdev.api.toolkit.listing import ServiceNames
from salesdev.api.toolkit.openapi import error_responses, json_content, ref, register_schemas
from salesdev.api.toolkit.operations import ServiceOperations
from salesdev.api.toolkit.resource import ApiSpec, RenderContext
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.security import ApiCall, Guard
from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.core.ids import parse_id
from salesdev.db.models import ChannelAgreement, ChannelAgreementVersion
from salesdev.db.query import ListQuery, Page
from salesdev.domains.access import Family, Principal
from salesdev.domains.agreements import (
    AGREEMENT_ATTRIBUTES,
    TERM_FIELDS,
    AgreementStatus,
    commission_plan,
    create_agreement,
    diff_versions,
    get_agreement,
    get_agreement_version,
    list_agreement_versions,
    list_agreements,
    revise_agreement,
    transition_agreement,
)
from salesdev.domains.notifications import format_datetime

LABEL = "Channel agreement"
STATUSES = tuple(status.value for status in AgreementStatus)
_SNAPSHOTS = "salesdev.api.agreement_snapshots"
_PLANS = "salesdev.api.agreement_commission_plans"
NAMES = ServiceNames(
    {
        "name": "name",
        "partner.id": "partnerId",
        "channel.id": "channelId",
        "status": "status",
        "validFor.startDateTime": "validFrom",
        "validFor.endDateTime": "validTo",
        "commissionScheduleRef": "commissionScheduleRef",
        "lastUpdate": "updatedAt",
    },
    AGREEMENT_ATTRIBUTES,
)
TRANSITION = {
    "toStatus": Field(required=True, choices=STATUSES, description="The next status"),
    "comment": Field(description="Why; required to terminate; kept in the version"),
}

_TERM_SCHEMAS: dict[str, dict[str, Any]] = {
    "name": {"type": "string", "maxLength": 200},
    "validFor": {"$ref": "#/components/schemas/TimePeriod"},
    "commissionScheduleRef": {
        "type": "string",
        "maxLength": 64,
        "description": "The code of a commission schedule (resolved by compensation)",
    },
    "discountAllowances": {
        "type": "object",
        "description": "Maximum discount per product family code, percent as a decimal string",
        "additionalProperties": {"type": ["string", "integer"]},
    },
    "volumeCommitments": {
        "type": "object",
        "description": "Per month YYYY-MM: {commitment, target}",
        "additionalProperties": {
            "type": "object",
            "properties": {"commitment": {"type": "integer"}, "target": {"type": "integer"}},
        },
    },
    "paymentTermsDays": {"type": "integer", "minimum": 0, "maximum": 365},
    "clauses": {
        "type": "object",
        "description": "Free text keyed by a short identifier",
        "additionalProperties": {"type": "string"},
    },
}


def latest_snapshot(session: Session, principal: Principal, agreement: ChannelAgreement) -> Any:
    """The terms in force, read once per agreement and version in a request."""
    cache: dict[tuple[uuid.UUID, int], dict[str, Any]] = session.info.setdefault(_SNAPSHOTS, {})
    key = (agreement.id, agreement.latest_version)
    if key not in cache:
        version = get_agreement_version(
            session, principal=principal, agreement_id=agreement.id, number=None
        )
        cache[key] = dict(version.snapshot)
    return cache[key]


class Term(Attr):
    """One term of the agreement, as the latest version holds it."""

    def __init__(self, name: str, *, required: bool) -> None:
        self.name = name
        self.required = required
        self.nullable = True
        self.description = ""

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        principal: Principal = ctx.session.info["salesdev.api.principal"]
        return latest_snapshot(ctx.session, principal, entity).get(self.name)

    def parse(self, raw: Any) -> dict[str, Any]:
        # The agreement service validates the terms and names each error's path.
        return {self.name: raw}

    def schema(self, mode: Mode) -> dict[str, Any]:
        return dict(_TERM_SCHEMAS[self.name])

    def locations(self) -> dict[str, str]:
        return {self.name: self.name}


class CommissionSchedule(Attr):
    """The compensation plan ``commissionScheduleRef`` names, as a reference (read-only)."""

    name = "commissionSchedule"
    readonly = True
    description = "The compensation plan the commission schedule code resolves to"

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        # A page of agreements names few schedules: resolve each code once per request.
        cache: dict[str, uuid.UUID | None] = ctx.session.info.setdefault(_PLANS, {})
        code = entity.commission_schedule_ref
        if code not in cache:
            plan = commission_plan(ctx.session, entity)
            cache[code] = None if plan is None else plan.id
        plan_id = cache[code]
        return None if plan_id is None else ctx.reference("compensationPlan", plan_id)

    def parse(self, raw: Any) -> dict[str, Any]:
        return {}

    def schema(self, mode: Mode) -> dict[str, Any]:
        return {"$ref": "#/components/schemas/EntityRef"}


def _remember(session: Session, principal: Principal) -> None:
    # Term attributes render through the agreement service, as the caller.
    session.info["salesdev.api.principal"] = principal


def _replacement_patch(current: Any, desired: Any) -> Any:
    """The merge patch that turns ``current`` into ``desired`` (null removes a key)."""
    if not isinstance(current, Mapping) or not isinstance(desired, Mapping):
        return desired
    patch: dict[str, Any] = {}
    for key in set(current) | set(desired):
        if desired.get(key) is None:
            if current.get(key) is not None:
                patch[key] = None
        elif key not in current or current[key] != desired[key]:
            patch[key] = _replacement_patch(current.get(key), desired[key])
    return patch


def _get_agreement(session: Session, *, principal: Principal, agreement_id: uuid.UUID) -> Any:
    _remember(session, principal)
    return get_agreement(session, principal=principal, agreement_id=agreement_id)


def _list_agreements(session: Session, *, principal: Principal, query: ListQuery) -> Page[Any]:
    _remember(session, principal)
    return list_agreements(session, principal=principal, query=query)


def _create_agreement(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    _remember(session, principal)
    ids = {}
    for domain, location in (("partner_id", "partner"), ("channel_id", "channel")):
        raw = values.get(domain)
        ids[domain] = None if raw is None else parse_id(raw, location=f"{location}.id")
    with renamed({"partner_id": "partner", "channel_id": "channel"}):
        return create_agreement(
            session,
            principal=principal,
            terms={k: values[k] for k in TERM_FIELDS if values.get(k) is not None},
            partner_id=ids["partner_id"],
            channel_id=ids["channel_id"],
            comment=values.get("comment") or "",
            now=now,
        )


def _revise_agreement(
    session: Session,
    *,
    principal: Principal,
    agreement_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None,
) -> Any:
    _remember(session, principal)
    fixed = [
        ErrorDetail(location, "the party of an agreement does not change")
        for domain, location in (("partner_id", "partner"), ("channel_id", "channel"))
        if domain in changes
    ]
    if fixed:
        raise InvalidInput("Invalid change of ChannelAgreement", fixed)
    agreement = get_agreement(session, principal=principal, agreement_id=agreement_id)
    current = latest_snapshot(session, principal, agreement)
    terms = {
        name: _replacement_patch(current.get(name), changes[name])
        for name in TERM_FIELDS
        if name in changes
    }
    comment = changes.get("comment") or ""
    if not terms and not comment:
        return agreement
    return revise_agreement(
        session,
        principal=principal,
        agreement_id=agreement_id,
        changes=terms,
        comment=comment,
        now=now,
        expected_version=expected_version,
    )


def channel_agreement_resource() -> Resource:
    terms = tuple(
        Term(
            name, required=name in ("name", "validFor", "commissionScheduleRef", "paymentTermsDays")
        )
        for name in TERM_FIELDS
    )
    return Resource(
        name="channelAgreement",
        type="ChannelAgreement",
        base_type="Agreement",
        model=ChannelAgreement,
        operations=ServiceOperations(
            ChannelAgreement,
            LABEL,
            key="agreement_id",
            get=_get_agreement,
            list=_list_agreements,
            create=_create_agreement,
            update=_revise_agreement,
            names=NAMES,
        ),
        family=Family.PARTNERS,
        filters=NAMES.published(),
        description=(
            "Negotiated terms with a partner or a channel (exactly one), versioned: "
            "draft -> in_negotiation -> approved -> active -> expired, or terminated. "
            "PATCH revises the terms (a new version); POST .../transition moves the status"
        ),
        attributes=(
            *terms,
            CommissionSchedule(),
            Reference("partner", "partner_id", target="partner"),
            Reference("channel", "channel_id", target="salesChannel"),
            Scalar("status", "status", choices=STATUSES, readonly=True),
            Scalar("latestVersion", "latest_version", "int", readonly=True, filterable=False),
            Scalar("termsAuthor", "terms_author", readonly=True, filterable=False),
            Scalar(
                "comment",
                "comment",
                writeonly=True,
                filterable=False,
                sortable=False,
                description="Why (kept with the version this write creates)",
            ),
            Scalar("creationDate", "created_at", "datetime", readonly=True, filterable=False),
            Scalar("lastUpdate", "updated_at", "datetime", readonly=True),
        ),
    )


def render_version(agreement_href: str, version: ChannelAgreementVersion) -> dict[str, Any]:
    snapshot = dict(version.snapshot)
    return {
        "href": f"{agreement_href}/version/{version.number}",
        "@type": "ChannelAgreementVersion",
        "number": version.number,
        "change": version.change,
        "status": version.status,
        "author": version.author,
        "creationDate": format_datetime(version.created_at),
        "comment": version.comment,
        "terms": {name: snapshot.get(name) for name in TERM_FIELDS},
    }


VERSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "href": {"type": "string", "format": "uri"},
        "@type": {"type": "string", "const": "ChannelAgreementVersion"},
        "number": {"type": "integer"},
        "change": {"type": "string", "enum": ["created", "revised", "status"]},
        "status": {"type": "string", "enum": list(STATUSES)},
        "author": {"type": "string"},
        "creationDate": {"type": "string", "format": "date-time"},
        "comment": {"type": "string"},
        "terms": {"type": "object"},
    },
}
DIFF_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "@type": {"type": "string", "const": "ChannelAgreementDiff"},
        "from": {"type": "integer"},
        "to": {"type": "integer"},
        "differences": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "change": {"type": "string", "enum": ["added", "removed", "changed"]},
                    "before": {},
                    "after": {},
                },
            },
        },
    },
}


def _version_number(raw: str, *, location: str, not_found: bool) -> int:
    text = raw.strip()
    if text.isdigit() and 0 < int(text) < 2**31:
        return int(text)
    if not_found:
        raise NotFound(f"No agreement version {raw}")
    raise InvalidInput(
        "Invalid query", [ErrorDetail(location, "expected a version number, 1 or more")]
    )


def install_agreement_actions(app: FastAPI, guard: Guard, api: ApiSpec) -> None:
    resource = api.resources["channelAgreement"]
    router = APIRouter(tags=[resource.type])
    item_path = f"{resource.path}/{{id}}"
    reading = Depends(guard.requires(Family.PARTNERS, "read"))

    def href(request: Request, agreement_id: uuid.UUID) -> str:
        return f"{str(request.base_url).rstrip('/')}{resource.path}/{agreement_id}"

    def transition(
        call: ApiCall, agreement: Any, given: dict[str, Any], version: int | None
    ) -> Any:
        with renamed({"to_status": "toStatus"}):
            return transition_agreement(
                call.session,
                principal=call.principal,
                agreement_id=agreement.id,
                to_status=given["toStatus"],
                comment=given.get("comment", ""),
                now=call.now,
                expected_version=version,
            )

    action_route(
        router,
        guard,
        resource,
        action="transition",
        name="transition_channel_agreement",
        summary="Move the agreement through its workflow (a new version)",
        answer="The agreement",
        request_schema="ChannelAgreementTransition",
        fields=TRANSITION,
        label="transition",
        perform=transition,
    )

    @router.get(
        f"{item_path}/version",
        summary="Every version of the agreement, oldest first",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "Versions",
                "content": json_content({"type": "array", "items": ref("ChannelAgreementVersion")}),
                "headers": count_headers(),
            },
            **error_responses(404),
        },
    )
    def list_channel_agreement_versions(
        request: Request, id: str, call: ApiCall = reading
    ) -> Response:
        agreement_id = parse_path_id(id, label=LABEL)
        versions = list_agreement_versions(
            call.session, principal=call.principal, agreement_id=agreement_id
        )
        base = href(request, agreement_id)
        return listed([render_version(base, v) for v in versions])

    @router.get(
        f"{item_path}/version/{{n}}",
        summary="One version of the agreement",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "The version",
                "content": json_content(ref("ChannelAgreementVersion")),
            },
            **error_responses(404),
        },
    )
    def read_channel_agreement_version(
        request: Request, id: str, n: str, call: ApiCall = reading
    ) -> Response:
        agreement_id = parse_path_id(id, label=LABEL)
        number = _version_number(n, location="n", not_found=True)
        version = get_agreement_version(
            call.session, principal=call.principal, agreement_id=agreement_id, number=number
        )
        return TmfJSONResponse(render_version(href(request, agreement_id), version))

    @router.get(
        f"{item_path}/diff",
        summary="What differs between two versions, field by field (ordered by path)",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "The differences",
                "content": json_content(ref("ChannelAgreementDiff")),
            },
            **error_responses(400, 404),
        },
    )
    def diff_channel_agreement_versions(
        request: Request,
        id: str,
        call: ApiCall = reading,
        from_: str | None = Query(None, alias="from", description="A version number"),
        to: str | None = Query(None, description="A version number"),
    ) -> Response:
        refuse_unknown_parameters(request, ("from", "to"))
        agreement_id = parse_path_id(id, label=LABEL)
        errors: list[ErrorDetail] = []
        numbers: dict[str, int] = {}
        for name, raw in (("from", from_), ("to", to)):
            if raw is None:
                errors.append(ErrorDetail(name, "is required: a version number"))
                continue
            try:
                numbers[name] = _version_number(raw, location=name, not_found=False)
            except InvalidInput as exc:
                errors += exc.details
        if errors:
            raise InvalidInput("Invalid query", errors)
        with renamed({"a": "from", "b": "to"}):
            differences = diff_versions(
                call.session,
                principal=call.principal,
                agreement_id=agreement_id,
                a=numbers["from"],
                b=numbers["to"],
            )
        return TmfJSONResponse(
            {
                "@type": "ChannelAgreementDiff",
                "from": numbers["from"],
                "to": numbers["to"],
                "differences": [
                    {"path": d.path, "change": d.change, "before": d.before, "after": d.after}
                    for d in differences
                ],
            }
        )

    app.include_router(router)
    register_schemas(
        app,
        {
            "ChannelAgreementTransition": body_schema("ChannelAgreementTransition", TRANSITION),
            "ChannelAgreementVersion": VERSION_SCHEMA,
            "ChannelAgreementDiff": DIFF_SCHEMA,
        },
    )
