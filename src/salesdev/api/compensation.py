"""Compensation (family ``compensation``): plans and versions, assignments, quotas, runs,
the ledger (read-only) and what-if.

- ``compensationPlan``: code, name, payee type, currency. Versions under
  ``.../compensationPlan/{id}/version`` (POST a draft, PATCH a draft, POST
  ``.../version/{n}/transition`` with ``action`` submit | withdraw | reject | approve, POST
  ``.../version/{n}/preview`` to calculate it on a sample of a period's events).
- ``planAssignment``: a plan to a role, channel, partner or one payee, effective-dated;
  PATCH ``validFor.endDateTime`` ends it.
- ``quota``: a payee's quota for a period (POST sets or replaces it).
- ``compensationRun``: POST starts a run as a job (``period``, ``dryRun``); GET shows its
  progress, totals and rejected count; ``.../rejectedEvent`` lists the rejected events
  (``?format=csv`` downloads them).
- ``ledgerEntry``: the ledger's lines, filterable; never written through the API.
- ``whatIf``: POST compares two versions of a plan on a period's events; nothing is written.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from salesdev.analytics.compensation_runs import preview_version, what_if
from salesdev.api.actions import (
    Field,
    body_schema,
    count_headers,
    listed,
    parse_fields,
    refuse_unknown_parameters,
    render_context,
    request_body,
)
from salesdev.api.toolkit import Reference, Resource, Scalar
from salesdev.api.toolkit.http import JsonBody, etag_headers, json_body_reader
from salesdev.api.toolkit.http import path_id as parse_path_id
from salesdev.api.toolkit.openapi import error_responses, json_content, ref, register_schemas
from salesdev.api.toolkit.operations import ServiceOperations
from salesdev.api.toolkit.patching import JSON
from salesdev.api.toolkit.resource import ApiSpec
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.routes import IF_MATCH_HELP
from salesdev.api.toolkit.security import ApiCall, Guard
from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.core.ids import parse_id
from salesdev.core.periods import parse_instant
from salesdev.db.models import Job
from salesdev.db.models.compensation import (
    CompensationPlan,
    CompensationPlanVersion,
    CompensationRun,
    LedgerEntry,
    PlanAssignment,
    Quota,
)
from salesdev.domains.access import Family, Principal
from salesdev.domains.compensation import (
    ACTIONS,
    ASSIGNMENT_ATTRIBUTES,
    LEDGER_ATTRIBUTES,
    PAYEE_TYPES,
    PLAN_ATTRIBUTES,
    QUOTA_ATTRIBUTES,
    RUN_ATTRIBUTES,
    RUN_STATUSES,
    SCOPES,
    assign_plan,
    create_plan,
    create_version,
    end_assignment,
    find_plan,
    get_assignment,
    get_ledger_entry,
    get_plan,
    get_quota,
    get_run,
    get_version,
    list_assignments,
    list_ledger_entries,
    list_plans,
    list_quotas,
    list_runs,
    list_versions,
    rejected_events,
    set_quota,
    transition_version,
    update_draft,
)
from salesdev.domains.notifications import format_datetime
from salesdev.jobs.compensation import submit_compensation_run

STATES = ("draft", "submitted", "approved", "superseded")


# --- plans ---------------------------------------------------------------------------------


def _create_plan(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    return create_plan(
        session,
        principal=principal,
        code=values.get("code") or "",
        name=values.get("name") or "",
        payee_type=values.get("payee_type") or "",
        currency=values.get("currency") or "",
        description=values.get("description") or "",
        now=now,
    )


def compensation_plan_resource() -> Resource:
    return Resource(
        name="compensationPlan",
        type="CompensationPlan",
        model=CompensationPlan,
        operations=ServiceOperations(
            CompensationPlan,
            "Compensation plan",
            key="plan_id",
            get=get_plan,
            list=list_plans,
            create=_create_plan,
        ),
        family=Family.COMPENSATION,
        filters={
            "code": PLAN_ATTRIBUTES["code"],
            "name": PLAN_ATTRIBUTES["name"],
            "payeeType": PLAN_ATTRIBUTES["payeeType"],
            "currency": PLAN_ATTRIBUTES["currency"],
            "lastUpdate": PLAN_ATTRIBUTES["updatedAt"],
        },
        description=(
            "A compensation plan (what agreements' commission schedules name by code); its "
            "definition lives in versions approved by someone other than their author"
        ),
        attributes=(
            Scalar("code", "code", required=True, nullable=False, max_length=64),
            Scalar("name", "name", required=True, nullable=False, max_length=200),
            Scalar("payeeType", "payee_type", required=True, nullable=False, choices=PAYEE_TYPES),
            Scalar("currency", "currency", required=True, nullable=False, max_length=3),
            Scalar("description", "description", max_length=2000),
            Scalar("latestVersion", "latest_version", "int", readonly=True, filterable=False),
            Scalar("creationDate", "created_at", "datetime", readonly=True, filterable=False),
            Scalar("lastUpdate", "updated_at", "datetime", readonly=True),
        ),
    )


# --- assignments ---------------------------------------------------------------------------


def _assign_plan(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    raw_plan = values.get("plan_id")
    if raw_plan is None:
        raise InvalidInput("Invalid plan assignment", [ErrorDetail("plan", "is required")])
    start = _instant(values.get("valid_from"), "validFrom", required=True)
    assert start is not None
    return assign_plan(
        session,
        principal=principal,
        plan_id=parse_id(raw_plan, location="plan.id"),
        scope=values.get("scope") or "",
        target=values.get("target") or "",
        valid_from=start,
        valid_to=_instant(values.get("valid_to"), "validTo"),
        now=now,
    )


def _end_assignment(
    session: Session,
    *,
    principal: Principal,
    assignment_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None,
) -> Any:
    fixed = [
        ErrorDetail(name, "does not change; end the assignment and assign again")
        for domain, name in (
            ("plan_id", "plan"),
            ("scope", "scope"),
            ("target", "target"),
            ("valid_from", "validFrom"),
        )
        if domain in changes
    ]
    if fixed:
        raise InvalidInput("Invalid change of PlanAssignment", fixed)
    end = _instant(changes.get("valid_to"), "validTo", required="valid_to" in changes)
    if end is None:
        return get_assignment(session, principal=principal, assignment_id=assignment_id)
    return end_assignment(
        session,
        principal=principal,
        assignment_id=assignment_id,
        valid_to=end,
        now=now,
        expected_version=expected_version,
    )


def _instant(raw: Any, location: str, *, required: bool = False) -> datetime | None:
    if raw is None:
        if required:
            raise InvalidInput("Invalid plan assignment", [ErrorDetail(location, "is required")])
        return None
    if isinstance(raw, datetime):
        return raw
    try:
        return parse_instant(raw)
    except (ValueError, TypeError) as error:
        raise InvalidInput("Invalid date-time", [ErrorDetail(location, str(error))]) from None


def plan_assignment_resource() -> Resource:
    return Resource(
        name="planAssignment",
        type="PlanAssignment",
        model=PlanAssignment,
        operations=ServiceOperations(
            PlanAssignment,
            "Plan assignment",
            key="assignment_id",
            get=get_assignment,
            list=list_assignments,
            create=_assign_plan,
            update=_end_assignment,
        ),
        family=Family.COMPENSATION,
        filters=ASSIGNMENT_ATTRIBUTES,
        display_attribute="target",
        description=(
            "A plan assigned to a role, a channel, a partner, one sales person or one partner, "
            "during validFrom..validTo (half-open); two assignments of a plan to the same "
            "target may not overlap. PATCH validTo ends it"
        ),
        attributes=(
            Reference("plan", "plan_id", target="compensationPlan", required=True, nullable=False),
            Scalar("scope", "scope", required=True, nullable=False, choices=SCOPES),
            Scalar(
                "target",
                "target",
                required=True,
                nullable=False,
                max_length=64,
                description="A role code (rep, manager...) or the id of the channel, partner or person",
            ),
            Scalar("validFrom", "valid_from", "datetime", required=True, nullable=False),
            Scalar("validTo", "valid_to", "datetime"),
            Scalar("creationDate", "created_at", "datetime", readonly=True, filterable=False),
            Scalar("lastUpdate", "updated_at", "datetime", readonly=True, filterable=False),
        ),
    )


# --- quotas --------------------------------------------------------------------------------


def _set_quota(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    raw = values.get("payee_id")
    return set_quota(
        session,
        principal=principal,
        payee_kind=values.get("payee_kind") or "",
        payee_id=parse_id(raw, location="payeeId") if raw is not None else uuid.UUID(int=0),
        period=values.get("period") or "",
        amount=values.get("amount"),
        currency=values.get("currency") or "",
        now=now,
    )


def quota_resource() -> Resource:
    return Resource(
        name="quota",
        type="Quota",
        model=Quota,
        operations=ServiceOperations(
            Quota, "Quota", key="quota_id", get=get_quota, list=list_quotas, create=_set_quota
        ),
        family=Family.COMPENSATION,
        filters=QUOTA_ATTRIBUTES,
        display_attribute="period",
        description="A payee's quota for a period (POST sets or replaces it)",
        attributes=(
            Scalar("payeeKind", "payee_kind", required=True, nullable=False, choices=PAYEE_TYPES),
            Scalar("payeeId", "payee_id", "uuid", required=True, nullable=False),
            Scalar("period", "period", required=True, nullable=False, max_length=7),
            Scalar("amount", "amount", "decimal", required=True, nullable=False),
            Scalar("currency", "currency", required=True, nullable=False, max_length=3),
            Scalar("lastUpdate", "updated_at", "datetime", readonly=True, filterable=False),
        ),
    )


# --- runs ----------------------------------------------------------------------------------


class _Progress(Scalar):
    """Progress of a run: its job's while it runs (saved as it goes), else the run's."""

    def render(self, entity: Any, ctx: Any) -> Any:
        done, total = entity.progress_done, entity.progress_total
        if entity.status in ("queued", "running") and entity.job_id is not None:
            job = ctx.session.get(Job, entity.job_id)
            if job is not None:
                done, total = job.progress_done, job.progress_total
        if entity.status == "succeeded" and total is None:
            done = total = 1
        return {"done": done, "total": total}

    def schema(self, mode: Any) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"done": {"type": "integer"}, "total": {"type": ["integer", "null"]}},
        }


def compensation_run_resource() -> Resource:
    return Resource(
        name="compensationRun",
        type="CompensationRun",
        model=CompensationRun,
        operations=ServiceOperations(
            CompensationRun, "Compensation run", key="run_id", get=get_run, list=list_runs
        ),
        family=Family.COMPENSATION,
        filters=RUN_ATTRIBUTES,
        display_attribute="period",
        description=(
            "A calculation of a period as a job: POST starts one (period, dryRun); a committed "
            "run that succeeds writes the next ledger version of the period"
        ),
        attributes=(
            Scalar("period", "period", readonly=True),
            Scalar("dryRun", "dry_run", "bool", readonly=True),
            Scalar("status", "status", readonly=True, choices=RUN_STATUSES),
            _Progress("progress", "progress_done", "json", readonly=True, filterable=False),
            Scalar("message", "message", readonly=True, filterable=False),
            Scalar("ledgerVersion", "ledger_version", "int", readonly=True),
            Scalar("totals", "totals", "json", readonly=True),
            Scalar("plans", "plans", "json", readonly=True),
            Scalar("lineCount", "line_count", "int", readonly=True, filterable=False),
            Scalar("eventCount", "event_count", "int", readonly=True, filterable=False),
            Scalar("rejectedCount", "rejected_count", "int", readonly=True, filterable=False),
            Scalar("error", "error", readonly=True, filterable=False),
            Scalar("jobId", "job_id", "uuid", readonly=True, filterable=False),
            Scalar("requestedBy", "requested_by", readonly=True, filterable=False),
            Scalar("creationDate", "created_at", "datetime", readonly=True),
            Scalar("startDate", "started_at", "datetime", readonly=True, filterable=False),
            Scalar("completionDate", "finished_at", "datetime", readonly=True, filterable=False),
        ),
    )


# --- ledger --------------------------------------------------------------------------------


def ledger_entry_resource() -> Resource:
    return Resource(
        name="ledgerEntry",
        type="LedgerEntry",
        model=LedgerEntry,
        operations=ServiceOperations(
            LedgerEntry,
            "Ledger entry",
            key="entry_id",
            get=get_ledger_entry,
            list=list_ledger_entries,
        ),
        family=Family.COMPENSATION,
        filters=LEDGER_ATTRIBUTES,
        display_attribute="componentId",
        description=(
            "A line of the append-only ledger: a payee's earnings on one component (and family) "
            "in a ledger version of a period, with what explains it. Read-only"
        ),
        attributes=(
            Scalar("period", "period", readonly=True),
            Scalar("ledgerVersion", "ledger_version", "int", readonly=True),
            Scalar("runId", "run_id", "uuid", readonly=True),
            Scalar("planCode", "plan_code", readonly=True),
            Scalar("planVersion", "plan_version", "int", readonly=True),
            Scalar("payeeKind", "payee_kind", readonly=True),
            Scalar("payeeId", "payee_id", "uuid", readonly=True),
            Scalar("componentId", "component_id", readonly=True),
            Scalar("componentKind", "component_kind", readonly=True),
            Scalar("productFamily", "product_family", readonly=True),
            Scalar("basis", "basis", readonly=True),
            Scalar("measure", "measure", "decimal", readonly=True),
            Scalar("eventCount", "event_count", "int", readonly=True),
            Scalar("quota", "quota", "decimal", readonly=True),
            Scalar("tier", "tier", "int", readonly=True),
            Scalar("rate", "rate", "decimal", readonly=True),
            Scalar("unitAmount", "unit_amount", "decimal", readonly=True),
            Scalar("gated", "gated", "bool", readonly=True),
            Scalar("capped", "capped", "bool", readonly=True),
            Scalar("floored", "floored", "bool", readonly=True),
            Scalar("amount", "amount", "decimal", readonly=True),
            Scalar("currency", "currency", readonly=True),
            Scalar("creationDate", "created_at", "datetime", readonly=True, filterable=False),
        ),
    )


def compensation_resources() -> tuple[Resource, ...]:
    return (
        compensation_plan_resource(),
        plan_assignment_resource(),
        quota_resource(),
        compensation_run_resource(),
        ledger_entry_resource(),
    )


# --- actions -------------------------------------------------------------------------------

VERSION_FIELDS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "effectiveFrom": {"type": "string", "description": "The first period, YYYY-MM"},
        "definition": {
            "type": "object",
            "description": "The plan's components (docs/compensation.md)",
        },
        "comment": {"type": "string"},
    },
    "additionalProperties": False,
}
VERSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "href": {"type": "string"},
        "@type": {"type": "string", "const": "CompensationPlanVersion"},
        "number": {"type": "integer"},
        "state": {"type": "string", "enum": list(STATES)},
        "effectiveFrom": {"type": "string"},
        "definition": {"type": "object"},
        "author": {"type": "string"},
        "comment": {"type": "string"},
        "submittedBy": {"type": ["string", "null"]},
        "approvedBy": {"type": ["string", "null"]},
        "approvalDate": {"type": ["string", "null"]},
        "version": {"type": "integer"},
    },
}
TRANSITION = {
    "action": Field(required=True, choices=tuple(ACTIONS), description="What to do"),
    "comment": Field(description="Why"),
}
RUN_FIELDS = {
    "period": Field(required=True, description="The period, YYYY-MM"),
    "dryRun": Field(kind="bool", description="Calculate and show, write no ledger version"),
}
WHAT_IF_FIELDS = {
    "plan": Field(required=True, description="The plan's code"),
    "version": Field(required=True, description="Version A (the baseline), a number"),
    "against": Field(required=True, description="Version B (the change), a number"),
    "period": Field(required=True, description="The period, YYYY-MM"),
}
PREVIEW_FIELDS = {"period": Field(required=True, description="The period, YYYY-MM")}
WHAT_IF_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "@type": {"type": "string", "const": "WhatIf"},
        "plan": {"type": "string"},
        "period": {"type": "string"},
        "version": {"type": "integer"},
        "against": {"type": "integer"},
        "currency": {"type": "string"},
        "totalA": {"type": "string"},
        "totalB": {"type": "string"},
        "difference": {"type": "string"},
        "payees": {"type": "array", "items": {"type": "object"}},
    },
}


def render_version(plan_href: str, version: CompensationPlanVersion) -> dict[str, Any]:
    return {
        "href": f"{plan_href}/version/{version.number}",
        "@type": "CompensationPlanVersion",
        "number": version.number,
        "state": version.state,
        "effectiveFrom": version.effective_from,
        "definition": version.definition,
        "author": version.author,
        "comment": version.comment,
        "submittedBy": version.submitted_by,
        "approvedBy": version.approved_by,
        "approvalDate": format_datetime(version.approved_at) if version.approved_at else None,
        "version": version.version,
    }


def _number(raw: str) -> int:
    text = raw.strip()
    if text.isdigit() and 0 < int(text) < 2**31:
        return int(text)
    raise NotFound(f"No plan version {raw}")


def _int_field(raw: str, location: str) -> int:
    text = raw.strip()
    if text.isdigit() and 0 < int(text) < 2**31:
        return int(text)
    raise InvalidInput("Invalid what-if", [ErrorDetail(location, "expected a version number")])


def _if_match(raw: str | None) -> int | None:
    if raw is None:
        return None
    text = raw.strip().strip("W/").strip('"')
    return int(text) if text.isdigit() else -1


def install_compensation_actions(app: FastAPI, guard: Guard, api: ApiSpec) -> None:
    plans = api.resources["compensationPlan"]
    runs = api.resources["compensationRun"]
    router = APIRouter(tags=["Compensation"])
    reading = Depends(guard.requires(Family.COMPENSATION, "read"))
    writing = Depends(guard.requires(Family.COMPENSATION, "write"))
    read_body = json_body_reader(guard.runtime.settings.max_request_bytes)
    plan_item = f"{plans.path}/{{id}}"
    runtime = guard.runtime

    def plan_href(request: Request, plan_id: uuid.UUID) -> str:
        return f"{str(request.base_url).rstrip('/')}{plans.path}/{plan_id}"

    @router.get(
        f"{plan_item}/version",
        summary="Every version of the plan, oldest first",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "Versions",
                "content": json_content({"type": "array", "items": ref("CompensationPlanVersion")}),
                "headers": count_headers(),
            },
            **error_responses(404),
        },
    )
    def list_plan_versions(request: Request, id: str, call: ApiCall = reading) -> Response:
        plan_id = parse_path_id(id, label="Compensation plan")
        found = list_versions(call.session, principal=call.principal, plan_id=plan_id)
        return listed([render_version(plan_href(request, plan_id), v) for v in found])

    @router.post(
        f"{plan_item}/version",
        summary="Add a draft version (its definition validated: every problem with its location)",
        status_code=201,
        response_class=TmfJSONResponse,
        responses={
            201: {
                "description": "The draft",
                "content": json_content(ref("CompensationPlanVersion")),
            },
            **error_responses(400, 404, 415, 422),
        },
        openapi_extra=request_body(VERSION_FIELDS_SCHEMA),
    )
    def create_plan_version(
        request: Request,
        id: str,
        call: ApiCall = writing,
        body: JsonBody = Depends(read_body),
    ) -> Response:
        plan_id = parse_path_id(id, label="Compensation plan")
        values = _version_body(body.require(JSON), required=True)
        version = create_version(
            call.session,
            principal=call.principal,
            plan_id=plan_id,
            effective_from=values["effectiveFrom"],
            definition=values["definition"],
            comment=values.get("comment", ""),
            now=call.now,
        )
        return TmfJSONResponse(
            render_version(plan_href(request, plan_id), version), status_code=201
        )

    @router.get(
        f"{plan_item}/version/{{n}}",
        summary="One version of the plan",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "The version",
                "content": json_content(ref("CompensationPlanVersion")),
            },
            **error_responses(404),
        },
    )
    def read_plan_version(request: Request, id: str, n: str, call: ApiCall = reading) -> Response:
        plan_id = parse_path_id(id, label="Compensation plan")
        version = get_version(
            call.session, principal=call.principal, plan_id=plan_id, number=_number(n)
        )
        return TmfJSONResponse(
            render_version(plan_href(request, plan_id), version), headers=etag_headers(version)
        )

    @router.patch(
        f"{plan_item}/version/{{n}}",
        summary="Change a draft version (whoever changes it becomes its author)",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "The draft",
                "content": json_content(ref("CompensationPlanVersion")),
            },
            **error_responses(400, 404, 412, 415, 422),
        },
        openapi_extra=request_body(VERSION_FIELDS_SCHEMA),
    )
    def patch_plan_version(
        request: Request,
        id: str,
        n: str,
        call: ApiCall = writing,
        body: JsonBody = Depends(read_body),
        if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
    ) -> Response:
        plan_id = parse_path_id(id, label="Compensation plan")
        number = _number(n)
        get_version(call.session, principal=call.principal, plan_id=plan_id, number=number)
        values = _version_body(body.require(JSON), required=False)
        version = update_draft(
            call.session,
            principal=call.principal,
            plan_id=plan_id,
            number=number,
            definition=values.get("definition"),
            effective_from=values.get("effectiveFrom"),
            comment=values.get("comment"),
            now=call.now,
            expected_version=_if_match(if_match),
        )
        return TmfJSONResponse(
            render_version(plan_href(request, plan_id), version), headers=etag_headers(version)
        )

    @router.post(
        f"{plan_item}/version/{{n}}/transition",
        summary="submit, withdraw, reject or approve a version (approval by another user)",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "The version",
                "content": json_content(ref("CompensationPlanVersion")),
            },
            **error_responses(400, 404, 412, 415, 422),
        },
        openapi_extra=request_body(ref("CompensationPlanVersionTransition")),
    )
    def transition_plan_version(
        request: Request,
        id: str,
        n: str,
        call: ApiCall = writing,
        body: JsonBody = Depends(read_body),
        if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
    ) -> Response:
        plan_id = parse_path_id(id, label="Compensation plan")
        number = _number(n)
        get_version(call.session, principal=call.principal, plan_id=plan_id, number=number)
        given = parse_fields(body.require(JSON), TRANSITION, label="transition")
        version = transition_version(
            call.session,
            principal=call.principal,
            plan_id=plan_id,
            number=number,
            action=given["action"],
            comment=given.get("comment", ""),
            now=call.now,
            expected_version=_if_match(if_match),
        )
        return TmfJSONResponse(
            render_version(plan_href(request, plan_id), version), headers=etag_headers(version)
        )

    @router.post(
        f"{plan_item}/version/{{n}}/preview",
        summary="Calculate the version on a sample of a period's events (nothing is written)",
        response_class=TmfJSONResponse,
        responses={
            200: {"description": "The sample's lines", "content": json_content({"type": "object"})},
            **error_responses(400, 404, 415, 422),
        },
        openapi_extra=request_body(ref("CompensationPreviewRequest")),
    )
    def preview_plan_version(
        request: Request,
        id: str,
        n: str,
        call: ApiCall = writing,
        body: JsonBody = Depends(read_body),
    ) -> Response:
        plan_id = parse_path_id(id, label="Compensation plan")
        number = _number(n)
        get_version(call.session, principal=call.principal, plan_id=plan_id, number=number)
        given = parse_fields(body.require(JSON), PREVIEW_FIELDS, label="preview")
        result = preview_version(
            call.session,
            principal=call.principal,
            event_store_dir=runtime.settings.event_store_dir,
            plan_id=plan_id,
            number=number,
            period=given["period"],
        )
        return TmfJSONResponse(
            {
                "@type": "CompensationPreview",
                "plan": result.plan_code,
                "version": result.version,
                "period": result.period,
                "sampleEvents": result.sample_events,
                "total": str(result.total),
                "lines": [_line_json(line) for line in result.lines],
            }
        )

    @router.post(
        runs.path,
        summary="Start a run of a period as a job (dryRun: calculate and show, write nothing)",
        status_code=201,
        response_class=TmfJSONResponse,
        responses={
            201: {"description": "The run", "content": json_content(ref(runs.type))},
            **error_responses(400, 415, 422),
        },
        openapi_extra=request_body(ref("CompensationRunRequest")),
    )
    def start_compensation_run(
        request: Request, call: ApiCall = writing, body: JsonBody = Depends(read_body)
    ) -> Response:
        given = parse_fields(body.require(JSON), RUN_FIELDS, label="compensation run")
        run = submit_compensation_run(
            runtime,
            session=call.session,
            principal=call.principal,
            period=given["period"],
            dry_run=bool(given.get("dryRun", False)),
        )
        ctx = render_context(request, runs, call.session)
        return TmfJSONResponse(runs.render(run, ctx), status_code=201, headers=etag_headers(run))

    @router.get(
        f"{runs.path}/{{id}}/rejectedEvent",
        summary="The events the run left out and why (format=csv to download)",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "Rejected events",
                "content": {
                    **json_content({"type": "array", "items": {"type": "object"}}),
                    "text/csv": {"schema": {"type": "string"}},
                },
                "headers": count_headers(),
            },
            **error_responses(400, 404),
        },
    )
    def list_rejected_events(
        request: Request,
        id: str,
        call: ApiCall = reading,
        format: str | None = Query(None, description="json (default) or csv"),
    ) -> Response:
        refuse_unknown_parameters(request, ("format",))
        if format not in (None, "json", "csv"):
            raise InvalidInput("Invalid query", [ErrorDetail("format", "expected json or csv")])
        run_id = parse_path_id(id, label="Compensation run")
        run = get_run(call.session, principal=call.principal, run_id=run_id)
        rows = rejected_events(call.session, principal=call.principal, run_id=run_id)
        if format == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(["event_id", "event_type", "reason", "detail"])
            for row in rows:
                writer.writerow(
                    [_cell(row.event_id), _cell(row.event_type), row.reason, _cell(row.detail)]
                )
            return Response(
                buffer.getvalue(),
                media_type="text/csv",
                headers={
                    "Content-Disposition": f'attachment; filename="rejected-{run.period}-{run.id}.csv"'
                },
            )
        items = [
            {
                "eventId": r.event_id,
                "eventType": r.event_type,
                "reason": r.reason,
                "detail": r.detail,
            }
            for r in rows
        ]
        return listed(items, total=run.rejected_count)

    @router.post(
        f"{api.base_path}/whatIf",
        summary="Compare two versions of a plan on a period's events, per payee and in total",
        response_class=TmfJSONResponse,
        responses={
            200: {"description": "The comparison", "content": json_content(ref("WhatIf"))},
            **error_responses(400, 404, 415, 422),
        },
        openapi_extra=request_body(ref("WhatIfRequest")),
    )
    def compare_plan_versions(
        call: ApiCall = writing, body: JsonBody = Depends(read_body)
    ) -> Response:
        given = parse_fields(body.require(JSON), WHAT_IF_FIELDS, label="what-if")
        plan = find_plan(call.session, principal=call.principal, code=given["plan"])
        result = what_if(
            call.session,
            principal=call.principal,
            event_store_dir=runtime.settings.event_store_dir,
            plan_id=plan.id,
            version_a=_int_field(given["version"], "version"),
            version_b=_int_field(given["against"], "against"),
            period=given["period"],
        )
        return TmfJSONResponse(
            {
                "@type": "WhatIf",
                "plan": result.plan_code,
                "period": result.period,
                "version": result.version_a,
                "against": result.version_b,
                "currency": result.currency,
                "totalA": str(result.total_a),
                "totalB": str(result.total_b),
                "difference": str(result.difference),
                "rejectedCount": result.rejected_count,
                "payees": [
                    {
                        "payeeKind": c.payee_kind,
                        "payeeId": c.payee_id,
                        "a": str(c.a),
                        "b": str(c.b),
                        "difference": str(c.difference),
                    }
                    for c in result.payees
                ],
            }
        )

    app.include_router(router)
    register_schemas(
        app,
        {
            "CompensationPlanVersion": VERSION_SCHEMA,
            "CompensationPlanVersionTransition": body_schema(
                "CompensationPlanVersionTransition", TRANSITION
            ),
            "CompensationRunRequest": body_schema("CompensationRunRequest", RUN_FIELDS),
            "CompensationPreviewRequest": body_schema("CompensationPreviewRequest", PREVIEW_FIELDS),
            "WhatIfRequest": body_schema("WhatIfRequest", WHAT_IF_FIELDS),
            "WhatIf": WHAT_IF_SCHEMA,
        },
    )


def _cell(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _line_json(line: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "payeeKind": line["payee_kind"],
        "payeeId": str(line["payee_id"]),
        "componentId": line["component_id"],
        "componentKind": line["component_kind"],
        "productFamily": line["product_family"],
        "basis": line["basis"],
        "measure": str(line["measure"]),
        "eventCount": line["event_count"],
        "tier": line["tier"],
        "rate": None if line["rate"] is None else str(line["rate"]),
        "amount": str(line["amount"]),
        "currency": line["currency"],
    }


def _version_body(body: Any, *, required: bool) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise InvalidInput("Invalid plan version", [ErrorDetail("body", "expected a JSON object")])
    known = ("effectiveFrom", "definition", "comment")
    errors = [
        ErrorDetail(str(key), f"unknown attribute; known: {', '.join(known)}")
        for key in body
        if key not in known
    ]
    values: dict[str, Any] = {}
    for name in known:
        raw = body.get(name)
        if raw is None:
            if required and name != "comment":
                errors.append(ErrorDetail(name, "is required"))
            continue
        if name == "definition" and not isinstance(raw, Mapping):
            errors.append(ErrorDetail(name, "expected a JSON object"))
        elif name != "definition" and not isinstance(raw, str):
            errors.append(ErrorDetail(name, "expected a string"))
        else:
            values[name] = raw
    if errors:
        raise InvalidInput("Invalid plan version", errors)
    return values
