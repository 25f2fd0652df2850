"""Partner on-boarding cases (``partnerOnboarding``) and their task-style actions.

A case is created (POST) for a partner and then moves only through its actions, each a
POST or PATCH on a sub-resource answered with the changed case or item:

- ``POST .../partnerOnboarding/{id}/transition {toState, comment}``: a move, or a request
  for one when the move needs an approval;
- ``POST .../partnerOnboarding/{id}/approval {decision: approve|reject, reason}``;
- ``GET|POST .../partnerOnboarding/{id}/checklistItem`` and
  ``PATCH .../checklistItem/{code} {evidence}`` (the due-diligence checklist);
- ``GET .../partnerOnboarding/{id}/history`` (append-only).

A skipped step, a self-approval or incomplete due diligence is a 422 with the service's
message. There is no PATCH of the case itself and no DELETE: history is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from salesdev.api.actions import (
    Field,
    action_route,
    body_schema,
    count_headers,
    listed,
    parse_fields,
    renamed,
    request_body,
)
from salesdev.api.toolkit import Reference, Resource, Scalar
from salesdev.api.toolkit.attributes import Attr, Mode
from salesdev.api.toolkit.http import JsonBody, json_body_reader
from salesdev.api.toolkit.http import path_id as parse_path_id
from salesdev.api.toolkit.listing import ServiceNames
from salesdev.api.toolkit.openapi import error_responses, json_content, ref, register_schemas
from salesdev.api.toolkit.operations import ServiceOperations
from salesdev.api.toolkit.patching import JSON, MERGE_PATCH
from salesdev.api.toolkit.resource import ApiSpec, RenderContext
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.security import ApiCall, Guard, permit_write
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.ids import parse_id
from salesdev.db.models import OnboardingCase, OnboardingChecklistItem, OnboardingHistoryEntry
from salesdev.domains.access import Family, Principal
from salesdev.domains.notifications import format_datetime, publish_event
from salesdev.domains.onboarding import (
    ONBOARDING_ATTRIBUTES,
    OnboardingState,
    add_checklist_item,
    advance_onboarding,
    approve_onboarding_request,
    check_checklist_item,
    get_onboarding_case,
    list_checklist,
    list_onboarding_cases,
    list_onboarding_history,
    open_onboarding_case,
    reject_onboarding_request,
)

LABEL = "On-boarding case"
STATES = tuple(state.value for state in OnboardingState)
NAMES = ServiceNames(
    {
        "partner.id": "partnerId",
        "state": "state",
        "pendingRequest.toState": "requestedState",
        # createdAt / updatedAt are left out: the service parses their filter values as
        # text, which a date-time column cannot compare (reported to the domain's owner).
    },
    ONBOARDING_ATTRIBUTES,
)
TRANSITION = {
    "toState": Field(required=True, choices=STATES, description="The next state"),
    "comment": Field(description="Why; kept in the history"),
}
APPROVAL = {
    "decision": Field(required=True, choices=("approve", "reject")),
    "reason": Field(description="Required to reject; kept in the history"),
}
NEW_ITEM = {
    "code": Field(required=True, description="Unique in the case, at most 48 characters"),
    "label": Field(required=True, description="At most 200 characters"),
    "mandatory": Field("bool", description="Default true: due diligence needs it checked"),
}
CHECK = {"evidence": Field(required=True, description="A text or a document reference")}


class PendingRequest(Attr):
    """A move awaiting another user's approval, or null."""

    name = "pendingRequest"
    readonly = True

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        if entity.requested_state is None:
            return None
        return {
            "toState": entity.requested_state,
            "requestedBy": entity.requested_by,
            "requestedAt": format_datetime(entity.requested_at),
            "comment": entity.request_comment or "",
        }

    def schema(self, mode: Mode) -> dict[str, Any]:
        return {
            "type": ["object", "null"],
            "readOnly": True,
            "properties": {
                "toState": {"type": "string", "enum": list(STATES)},
                "requestedBy": {"type": "string"},
                "requestedAt": {"type": "string", "format": "date-time"},
                "comment": {"type": "string"},
            },
        }


