"""Eligibility rules in the console: list (with filters), create and change with the rule
editor and its "test this rule" panel, delete a rule not yet in force.

A rule in force keeps its condition, kind, scope, reason code and start (history is not
rewritten): its form shows them read-only and lets the name, description, label and end
change.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salesdev.core.errors import (
    Conflict,
    ErrorDetail,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RuleViolation,
)
from salesdev.db.models import ProductFamily, ProductOffering
from salesdev.db.models.selling import EligibilityRule
from salesdev.db.query import Filter, ListQuery
from salesdev.domains.access import Family, authorize
from salesdev.domains.eligibility import (
    APPLIES_TO,
    RULE_FIELDS,
    RULE_KINDS,
    RuleInput,
    create_rule,
    delete_rule,
    get_rule,
    list_rules,
    update_rule,
    validate_rule,
)
from salesdev.engine.rules import condition_to_json, describe, parse_condition
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.choices import parse_day, text_of
from salesdev.web.flash import set_flash
from salesdev.web.protection import read_form
from salesdev.web.routing import status_of
from salesdev.web.rule_editor import RULE_TEST_PATH, condition_json, read_condition, vocabulary_json
from salesdev.web.templating import render

BASE = "/pricing/eligibility-rules"
_FIELDS = (
    "code",
    "name",
    "description",
    "kind",
    "applies_to",
    "offering",
    "family",
    "reason_code",
    "label",
    "valid_from",
    "valid_to",
    "version",
)
_LOCATIONS = {"product_offering_id": "offering", "product_family_id": "family"}
KIND_LABELS = {"customer": "Customer criteria", "premise": "Premise criteria"}
SCOPE_LABELS = {
    "offering": "One offering",
    "family": "Every offering of a family",
    "all": "Every offering",
}


def _path_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound(f"Eligibility rule {text} does not exist") from None


def _in_words(rule: EligibilityRule) -> str:
    try:
        return describe(parse_condition(rule.condition))
    except InvalidInput:
        return "(cannot be read with the current vocabulary)"


def _targets(session: Session, rules: list[EligibilityRule]) -> dict[uuid.UUID, str]:
    offerings = {r.product_offering_id for r in rules if r.product_offering_id}
    families = {r.product_family_id for r in rules if r.product_family_id}
    names: dict[uuid.UUID, str] = {}
    if offerings:
        rows = session.execute(
            select(ProductOffering.id, ProductOffering.code).where(
                ProductOffering.id.in_(offerings)
            )
        )
        names.update({i: f"Offering {code}" for i, code in rows})
    if families:
        rows = session.execute(
            select(ProductFamily.id, ProductFamily.code).where(ProductFamily.id.in_(families))
        )
        names.update({i: f"Family {code}" for i, code in rows})
    return {
        r.id: names.get(r.product_offering_id or r.product_family_id or uuid.UUID(int=0), "All")
        for r in rules
    }


def _family_options(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        select(ProductFamily.code, ProductFamily.name).order_by(ProductFamily.code)
    )
    return [("", "—")] + [(code, f"{name} ({code})") for code, name in rows]


def _blank(now: datetime) -> dict[str, str]:
    values = {name: "" for name in _FIELDS}
    values.update(
        {"kind": "customer", "applies_to": "offering", "valid_from": now.date().isoformat()}
    )
    values["condition"] = '{"all": []}'
    return values


def _values_of(session: Session, rule: EligibilityRule) -> dict[str, str]:
    offering = (
        session.get(ProductOffering, rule.product_offering_id) if rule.product_offering_id else None
    )
    family = session.get(ProductFamily, rule.product_family_id) if rule.product_family_id else None
    return {
        "code": rule.code,
        "name": rule.name,
        "description": rule.description,
        "kind": rule.kind,
        "applies_to": rule.applies_to,
        "offering": offering.code if offering else "",
        "family": family.code if family else "",
        "reason_code": rule.reason_code,
        "label": rule.label,
        "valid_from": rule.valid_from.date().isoformat(),
        "valid_to": rule.valid_to.date().isoformat() if rule.valid_to else "",
        "version": str(rule.version),
        "condition": condition_json(parse_condition(rule.condition)),
    }


def install_eligibility_pages(router: APIRouter, runtime: Runtime) -> None:
    def list_page(request: Request) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PRICING, "read")
        raw = dict(request.query_params)
        errors: list[ErrorDetail] = []
        filters: list[Filter] = []
        for name, choices in (("kind", RULE_KINDS), ("applies_to", APPLIES_TO)):
            value = text_of(raw, name)
            if value and value not in choices:
                errors.append(ErrorDetail(name, f"expected one of {', '.join(choices)}"))
            elif value:
                filters.append(Filter("kind" if name == "kind" else "appliesTo", "eq", (value,)))
        reason = text_of(raw, "reason_code")
        if reason:
            filters.append(Filter("reasonCode", "eq", (reason,)))
        in_force = parse_day(text_of(raw, "in_force_on"), "in_force_on", errors)
        rows: list[dict[str, Any]] = []
        total = 0
        with work(runtime, request) as session:
            if not errors:
                page = list_rules(
                    session,
                    principal=principal,
                    query=ListQuery(filters=tuple(filters), limit=500),
                    in_force_at=in_force,
                )
                targets = _targets(session, page.items)
                total = page.total
                rows = [
                    {"rule": r, "target": targets[r.id], "condition": _in_words(r)}
                    for r in page.items
                ]
        field_errors: dict[str, list[str]] = {}
        for detail in errors:
            field_errors.setdefault(detail.location, []).append(detail.message)
        return render(
            request,
            "eligibility/rules.html",
            {
                "title": "Eligibility rules",
                "rows": rows,
                "total": total,
                "values": {
                    k: text_of(raw, k) for k in ("kind", "applies_to", "reason_code", "in_force_on")
                },
                "kind_options": [("", "Any"), *KIND_LABELS.items()],
                "scope_options": [("", "Any"), *SCOPE_LABELS.items()],
                "kind_labels": KIND_LABELS,
                "field_errors": field_errors,
                "may_write": principal.can(Family.PRICING, "write"),
                "now": runtime.clock.now(),
            },
            status_code=400 if errors else 200,
        )

    def form(request: Request, rule_id: str | None = None) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PRICING, "write")
        now = runtime.clock.now()
        with work(runtime, request) as session:
            values = _blank(now)
            in_force = False
            if rule_id is not None:
                rule = get_rule(session, principal=principal, rule_id=_path_id(rule_id))
                values = _values_of(session, rule)
                in_force = rule.valid_from <= now
            return _render_form(request, session, values, rule_id, in_force, [])

    async def save(request: Request, rule_id: str | None = None) -> Response:
        submitted = await read_form(request)
        values = {name: text_of(submitted, name) for name in _FIELDS}
        values["description"] = str(submitted.get("description", ""))
        values["condition"] = str(submitted.get("condition", ""))
        return await run_in_threadpool(_save, request, rule_id, values)

    def _save(request: Request, rule_id: str | None, values: dict[str, str]) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PRICING, "write")
        now = runtime.clock.now()
        with work(runtime, request) as session:
            existing = (
                get_rule(session, principal=principal, rule_id=_path_id(rule_id))
                if rule_id is not None
                else None
            )
            in_force = existing is not None and existing.valid_from <= now
            try:
                rule = _write(session, principal, existing, in_force, values, now)
            except (InvalidInput, RuleViolation, Conflict, PreconditionFailed) as error:
                session.rollback()
                details = error.details or [ErrorDetail("", error.message)]
                return _render_form(request, session, values, rule_id, in_force, details)
            code = rule.code
        response = RedirectResponse(BASE, status_code=303)
        set_flash(response, f"Eligibility rule {code} saved.")
        return response

    def _write(
        session: Session,
        principal: Any,
        existing: EligibilityRule | None,
        in_force: bool,
        values: dict[str, str],
        now: datetime,
    ) -> EligibilityRule:
        errors: list[ErrorDetail] = []
        valid_to = parse_day(values["valid_to"], "valid_to", errors)
        if in_force and existing is not None:
            if errors:
                raise InvalidInput("Invalid eligibility rule", errors)
            return update_rule(
                session,
                principal=principal,
                rule_id=existing.id,
                changes={
                    "name": values["name"],
                    "description": values["description"],
                    "label": values["label"],
                    "valid_to": valid_to,
                },
                now=now,
                expected_version=int(values["version"]) if values["version"].isdigit() else None,
            )
        valid_from = parse_day(values["valid_from"], "valid_from", errors)
        if valid_from is None and not values["valid_from"]:
            errors.append(ErrorDetail("valid_from", "is required"))
        condition = None
        try:
            condition = read_condition(values["condition"], location="condition")
        except InvalidInput as exc:
            errors += exc.details
        offering_id = _code_id(session, ProductOffering, values["offering"], "offering", errors)
        family_id = _code_id(session, ProductFamily, values["family"], "family", errors)
        rule = RuleInput(
            code=values["code"],
            name=values["name"],
            description=values["description"],
            kind=values["kind"],
            applies_to=values["applies_to"],
            condition=condition_to_json(condition) if condition is not None else {"all": []},
            reason_code=values["reason_code"],
            label=values["label"],
            valid_from=valid_from or now,
            valid_to=valid_to,
            product_offering_id=offering_id if values["applies_to"] == "offering" else None,
            product_family_id=family_id if values["applies_to"] == "family" else None,
        )
        if errors:
            # Every problem at once: the service's checks of what could be read, too.
            known = {e.location.split(".")[0].split("[")[0] for e in errors}
            _, more = validate_rule(session, rule)
            errors += [
                e
                for e in more
                if _LOCATIONS.get(e.location, e.location.split(".")[0].split("[")[0]) not in known
            ]
            raise InvalidInput("Invalid eligibility rule", errors)
        if existing is None:
            return create_rule(session, principal=principal, rule=rule, now=now)
        return update_rule(
            session,
            principal=principal,
            rule_id=existing.id,
            changes={name: getattr(rule, name) for name in RULE_FIELDS},
            now=now,
            expected_version=int(values["version"]) if values["version"].isdigit() else None,
        )

    async def remove(request: Request, rule_id: str) -> Response:
        submitted = await read_form(request)
        version = text_of(submitted, "version")
        return await run_in_threadpool(_remove, request, rule_id, version)

    def _remove(request: Request, rule_id: str, version: str) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PRICING, "write")
        now = runtime.clock.now()
        with work(runtime, request) as session:
            try:
                delete_rule(
                    session,
                    principal=principal,
                    rule_id=_path_id(rule_id),
                    now=now,
                    expected_version=int(version) if version.isdigit() else None,
                )
            except (RuleViolation, PreconditionFailed) as error:
                session.rollback()
                rule = get_rule(session, principal=principal, rule_id=_path_id(rule_id))
                values = _values_of(session, rule)
                details = [ErrorDetail("", error.message)]
                return _render_form(
                    request,
                    session,
                    values,
                    rule_id,
                    rule.valid_from <= now,
                    details,
                    status_code=status_of(error),
                )
        response = RedirectResponse(BASE, status_code=303)
        set_flash(response, "Eligibility rule deleted.")
        return response

    router.add_api_route(BASE, list_page, methods=["GET"], name="eligibility_rules")
    router.add_api_route(f"{BASE}/new", form, methods=["GET"], name="eligibility_rule_new")
    router.add_api_route(f"{BASE}/new", save, methods=["POST"], name="eligibility_rule_create")
    router.add_api_route(f"{BASE}/{{rule_id}}/edit", form, methods=["GET"])
    router.add_api_route(f"{BASE}/{{rule_id}}/edit", save, methods=["POST"])
    router.add_api_route(f"{BASE}/{{rule_id}}/delete", remove, methods=["POST"])


def _code_id(
    session: Session, model: Any, code: str, location: str, errors: list[ErrorDetail]
) -> uuid.UUID | None:
    if not code:
        return None
    found: uuid.UUID | None = session.scalar(select(model.id).where(model.code == code))
    if found is None:
        errors.append(ErrorDetail(location, f"no {location} has the code {code!r}"))
    return found


def _render_form(
    request: Request,
    session: Session,
    values: dict[str, str],
    rule_id: str | None,
    in_force: bool,
    errors: list[ErrorDetail],
    *,
    status_code: int | None = None,
) -> Response:
    field_errors: dict[str, list[str]] = {}
    general: list[str] = []
    for detail in errors:
        location = detail.location.split(".")[0].split("[")[0]
        location = _LOCATIONS.get(location, location)
        if location in (*_FIELDS, "condition"):
            message = detail.message if location == detail.location else str(detail)
            field_errors.setdefault(location, []).append(message)
        else:
            general.append(str(detail) if detail.location else detail.message)
    return render(
        request,
        "eligibility/rule_form.html",
        {
            "title": "Change eligibility rule" if rule_id else "New eligibility rule",
            "values": values,
            "rule_id": rule_id,
            "in_force": in_force,
            "action": f"{BASE}/{rule_id}/edit" if rule_id else f"{BASE}/new",
            "field_errors": field_errors,
            "errors": general if general or not errors else ["Please correct the fields marked."],
            "kind_options": list(KIND_LABELS.items()),
            "scope_options": list(SCOPE_LABELS.items()),
            "family_options": _family_options(session),
            "vocabulary_json": vocabulary_json(),
            "test_url": RULE_TEST_PATH,
        },
        status_code=status_code or (400 if errors else 200),
    )
