"""Compensation console: plans and the plan designer, runs, the ledger and what-if.

The designer edits a version's components in a structured form (rate, tiered, bounty and
residual components field by field; other kinds the engine supports as a JSON object per
component), or the whole definition as JSON. Every problem the validation finds is shown
next to its field (input names are the validation's locations, e.g.
``components[1].tiers[2].lower``).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salesdev.analytics.compensation_runs import Preview, WhatIf, preview_version, what_if
from salesdev.core.errors import (
    ErrorDetail,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RuleViolation,
    SalesdevError,
)
from salesdev.core.ids import parse_id
from salesdev.core.periods import Period, parse_instant
from salesdev.db.models import Job, Partner, SalesPerson
from salesdev.db.models.compensation import CompensationPlan, CompensationPlanVersion
from salesdev.db.query import Filter, ListQuery
from salesdev.domains.access import Family, authorize
from salesdev.domains.compensation import (
    PAYEE_TYPES,
    SCOPES,
    assign_plan,
    component_kinds,
    create_plan,
    create_version,
    find_plan,
    get_plan,
    get_run,
    get_version,
    import_quotas_csv,
    latest_ledger_version,
    list_assignments,
    list_ledger_entries,
    list_plans,
    list_quotas,
    list_runs,
    list_versions,
    rejected_events,
    transition_version,
    update_draft,
)
from salesdev.domains.compensation.splits import list_credit_splits
from salesdev.jobs.compensation import submit_compensation_run
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, signed_in, work
from salesdev.web.flash import set_flash
from salesdev.web.protection import read_form
from salesdev.web.routing import status_of
from salesdev.web.templating import render

BASE = "/compensation"
STRUCTURED_KINDS = ("rate", "tiered", "bounty", "residual")
BLANK_ROWS = 2
MAX_CSV_BYTES = 10 * 1024 * 1024
PAGE = 50


# --- the designer's form ---------------------------------------------------------------------


@dataclass
class ComponentForm:
    index: int
    kind: str
    values: dict[str, str] = field(default_factory=dict)  # by location below the component
    rates: list[dict[str, str]] = field(default_factory=list)
    tiers: list[dict[str, str]] = field(default_factory=list)
    json_text: str = ""

    @property
    def prefix(self) -> str:
        return f"components[{self.index}]"

    @property
    def structured(self) -> bool:
        return self.kind in STRUCTURED_KINDS


def form_from_definition(definition: dict[str, Any]) -> list[ComponentForm]:
    forms = []
    for index, component in enumerate(definition.get("components") or []):
        if not isinstance(component, dict):
            continue
        kind = str(component.get("kind", ""))
        form = ComponentForm(index, kind)
        if kind in STRUCTURED_KINDS:
            for key, value in component.items():
                if key in ("rates", "tiers", "kind"):
                    continue
                if isinstance(value, list):
                    form.values[key] = ", ".join(str(v) for v in value)
                else:
                    form.values[key] = "" if value is None else str(value)
            form.rates = [
                {k: "" if v is None else str(v) for k, v in r.items()}
                for r in component.get("rates") or []
                if isinstance(r, dict)
            ]
            form.tiers = [
                {k: "" if v is None else str(v) for k, v in t.items()}
                for t in component.get("tiers") or []
                if isinstance(t, dict)
            ]
        else:
            form.json_text = json.dumps(component, indent=2, sort_keys=True)
        _pad(form)
        forms.append(form)
    return forms


def _pad(form: ComponentForm) -> None:
    if form.kind == "rate":
        form.rates += [{} for _ in range(BLANK_ROWS)]
    if form.kind == "tiered":
        form.tiers += [{} for _ in range(BLANK_ROWS)]


def definition_from_form(posted: FormData) -> tuple[dict[str, Any], list[ComponentForm]]:
    """The definition the form describes (values as typed; validation is the service's),
    and the form to show again."""
    components: list[dict[str, Any]] = []
    forms: list[ComponentForm] = []
    index = 0
    while f"components[{index}].kind" in posted:
        prefix = f"components[{index}]"
        kind = _text(posted, f"{prefix}.kind")
        if _text(posted, f"{prefix}.remove"):
            index += 1
            continue
        position = len(components)
        form = ComponentForm(position, kind)
        if kind in STRUCTURED_KINDS:
            component: dict[str, Any] = {"kind": kind}
            for key in _FIELDS[kind]:
                raw = _text(posted, f"{prefix}.{key}")
                form.values[key] = raw
                component[key] = _value(key, raw)
            if kind == "rate":
                component["rates"] = _rows(
                    posted, prefix, "rates", ("product_family", "rate"), form.rates
                )
            if kind == "tiered":
                component["tiers"] = _rows(
                    posted, prefix, "tiers", ("lower", "upper", "rate"), form.tiers
                )
                for tier in component["tiers"]:
                    tier["upper"] = tier.get("upper") or None
        else:
            form.json_text = _text(posted, f"{prefix}.json")
            try:
                component = json.loads(form.json_text or "{}")
            except json.JSONDecodeError as error:
                component = {"kind": kind, "__invalid_json__": str(error)}
            if not isinstance(component, dict):
                component = {"kind": kind, "__invalid_json__": "expected a JSON object"}
        components.append(component)
        _pad(form)
        forms.append(form)
        index += 1
    return {"components": components}, forms


_FIELDS: dict[str, tuple[str, ...]] = {
    "rate": ("id", "product_families", "event_types", "default_rate"),
    "tiered": ("id", "product_families", "event_types", "mode", "threshold", "cap", "floor"),
    "bounty": ("id", "product_families", "event_types", "amount", "chargeback_days"),
    "residual": ("id", "product_families", "event_types", "rate", "months"),
}
_LISTS = ("product_families", "event_types")
_INTEGERS = ("chargeback_days", "months")


def _value(key: str, raw: str) -> Any:
    if key in _LISTS:
        return [part.strip() for part in raw.split(",") if part.strip()]
    if key in _INTEGERS:
        return int(raw) if raw.strip().lstrip("-").isdigit() else raw
    if key in ("id", "mode"):
        return raw
    return raw or None


def _rows(
    posted: FormData, prefix: str, name: str, keys: tuple[str, ...], shown: list[dict[str, str]]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    j = 0
    while any(f"{prefix}.{name}[{j}].{k}" in posted for k in keys):
        values = {k: _text(posted, f"{prefix}.{name}[{j}].{k}") for k in keys}
        if any(values.values()):
            shown.append(values)
            rows.append(dict(values))
        j += 1
    return rows


def _text(posted: FormData, name: str) -> str:
    value = posted.get(name)
    return value.strip() if isinstance(value, str) else ""


def _new_component(kind: str, index: int) -> ComponentForm:
    form = ComponentForm(index, kind)
    if kind == "tiered":
        form.values["mode"] = "marginal"
    if kind not in STRUCTURED_KINDS:
        form.json_text = json.dumps({"kind": kind, "id": ""}, indent=2)
    _pad(form)
    return form


def _errors_by_location(error: SalesdevError | None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for detail in error.details if error else []:
        location = detail.location.removeprefix("definition.")
        found.setdefault(location, []).append(detail.message)
    return found


# --- pages ---------------------------------------------------------------------------------


def install_compensation_pages(router: APIRouter, runtime: Runtime) -> None:
    def plans_page(request: Request) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            page = list_plans(session, principal=principal, query=ListQuery(limit=200))
            rows = [
                (plan, list_versions(session, principal=principal, plan_id=plan.id))
                for plan in page.items
            ]
            return render(
                request,
                "compensation/plans.html",
                {
                    "title": "Compensation plans",
                    "rows": rows,
                    "payee_types": PAYEE_TYPES,
                    "can_write": principal.can(Family.COMPENSATION, "write"),
                    "errors": {},
                    "values": {"currency": "EUR"},
                },
            )

    async def create_plan_post(request: Request) -> Response:
        posted = await read_form(request)
        return await run_in_threadpool(_create_plan, request, posted)

    def _create_plan(request: Request, posted: FormData) -> Response:
        principal = principal_of(request)
        values = {
            k: _text(posted, k) for k in ("code", "name", "payee_type", "currency", "description")
        }
        with work(runtime, request) as session:
            try:
                plan = create_plan(session, principal=principal, now=runtime.clock.now(), **values)
            except (InvalidInput, RuleViolation) as error:
                session.rollback()
                page = list_plans(session, principal=principal, query=ListQuery(limit=200))
                rows = [
                    (p, list_versions(session, principal=principal, plan_id=p.id))
                    for p in page.items
                ]
                return render(
                    request,
                    "compensation/plans.html",
                    {
                        "title": "Compensation plans",
                        "rows": rows,
                        "payee_types": PAYEE_TYPES,
                        "can_write": True,
                        "errors": _errors_by_location(error),
                        "failure": error,
                        "values": values,
                    },
                    status_code=status_of(error),
                )
            href = f"{BASE}/plans/{plan.id}"
        response = RedirectResponse(href, status_code=303)
        set_flash(response, f"Plan {values['code']} created. Add its first version.")
        return response

    def plan_page(request: Request, plan_id: str) -> Response:
        with work(runtime, request) as session:
            return _plan_page(request, session, plan_id)

    def _plan_page(
        request: Request,
        session: Session,
        plan_id: str,
        *,
        failure: SalesdevError | None = None,
        values: dict[str, str] | None = None,
    ) -> Response:
        principal = principal_of(request)
        plan = get_plan(session, principal=principal, plan_id=parse_id(plan_id))
        versions = list_versions(session, principal=principal, plan_id=plan.id)
        assignments = list_assignments(
            session,
            principal=principal,
            query=ListQuery(filters=(Filter("planId", "eq", (str(plan.id),)),), limit=200),
        ).items
        return render(
            request,
            "compensation/plan.html",
            {
                "title": f"Plan {plan.code}",
                "plan": plan,
                "versions": list(reversed(versions)),
                "assignments": assignments,
                "can_write": principal.can(Family.COMPENSATION, "write"),
                "scopes": SCOPES,
                "failure": failure,
                "errors": _errors_by_location(failure),
                "values": values
                or {"scope": "role", "valid_from": _default_period(runtime) + "-01"},
            },
            status_code=status_of(failure) if failure else 200,
        )

    async def assign_post(request: Request, plan_id: str) -> Response:
        posted = await read_form(request)
        return await run_in_threadpool(_assign, request, plan_id, posted)

    def _assign(request: Request, plan_id: str, posted: FormData) -> Response:
        principal = principal_of(request)
        values = {k: _text(posted, k) for k in ("scope", "target", "valid_from", "valid_to")}
        with work(runtime, request) as session:
            plan = get_plan(session, principal=principal, plan_id=parse_id(plan_id))
            try:
                assign_plan(
                    session, principal=principal, plan_id=plan.id, scope=values["scope"],
                    target=values["target"], valid_from=_form_instant(values["valid_from"], "validFrom"),
                    valid_to=_form_instant(values["valid_to"], "validTo") if values["valid_to"] else None,
                    now=runtime.clock.now(),
                )  # fmt: skip
            except (InvalidInput, RuleViolation) as error:
                session.rollback()
                return _plan_page(request, session, plan_id, failure=error, values=values)
        response = RedirectResponse(f"{BASE}/plans/{plan.id}", status_code=303)
        set_flash(response, f"Plan {plan.code} assigned.")
        return response

    def credit_splits_page(request: Request) -> Response:
        """Stored split credit, read-only (import: CLI or API)."""
        principal = principal_of(request)
        order = (request.query_params.get("order") or "").strip()[:128].replace("\x00", "")
        filters = (Filter("orderId", "eq", (order,)),) if order else ()
        with work(runtime, request) as session:
            page = list_credit_splits(
                session, principal=principal, query=ListQuery(filters=filters, limit=500)
            )
            return render(
                request,
                "compensation/credit_splits.html",
                {
                    "title": "Credit splits",
                    "splits": page.items,
                    "total": page.total,
                    "order": order,
                    "names": _payee_names(session, [s.payee_id for s in page.items]),
                },
            )

    def quotas_page(request: Request) -> Response:
        with work(runtime, request) as session:
            return _quotas_page(request, session)

    def _quotas_page(
        request: Request, session: Session, *, failure: SalesdevError | None = None
    ) -> Response:
        principal = principal_of(request)
        period = request.query_params.get("period") or ""
        filters: tuple[Filter, ...] = ()
        errors = _errors_by_location(failure)
        if period:
            try:
                period = str(Period.parse(period))
                filters = (Filter("period", "eq", (period,)),)
            except InvalidInput as error:
                errors.update(_errors_by_location(error))
        page = list_quotas(
            session, principal=principal, query=ListQuery(filters=filters, limit=200)
        )
        return render(
            request,
            "compensation/quotas.html",
            {
                "title": "Quotas",
                "quotas": page.items,
                "total": page.total,
                "period": period,
                "names": _payee_names(session, [q.payee_id for q in page.items]),
                "can_write": principal.can(Family.COMPENSATION, "write"),
                "failure": failure,
                "errors": errors,
            },
            status_code=status_of(failure) if failure else (400 if errors else 200),
        )

    async def import_quotas_post(request: Request) -> Response:
        posted = await read_form(request)
        upload = posted.get("file")
        text = _text(posted, "csv")
        try:
            if isinstance(upload, UploadFile) and upload.filename:
                raw = await upload.read(MAX_CSV_BYTES + 1)
                if len(raw) > MAX_CSV_BYTES:
                    failure = InvalidInput(
                        "Quota file too large", [ErrorDetail("file", "larger than 10 MB")]
                    )
                    return await run_in_threadpool(_quotas_failure, request, failure)
                text = raw.decode("utf-8-sig", errors="replace")
        finally:
            await posted.close()
        return await run_in_threadpool(_import_quotas, request, text)

    def _quotas_failure(request: Request, failure: SalesdevError) -> Response:
        with work(runtime, request) as session:
            return _quotas_page(request, session, failure=failure)

    def _import_quotas(request: Request, text: str) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            try:
                result = import_quotas_csv(
                    session, principal=principal, text=text, now=runtime.clock.now()
                )
            except (InvalidInput, RuleViolation) as error:
                session.rollback()
                return _quotas_page(request, session, failure=error)
        response = RedirectResponse(f"{BASE}/quotas", status_code=303)
        set_flash(
            response, f"{result.rows} quotas imported ({result.created_or_changed} new or changed)."
        )
        return response

    async def new_version_post(request: Request, plan_id: str) -> Response:
        posted = await read_form(request)
        return await run_in_threadpool(_new_version, request, plan_id, posted)

    def _new_version(request: Request, plan_id: str, posted: FormData) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            plan = get_plan(session, principal=principal, plan_id=parse_id(plan_id))
            versions = list_versions(session, principal=principal, plan_id=plan.id)
            base = versions[-1].definition if versions else _starter(plan)
            start = _text(posted, "effective_from") or str(Period.containing(runtime.clock.now()))
            try:
                version = create_version(
                    session, principal=principal, plan_id=plan.id, effective_from=start,
                    definition=base, now=runtime.clock.now(),
                    comment=f"Copied from version {versions[-1].number}" if versions else "",
                )  # fmt: skip
            except (InvalidInput, RuleViolation) as error:
                session.rollback()
                raise InvalidInput(
                    "The latest version cannot be copied as it stands: " + error.message,
                    error.details,
                ) from None
            href = f"{BASE}/plans/{plan.id}/versions/{version.number}"
        response = RedirectResponse(href, status_code=303)
        set_flash(response, f"Draft version {version.number} created.")
        return response

    def version_page(request: Request, plan_id: str, number: str) -> Response:
        with work(runtime, request) as session:
            plan, version = _plan_version(session, request, plan_id, number)
            return _designer(request, plan, version, form_from_definition(version.definition))

    def _designer(
        request: Request,
        plan: CompensationPlan,
        version: CompensationPlanVersion,
        components: list[ComponentForm],
        *,
        failure: SalesdevError | None = None,
        json_text: str | None = None,
        preview: Preview | None = None,
        preview_period: str = "",
    ) -> Response:
        principal = principal_of(request)
        me = signed_in(request).principal.actor
        editable = version.state == "draft" and principal.can(Family.COMPENSATION, "write")
        return render(
            request,
            "compensation/version.html",
            {
                "title": f"{plan.code} version {version.number}",
                "plan": plan,
                "version": version,
                "components": components,
                "kinds": component_kinds(),
                "editable": editable,
                "can_write": principal.can(Family.COMPENSATION, "write"),
                "own": version.author == me,
                "errors": _errors_by_location(failure),
                "failure": failure,
                "json_text": json_text
                if json_text is not None
                else json.dumps(version.definition, indent=2, sort_keys=True),
                "preview": preview,
                "preview_period": preview_period or _default_period(runtime),
            },
            status_code=status_of(failure) if failure else 200,
        )

    async def version_post(request: Request, plan_id: str, number: str) -> Response:
        posted = await read_form(request)
        return await run_in_threadpool(_version_post, request, plan_id, number, posted)

    def _version_post(request: Request, plan_id: str, number: str, posted: FormData) -> Response:
        principal = principal_of(request)
        action = _text(posted, "action")
        with work(runtime, request) as session:
            plan, version = _plan_version(session, request, plan_id, number)
            href = f"{BASE}/plans/{plan.id}/versions/{version.number}"
            if action in ("submit", "withdraw", "reject", "approve"):
                try:
                    transition_version(
                        session, principal=principal, plan_id=plan.id, number=version.number,
                        action=action, now=runtime.clock.now(),
                        comment=_text(posted, "comment"),
                        expected_version=_int(_text(posted, "version")),
                    )  # fmt: skip
                except (InvalidInput, RuleViolation, PreconditionFailed) as error:
                    session.rollback()
                    version = get_version(
                        session, principal=principal, plan_id=plan.id, number=version.number
                    )
                    return _designer(
                        request,
                        plan,
                        version,
                        form_from_definition(version.definition),
                        failure=error,
                    )
                response = RedirectResponse(href, status_code=303)
                set_flash(response, f"Version {version.number}: {action} done.")
                return response
            if action == "preview":
                period = _text(posted, "period")
                try:
                    preview = preview_version(
                        session, principal=principal, event_store_dir=runtime.settings.event_store_dir,
                        plan_id=plan.id, number=version.number, period=period,
                    )  # fmt: skip
                except (InvalidInput, RuleViolation) as error:
                    return _designer(request, plan, version, form_from_definition(version.definition),
                                     failure=error, preview_period=period)  # fmt: skip
                return _designer(request, plan, version, form_from_definition(version.definition),
                                 preview=preview, preview_period=period)  # fmt: skip
            # Saving the draft: from the JSON editor or from the structured form.
            json_text: str | None = None
            if action == "save_json":
                json_text = _text(posted, "definition_json")
                try:
                    definition = json.loads(json_text or "{}")
                except json.JSONDecodeError as error:
                    failure = InvalidInput(
                        "The definition is not valid JSON",
                        [
                            ErrorDetail(
                                "definition",
                                f"line {error.lineno}, column {error.colno}: {error.msg}",
                            )
                        ],
                    )
                    return _designer(request, plan, version, form_from_definition(version.definition),
                                     failure=failure, json_text=json_text)  # fmt: skip
                components = form_from_definition(
                    definition if isinstance(definition, dict) else {}
                )
            else:
                definition, components = definition_from_form(posted)
                new_kind = _text(posted, "new_kind")
                if action == "add" and new_kind:
                    components.append(_new_component(new_kind, len(components)))
                    return _designer(request, plan, version, components)
            invalid = [
                ErrorDetail(f"components[{i}].json", f"not a JSON object: {c['__invalid_json__']}")
                for i, c in enumerate(definition.get("components", []))
                if isinstance(c, dict) and "__invalid_json__" in c
            ]
            try:
                if invalid:
                    raise InvalidInput("Invalid plan definition", invalid)
                update_draft(
                    session, principal=principal, plan_id=plan.id, number=version.number,
                    definition=definition, effective_from=_text(posted, "effective_from") or None,
                    comment=_text(posted, "comment"), now=runtime.clock.now(),
                    expected_version=_int(_text(posted, "version")),
                )  # fmt: skip
            except (InvalidInput, RuleViolation, PreconditionFailed) as error:
                session.rollback()
                version = get_version(
                    session, principal=principal, plan_id=plan.id, number=version.number
                )
                return _designer(
                    request, plan, version, components, failure=error, json_text=json_text
                )
        response = RedirectResponse(href, status_code=303)
        set_flash(response, f"Version {version.number} saved: the plan is valid.")
        return response

    def runs_page(request: Request) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            page = list_runs(session, principal=principal, query=ListQuery(limit=PAGE))
            progress = {run.id: _progress(session, run) for run in page.items}
            return render(
                request,
                "compensation/runs.html",
                {
                    "title": "Compensation runs",
                    "runs": page.items,
                    "total": page.total,
                    "progress": progress,
                    "can_write": principal.can(Family.COMPENSATION, "write"),
                    "period": _default_period(runtime),
                    "errors": {},
                },
            )

    async def start_run_post(request: Request) -> Response:
        posted = await read_form(request)
        return await run_in_threadpool(_start_run, request, posted)

    def _start_run(request: Request, posted: FormData) -> Response:
        principal = principal_of(request)
        period = _text(posted, "period")
        dry_run = _text(posted, "dry_run") == "on"
        with work(runtime, request) as session:
            try:
                run = submit_compensation_run(
                    runtime, session=session, principal=principal, period=period, dry_run=dry_run
                )
            except (InvalidInput, RuleViolation, PreconditionFailed) as error:
                session.rollback()
                page = list_runs(session, principal=principal, query=ListQuery(limit=PAGE))
                return render(
                    request,
                    "compensation/runs.html",
                    {
                        "title": "Compensation runs",
                        "runs": page.items,
                        "total": page.total,
                        "progress": {r.id: _progress(session, r) for r in page.items},
                        "can_write": True,
                        "period": period,
                        "errors": _errors_by_location(error),
                        "failure": error,
                    },
                    status_code=status_of(error),
                )
            href = f"{BASE}/runs/{run.id}"
        response = RedirectResponse(href, status_code=303)
        set_flash(response, f"{'Dry run' if dry_run else 'Run'} of {period} started.")
        return response

    def run_page(request: Request, run_id: str) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            run = get_run(session, principal=principal, run_id=parse_id(run_id))
            rejected = rejected_events(session, principal=principal, run_id=run.id, limit=100)
            return render(
                request,
                "compensation/run.html",
                {
                    "title": f"Run of {run.period}",
                    "run": run,
                    "progress": _progress(session, run),
                    "rejected": rejected,
                    "names": _payee_names(session, [line["payee_id"] for line in run.preview]),
                },
            )

    def rejected_csv(request: Request, run_id: str) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            run = get_run(session, principal=principal, run_id=parse_id(run_id))
            rows = rejected_events(session, principal=principal, run_id=run.id)
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
            headers={"Content-Disposition": f'attachment; filename="rejected-{run.period}.csv"'},
        )

    def ledger_page(request: Request) -> Response:
        principal = principal_of(request)
        raw = dict(request.query_params)
        period = raw.get("period") or ""
        errors: dict[str, list[str]] = {}
        rows: list[Any] = []
        total = 0
        number: int | None = None
        versions: list[int] = []
        with work(runtime, request) as session:
            authorize(principal, Family.COMPENSATION, "read")
            if period:
                try:
                    period = str(Period.parse(period))
                except InvalidInput as error:
                    errors = _errors_by_location(error)
            if period and not errors:
                latest = latest_ledger_version(session, period=period)
                versions = list(range(1, latest.number + 1)) if latest else []
                number = _int(raw.get("version") or "") or (latest.number if latest else None)
                filters = [
                    Filter("period", "eq", (period,)),
                    Filter("ledgerVersion", "eq", (str(number or 0),)),
                ]
                for key, attribute in (
                    ("plan", "planCode"),
                    ("payee", "payeeId"),
                    ("component", "componentId"),
                ):
                    if raw.get(key):
                        filters.append(Filter(attribute, "eq", (raw[key],)))
                try:
                    page = list_ledger_entries(
                        session, principal=principal,
                        query=ListQuery(filters=tuple(filters), limit=200, offset=max(_int(raw.get("offset") or "") or 0, 0)),
                    )  # fmt: skip
                    rows, total = page.items, page.total
                except InvalidInput as error:
                    errors = _errors_by_location(error)
            names = _payee_names(session, [r.payee_id for r in rows])
            return render(
                request,
                "compensation/ledger.html",
                {
                    "title": "Compensation ledger",
                    "period": period,
                    "number": number,
                    "versions": versions,
                    "rows": rows,
                    "total": total,
                    "names": names,
                    "filters": raw,
                    "errors": errors,
                },
                status_code=400 if errors else 200,
            )

    def what_if_page(request: Request) -> Response:
        principal = principal_of(request)
        raw = dict(request.query_params)
        result: WhatIf | None = None
        failure: SalesdevError | None = None
        with work(runtime, request) as session:
            authorize(principal, Family.COMPENSATION, "read")
            plans = list_plans(session, principal=principal, query=ListQuery(limit=200)).items
            if raw.get("plan"):
                try:
                    plan = find_plan(session, principal=principal, code=raw["plan"])
                    result = what_if(
                        session, principal=principal,
                        event_store_dir=runtime.settings.event_store_dir, plan_id=plan.id,
                        version_a=_required_int(raw.get("version"), "version"),
                        version_b=_required_int(raw.get("against"), "against"),
                        period=raw.get("period") or "",
                    )  # fmt: skip
                except (InvalidInput, NotFound, RuleViolation) as error:
                    failure = error
            names = _payee_names(session, [c.payee_id for c in result.payees] if result else [])
            return render(
                request,
                "compensation/what_if.html",
                {
                    "title": "What-if: compare plan versions",
                    "plans": plans,
                    "plan_options": [("", "-"), *((p.code, f"{p.code}: {p.name}") for p in plans)],
                    "values": {"period": _default_period(runtime), **raw},
                    "result": result,
                    "names": names,
                    "failure": failure,
                    "errors": _errors_by_location(failure),
                },
                status_code=status_of(failure) if failure else 200,
            )

    router.add_api_route(f"{BASE}/plans", plans_page, methods=["GET"], name="compensation_plans")
    router.add_api_route(
        f"{BASE}/plans", create_plan_post, methods=["POST"], name="compensation_plan_create"
    )
    router.add_api_route(
        f"{BASE}/plans/{{plan_id}}", plan_page, methods=["GET"], name="compensation_plan"
    )
    router.add_api_route(
        f"{BASE}/plans/{{plan_id}}/versions",
        new_version_post,
        methods=["POST"],
        name="compensation_version_create",
    )
    router.add_api_route(
        f"{BASE}/plans/{{plan_id}}/versions/{{number}}",
        version_page,
        methods=["GET"],
        name="compensation_version",
    )
    router.add_api_route(
        f"{BASE}/plans/{{plan_id}}/versions/{{number}}",
        version_post,
        methods=["POST"],
        name="compensation_version_post",
    )
    router.add_api_route(
        f"{BASE}/plans/{{plan_id}}/assignments",
        assign_post,
        methods=["POST"],
        name="compensation_assign",
    )
    router.add_api_route(f"{BASE}/quotas", quotas_page, methods=["GET"], name="compensation_quotas")
    router.add_api_route(
        f"{BASE}/splits", credit_splits_page, methods=["GET"], name="compensation_credit_splits"
    )
    router.add_api_route(
        f"{BASE}/quotas", import_quotas_post, methods=["POST"], name="compensation_quota_import"
    )
    router.add_api_route(f"{BASE}/runs", runs_page, methods=["GET"], name="compensation_runs")
    router.add_api_route(
        f"{BASE}/runs", start_run_post, methods=["POST"], name="compensation_run_start"
    )
    router.add_api_route(
        f"{BASE}/runs/{{run_id}}", run_page, methods=["GET"], name="compensation_run"
    )
    router.add_api_route(
        f"{BASE}/runs/{{run_id}}/rejected.csv",
        rejected_csv,
        methods=["GET"],
        name="compensation_run_rejected",
    )
    router.add_api_route(f"{BASE}/ledger", ledger_page, methods=["GET"], name="compensation_ledger")
    router.add_api_route(
        f"{BASE}/what-if", what_if_page, methods=["GET"], name="compensation_what_if"
    )


def _plan_version(
    session: Session, request: Request, plan_id: str, number: str
) -> tuple[CompensationPlan, CompensationPlanVersion]:
    principal = principal_of(request)
    plan = get_plan(session, principal=principal, plan_id=parse_id(plan_id))
    n = _int(number)
    if n is None:
        raise NotFound(f"Plan {plan.code} has no version {number}")
    return plan, get_version(session, principal=principal, plan_id=plan.id, number=n)


def _starter(plan: CompensationPlan) -> dict[str, Any]:
    if plan.payee_type == "partner":
        return {
            "components": [
                {"kind": "bounty", "id": "activation", "amount": "25", "chargeback_days": 30}
            ]
        }
    return {"components": [{"kind": "rate", "id": "revenue", "rates": [], "default_rate": "0.01"}]}


def _form_instant(raw: str, location: str) -> Any:
    try:
        return parse_instant(raw)
    except ValueError as error:
        raise InvalidInput("Invalid date", [ErrorDetail(location, str(error))]) from None


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _required_int(raw: str | None, location: str) -> int:
    value = _int(raw or "")
    if value is None or value < 1:
        raise InvalidInput(
            "Invalid what-if", [ErrorDetail(location, "a version number, 1 or more")]
        )
    return value


def _default_period(runtime: Runtime) -> str:
    return str(Period.containing(runtime.clock.now()).previous())


def _progress(session: Session, run: Any) -> str:
    done, total = run.progress_done, run.progress_total
    if run.status in ("queued", "running") and run.job_id is not None:
        job = session.get(Job, run.job_id)
        if job is not None:
            done, total = job.progress_done, job.progress_total
    if run.status == "succeeded":
        return "done"
    return f"{done} of {total}" if total else "-"


def _payee_names(session: Session, ids: list[Any]) -> dict[str, str]:
    wanted = set()
    for raw in ids:
        try:
            wanted.add(uuid.UUID(str(raw)))
        except ValueError:
            continue
    if not wanted:
        return {}
    names = {
        str(i): f"{name} ({code})"
        for i, code, name in session.execute(
            select(SalesPerson.id, SalesPerson.code, SalesPerson.name).where(
                SalesPerson.id.in_(wanted)
            )
        )
    }
    names.update(
        {
            str(i): f"{name} ({code})"
            for i, code, name in session.execute(
                select(Partner.id, Partner.code, Partner.name).where(Partner.id.in_(wanted))
            )
        }
    )
    return names


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


__all__ = ["install_compensation_pages"]