def _open_case(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    if values.get("partner_id") is None:
        raise InvalidInput("Invalid PartnerOnboarding", [ErrorDetail("partner", "is required")])
    return open_onboarding_case(
        session,
        principal=principal,
        partner_id=parse_id(values["partner_id"], location="partner.id"),
        comment=values.get("comment") or "",
        now=now,
    )


def partner_onboarding_resource() -> Resource:
    return Resource(
        name="partnerOnboarding",
        type="PartnerOnboarding",
        model=OnboardingCase,
        operations=ServiceOperations(
            OnboardingCase,
            LABEL,
            key="case_id",
            get=get_onboarding_case,
            list=list_onboarding_cases,
            create=_open_case,
            names=NAMES,
        ),
        family=Family.PARTNERS,
        display_attribute="state",
        filters=NAMES.published(),
        description=(
            "A partner's way from application to active: application -> due_diligence -> "
            "agreement_negotiation -> training -> active (<-> suspended), or terminated. "
            "Moves through POST .../transition and .../approval"
        ),
        attributes=(
            Reference("partner", "partner_id", target="partner", required=True),
            Scalar("state", "state", choices=STATES, readonly=True),
            PendingRequest(),
            Scalar("openedBy", "opened_by", readonly=True, filterable=False),
            Scalar(
                "comment",
                "comment",
                writeonly=True,
                filterable=False,
                sortable=False,
                description="Why the case is opened; kept in the history",
            ),
            Scalar("creationDate", "created_at", "datetime", readonly=True),
            Scalar("lastUpdate", "updated_at", "datetime", readonly=True),
        ),
    )


def render_item(
    case_href: str, case_id: uuid.UUID, item: OnboardingChecklistItem
) -> dict[str, Any]:
    return {
        "href": f"{case_href}/checklistItem/{item.code}",
        "@type": "OnboardingChecklistItem",
        "code": item.code,
        "label": item.label,
        "mandatory": item.mandatory,
        "position": item.position,
        "evidence": item.evidence,
        "checkedBy": item.checked_by,
        "checkedAt": None if item.checked_at is None else format_datetime(item.checked_at),
        "partnerOnboarding": {
            "id": str(case_id),
            "href": case_href,
            "@referredType": "PartnerOnboarding",
        },
    }


def render_entry(entry: OnboardingHistoryEntry) -> dict[str, Any]:
    return {
        "@type": "OnboardingHistoryEntry",
        "sequence": entry.sequence,
        "event": entry.event,
        "fromState": entry.from_state,
        "toState": entry.to_state,
        "actor": entry.actor,
        "requestedBy": entry.requested_by,
        "occurredAt": format_datetime(entry.occurred_at),
        "comment": entry.comment,
    }


ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "href": {"type": "string", "format": "uri"},
        "@type": {"type": "string", "const": "OnboardingChecklistItem"},
        "code": {"type": "string"},
        "label": {"type": "string"},
        "mandatory": {"type": "boolean"},
        "position": {"type": "integer"},
        "evidence": {"type": ["string", "null"]},
        "checkedBy": {"type": ["string", "null"]},
        "checkedAt": {"type": ["string", "null"], "format": "date-time"},
        "partnerOnboarding": ref("EntityRef"),
    },
}
ENTRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "@type": {"type": "string", "const": "OnboardingHistoryEntry"},
        "sequence": {"type": "integer"},
        "event": {
            "type": "string",
            "enum": ["opened", "transitioned", "requested", "approved", "rejected"],
        },
        "fromState": {"type": ["string", "null"]},
        "toState": {"type": "string"},
        "actor": {"type": "string"},
        "requestedBy": {"type": ["string", "null"]},
        "occurredAt": {"type": "string", "format": "date-time"},
        "comment": {"type": "string"},
    },
}


