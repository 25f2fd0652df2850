"""The rule editor's "Test this rule" endpoint: evaluate a condition against a sample.

``POST /rules/test`` (form fields, with the console's CSRF token) answers JSON:

- ``condition``: the condition (JSON text, as the editor's field holds it);
- ``channel_code`` (and optionally ``customer_code``, ``premise_code``, ``partner_code``,
  ``offering_code``, ``at`` as YYYY-MM-DD): build a real sale context from the database;
- ``sample``: a JSON object of attribute name -> value as typed (sets comma-separated,
  booleans yes/no); these values override the built context.

Answer: ``{"matched", "failed": [...], "description", "context": [[label, value], ...]}``,
or ``{"message", "errors": [{"location", "message"}]}`` with 400 / 404. Reading only:
nothing is stored. Needs read access to pricing (rule authors) or selling.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.domains.access import Family, authorize
from salesdev.domains.rules import build_sale_context, load_offering_facts, resolve_sale_codes
from salesdev.engine.rules import SALE_VOCABULARY, Attribute, describe, explain
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.protection import read_form
from salesdev.web.rule_editor import RULE_TEST_PATH, read_condition

_FIELDS = ("channel_code", "customer_code", "premise_code", "partner_code", "offering_code", "at")
_TRUE = frozenset({"yes", "true", "1"})
_FALSE = frozenset({"no", "false", "0"})


def install_rule_pages(router: APIRouter, runtime: Runtime) -> None:
    async def test_rule(request: Request) -> Response:
        form = await read_form(request)
        values = {key: str(form.get(key, "")).strip() for key in _FIELDS}
        values["condition"] = str(form.get("condition", ""))
        values["sample"] = str(form.get("sample", ""))
        return await run_in_threadpool(_test, request, values)

    def _test(request: Request, values: dict[str, str]) -> Response:
        principal = principal_of(request)
        if not principal.can(Family.PRICING, "read"):
            authorize(principal, Family.SELLING, "read")
        try:
            condition = read_condition(values["condition"], location="condition")
            sample = parse_sample(values["sample"])
            context: dict[str, object] = {}
            if values["channel_code"] or any(values[k] for k in _FIELDS[1:5]):
                with work(runtime, request) as session:
                    codes = resolve_sale_codes(
                        session,
                        channel_code=values["channel_code"],
                        customer_code=values["customer_code"] or None,
                        premise_code=values["premise_code"] or None,
                        partner_code=values["partner_code"] or None,
                        offering_code=values["offering_code"] or None,
                    )
                    sale = build_sale_context(
                        session,
                        principal=principal,
                        channel_id=codes.channel_id,
                        customer_id=codes.customer_id,
                        premise_id=codes.premise_id,
                        partner_id=codes.partner_id,
                        at=_at(values["at"], runtime.clock.now()),
                    )
                    context = dict(sale.base)
                    if codes.offering_id is not None:
                        facts = load_offering_facts(session, [codes.offering_id])
                        context = dict(sale.for_offering(facts[codes.offering_id]))
            context.update(sample)
        except (InvalidInput, NotFound) as error:
            return JSONResponse(
                {
                    "message": error.message,
                    "errors": [
                        {"location": d.location, "message": d.message} for d in error.details
                    ]
                    or [{"location": "", "message": error.message}],
                },
                status_code=404 if isinstance(error, NotFound) else 400,
            )
        explanation = explain(condition, context)
        return JSONResponse(
            {
                "matched": explanation.matched,
                "failed": list(explanation.failed),
                "description": describe(condition),
                "context": [
                    [attribute.label, _text(context[attribute.name])]
                    for attribute in SALE_VOCABULARY
                    if attribute.name in context
                ],
            }
        )

    router.add_api_route(RULE_TEST_PATH, test_rule, methods=["POST"], name="rule_test")


def _at(text: str, now: datetime) -> datetime:
    if not text:
        return now
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "Invalid sale date", [ErrorDetail("at", f"expected a date as YYYY-MM-DD, got {text!r}")]
        ) from None
    return datetime.combine(day, time(12), tzinfo=UTC)


def parse_sample(text: str) -> dict[str, object]:
    """Sample attribute values as typed in the panel, converted to the attributes' types."""
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        raise InvalidInput("Invalid sample", [ErrorDetail("sample", "is not valid JSON")]) from None
    if not isinstance(data, dict):
        raise InvalidInput("Invalid sample", [ErrorDetail("sample", "expected an object")])
    problems: list[ErrorDetail] = []
    sample: dict[str, object] = {}
    for name, raw in data.items():
        where = f"sample.{name}"
        attribute = SALE_VOCABULARY.get(str(name))
        if attribute is None:
            problems.append(ErrorDetail(where, "is not an attribute of a sale"))
            continue
        text_value = str(raw).strip() if raw is not None else ""
        if not text_value:
            continue
        try:
            sample[attribute.name] = _convert(attribute, text_value)
        except ValueError as error:
            problems.append(ErrorDetail(where, str(error)))
    if problems:
        raise InvalidInput("Invalid sample", problems)
    return sample


def _convert(attribute: Attribute, text: str) -> object:
    kind = attribute.type
    if kind == "string":
        return text
    if kind == "string_set":
        return frozenset(part.strip() for part in text.split(",") if part.strip())
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"expected a whole number, got {text!r}") from None
    if kind == "decimal":
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"expected a number, got {text!r}") from None
        if not value.is_finite():
            raise ValueError(f"expected a number, got {text!r}")
        return value
    if kind == "boolean":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(f"expected yes or no, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) or "(none)"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
