"""The product offering page (TMF620 view) and its forms: add a price, end a price, add a
bundle component, edit its categories, channels, market segments and terms.

Price history is never rewritten: a price is ended by setting the end of its validity,
never in the past, and a new price starts where the old one ends (overlaps are refused
by the catalogue service, its message shown next to the field).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
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
    SalesdevError,
)
from salesdev.core.ids import parse_id
from salesdev.db.models import (
    Catalog,
    Category,
    MarketSegment,
    ProductOfferingPrice,
    SalesChannel,
)
from salesdev.domains.access import Family, authorize
from salesdev.domains.catalog import (
    PRICE_TYPES,
    RECURRING_PERIOD_TYPES,
    BundledOfferingInput,
    OfferingInput,
    PriceInput,
    TermInput,
    add_price,
    get_offering,
    get_price,
    offering_input,
    update_offering,
    update_price,
)
from salesdev.domains.catalog.vocabulary import DURATION_UNITS
from salesdev.domains.reference.vocabulary import LIFECYCLE_STATUSES
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.catalogue_read import load_offering_view
from salesdev.web.choices import day_text, errors_by_field, parse_day, resolve_code, text_of
from salesdev.web.flash import set_flash
from salesdev.web.forms import parse_version
from salesdev.web.protection import read_form
from salesdev.web.routing import status_of
from salesdev.web.templating import render

BASE = "/product-offerings"
PRICE_FIELDS = (
    "name", "price_type", "amount", "currency", "period_type", "period_length", "unit_amount",
    "units", "percentage", "valid_from", "valid_to", "lifecycle_status",
)  # fmt: skip
# The service names fields as TMF620 does; the form as people do.
_PRICE_ALIASES = {
    "priceType": "price_type",
    "price": "amount",
    "price.value": "amount",
    "price.unit": "currency",
    "recurringChargePeriodType": "period_type",
    "recurringChargePeriodLength": "period_length",
    "unitOfMeasure": "unit_amount",
    "unitOfMeasure.amount": "unit_amount",
    "unitOfMeasure.units": "units",
    "validFor.startDateTime": "valid_from",
    "validFor.endDateTime": "valid_to",
    # An overlap is about the period: shown next to its start.
    "validFor": "valid_from",
    "lifecycleStatus": "lifecycle_status",
}
COMPONENT_FIELDS = ("component", "lower", "default", "upper", "limits")
PRICE_TYPE_LABELS = {
    "recurring": "Recurring",
    "oneTime": "One-time",
    "usage": "Usage",
    "discount": "Discount",
}


@dataclass
class FormState:
    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


def _blank_price_form(currency: str, now: datetime) -> FormState:
    return FormState(
        {
            "price_type": "recurring",
            "currency": currency,
            "period_type": "month",
            "period_length": "1",
            "valid_from": day_text(now + timedelta(days=1)),
            "lifecycle_status": "Active",
        }
    )


def _blank_component_form() -> FormState:
    return FormState({"lower": "1", "default": "1", "upper": "1"})


def _whole(text: str, location: str, errors: list[ErrorDetail]) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        errors.append(ErrorDetail(location, f"expected a whole number, got {text!r}"))
        return None


def price_input(values: dict[str, str]) -> PriceInput:
    """The add-price form as the service takes it; InvalidInput for what cannot be read."""
    errors: list[ErrorDetail] = []
    kind = values["price_type"]
    recurring = kind == "recurring"
    # The period has a default in the form: it only counts for a recurring price.
    length = _whole(values["period_length"], "period_length", errors) if recurring else None
    valid_from = parse_day(values["valid_from"], "valid_from", errors)
    if valid_from is None and not values["valid_from"]:
        errors.append(ErrorDetail("valid_from", "is required"))
    valid_to = parse_day(values["valid_to"], "valid_to", errors)
    if errors:
        raise InvalidInput("Invalid product offering price", errors)
    assert valid_from is not None
    amount = values["amount"] or None
    return PriceInput(
        name=values["name"],
        price_type=kind,
        valid_from=valid_from,
        valid_to=valid_to,
        amount=amount,
        # The form proposes the offering's currency; without an amount there is none.
        currency=(values["currency"] or None) if amount is not None else None,
        recurring_period_type=(values["period_type"] or None) if recurring else None,
        recurring_period_length=length,
        unit_amount=values["unit_amount"] or None,
        units=values["units"] or None,
        percentage=values["percentage"] or None,
        lifecycle_status=values["lifecycle_status"] or "Active",
    )


def _ended(price: ProductOfferingPrice, valid_to: datetime) -> PriceInput:
    """The price as stored, only its validity ending at ``valid_to``."""
    return PriceInput(
        name=price.name,
        price_type=price.price_type,
        valid_from=price.valid_from,
        valid_to=valid_to,
        amount=price.amount,
        currency=price.currency,
        recurring_period_type=price.recurring_period_type,
        recurring_period_length=price.recurring_period_length,
        unit_amount=price.unit_amount,
        units=price.units,
        percentage=price.percentage,
        description=price.description,
        version_label=price.version_label,
        lifecycle_status=price.lifecycle_status,
    )


def _component_aliases(index: int) -> dict[str, str]:
    where = f"bundledProductOffering[{index}]"
    option = f"{where}.bundledProductOfferingOption"
    return {
        "bundledProductOffering": "component",
        where: "component",
        f"{where}.id": "component",
        f"{option}.numberRelOfferLowerLimit": "lower",
        f"{option}.numberRelOfferUpperLimit": "upper",
        f"{option}.numberRelOfferDefault": "default",
        option: "limits",
    }


LINK_LISTS = {"categories": "category", "channels": "channel", "segments": "marketSegment"}
TERM_COLUMNS = ("name", "description", "amount", "units", "valid_from", "valid_to")
BLANK_TERM_ROWS = 2


@dataclass
class LinksForm:
    """The links form as sent: chosen ids per list, term rows as text."""

    chosen: dict[str, list[str]]
    terms: list[dict[str, str]]
    version: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


def _links_form(current: OfferingInput, version: int) -> LinksForm:
    def stamp(moment: datetime | None) -> str:
        return moment.isoformat() if moment else ""

    return LinksForm(
        {
            "categories": [str(i) for i in current.category_ids],
            "channels": [str(i) for i in current.channel_ids],
            "segments": [str(i) for i in current.market_segment_ids],
        },
        [
            {
                "name": t.name,
                "description": t.description,
                "amount": "" if t.duration_amount is None else str(t.duration_amount),
                "units": t.duration_units or "",
                "valid_from": stamp(t.valid_from),
                "valid_to": stamp(t.valid_to),
            }
            for t in current.terms
        ],
        str(version),
    )


def _ids(texts: list[str], location: str, errors: list[ErrorDetail]) -> tuple[uuid.UUID, ...]:
    found: list[uuid.UUID] = []
    for text in texts:
        try:
            found.append(uuid.UUID(text))
        except ValueError:
            errors.append(ErrorDetail(location, f"not an id: {text!r}"))
    return tuple(found)


def _moment(text: str, location: str, errors: list[ErrorDetail]) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        errors.append(ErrorDetail(location, f"not a date and time with its zone: {text!r}"))
        return None
    return moment


def links_input(current: OfferingInput, form: LinksForm) -> tuple[OfferingInput, list[int]]:
    """The stored offering with the form's links and terms; InvalidInput for what cannot be
    read. Also the form row of each kept term, for the service's errors to find their row."""
    errors: list[ErrorDetail] = []
    ids = {name: _ids(form.chosen[name], name, errors) for name in LINK_LISTS}
    terms: list[TermInput] = []
    rows: list[int] = []
    for index, row in enumerate(form.terms):
        # Blank rows are the form's spare rows; a cleared row removes its term.
        if not (row["name"] or row["description"] or row["amount"] or row["units"]):
            continue
        where = f"term-{index}"
        terms.append(TermInput(
            name=row["name"], description=row["description"],
            duration_amount=_whole(row["amount"], f"{where}-amount", errors),
            duration_units=row["units"] or None,
            valid_from=_moment(row["valid_from"], f"{where}-name", errors),
            valid_to=_moment(row["valid_to"], f"{where}-name", errors),
        ))  # fmt: skip
        rows.append(index)
    if errors:
        raise InvalidInput("The links and terms were not changed", errors)
    changed = replace(current, category_ids=ids["categories"], channel_ids=ids["channels"],
                      market_segment_ids=ids["segments"], terms=tuple(terms))  # fmt: skip
    return changed, rows