def install_onboarding_actions(app: FastAPI, guard: Guard, api: ApiSpec) -> None:
    resource = api.resources["partnerOnboarding"]
    router = APIRouter(tags=[resource.type])
    item_path = f"{resource.path}/{{id}}"
    reading = Depends(guard.requires(Family.PARTNERS, "read"))
    writing_row = Depends(guard.requires_row_write(Family.PARTNERS))
    read_body = json_body_reader(guard.runtime.settings.max_request_bytes)

    def case_for_write(call: ApiCall, raw_id: str) -> OnboardingCase:
        """404 outside the caller's scope, then 403 without the right to write."""
        case = get_onboarding_case(
            call.session, principal=call.principal, case_id=parse_path_id(raw_id, label=LABEL)
        )
        permit_write(call, Family.PARTNERS)
        return case

    def transition(call: ApiCall, case: Any, given: dict[str, Any], version: int | None) -> Any:
        with renamed({"to_state": "toState"}):
            return advance_onboarding(
                call.session,
                principal=call.principal,
                case_id=case.id,
                to_state=given["toState"],
                comment=given.get("comment", ""),
                now=call.now,
                expected_version=version,
            )

    def decide(call: ApiCall, case: Any, given: dict[str, Any], version: int | None) -> Any:
        service = (
            approve_onboarding_request
            if given["decision"] == "approve"
            else reject_onboarding_request
        )
        with renamed({"comment": "reason"}):
            return service(
                call.session,
                principal=call.principal,
                case_id=case.id,
                comment=given.get("reason", ""),
                now=call.now,
                expected_version=version,
            )

    action_route(
        router,
        guard,
        resource,
        action="transition",
        name="transition_onboarding_case",
        summary="Move the case to its next state (or request the move when it needs an approval)",
        answer="The case after the action",
        request_schema="OnboardingTransition",
        fields=TRANSITION,
        label="transition",
        perform=transition,
    )
    action_route(
        router,
        guard,
        resource,
        action="approval",
        name="decide_onboarding_request",
        summary="Approve or reject the pending move (by another user than its requester)",
        answer="The case after the action",
        request_schema="OnboardingApproval",
        fields=APPROVAL,
        label="approval",
        perform=decide,
    )

    @router.get(
        f"{item_path}/checklistItem",
        summary="The case's due-diligence checklist, in order",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "Checklist items",
                "content": json_content({"type": "array", "items": ref("OnboardingChecklistItem")}),
                "headers": count_headers(),
            },
            **error_responses(404),
        },
    )
    def list_onboarding_checklist(request: Request, id: str, call: ApiCall = reading) -> Response:
        case_id = parse_path_id(id, label=LABEL)
        items = list_checklist(call.session, principal=call.principal, case_id=case_id)
        href = _case_href(request, resource.path, case_id)
        return listed([render_item(href, case_id, item) for item in items])

    @router.post(
        f"{item_path}/checklistItem",
        summary="Add a check to a case in application or due diligence",
        status_code=201,
        response_class=TmfJSONResponse,
        responses={
            201: {
                "description": "The new item",
                "content": json_content(ref("OnboardingChecklistItem")),
            },
            **error_responses(400, 404, 409, 415, 422),
        },
        openapi_extra=request_body(ref("OnboardingChecklistItem_FVO")),
    )
    def add_onboarding_checklist_item(
        request: Request,
        id: str,
        call: ApiCall = writing_row,
        body: JsonBody = Depends(read_body),
    ) -> Response:
        case = case_for_write(call, id)
        given = parse_fields(body.require(JSON), NEW_ITEM, label="checklist item")
        item = add_checklist_item(
            call.session,
            principal=call.principal,
            case_id=case.id,
            code=given["code"],
            label=given["label"],
            mandatory=given.get("mandatory", True),
            now=call.now,
        )
        shown = render_item(_case_href(request, resource.path, case.id), case.id, item)
        _publish_item(call, api, "OnboardingChecklistItemCreateEvent", shown)
        return TmfJSONResponse(shown, status_code=201, headers={"Location": shown["href"]})

    @router.patch(
        f"{item_path}/checklistItem/{{code}}",
        summary="Check an item, with its evidence (during due diligence, once)",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "The checked item",
                "content": json_content(ref("OnboardingChecklistItem")),
            },
            **error_responses(400, 404, 415, 422),
        },
        openapi_extra=request_body(ref("OnboardingChecklistItem_MVO"), JSON, MERGE_PATCH),
    )
    def check_onboarding_checklist_item(
        request: Request,
        id: str,
        code: str,
        call: ApiCall = writing_row,
        body: JsonBody = Depends(read_body),
    ) -> Response:
        case = case_for_write(call, id)
        given = parse_fields(body.require(JSON, MERGE_PATCH), CHECK, label="check")
        item = check_checklist_item(
            call.session,
            principal=call.principal,
            case_id=case.id,
            code=code,
            evidence=given["evidence"],
            now=call.now,
        )
        shown = render_item(_case_href(request, resource.path, case.id), case.id, item)
        _publish_item(call, api, "OnboardingChecklistItemAttributeValueChangeEvent", shown)
        return TmfJSONResponse(shown)

    @router.get(
        f"{item_path}/history",
        summary="Everything that happened to the case, oldest first (append-only)",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "History entries",
                "content": json_content({"type": "array", "items": ref("OnboardingHistoryEntry")}),
                "headers": count_headers(),
            },
            **error_responses(404),
        },
    )
    def list_onboarding_case_history(id: str, call: ApiCall = reading) -> Response:
        case_id = parse_path_id(id, label=LABEL)
        entries = list_onboarding_history(call.session, principal=call.principal, case_id=case_id)
        return listed([render_entry(entry) for entry in entries])

    app.include_router(router)
    register_schemas(
        app,
        {
            "OnboardingTransition": body_schema("OnboardingTransition", TRANSITION),
            "OnboardingApproval": body_schema("OnboardingApproval", APPROVAL),
            "OnboardingChecklistItem": ITEM_SCHEMA,
            "OnboardingChecklistItem_FVO": body_schema("OnboardingChecklistItem_FVO", NEW_ITEM),
            "OnboardingChecklistItem_MVO": body_schema("OnboardingChecklistItem_MVO", CHECK),
            "OnboardingHistoryEntry": ENTRY_SCHEMA,
        },
    )


def _case_href(request: Request, path: str, case_id: uuid.UUID) -> str:
    return f"{str(request.base_url).rstrip('/')}{path}/{case_id}"


def _publish_item(call: ApiCall, api: ApiSpec, event_type: str, item: dict[str, Any]) -> None:
    publish_event(
        call.session,
        api=api.name,
        resource_type="onboardingChecklistItem",
        event_type=event_type,
        resource=item,
        now=call.now,
    )
