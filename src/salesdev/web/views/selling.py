""" "Sell to this customer": the call-centre agent's one screen, and recommendation rules.

``/selling``: find a customer by code or name, choose the channel (default: the agent's own)
and a premise, then see on one screen the customer's facts, the ranked and priced
recommendations with their reasons, and the offerings not available with theirs.
Reading only (GET): nothing is stored.

``/selling/rules``: the recommendation rules (list, form with the rule editor, delete).
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salesdev.core.errors import (
    Conflict,
    ErrorDetail,
    InvalidInput,
    NotFound,
    PreconditionFailed,
)
from salesdev.db.models import Customer, ProductFamily, ProductOffering
from salesdev.db.query import ListQuery, SortKey
from salesdev.domains.access import Family, authorize
from salesdev.domains.guidance import (
    STRATEGIES,
    create_recommendation_rule,
    customer_premises,
    default_channel,
    delete_recommendation_rule,
    find_customers,
    get_recommendation_rule,
    list_recommendation_rules,
    recommend,
    sellable_customer,
    update_recommendation_rule,
    visible_channels,
)
from salesdev.engine.rules import condition_to_json, describe, parse_condition
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.choices import text_of
from salesdev.web.flash import set_flash
from salesdev.web.protection import read_form
from salesdev.web.rule_editor import RULE_TEST_PATH, read_condition, vocabulary_json
from salesdev.web.templating import render

SELLING_PATH = "/selling"
RULES_PATH = "/selling/rules"


def _uuid(text: str, location: str, errors: list[ErrorDetail]) -> uuid.UUID | None:
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        errors.append(ErrorDetail(location, "choose one from the list"))
        return None


def install_selling_pages(router: APIRouter, runtime: Runtime) -> None:
    def sell(request: Request) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.SELLING, "read")
        raw = dict(request.query_params)
        errors: list[ErrorDetail] = []
        query = text_of(raw, "q")
        customer_id = _uuid(text_of(raw, "customer"), "customer", errors)
        channel_text = text_of(raw, "channel")
        channel_id = _uuid(channel_text, "channel", errors)
        premise_id = _uuid(text_of(raw, "premise"), "premise", errors)
        problem: str | None = None
        result = None
        matches: list[Customer] = []
        premises: list[Any] = []
        customer: Customer | None = None
        with work(runtime, request) as session:
            channels = visible_channels(session, principal=principal)
            if channel_id is None:
                own = default_channel(session, principal=principal)
                if own is not None and own.id in {c.id for c in channels}:
                    channel_id = own.id
            if query and customer_id is None:
                matches = find_customers(session, principal=principal, text=query)
                if len(matches) == 1:
                    customer_id = matches[0].id
            if customer_id is not None:
                # Unknown, or outside a partner user's customers: answered alike.
                customer = sellable_customer(session, principal=principal, customer_id=customer_id)
                if customer is None:
                    errors.append(ErrorDetail("customer", "no such customer"))
                else:
                    premises = customer_premises(
                        session, principal=principal, customer_id=customer.id
                    )
                    if premise_id is None and len(premises) == 1:
                        premise_id = premises[0].id
            if customer is not None and channel_id is None:
                errors.append(ErrorDetail("channel", "choose the channel you sell in"))
            if customer is not None and channel_id is not None and not errors:
                try:
                    result = recommend(
                        session,
                        principal=principal,
                        customer_id=customer.id,
                        channel_id=channel_id,
                        premise_id=premise_id,
                        at=runtime.clock.now(),
                        limit=10,
                    )
                except (InvalidInput, NotFound) as exc:
                    problem = str(exc)
        field_errors: dict[str, list[str]] = {}
        for detail in errors:
            field_errors.setdefault(detail.location, []).append(detail.message)
        return render(
            request,
            "selling/sell.html",
            {
                "title": "Sell to this customer",
                "query": query,
                "matches": matches,
                "searched": bool(query) and customer_id is None,
                "customer": customer,
                "channel_options": [("", "Choose a sales channel")]
                + [(str(c.id), f"{c.name} ({c.code})") for c in channels],
                "channel_value": str(channel_id) if channel_id else "",
                "premise_options": [("", "No premise (mobile, add-ons)")]
                + [(str(p.id), f"{p.address} ({p.code})") for p in premises],
                "premise_value": str(premise_id) if premise_id else "",
                "result": result,
                "problem": problem,
                "field_errors": field_errors,
            },
            status_code=400 if errors else 200,
        )

    def rules_list(request: Request) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            page = list_recommendation_rules(
                session,
                principal=principal,
                query=ListQuery(sort=(SortKey("name"),), limit=500),
            )
            targets = _targets(session, page.items)
            rows = [
                {
                    "rule": rule,
                    "target": targets.get(rule.id, ""),
                    "condition": describe(parse_condition(rule.condition)),
                }
                for rule in page.items
            ]
        return render(
            request,
            "selling/rules.html",
            {
                "title": "Recommendation rules",
                "rows": rows,
                "strategies": sorted(STRATEGIES.values(), key=lambda s: s.name),
                "may_write": principal.can(Family.PRICING, "write"),
            },
        )

    def rule_form(request: Request, rule_id: str | None = None) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PRICING, "write")
        with work(runtime, request) as session:
            values = _blank(runtime)
            if rule_id is not None:
                rule = get_recommendation_rule(
                    session, principal=principal, rule_id=_path_id(rule_id)
                )
                values = _values_of(session, rule)
        return _render_form(request, values, rule_id, [])

    async def rule_save(request: Request, rule_id: str | None = None) -> Response:
        form = await read_form(request)
        values = {key: str(form.get(key, "")).strip() for key in _FORM_FIELDS}
        values["condition"] = str(form.get("condition", ""))
        return await run_in_threadpool(_rule_save, request, rule_id, values)

    def _rule_save(request: Request, rule_id: str | None, values: dict[str, str]) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PRICING, "write")
        errors: list[ErrorDetail] = []
        changes: dict[str, Any] = {
            "name": values["name"],
            "score": values["score"],
            "reason": values["reason"],
            "status": values["status"] or "active",
            "valid_from": values["valid_from"] or None,
            "valid_to": values["valid_to"] or None,
        }
        try:
            changes["condition"] = condition_to_json(
                read_condition(values["condition"], location="condition")
            )
        except InvalidInput as exc:
            errors += exc.details
        if values["target_kind"] == "family":
            changes["family"] = values["target"]
        else:
            changes["offering"] = values["target"]
        if errors:
            return _render_form(request, values, rule_id, errors)
        try:
            with work(runtime, request) as session:
                now = runtime.clock.now()
                if rule_id is None:
                    rule = create_recommendation_rule(
                        session, principal=principal, values=changes, now=now
                    )
                else:
                    rule = update_recommendation_rule(
                        session,
                        principal=principal,
                        rule_id=_path_id(rule_id),
                        changes=changes,
                        now=now,
                        expected_version=_int_or_none(values["version"]),
                    )
                name = rule.name
        except (InvalidInput, PreconditionFailed, Conflict) as exc:
            details = exc.details or [ErrorDetail("", exc.message)]
            return _render_form(request, values, rule_id, details)
        response = RedirectResponse(RULES_PATH, status_code=303)
        set_flash(response, f"Recommendation rule {name} saved.")
        return response

    async def rule_delete(request: Request, rule_id: str) -> Response:
        form = await read_form(request)
        version = _int_or_none(str(form.get("version", "")))
        return await run_in_threadpool(_rule_delete, request, rule_id, version)

    def _rule_delete(request: Request, rule_id: str, version: int | None) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PRICING, "write")
        with work(runtime, request) as session:
            delete_recommendation_rule(
                session, principal=principal, rule_id=_path_id(rule_id), expected_version=version
            )
        response = RedirectResponse(RULES_PATH, status_code=303)
        set_flash(response, "Recommendation rule deleted.")
        return response

    router.add_api_route(SELLING_PATH, sell, methods=["GET"], name="selling")
    router.add_api_route(RULES_PATH, rules_list, methods=["GET"], name="recommendation_rules")
    router.add_api_route(f"{RULES_PATH}/new", rule_form, methods=["GET"])
    router.add_api_route(f"{RULES_PATH}/new", rule_save, methods=["POST"])
    router.add_api_route(f"{RULES_PATH}/{{rule_id}}/edit", rule_form, methods=["GET"])
    router.add_api_route(f"{RULES_PATH}/{{rule_id}}/edit", rule_save, methods=["POST"])
    router.add_api_route(f"{RULES_PATH}/{{rule_id}}/delete", rule_delete, methods=["POST"])


_FORM_FIELDS = (
    "name",
    "target_kind",
    "target",
    "score",
    "reason",
    "status",
    "valid_from",
    "valid_to",
    "version",
)
_LOCATIONS = {
    "product_offering_id": "target",
    "family_id": "target",
    "offering": "target",
    "family": "target",
}


def _path_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound(f"Recommendation rule {text} does not exist") from None


def _int_or_none(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _plain(value: Decimal) -> str:
    """A weight as typed: 60, 12.5 (never 6E+1, never trailing zeros)."""
    text = format(value.normalize(), "f")
    return text


def _blank(runtime: Runtime) -> dict[str, str]:
    return {
        "name": "",
        "target_kind": "offering",
        "target": "",
        "score": "10",
        "reason": "",
        "status": "active",
        "valid_from": runtime.clock.now().date().isoformat(),
        "valid_to": "",
        "version": "",
        "condition": json.dumps({"all": []}),
    }


def _targets(session: Any, rules: list[Any]) -> dict[uuid.UUID, str]:
    offerings = {r.product_offering_id for r in rules if r.product_offering_id}
    families = {r.family_id for r in rules if r.family_id}
    names: dict[uuid.UUID, str] = {}
    for model, ids, prefix in (
        (ProductOffering, offerings, "Offering"),
        (ProductFamily, families, "Family"),
    ):
        if ids:
            for entity in session.query(model).filter(model.id.in_(ids)):
                names[entity.id] = f"{prefix} {entity.name} ({entity.code})"
    return {
        r.id: names.get(r.product_offering_id or r.family_id or uuid.UUID(int=0), "") for r in rules
    }


def _values_of(session: Any, rule: Any) -> dict[str, str]:
    if rule.product_offering_id is not None:
        kind, entity = "offering", session.get(ProductOffering, rule.product_offering_id)
    else:
        kind, entity = "family", session.get(ProductFamily, rule.family_id)
    return {
        "name": rule.name,
        "target_kind": kind,
        "target": entity.code if entity is not None else "",
        "score": _plain(rule.score),
        "reason": rule.reason,
        "status": rule.status,
        "valid_from": rule.valid_from.date().isoformat(),
        "valid_to": rule.valid_to.date().isoformat() if rule.valid_to else "",
        "version": str(rule.version),
        "condition": json.dumps(rule.condition, indent=2),
    }


def _render_form(
    request: Request, values: dict[str, str], rule_id: str | None, errors: list[ErrorDetail]
) -> Response:
    field_errors: dict[str, list[str]] = {}
    for detail in errors:
        location = detail.location.split(".")[0].split("[")[0]
        location = _LOCATIONS.get(location, location)
        field_errors.setdefault(location, []).append(
            detail.message if location == detail.location else str(detail)
        )
    return render(
        request,
        "selling/rule_form.html",
        {
            "title": "Edit recommendation rule" if rule_id else "New recommendation rule",
            "values": values,
            "action": f"{RULES_PATH}/{rule_id}/edit" if rule_id else f"{RULES_PATH}/new",
            "rule_id": rule_id,
            "field_errors": field_errors,
            "errors": [str(d) for d in errors],
            "vocabulary_json": vocabulary_json(),
            "test_url": RULE_TEST_PATH,
        },
        status_code=400 if errors else 200,
    )
