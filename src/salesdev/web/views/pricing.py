"""Channel pricing in the console (section "Pricing & eligibility").

- ``/pricing/price-lists``: the price lists, and a form for a new one;
- ``/pricing/price-lists/{id}``: a list's scope and versions, a form for a new version
  (empty or copied from the latest);
- ``/pricing/versions/{id}``: a version's entries, rules, approval buttons (submit, approve
  by someone other than the author, reject with a reason), what changed against the
  version it follows; entries are added one by one or pasted/uploaded as CSV;
- ``/pricing/versions/{id}/rules/new``, ``/pricing/rules/{id}``: the rule form with the
  rule editor and its "test this rule" panel;
- ``/pricing/guard-rails``: guard-rails per channel, a form to add one and to end one;
- ``/pricing/price-check``: resolve a price for a sale and show the breakdown.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, SalesdevError
from salesdev.db.models import ProductFamily, ProductOffering, Region, SalesChannel
from salesdev.db.models.pricing import PricingRule
from salesdev.db.query import ListQuery
from salesdev.domains.access import Family, authorize
from salesdev.domains.pricing import (
    PARTNER_TIERS,
    EntryInput,
    GuardRailInput,
    PriceListInput,
    create_guard_rail,
    create_price_list,
    create_rule,
    create_version,
    delete_rule,
    describe_scope,
    end_guard_rail,
    end_version,
    get_price_list,
    get_rule,
    import_entries_csv,
    list_guard_rails,
    list_price_lists,
    list_versions,
    price_list_version_detail,
    resolve_prices,
    rule_values,
    set_entries,
    transition_version,
    update_rule,
)
from salesdev.domains.rules import resolve_sale_codes
from salesdev.engine.pricing import (
    APPLIES_TO,
    RULE_KINDS,
    RULE_METHODS,
    RULE_TARGETS,
)
from salesdev.engine.rules import condition_to_json, parse_condition
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.choices import parse_day, text_of
from salesdev.web.flash import set_flash
from salesdev.web.protection import read_form
from salesdev.web.rule_editor import RULE_TEST_PATH, condition_json, read_condition, vocabulary_json
from salesdev.web.templating import render

BASE = "/pricing"
MAX_CSV_BYTES = 2_000_000
_RULE_FIELDS = (
    "name",
    "description",
    "kind",
    "method",
    "value",
    "applies_to",
    "target",
    "family",
    "offerings",
    "priority",
    "stacking",
    "valid_from",
    "valid_to",
)


_LIST_KEYS = ("name", "channel", "tier", "segment", "region", "currency", "description")
_RAIL_KEYS = (
    "channel", "offering", "currency", "floor_recurring", "floor_one_time",
    "floor_percent", "max_discount", "min_margin", "valid_from", "valid_to", "comment",
)  # fmt: skip


def _blank(keys: tuple[str, ...]) -> dict[str, str]:
    return {key: "EUR" if key == "currency" else "" for key in keys}


def _num(value: Any) -> str:
    """An exact amount or percentage for people: 40.00 rather than 40.0000, every digit kept."""
    if value is None:
        return ""
    number = Decimal(value)
    cents = number.quantize(Decimal("0.01"))
    return str(cents) if cents == number else format(number.normalize(), "f")


def _uuid(text: str, label: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound(f"{label} {text} does not exist") from None


def _errors_by_field(errors: list[ErrorDetail]) -> tuple[dict[str, list[str]], list[str]]:
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    for detail in errors:
        if detail.location:
            fields.setdefault(detail.location, []).append(detail.message)
        general.append(str(detail))
    return fields, general


def _redirect(href: str, message: str) -> Response:
    response = RedirectResponse(href, status_code=303)
    set_flash(response, message)
    return response


def _options(session: Session, model: Any, blank: str = "Any") -> list[tuple[str, str]]:
    rows = session.execute(select(model.id, model.code).order_by(model.code))
    return [("", blank)] + [(str(i), code) for i, code in rows]


def _code(session: Session, model: Any, value: str) -> str:
    if not value:
        return ""
    try:
        found = session.get(model, uuid.UUID(value))
    except ValueError:
        return value
    return str(found.code) if found is not None else value


def install_pricing_pages(router: APIRouter, runtime: Runtime) -> None:
    def posted(handler: Callable[..., Response], param: str | None = None) -> Callable[..., Any]:
        """An async route reading the form (CSRF checked), then ``handler`` in a thread."""
        if param is None:

            async def run(request: Request) -> Response:
                form = await read_form(request)
                try:
                    return await run_in_threadpool(handler, request, form)
                finally:
                    await form.close()

            return run

        async def run_with(request: Request) -> Response:
            form = await read_form(request)
            value = request.path_params[param]
            try:
                return await run_in_threadpool(handler, request, form, value)
            finally:
                await form.close()

        return run_with

    def lists_page(request: Request) -> Response:
        return _lists(request)

    def list_page(request: Request, list_id: str) -> Response:
        return _list(request, list_id)

    def version_page(request: Request, version_id: str) -> Response:
        return _version(request, version_id)

    def guard_rails_page(request: Request) -> Response:
        return _rails(request)

    # --- price lists ----------------------------------------------------------------------

    def _lists(
        request: Request,
        values: dict[str, str] | None = None,
        errors: list[ErrorDetail] | None = None,
    ) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            page = list_price_lists(session, principal=principal, query=ListQuery(limit=500))
            rows = [(p, describe_scope(p, session)) for p in page.items]
            channels = _options(session, SalesChannel, "Choose a channel")
            regions = _options(session, Region)
        fields, general = _errors_by_field(errors or [])
        return render(
            request,
            "pricing/price_lists.html",
            {
                "title": "Price lists",
                "rows": rows,
                "values": values or _blank(_LIST_KEYS),
                "field_errors": fields,
                "errors": general,
                "channel_options": channels,
                "region_options": regions,
                "tier_options": [("", "Any"), *((t, t) for t in PARTNER_TIERS)],
                "may_write": principal.can(Family.PRICING, "write"),
            },
            status_code=400 if errors else 200,
        )

    def create_list(request: Request, form: FormData) -> Response:
        principal = principal_of(request)
        values = {
            k: text_of(form, k)
            for k in ("name", "channel", "tier", "segment", "region", "currency", "description")
        }
        try:
            with work(runtime, request) as session:
                created = create_price_list(
                    session,
                    principal=principal,
                    values=PriceListInput(
                        name=values["name"],
                        channel_id=_uuid(values["channel"], "Sales channel")
                        if values["channel"]
                        else uuid.UUID(int=0),
                        currency=values["currency"],
                        partner_tier=values["tier"] or None,
                        market_segment=values["segment"] or None,
                        region_id=_uuid(values["region"], "Region") if values["region"] else None,
                        description=values["description"],
                    ),
                    now=runtime.clock.now(),
                )
                href = f"{BASE}/price-lists/{created.id}"
        except SalesdevError as error:
            return _lists(request, values, [ErrorDetail("", error.message), *error.details])
        return _redirect(href, "Price list created.")

    def _list(request: Request, list_id: str, errors: list[ErrorDetail] | None = None) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            price_list = get_price_list(
                session, principal=principal, price_list_id=_uuid(list_id, "Price list")
            )
            versions = list_versions(session, principal=principal, price_list_id=price_list.id)
            scope = describe_scope(price_list, session)
        fields, general = _errors_by_field(errors or [])
        return render(
            request,
            "pricing/price_list.html",
            {
                "title": price_list.name,
                "price_list": price_list,
                "scope": scope,
                "versions": versions,
                "field_errors": fields,
                "errors": general,
                "may_write": principal.can(Family.PRICING, "write"),
            },
            status_code=400 if errors else 200,
        )

    def new_version(request: Request, form: FormData, list_id: str) -> Response:
        principal = principal_of(request)
        errors: list[ErrorDetail] = []
        start = parse_day(text_of(form, "valid_from"), "valid_from", errors)
        end = parse_day(text_of(form, "valid_to"), "valid_to", errors)
        copy = text_of(form, "copy_from")
        if errors:
            return _list(request, list_id, errors)
        try:
            with work(runtime, request) as session:
                version = create_version(
                    session,
                    principal=principal,
                    price_list_id=_uuid(list_id, "Price list"),
                    valid_from=start,
                    valid_to=end,
                    copy_from=_uuid(copy, "Version") if copy else None,
                    comment=text_of(form, "comment"),
                    now=runtime.clock.now(),
                )
                href = f"{BASE}/versions/{version.id}"
        except SalesdevError as error:
            return _list(request, list_id, [ErrorDetail("", error.message), *error.details])
        return _redirect(href, "Draft version created.")

    # --- versions --------------------------------------------------------------------------

    def _version(
        request: Request,
        version_id: str,
        errors: list[ErrorDetail] | None = None,
        entry_values: dict[str, str] | None = None,
    ) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            detail = price_list_version_detail(
                session, principal=principal, version_id=_uuid(version_id, "Price list version")
            )
            families = dict(session.execute(select(ProductFamily.id, ProductFamily.code)).all())
        fields, general = _errors_by_field(errors or [])
        return render(
            request,
            "pricing/version.html",
            {
                "title": f"{detail.price_list.name}, version {detail.version.number}",
                "d": detail,
                "num": _num,
                "families": families,
                "field_errors": fields,
                "errors": general,
                "entry": entry_values or _blank(("offering", "recurring", "one_time", "unit_cost")),
                "may_write": principal.can(Family.PRICING, "write"),
                "actor": principal.actor,
            },
            status_code=400 if errors else 200,
        )

    def add_entry(request: Request, form: FormData, version_id: str) -> Response:
        values = {k: text_of(form, k) for k in ("offering", "recurring", "one_time", "unit_cost")}
        try:
            with work(runtime, request) as session:
                set_entries(
                    session,
                    principal=principal_of(request),
                    version_id=_uuid(version_id, "Price list version"),
                    entries=[
                        EntryInput(
                            values["offering"],
                            values["recurring"] or None,
                            values["one_time"] or None,
                            values["unit_cost"] or None,
                        )
                    ],
                    now=runtime.clock.now(),
                )
        except SalesdevError as error:
            return _version(
                request, version_id, [ErrorDetail("", error.message), *error.details], values
            )
        return _redirect(f"{BASE}/versions/{version_id}", "Entry saved.")

    def import_csv(request: Request, form: FormData, version_id: str) -> Response:
        upload = form.get("file")
        text = text_of(form, "csv")
        if isinstance(upload, UploadFile) and upload.filename:
            raw = upload.file.read(MAX_CSV_BYTES + 1)
            if len(raw) > MAX_CSV_BYTES:
                return _version(request, version_id, [ErrorDetail("file", "larger than 2 MB")])
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                return _version(request, version_id, [ErrorDetail("file", "is not UTF-8")])
        try:
            with work(runtime, request) as session:
                written = import_entries_csv(
                    session,
                    principal=principal_of(request),
                    version_id=_uuid(version_id, "Price list version"),
                    text=text,
                    now=runtime.clock.now(),
                )
                count = len(written)
        except SalesdevError as error:
            return _version(request, version_id, [ErrorDetail("", error.message), *error.details])
        return _redirect(f"{BASE}/versions/{version_id}", f"Imported {count} entries.")

    def move(request: Request, form: FormData, version_id: str) -> Response:
        action = text_of(form, "action")
        try:
            with work(runtime, request) as session:
                version = transition_version(
                    session,
                    principal=principal_of(request),
                    version_id=_uuid(version_id, "Price list version"),
                    action=action,
                    comment=text_of(form, "comment"),
                    now=runtime.clock.now(),
                    expected_version=int(text_of(form, "version"))
                    if text_of(form, "version").isdigit()
                    else None,
                )
                status = version.status
        except SalesdevError as error:
            return _version(request, version_id, [ErrorDetail("", error.message), *error.details])
        return _redirect(f"{BASE}/versions/{version_id}", f"The version is {status}.")

    def end(request: Request, form: FormData, version_id: str) -> Response:
        errors: list[ErrorDetail] = []
        day = parse_day(text_of(form, "valid_to"), "valid_to", errors)
        if errors:
            return _version(request, version_id, errors)
        try:
            with work(runtime, request) as session:
                end_version(
                    session,
                    principal=principal_of(request),
                    version_id=_uuid(version_id, "Price list version"),
                    valid_to=day,
                    now=runtime.clock.now(),
                )
        except SalesdevError as error:
            return _version(request, version_id, [ErrorDetail("", error.message), *error.details])
        return _redirect(f"{BASE}/versions/{version_id}", "The version now ends then.")

    # --- rules -----------------------------------------------------------------------------

    def rule_form(
        request: Request,
        values: dict[str, str],
        action: str,
        back: str,
        errors: list[ErrorDetail] | None = None,
        rule_id: str | None = None,
    ) -> Response:
        with work(runtime, request) as session:
            families = [("", "—")] + [
                (code, code)
                for (code,) in session.execute(
                    select(ProductFamily.code).order_by(ProductFamily.code)
                )
            ]
        fields, general = _errors_by_field(errors or [])
        for key, target in (
            ("appliesTo", "applies_to"),
            ("validFrom", "valid_from"),
            ("validTo", "valid_to"),
        ):
            if key in fields:
                fields[target] = fields.pop(key)
        return render(
            request,
            "pricing/rule_form.html",
            {
                "title": "Change pricing rule" if rule_id else "New pricing rule",
                "values": values,
                "action": action,
                "back": back,
                "rule_id": rule_id,
                "field_errors": {
                    k if not k.startswith("condition") else "condition": v
                    for k, v in fields.items()
                },
                "errors": general,
                "options": {
                    "kind": [(k, k) for k in RULE_KINDS],
                    "method": [(k, k) for k in RULE_METHODS],
                    "applies_to": [(k, k) for k in APPLIES_TO],
                    "target": [(k, k) for k in RULE_TARGETS],
                    "stacking": [
                        ("stackable", "stackable (percentages add)"),
                        ("exclusive", "exclusive (only the highest priority applies)"),
                        ("best", "best for the customer (lowest price wins)"),
                    ],
                    "family": families,
                },
                "vocabulary_json": vocabulary_json(),
                "test_url": RULE_TEST_PATH,
            },
            status_code=400 if errors else 200,
        )

    def _rule_input(session: Session, values: dict[str, str]) -> dict[str, Any]:
        errors: list[ErrorDetail] = []
        start = parse_day(values["valid_from"], "validFrom", errors)
        end = parse_day(values["valid_to"], "validTo", errors)
        condition = None
        try:
            condition = read_condition(values["condition"], location="condition")
        except SalesdevError as exc:
            errors += exc.details
        if errors:
            raise InvalidInput("Invalid pricing rule", errors)
        priority: Any = values["priority"] or "0"
        with contextlib.suppress(ValueError):
            priority = int(priority)
        offerings = [
            o.strip() for o in values["offerings"].replace("\n", ",").split(",") if o.strip()
        ]
        return {
            "name": values["name"],
            "description": values["description"],
            "kind": values["kind"],
            "method": values["method"],
            "value": values["value"],
            "appliesTo": values["applies_to"],
            "target": values["target"],
            "family": values["family"] or None,
            "offerings": offerings or None,
            "condition": condition_to_json(condition) if condition is not None else None,
            "priority": priority,
            "stacking": values["stacking"],
            "validFrom": start,
            "validTo": end,
        }

    def _form_values(form: FormData) -> dict[str, str]:
        values = {k: text_of(form, k) for k in _RULE_FIELDS}
        values["description"] = str(form.get("description", ""))
        values["condition"] = str(form.get("condition", ""))
        values["offerings"] = str(form.get("offerings", ""))
        values["version"] = text_of(form, "version")
        return values

    def new_rule_page(request: Request, version_id: str) -> Response:
        authorize(principal_of(request), Family.PRICING, "write")
        values = {k: "" for k in _RULE_FIELDS} | {
            "kind": "discount",
            "method": "percentage",
            "applies_to": "recurring",
            "target": "all",
            "stacking": "stackable",
            "priority": "0",
            "condition": '{"all": []}',
            "version": "",
        }
        return rule_form(
            request,
            values,
            f"{BASE}/versions/{version_id}/rules/new",
            f"{BASE}/versions/{version_id}",
        )

    def create_rule_action(request: Request, form: FormData, version_id: str) -> Response:
        values = _form_values(form)
        back = f"{BASE}/versions/{version_id}"
        try:
            with work(runtime, request) as session:
                create_rule(
                    session,
                    principal=principal_of(request),
                    version_id=_uuid(version_id, "Price list version"),
                    values=_rule_input(session, values),
                    now=runtime.clock.now(),
                )
        except SalesdevError as error:
            return rule_form(
                request,
                values,
                f"{BASE}/versions/{version_id}/rules/new",
                back,
                [ErrorDetail("", error.message), *error.details],
            )
        return _redirect(back, "Pricing rule saved.")

    def _rule_values_for_form(session: Session, rule: PricingRule) -> dict[str, str]:
        given = rule_values(session, rule)
        offerings = (
            session.scalars(
                select(ProductOffering.code).where(
                    ProductOffering.id.in_([uuid.UUID(i) for i in rule.offering_ids])
                )
            ).all()
            if rule.offering_ids
            else []
        )
        return {
            "name": rule.name,
            "description": rule.description,
            "kind": rule.kind,
            "method": rule.method,
            "value": format(rule.value.normalize(), "f"),
            "applies_to": rule.applies_to,
            "target": rule.target,
            "family": _code(session, ProductFamily, given["family"] or ""),
            "offerings": ", ".join(offerings),
            "priority": str(rule.priority),
            "stacking": rule.stacking,
            "valid_from": rule.valid_from.date().isoformat() if rule.valid_from else "",
            "valid_to": rule.valid_to.date().isoformat() if rule.valid_to else "",
            "condition": condition_json(parse_condition(rule.condition)),
            "version": str(rule.version),
        }

    def edit_rule_page(request: Request, rule_id: str) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PRICING, "write")
        with work(runtime, request) as session:
            rule = get_rule(session, principal=principal, rule_id=_uuid(rule_id, "Pricing rule"))
            values = _rule_values_for_form(session, rule)
            back = f"{BASE}/versions/{rule.version_id}"
        return rule_form(request, values, f"{BASE}/rules/{rule_id}", back, rule_id=rule_id)

    def update_rule_action(request: Request, form: FormData, rule_id: str) -> Response:
        principal = principal_of(request)
        values = _form_values(form)
        back = BASE
        try:
            with work(runtime, request) as session:
                rule = get_rule(
                    session, principal=principal, rule_id=_uuid(rule_id, "Pricing rule")
                )
                back = f"{BASE}/versions/{rule.version_id}"
                if text_of(form, "delete") == "yes":
                    delete_rule(
                        session, principal=principal, rule_id=rule.id, now=runtime.clock.now()
                    )
                    message = "Pricing rule deleted."
                else:
                    update_rule(
                        session,
                        principal=principal,
                        rule_id=rule.id,
                        changes=_rule_input(session, values),
                        now=runtime.clock.now(),
                        expected_version=int(text_of(form, "version"))
                        if text_of(form, "version").isdigit()
                        else None,
                    )
                    message = "Pricing rule saved."
        except SalesdevError as error:
            values["version"] = text_of(form, "version")
            return rule_form(
                request,
                values,
                f"{BASE}/rules/{rule_id}",
                back,
                [ErrorDetail("", error.message), *error.details],
                rule_id=rule_id,
            )
        return _redirect(back, message)

    # --- guard-rails ------------------------------------------------------------------------

    def _rails(
        request: Request,
        values: dict[str, str] | None = None,
        errors: list[ErrorDetail] | None = None,
    ) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            page = list_guard_rails(session, principal=principal, query=ListQuery(limit=500))
            channels = dict(session.execute(select(SalesChannel.id, SalesChannel.code)).all())
            offerings = dict(
                session.execute(
                    select(ProductOffering.id, ProductOffering.code).where(
                        ProductOffering.id.in_(
                            [g.product_offering_id for g in page.items if g.product_offering_id]
                        )
                    )
                ).all()
            )
            channel_options = _options(session, SalesChannel, "Choose a channel")
        fields, general = _errors_by_field(errors or [])
        return render(
            request,
            "pricing/guard_rails.html",
            {
                "title": "Guard-rails",
                "rows": page.items,
                "channels": channels,
                "offerings": offerings,
                "values": values or _blank(_RAIL_KEYS),
                "field_errors": fields,
                "errors": general,
                "channel_options": channel_options,
                "may_write": principal.can(Family.PRICING, "write"),
            },
            status_code=400 if errors else 200,
        )

    def create_guard_rail_action(request: Request, form: FormData) -> Response:
        values = {k: text_of(form, k) for k in _RAIL_KEYS}
        errors: list[ErrorDetail] = []
        start = parse_day(values["valid_from"], "validFor.startDateTime", errors)
        end = parse_day(values["valid_to"], "validFor.endDateTime", errors)
        if errors:
            return _rails(request, values, errors)
        try:
            with work(runtime, request) as session:
                offering_id = None
                if values["offering"]:
                    offering_id = session.scalar(
                        select(ProductOffering.id).where(ProductOffering.code == values["offering"])
                    )
                    if offering_id is None:
                        raise InvalidInput(
                            "Invalid guard-rail",
                            [ErrorDetail("productOffering", f"no offering {values['offering']!r}")],
                        )
                create_guard_rail(
                    session,
                    principal=principal_of(request),
                    values=GuardRailInput(
                        channel_id=_uuid(values["channel"], "Sales channel")
                        if values["channel"]
                        else uuid.UUID(int=0),
                        product_offering_id=offering_id,
                        currency=values["currency"] or None,
                        floor_recurring_amount=values["floor_recurring"] or None,
                        floor_one_time_amount=values["floor_one_time"] or None,
                        floor_percent=values["floor_percent"] or None,
                        max_discount_percent=values["max_discount"] or None,
                        min_margin_percent=values["min_margin"] or None,
                        valid_from=start,
                        valid_to=end,
                        comment=values["comment"],
                    ),
                    now=runtime.clock.now(),
                )
        except SalesdevError as error:
            return _rails(request, values, [ErrorDetail("", error.message), *error.details])
        return _redirect(f"{BASE}/guard-rails", "Guard-rail added.")

    def end_guard_rail_action(request: Request, form: FormData, rail_id: str) -> Response:
        errors: list[ErrorDetail] = []
        end = parse_day(text_of(form, "valid_to"), "validFor.endDateTime", errors)
        if errors:
            return _rails(request, None, errors)
        try:
            with work(runtime, request) as session:
                end_guard_rail(
                    session,
                    principal=principal_of(request),
                    guard_rail_id=_uuid(rail_id, "Price guard-rail"),
                    valid_to=end,
                    now=runtime.clock.now(),
                )
        except SalesdevError as error:
            return _rails(request, None, [ErrorDetail("", error.message), *error.details])
        return _redirect(f"{BASE}/guard-rails", "Guard-rail ended.")

    # --- price check ------------------------------------------------------------------------

    def price_check(request: Request) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.SELLING, "read")
        raw = dict(request.query_params)
        keys = ("channel", "partner", "customer", "premise", "offering", "quantity", "date")
        values = {k: text_of(raw, k) for k in keys}
        results: list[Any] = []
        errors: list[ErrorDetail] = []
        if values["channel"] or values["offering"]:
            at = runtime.clock.now()
            if values["date"]:
                at = parse_day(values["date"], "date", errors) or at
            quantity = 1
            if values["quantity"]:
                if values["quantity"].isdigit():
                    quantity = int(values["quantity"])
                else:
                    errors.append(ErrorDetail("quantity", "expected a whole number"))
            codes = [c.strip() for c in values["offering"].split(",") if c.strip()]
            if not codes:
                errors.append(ErrorDetail("offering", "give one or more offering codes"))
            if not errors:
                try:
                    with work(runtime, request) as session:
                        sale = resolve_sale_codes(
                            session,
                            channel_code=values["channel"],
                            customer_code=values["customer"] or None,
                            premise_code=values["premise"] or None,
                            partner_code=values["partner"] or None,
                        )
                        found = dict(
                            session.execute(
                                select(ProductOffering.code, ProductOffering.id).where(
                                    ProductOffering.code.in_(codes)
                                )
                            ).all()
                        )
                        missing = [c for c in codes if c not in found]
                        if missing:
                            errors += [
                                ErrorDetail("offering", f"no offering has the code {c!r}")
                                for c in missing
                            ]
                        else:
                            results = resolve_prices(
                                session,
                                principal=principal,
                                channel_id=sale.channel_id,
                                offering_ids=[found[c] for c in codes],
                                at=at,
                                partner_id=sale.partner_id,
                                customer_id=sale.customer_id,
                                premise_id=sale.premise_id,
                                quantity=quantity,
                            )
                            for r in results:  # explanations read inside the transaction
                                for n in r.not_applied:
                                    _ = n.detail
                except SalesdevError as error:
                    errors += [ErrorDetail("", error.message), *error.details]
        fields, general = _errors_by_field(errors)
        for key in list(fields):
            if key.endswith("_code"):
                fields[key.removesuffix("_code")] = fields.pop(key)
        return render(
            request,
            "pricing/price_check.html",
            {
                "title": "Price check",
                "values": values,
                "results": results,
                "num": _num,
                "field_errors": fields,
                "errors": general,
            },
            status_code=400 if errors else 200,
        )

    router.add_api_route(f"{BASE}/price-lists", lists_page, methods=["GET"], name="price_lists")
    router.add_api_route(f"{BASE}/price-lists", posted(create_list), methods=["POST"])
    router.add_api_route(f"{BASE}/price-lists/{{list_id}}", list_page, methods=["GET"])
    router.add_api_route(
        f"{BASE}/price-lists/{{list_id}}/versions", posted(new_version, "list_id"), methods=["POST"]
    )
    router.add_api_route(f"{BASE}/versions/{{version_id}}", version_page, methods=["GET"])
    router.add_api_route(
        f"{BASE}/versions/{{version_id}}/entries", posted(add_entry, "version_id"), methods=["POST"]
    )
    router.add_api_route(
        f"{BASE}/versions/{{version_id}}/import", posted(import_csv, "version_id"), methods=["POST"]
    )
    router.add_api_route(
        f"{BASE}/versions/{{version_id}}/transition", posted(move, "version_id"), methods=["POST"]
    )
    router.add_api_route(
        f"{BASE}/versions/{{version_id}}/end", posted(end, "version_id"), methods=["POST"]
    )
    router.add_api_route(
        f"{BASE}/versions/{{version_id}}/rules/new", new_rule_page, methods=["GET"]
    )
    router.add_api_route(
        f"{BASE}/versions/{{version_id}}/rules/new",
        posted(create_rule_action, "version_id"),
        methods=["POST"],
    )
    router.add_api_route(f"{BASE}/rules/{{rule_id}}", edit_rule_page, methods=["GET"])
    router.add_api_route(
        f"{BASE}/rules/{{rule_id}}", posted(update_rule_action, "rule_id"), methods=["POST"]
    )
    router.add_api_route(f"{BASE}/guard-rails", guard_rails_page, methods=["GET"])
    router.add_api_route(f"{BASE}/guard-rails", posted(create_guard_rail_action), methods=["POST"])
    router.add_api_route(
        f"{BASE}/guard-rails/{{rail_id}}/end",
        posted(end_guard_rail_action, "rail_id"),
        methods=["POST"],
    )
    router.add_api_route(f"{BASE}/price-check", price_check, methods=["GET"])