def _links_aliases(form: LinksForm, rows: list[int]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for name, location in LINK_LISTS.items():
        aliases[location] = name
        for index in range(max(len(form.chosen[name]), 1)):
            aliases[f"{location}[{index}].id"] = name
    for kept, index in enumerate(rows):
        service, field_name = f"productOfferingTerm[{kept}]", f"term-{index}"
        aliases.update({
            f"{service}.name": f"{field_name}-name",
            f"{service}.description": f"{field_name}-description",
            f"{service}.duration": f"{field_name}-amount",
            f"{service}.duration.amount": f"{field_name}-amount",
            f"{service}.duration.units": f"{field_name}-units",
            f"{service}.validFor": f"{field_name}-name",
        })  # fmt: skip
    return aliases


def _link_options(session: Session) -> dict[str, list[tuple[str, str]]]:
    categories = session.execute(
        select(Category.id, Category.name, Catalog.name)
        .outerjoin(Catalog, Catalog.id == Category.catalog_id)
        .order_by(Catalog.name, Category.name)
    )
    channels = session.execute(select(SalesChannel.id, SalesChannel.code, SalesChannel.name)
                               .order_by(SalesChannel.code))  # fmt: skip
    segments = session.execute(select(MarketSegment.id, MarketSegment.name)
                               .order_by(MarketSegment.name))  # fmt: skip
    return {
        "categories": [(str(i), f"{c} / {n}" if c else n) for i, n, c in categories],
        "channels": [(str(i), f"{n} ({code})") for i, code, n in channels],
        "segments": [(str(i), n) for i, n in segments],
    }


def install_offering_pages(router: APIRouter, runtime: Runtime) -> None:
    def offering_page(
        request: Request,
        session: Session,
        offering_id: uuid.UUID,
        *,
        price_form: FormState | None = None,
        component_form: FormState | None = None,
        status_code: int = 200,
    ) -> Response:
        principal = principal_of(request)
        now = runtime.clock.now()
        view = load_offering_view(session, principal=principal, offering_id=offering_id, now=now)
        return render(
            request,
            "offering_detail.html",
            {
                "title": f"Product offering {view.offering.code}",
                "view": view,
                "href": f"{BASE}/{view.offering.id}",
                "now": now,
                "can_write": principal.can(Family.CATALOG, "write"),
                "can_read_channels": principal.can(Family.CHANNELS, "read"),
                "price_form": price_form or _blank_price_form(view.offering.currency, now),
                "component_form": component_form or _blank_component_form(),
                "price_type_options": [(t, PRICE_TYPE_LABELS[t]) for t in PRICE_TYPES],
                "period_options": [
                    ("", "—"),
                    *((p, p.capitalize()) for p in RECURRING_PERIOD_TYPES),
                ],
                "lifecycle_options": [(s, s) for s in LIFECYCLE_STATUSES],
                "price_type_labels": PRICE_TYPE_LABELS,
            },
            status_code=status_code,
        )

    def detail(request: Request, entity_id: str) -> Response:
        with work(runtime, request) as session:
            return offering_page(request, session, parse_id(entity_id))

    async def create_price(request: Request, entity_id: str) -> Response:
        form = await read_form(request)
        values = {name: text_of(form, name) for name in PRICE_FIELDS}
        return await run_in_threadpool(_create_price, request, parse_id(entity_id), values)

    def _create_price(request: Request, offering_id: uuid.UUID, values: dict[str, str]) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.CATALOG, "write")
        with work(runtime, request) as session:
            try:
                price = add_price(session, principal=principal, offering_id=offering_id,
                                  price=price_input(values), now=runtime.clock.now())  # fmt: skip
            except (InvalidInput, RuleViolation, Conflict) as error:
                session.rollback()
                errors, general = errors_by_field(error, PRICE_FIELDS, aliases=_PRICE_ALIASES)
                state = FormState(values, errors, general)
                return offering_page(request, session, offering_id, price_form=state,
                                     status_code=status_of(error))  # fmt: skip
            name = price.name
        response = RedirectResponse(f"{BASE}/{offering_id}#prices", status_code=303)
        set_flash(response, f"Price {name!r} added.")
        return response

    def end_page(
        request: Request,
        session: Session,
        offering_id: uuid.UUID,
        price: ProductOfferingPrice,
        *,
        valid_to: str,
        error: SalesdevError | None = None,
    ) -> Response:
        offering = get_offering(session, principal=principal_of(request), offering_id=offering_id)
        errors, general = errors_by_field(
            error,
            ("valid_to",),
            aliases={"validFor": "valid_to", "validFor.endDateTime": "valid_to"},
        )
        return render(
            request,
            "offering_price_end.html",
            {
                "title": "End price",
                "offering": offering,
                "price": price,
                "price_type_labels": PRICE_TYPE_LABELS,
                "href": f"{BASE}/{offering.id}",
                "valid_to": valid_to,
                "field_errors": errors,
                "general": general,
                "stale": isinstance(error, PreconditionFailed),
            },
            status_code=status_of(error) if error else 200,
        )

    def _price_of(session: Session, request: Request, offering_id: uuid.UUID, price_id: str) -> Any:
        price = get_price(session, principal=principal_of(request), price_id=parse_id(price_id))
        if price.product_offering_id != offering_id:
            raise NotFound(f"Product offering price {price_id} does not exist")
        return price

    def end_confirm(request: Request, entity_id: str, price_id: str) -> Response:
        authorize(principal_of(request), Family.CATALOG, "write")
        offering_id = parse_id(entity_id)
        with work(runtime, request) as session:
            price = _price_of(session, request, offering_id, price_id)
            tomorrow = day_text(runtime.clock.now() + timedelta(days=1))
            return end_page(request, session, offering_id, price, valid_to=tomorrow)

    async def end_price(request: Request, entity_id: str, price_id: str) -> Response:
        form = await read_form(request)
        version, valid_to = text_of(form, "version"), text_of(form, "valid_to")
        return await run_in_threadpool(
            _end_price, request, parse_id(entity_id), price_id, version, valid_to
        )

    def _end_price(
        request: Request, offering_id: uuid.UUID, price_id: str, version: str, valid_to: str
    ) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.CATALOG, "write")
        now = runtime.clock.now()
        with work(runtime, request) as session:
            price = _price_of(session, request, offering_id, price_id)
            expected = parse_version(version)
            try:
                errors: list[ErrorDetail] = []
                end = parse_day(valid_to, "valid_to", errors)
                if end is None and not errors:
                    errors.append(ErrorDetail("valid_to", "is required"))
                elif end is not None and end < now:
                    errors.append(ErrorDetail(
                        "valid_to", "cannot be in the past: price history is never rewritten"))  # fmt: skip
                if price.valid_to is not None and price.valid_to <= now:
                    raise RuleViolation(f"The price {price.name!r} has already ended")
                if errors:
                    raise InvalidInput("The price was not ended", errors)
                assert end is not None
                update_price(session, principal=principal, price_id=price.id,
                             price=_ended(price, end), now=now, expected_version=expected)  # fmt: skip
            except (InvalidInput, RuleViolation, PreconditionFailed) as error:
                session.rollback()
                price = _price_of(session, request, offering_id, price_id)
                return end_page(request, session, offering_id, price, valid_to=valid_to,
                                error=error)  # fmt: skip
            message = f"Price {price.name!r} ends at {end:%Y-%m-%d %H:%M} UTC."
        response = RedirectResponse(f"{BASE}/{offering_id}#prices", status_code=303)
        set_flash(response, message)
        return response

    async def create_component(request: Request, entity_id: str) -> Response:
        form = await read_form(request)
        values = {name: text_of(form, name) for name in ("component", "lower", "default", "upper")}
        values["version"] = text_of(form, "version")
        return await run_in_threadpool(_create_component, request, parse_id(entity_id), values)

    def _create_component(
        request: Request, offering_id: uuid.UUID, values: dict[str, str]
    ) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.CATALOG, "write")
        with work(runtime, request) as session:
            row = get_offering(session, principal=principal, offering_id=offering_id)
            current = offering_input(session, row)
            index = len(current.bundled)
            try:
                errors: list[ErrorDetail] = []
                component = resolve_code(session, principal, kind="product_offering",
                                         code=values["component"], location="component",
                                         label="product offering", errors=errors)  # fmt: skip
                if not values["component"]:
                    errors.append(ErrorDetail("component", "is required"))
                lower, default, upper = (
                    _whole(values[name], name, errors) for name in ("lower", "default", "upper")
                )
                if errors:
                    raise InvalidInput("The component was not added", errors)
                assert component is not None
                item = BundledOfferingInput(component, default, lower, upper)
                update_offering(session, principal=principal, offering_id=row.id,
                                offering=replace(current, bundled=(*current.bundled, item)),
                                now=runtime.clock.now(),
                                expected_version=parse_version(values["version"]))  # fmt: skip
            except (InvalidInput, RuleViolation, Conflict, PreconditionFailed) as error:
                session.rollback()
                by_field, general = errors_by_field(
                    error, COMPONENT_FIELDS, aliases=_component_aliases(index)
                )
                state = FormState(values, by_field, general)
                return offering_page(request, session, offering_id, component_form=state,
                                     status_code=status_of(error))  # fmt: skip
            code = values["component"]
        response = RedirectResponse(f"{BASE}/{offering_id}#components", status_code=303)
        set_flash(response, f"Component {code} added.")
        return response

    def links_page(
        request: Request,
        session: Session,
        offering_id: uuid.UUID,
        form: LinksForm | None = None,
        *,
        stale: bool = False,
        status_code: int = 200,
    ) -> Response:
        row = get_offering(session, principal=principal_of(request), offering_id=offering_id)
        form = form or _links_form(offering_input(session, row), row.version)
        spare = {name: "" for name in TERM_COLUMNS}
        return render(
            request,
            "offering_links.html",
            {
                "title": f"Categories, channels, segments and terms of {row.code}",
                "offering": row,
                "href": f"{BASE}/{row.id}",
                "form": form,
                "term_rows": [*form.terms, *(dict(spare) for _ in range(BLANK_TERM_ROWS))],
                "options": _link_options(session),
                "unit_options": [("", "—"), *((u, u.capitalize()) for u in DURATION_UNITS)],
                "stale": stale,
            },
            status_code=status_code,
        )

    def links_edit(request: Request, entity_id: str) -> Response:
        authorize(principal_of(request), Family.CATALOG, "write")
        with work(runtime, request) as session:
            return links_page(request, session, parse_id(entity_id))

    async def update_links(request: Request, entity_id: str) -> Response:
        form = await read_form(request)
        columns = {name: [str(v).strip() for v in form.getlist(f"term_{name}")]
                   for name in TERM_COLUMNS}  # fmt: skip
        count = max(len(values) for values in columns.values())
        state = LinksForm(
            {name: [str(v) for v in form.getlist(name)] for name in LINK_LISTS},
            [
                {
                    name: (columns[name][i] if i < len(columns[name]) else "")
                    for name in TERM_COLUMNS
                }
                for i in range(count)
            ],
            text_of(form, "version"),
        )
        return await run_in_threadpool(_update_links, request, parse_id(entity_id), state)

    def _update_links(request: Request, offering_id: uuid.UUID, form: LinksForm) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.CATALOG, "write")
        with work(runtime, request) as session:
            row = get_offering(session, principal=principal, offering_id=offering_id)
            current = offering_input(session, row)
            rows: list[int] = []
            try:
                changed, rows = links_input(current, form)
                update_offering(session, principal=principal, offering_id=row.id,
                                offering=changed, now=runtime.clock.now(),
                                expected_version=parse_version(form.version))  # fmt: skip
            except (InvalidInput, RuleViolation, Conflict, PreconditionFailed) as error:
                session.rollback()
                fields = [*LINK_LISTS, *(f"term-{i}-{c}" for i in range(len(form.terms))
                                         for c in ("name", "description", "amount", "units"))]  # fmt: skip
                form.errors, form.general = errors_by_field(
                    error, fields, aliases=_links_aliases(form, rows)
                )
                return links_page(request, session, offering_id, form,
                                  stale=isinstance(error, PreconditionFailed),
                                  status_code=status_of(error))  # fmt: skip
            code = row.code
        response = RedirectResponse(f"{BASE}/{offering_id}", status_code=303)
        set_flash(response, f"Categories, channels, segments and terms of {code} saved.")
        return response

    router.add_api_route(
        f"{BASE}/{{entity_id}}/links", links_edit, methods=["GET"], name="offering_links_edit"
    )
    router.add_api_route(
        f"{BASE}/{{entity_id}}/links", update_links, methods=["POST"], name="offering_links_update"
    )
    router.add_api_route(
        f"{BASE}/{{entity_id}}", detail, methods=["GET"], name="product_offering_detail"
    )
    router.add_api_route(
        f"{BASE}/{{entity_id}}/prices", create_price, methods=["POST"], name="offering_price_add"
    )
    router.add_api_route(
        f"{BASE}/{{entity_id}}/prices/{{price_id}}/end",
        end_confirm,
        methods=["GET"],
        name="offering_price_end_confirm",
    )
    router.add_api_route(
        f"{BASE}/{{entity_id}}/prices/{{price_id}}/end",
        end_price,
        methods=["POST"],
        name="offering_price_end",
    )
    router.add_api_route(
        f"{BASE}/{{entity_id}}/components",
        create_component,
        methods=["POST"],
        name="offering_component_add",
    )
