"""The product catalogue as bulk files: TMF620 JSON and CSV, imported all-or-nothing.

A catalogue is offerings together with their prices, bundles, terms, channels, segments
and categories; bundles refer to other offerings of the same file in any order. That
does not fit the one-row-one-record datasets of ``salesdev import``, so the catalogue
has its own functions (see ``docs/catalogue.md`` for the shapes):

- TMF620 JSON: an array of productOffering objects, prices inline
  (``productOfferingPrice`` values); or an object ``{"productOffering": [...],
  "productOfferingPrice": [...]}`` whose offerings refer to the prices by ``id``.
- CSV: a file of offerings and a file of prices (``offering_code`` joins them).

An offering is identified by ``code`` (an extension attribute in JSON; the ``id`` when
there is none); an existing code is updated. Every item is checked against the others
and the store before anything is written; a refusal while writing (an overlapping price)
raises, and the caller's rollback undoes the whole file (every entrypoint's transaction
does), so a failed import changes nothing.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, SalesdevError
from salesdev.db.models import (
    Catalog,
    Category,
    MarketSegment,
    ProductFamily,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    SalesChannel,
)
from salesdev.domains.access import Principal
from salesdev.domains.catalog import (
    BundledOfferingInput,
    OfferingInput,
    PriceInput,
    TermInput,
    add_price,
    check_offering,
    create_offering,
    offering_inputs,
    update_offering,
    update_price,
    validate_price,
)
from salesdev.domains.interchange.columns import CellError, Column
from salesdev.domains.interchange.importing import ProgressCallback

MAX_ERRORS = 100
# Writing reports progress about this many times over a file, whatever its size.
_PROGRESS_STEPS = 100


@dataclass(frozen=True)
class CatalogueImportResult:
    offerings: int
    created: int
    updated: int
    prices: int


@dataclass(frozen=True)
class CatalogueExportResult:
    offerings: int
    prices: int


def _no_progress(done: int, total: int | None, message: str) -> None:
    pass


@dataclass
class _Item:
    """One offering of the file, references still as the file gives them."""

    location: str
    code: str
    file_id: str
    fields: dict[str, Any]
    family: str | None
    specification: str | None
    categories: list[str]
    channels: list[str]
    segments: list[str]
    terms: list[TermInput]
    bundled: list[tuple[str, int | None, int | None, int | None]]
    prices: list[tuple[str, str | None, PriceInput]] = field(default_factory=list)


# --- JSON ------------------------------------------------------------------------------


def import_catalogue_json(
    session: Session,
    *,
    principal: Principal,
    path: Path,
    now: datetime,
    progress: ProgressCallback | None = None,
) -> CatalogueImportResult:
    """``progress(done, total, message)`` hears how many offerings have been written."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            "Invalid JSON",
            [ErrorDetail(f"line {error.lineno}", f"column {error.colno}: {error.msg}")],
        ) from None
    separate: dict[str, Any] = {}
    if isinstance(document, dict):
        for index, price in enumerate(document.get("productOfferingPrice") or []):
            if isinstance(price, dict) and price.get("id") is not None:
                separate[str(price["id"])] = (index, price)
        document = document.get("productOffering")
    if not isinstance(document, list):
        raise InvalidInput(
            "Not a TMF620 catalogue",
            [
                ErrorDetail(
                    "file",
                    "expected an array of productOffering objects, or an object "
                    "with productOffering and productOfferingPrice arrays",
                )
            ],
        )
    errors: list[ErrorDetail] = []
    items = []
    for number, raw in enumerate(document, start=1):
        item = _json_item(number, raw, separate, errors)
        if item is not None:
            items.append(item)
    _raise(errors, path.name)
    return _apply(
        session,
        principal=principal,
        items=items,
        now=now,
        source=path.name,
        progress=progress or _no_progress,
    )


def _json_item(
    number: int, raw: Any, separate: Mapping[str, tuple[int, Any]], errors: list[ErrorDetail]
) -> _Item | None:
    if not isinstance(raw, dict):
        errors.append(ErrorDetail(f"item {number}", "expected a productOffering object"))
        return None
    label = f"item {number} (productOffering {raw.get('name')!r})"
    problems: list[ErrorDetail] = []

    def get(name: str, column: Column, default: Any = None) -> Any:
        try:
            value = column.parse(raw.get(name))
        except CellError as error:
            problems.append(ErrorDetail(name, str(error)))
            return default
        return default if value is None else value

    valid_for = raw.get("validFor") or {}
    code = raw.get("code") or raw.get("id")
    fields = {
        "name": get("name", Column("name", required=True), ""),
        "description": get("description", Column("description"), ""),
        "is_bundle": get("isBundle", Column("isBundle", "bool"), False),
        "is_sellable": get("isSellable", Column("isSellable", "bool"), True),
        "lifecycle_status": get("lifecycleStatus", Column("lifecycleStatus"), "Active"),
        "status_reason": get("statusReason", Column("statusReason"), ""),
        "version_label": get("version", Column("version"), "1.0"),
        "currency": get("currency", Column("currency", required=True), ""),
        "valid_from": _instant(valid_for, "startDateTime", problems, required=True),
        "valid_to": _instant(valid_for, "endDateTime", problems),
    }
    terms = []
    for index, term in enumerate(raw.get("productOfferingTerm") or []):
        duration = term.get("duration") or {}
        term_for = term.get("validFor") or {}
        terms.append(
            TermInput(
                name=str(term.get("name") or ""),
                description=str(term.get("description") or ""),
                duration_amount=_int(
                    duration.get("amount"),
                    f"productOfferingTerm[{index}].duration.amount",
                    problems,
                ),
                duration_units=duration.get("units"),
                valid_from=_instant(term_for, "startDateTime", problems),
                valid_to=_instant(term_for, "endDateTime", problems),
            )
        )
    bundled = []
    for index, entry in enumerate(raw.get("bundledProductOffering") or []):
        option = entry.get("bundledProductOfferingOption") or {}
        where = f"bundledProductOffering[{index}].bundledProductOfferingOption"
        bundled.append(
            (
                str(entry.get("id")),
                _int(
                    option.get("numberRelOfferLowerLimit"),
                    f"{where}.numberRelOfferLowerLimit",
                    problems,
                ),
                _int(
                    option.get("numberRelOfferDefault"), f"{where}.numberRelOfferDefault", problems
                ),
                _int(
                    option.get("numberRelOfferUpperLimit"),
                    f"{where}.numberRelOfferUpperLimit",
                    problems,
                ),
            )
        )
    prices = []
    for index, entry in enumerate(raw.get("productOfferingPrice") or []):
        where = f"productOfferingPrice[{index}]"
        if (
            isinstance(entry, dict)
            and "priceType" not in entry
            and str(entry.get("id")) in separate
        ):
            entry = separate[str(entry["id"])][1]
        if not isinstance(entry, dict) or "priceType" not in entry:
            problems.append(
                ErrorDetail(where, "neither a price nor a reference to one of the file's prices")
            )
            continue
        price_problems: list[ErrorDetail] = []
        price = _json_price(entry, price_problems)
        problems += [ErrorDetail(f"{where}.{d.location}", d.message) for d in price_problems]
        if price is not None:
            prices.append((where, None if entry.get("id") is None else str(entry["id"]), price))
    item = _Item(
        location=label,
        code=str(code or ""),
        file_id=str(raw.get("id") or code or ""),
        fields=fields,
        family=_ref_key(raw.get("productFamily"), "code"),
        specification=_ref_key(raw.get("productSpecification"), "productNumber"),
        categories=[k for k in (_ref_key(r, "name") for r in raw.get("category") or []) if k],
        channels=[k for k in (_ref_key(r, "code") for r in raw.get("channel") or []) if k],
        segments=[k for k in (_ref_key(r, "code") for r in raw.get("marketSegment") or []) if k],
        terms=terms,
        bundled=bundled,
        prices=prices,
    )
    if not item.code:
        problems.append(ErrorDetail("code", "give the offering's code (or an id)"))
    errors += [
        ErrorDetail(f"{label}.{d.location}" if d.location else label, d.message) for d in problems
    ]
    return item if not problems else None


def _ref_key(ref: Any, fallback: str) -> str | None:
    """A reference names its target by ``id`` (our UUID, or a code), else by ``fallback``."""
    if not isinstance(ref, dict):
        return None
    value = ref.get("id") or ref.get(fallback)
    return None if value is None else str(value)


def _json_price(entry: Mapping[str, Any], problems: list[ErrorDetail]) -> PriceInput | None:
    price = entry.get("price") or {}
    if "taxIncludedAmount" in price or "dutyFreeAmount" in price:
        price = price.get("dutyFreeAmount") or price.get("taxIncludedAmount") or {}
    unit = entry.get("unitOfMeasure") or {}
    valid_for = entry.get("validFor") or {}
    start = _instant(valid_for, "startDateTime", problems, required=True)
    if start is None:
        return None
    return PriceInput(
        name=str(entry.get("name") or ""),
        description=str(entry.get("description") or ""),
        version_label=str(entry.get("version") or "1.0"),
        price_type=str(entry.get("priceType")),
        recurring_period_type=entry.get("recurringChargePeriodType")
        or entry.get("recurringChargePeriod"),
        recurring_period_length=entry.get("recurringChargePeriodLength"),
        amount=price.get("value"),
        currency=price.get("unit"),
        percentage=entry.get("percentage"),
        unit_amount=unit.get("amount"),
        units=unit.get("units"),
        lifecycle_status=str(entry.get("lifecycleStatus") or "Active"),
        valid_from=start,
        valid_to=_instant(valid_for, "endDateTime", problems),
    )


def _instant(
    period: Mapping[str, Any], name: str, problems: list[ErrorDetail], *, required: bool = False
) -> Any:
    try:
        return Column(name, "datetime", required=required).parse(period.get(name))
    except CellError as error:
        problems.append(ErrorDetail(f"validFor.{name}", str(error)))
        return None


def _int(raw: Any, location: str, problems: list[ErrorDetail]) -> int | None:
    try:
        value: int | None = Column(location, "int").parse(raw)
    except CellError as error:
        problems.append(ErrorDetail(location, str(error)))
        return None
    return value


def export_catalogue_json(session: Session, *, path: Path) -> CatalogueExportResult:
    """Every offering with its prices inline."""
    offerings = _export(session)
    path.write_text(_dump(offerings) + "\n", encoding="utf-8")
    return _exported(offerings)


def _exported(offerings: list[dict[str, Any]]) -> CatalogueExportResult:
    return CatalogueExportResult(
        offerings=len(offerings),
        prices=sum(len(item["productOfferingPrice"]) for item in offerings),
    )


def _export(session: Session) -> list[dict[str, Any]]:
    rows = list(session.scalars(select(ProductOffering).order_by(ProductOffering.code)))
    inputs = offering_inputs(session, rows)
    names = _names(session)
    prices: dict[uuid.UUID, list[ProductOfferingPrice]] = {}
    for price in session.scalars(
        select(ProductOfferingPrice).order_by(
            ProductOfferingPrice.product_offering_id,
            ProductOfferingPrice.price_type,
            ProductOfferingPrice.valid_from,
            ProductOfferingPrice.id,
        )
    ):
        prices.setdefault(price.product_offering_id, []).append(price)
    codes = {row.id: row.code for row in rows}
    return [
        _offering_json(row, inputs[row.id], names, codes, prices.get(row.id, [])) for row in rows
    ]


def _names(session: Session) -> dict[uuid.UUID, tuple[str, str]]:
    """(code-like key, display name) of everything an offering refers to."""
    found: dict[uuid.UUID, tuple[str, str]] = {}
    for statement in (
        select(ProductFamily.id, ProductFamily.code, ProductFamily.name),
        select(
            ProductSpecification.id, ProductSpecification.product_number, ProductSpecification.name
        ),
        select(SalesChannel.id, SalesChannel.code, SalesChannel.name),
        select(MarketSegment.id, MarketSegment.code, MarketSegment.name),
    ):
        found.update({id_: (key, name) for id_, key, name in session.execute(statement)})
    catalogs = {id_: name for id_, name in session.execute(select(Catalog.id, Catalog.name))}
    for id_, name, catalog_id in session.execute(
        select(Category.id, Category.name, Category.catalog_id)
    ):
        found[id_] = (_category_key(catalogs.get(catalog_id) if catalog_id else None, name), name)
    return found


def _category_key(catalog: str | None, name: str) -> str:
    return f"{catalog}/{name}" if catalog else name


def _ref(
    id_: uuid.UUID, names: Mapping[uuid.UUID, tuple[str, str]], referred: str, key: str
) -> dict[str, Any]:
    code, name = names[id_]
    return {"id": str(id_), key: code, "name": name, "@referredType": referred}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _period(start: datetime | None, end: datetime | None) -> dict[str, Any]:
    period = {"startDateTime": _iso(start)} if start else {}
    if end is not None:
        period["endDateTime"] = _iso(end)
    return period


def _offering_json(
    row: ProductOffering,
    given: OfferingInput,
    names: Mapping[uuid.UUID, tuple[str, str]],
    codes: Mapping[uuid.UUID, str],
    prices: list[ProductOfferingPrice],
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": str(row.id),
        "code": row.code,
        "name": row.name,
        "description": row.description,
        "isBundle": row.is_bundle,
        "isSellable": row.is_sellable,
        "lifecycleStatus": row.lifecycle_status,
        "statusReason": row.status_reason,
        "version": row.version_label,
        "currency": row.currency,
        "validFor": _period(row.valid_from, row.valid_to),
        "productFamily": _ref(row.family_id, names, "ProductFamily", "code"),
        "category": [_ref(c, names, "Category", "path") for c in given.category_ids],
        "channel": [_ref(c, names, "SalesChannel", "code") for c in given.channel_ids],
        "marketSegment": [
            _ref(s, names, "MarketSegment", "code") for s in given.market_segment_ids
        ],
        "productOfferingTerm": [
            {
                "name": term.name,
                "description": term.description,
                **(
                    {"duration": {"amount": term.duration_amount, "units": term.duration_units}}
                    if term.duration_amount is not None
                    else {}
                ),
                **(
                    {"validFor": _period(term.valid_from, term.valid_to)} if term.valid_from else {}
                ),
            }
            for term in given.terms
        ],
        "bundledProductOffering": [
            {
                "id": str(b.offering_id),
                "code": codes[b.offering_id],
                "bundledProductOfferingOption": {
                    "numberRelOfferLowerLimit": b.limits()[0],
                    "numberRelOfferDefault": b.limits()[1],
                    "numberRelOfferUpperLimit": b.limits()[2],
                },
            }
            for b in given.bundled
        ],
        "productOfferingPrice": [_price_json(p) for p in prices],
        "@type": "ProductOffering",
    }
    if row.product_specification_id is not None:
        item["productSpecification"] = _ref(
            row.product_specification_id, names, "ProductSpecification", "productNumber"
        )
    return item


def _price_json(price: ProductOfferingPrice) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": str(price.id),
        "name": price.name,
        "description": price.description,
        "version": price.version_label,
        "priceType": price.price_type,
        "lifecycleStatus": price.lifecycle_status,
        "validFor": _period(price.valid_from, price.valid_to),
        "@type": "ProductOfferingPrice",
    }
    if price.recurring_period_type is not None:
        item["recurringChargePeriodType"] = price.recurring_period_type
        item["recurringChargePeriodLength"] = price.recurring_period_length
    if price.amount is not None:
        item["price"] = {"unit": price.currency, "value": price.amount}
    if price.percentage is not None:
        item["percentage"] = price.percentage
    if price.units is not None:
        item["unitOfMeasure"] = {"amount": price.unit_amount, "units": price.units}
    return item


def _dump(value: Any, indent: str = "") -> str:
    """JSON with exact decimals: amounts are written as JSON numbers from their digits,
    never through a float."""
    inner = indent + "  "
    if isinstance(value, Decimal):
        return format(value.normalize() if value == value.to_integral() else value, "f")
    if isinstance(value, dict):
        if not value:
            return "{}"
        parts = [
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, inner)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(parts) + "\n" + indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _dump(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


# --- CSV -------------------------------------------------------------------------------

OFFERING_COLUMNS = (
    "code", "name", "description", "family_code", "specification_number", "is_bundle",
    "is_sellable", "lifecycle_status", "status_reason", "version", "currency", "valid_from",
    "valid_to", "categories", "channels", "market_segments", "terms", "bundled",
)  # fmt: skip
PRICE_COLUMNS = (
    "offering_code", "id", "name", "description", "version", "price_type", "period_type",
    "period_length", "amount", "currency", "percentage", "unit_amount", "units",
    "lifecycle_status", "valid_from", "valid_to",
)  # fmt: skip


def export_catalogue_csv(
    session: Session, *, offerings_path: Path, prices_path: Path
) -> CatalogueExportResult:
    offerings = _export(session)
    with offerings_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(OFFERING_COLUMNS)
        for item in offerings:
            writer.writerow(_offering_cells(item))
    with prices_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PRICE_COLUMNS)
        for item in offerings:
            for price in item["productOfferingPrice"]:
                writer.writerow(_price_cells(item["code"], price))
    return _exported(offerings)


def _offering_cells(item: Mapping[str, Any]) -> list[str]:
    def text(value: Any) -> str:
        return (
            ""
            if value is None
            else ("true" if value is True else "false" if value is False else str(value))
        )

    terms = ";".join(
        "|".join(
            [
                t["name"],
                str(t.get("duration", {}).get("amount", "")),
                t.get("duration", {}).get("units", ""),
            ]
        )
        for t in item["productOfferingTerm"]
    )
    bundled = ";".join(
        "|".join(
            [
                b["code"],
                *(
                    str(b["bundledProductOfferingOption"][k])
                    for k in (
                        "numberRelOfferLowerLimit",
                        "numberRelOfferDefault",
                        "numberRelOfferUpperLimit",
                    )
                ),
            ]
        )
        for b in item["bundledProductOffering"]
    )
    return [
        item["code"], item["name"], item["description"], item["productFamily"]["code"],
        (item.get("productSpecification") or {}).get("productNumber", ""), text(item["isBundle"]),
        text(item["isSellable"]), item["lifecycleStatus"], item["statusReason"], item["version"],
        item["currency"], item["validFor"].get("startDateTime", ""), item["validFor"].get("endDateTime", ""),
        ";".join(c["path"] for c in item["category"]), ";".join(c["code"] for c in item["channel"]),
        ";".join(s["code"] for s in item["marketSegment"]), terms, bundled,
    ]  # fmt: skip


def _price_cells(code: str, price: Mapping[str, Any]) -> list[str]:
    money = price.get("price") or {}
    unit = price.get("unitOfMeasure") or {}

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    return [
        code, price["id"], price["name"], price["description"], price["version"], price["priceType"],
        text(price.get("recurringChargePeriodType")), text(price.get("recurringChargePeriodLength")),
        text(money.get("value")), text(money.get("unit")), text(price.get("percentage")),
        text(unit.get("amount")), text(unit.get("units")), price["lifecycleStatus"],
        price["validFor"].get("startDateTime", ""), price["validFor"].get("endDateTime", ""),
    ]  # fmt: skip


def import_catalogue_csv(
    session: Session,
    *,
    principal: Principal,
    offerings_path: Path,
    prices_path: Path,
    now: datetime,
    progress: ProgressCallback | None = None,
) -> CatalogueImportResult:
    """``progress(done, total, message)`` hears how many offerings have been written."""
    errors: list[ErrorDetail] = []
    items: dict[str, _Item] = {}
    for location, cells in _csv_rows(offerings_path, OFFERING_COLUMNS, errors):
        item = _csv_item(location, cells, errors)
        if item is not None:
            if item.code in items:
                errors.append(
                    ErrorDetail(
                        location, f"code {item.code!r} also appears in {items[item.code].location}"
                    )
                )
            items[item.code] = item
    for location, cells in _csv_rows(prices_path, PRICE_COLUMNS, errors):
        problems: list[ErrorDetail] = []
        start = _instant(cells, "valid_from", problems, required=True)
        price = PriceInput(
            name=cells["name"],
            description=cells["description"],
            version_label=cells["version"] or "1.0",
            price_type=cells["price_type"],
            recurring_period_type=cells["period_type"] or None,
            recurring_period_length=_int(cells["period_length"], "period_length", problems),
            amount=cells["amount"] or None,
            currency=cells["currency"] or None,
            percentage=cells["percentage"] or None,
            unit_amount=cells["unit_amount"] or None,
            units=cells["units"] or None,
            lifecycle_status=cells["lifecycle_status"] or "Active",
            valid_from=start,
            valid_to=_instant(cells, "valid_to", problems),
        )
        owner = items.get(cells["offering_code"])
        if owner is None:
            problems.append(
                ErrorDetail(
                    "offering_code",
                    f"no offering {cells['offering_code']!r} in {offerings_path.name}",
                )
            )
        errors += [
            ErrorDetail(
                f"{prices_path.name} {location}",
                f"column '{d.location.removeprefix('validFor.')}': {d.message}",
            )
            for d in problems
        ]
        if owner is not None and not problems:
            owner.prices.append((f"{prices_path.name} {location}", cells["id"] or None, price))
    _raise(errors, offerings_path.name)
    return _apply(
        session,
        principal=principal,
        items=list(items.values()),
        now=now,
        source=offerings_path.name,
        progress=progress or _no_progress,
    )


def _csv_rows(
    path: Path, columns: tuple[str, ...], errors: list[ErrorDetail]
) -> Iterable[tuple[str, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader, [])]
        if header != list(columns):
            errors.append(
                ErrorDetail(f"{path.name} header", f"expected the columns {','.join(columns)}")
            )
            return
        row = 0
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            row += 1
            location = f"row {row} (line {reader.line_num})"
            if len(cells) != len(columns):
                errors.append(
                    ErrorDetail(
                        f"{path.name} {location}",
                        f"{len(cells)} values but the header has {len(columns)} columns",
                    )
                )
                continue
            yield location, dict(zip(columns, (c.strip() for c in cells), strict=True))


def _csv_item(location: str, cells: dict[str, str], errors: list[ErrorDetail]) -> _Item | None:
    problems: list[ErrorDetail] = []

    def flag(name: str, default: bool) -> bool:
        try:
            value = Column(name, "bool").parse(cells[name])
        except CellError as error:
            problems.append(ErrorDetail(name, str(error)))
            return default
        return default if value is None else bool(value)

    terms = []
    for index, text in enumerate(t for t in cells["terms"].split(";") if t.strip()):
        name, amount, units = [*text.split("|"), "", ""][:3]
        terms.append(
            TermInput(
                name=name.strip(),
                duration_amount=_int(amount, f"terms item {index + 1}", problems),
                duration_units=units.strip() or None,
            )
        )
    bundled = []
    for index, text in enumerate(t for t in cells["bundled"].split(";") if t.strip()):
        code, lower, default, upper = [*text.split("|"), "", "", ""][:4]
        where = f"bundled item {index + 1}"
        bundled.append(
            (
                code.strip(),
                _int(lower, where, problems),
                _int(default, where, problems),
                _int(upper, where, problems),
            )
        )
    item = _Item(
        location=location,
        code=cells["code"],
        file_id=cells["code"],
        fields={
            "name": cells["name"],
            "description": cells["description"],
            "is_bundle": flag("is_bundle", False),
            "is_sellable": flag("is_sellable", True),
            "lifecycle_status": cells["lifecycle_status"] or "Active",
            "status_reason": cells["status_reason"],
            "version_label": cells["version"] or "1.0",
            "currency": cells["currency"],
            "valid_from": _instant(cells, "valid_from", problems, required=True),
            "valid_to": _instant(cells, "valid_to", problems),
        },
        family=cells["family_code"] or None,
        specification=cells["specification_number"] or None,
        categories=_list(cells["categories"]),
        channels=_list(cells["channels"]),
        segments=_list(cells["market_segments"]),
        terms=terms,
        bundled=bundled,
    )
    errors += [
        ErrorDetail(location, f"column '{d.location.removeprefix('validFor.')}': {d.message}")
        for d in problems
    ]
    return None if problems else item


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


# --- writing ---------------------------------------------------------------------------


def _raise(errors: list[ErrorDetail], source: str) -> None:
    if errors:
        shown = errors[:MAX_ERRORS]
        raise InvalidInput(
            f"{source}: {len(errors)} error(s) in the catalogue; nothing was imported", shown
        )


class _Resolver:
    """Resolves references by our UUID or a business key, a query per kind for the file."""

    def __init__(self, session: Session, items: list[_Item]) -> None:
        self.tables: dict[str, dict[str, uuid.UUID]] = {}
        for kind, model, key in (
            ("family", ProductFamily, ProductFamily.code),
            ("specification", ProductSpecification, ProductSpecification.product_number),
            ("channel", SalesChannel, SalesChannel.code),
            ("segment", MarketSegment, MarketSegment.code),
            ("offering", ProductOffering, ProductOffering.code),
        ):
            found: dict[str, uuid.UUID] = {}
            for id_, code in session.execute(select(model.id, key)):
                found[str(id_)] = id_
                found[code] = id_
            self.tables[kind] = found
        catalogs = {id_: name for id_, name in session.execute(select(Catalog.id, Catalog.name))}
        categories: dict[str, uuid.UUID] = {}
        by_name: dict[str, list[uuid.UUID]] = {}
        for id_, name, catalog_id in session.execute(
            select(Category.id, Category.name, Category.catalog_id)
        ):
            categories[str(id_)] = id_
            categories[_category_key(catalogs.get(catalog_id) if catalog_id else None, name)] = id_
            by_name.setdefault(name, []).append(id_)
        for name, ids in by_name.items():
            if len(ids) == 1:
                categories.setdefault(name, ids[0])
        self.tables["category"] = categories

    def one(
        self, kind: str, key: str | None, location: str, problems: list[ErrorDetail]
    ) -> uuid.UUID | None:
        if key is None:
            return None
        found = self.tables[kind].get(key)
        if found is None:
            problems.append(ErrorDetail(location, f"no {kind} {key!r}"))
        return found


def _apply(
    session: Session,
    *,
    principal: Principal,
    items: list[_Item],
    now: datetime,
    source: str,
    progress: ProgressCallback,
) -> CatalogueImportResult:
    resolver = _Resolver(session, items)
    own = resolver.tables["offering"]
    ids: dict[str, uuid.UUID] = {}
    existing: set[uuid.UUID] = set()
    for item in items:
        found = own.get(item.code)
        ids[item.code] = found or uuid.uuid4()
        if found is not None:
            existing.add(found)
    file_ids = {item.file_id: ids[item.code] for item in items}
    errors: list[ErrorDetail] = []
    inputs: dict[str, OfferingInput] = {}
    for item in items:
        problems: list[ErrorDetail] = []
        family = resolver.one("family", item.family, "productFamily", problems)
        if item.family is None:
            problems.append(ErrorDetail("productFamily", "is required"))
        bundled = []
        for index, (key, lower, default, upper) in enumerate(item.bundled):
            target = file_ids.get(key) or ids.get(key) or own.get(key)
            if target is None:
                problems.append(
                    ErrorDetail(
                        f"bundledProductOffering[{index}].id", f"no product offering {key!r}"
                    )
                )
                continue
            bundled.append(BundledOfferingInput(target, default, lower, upper))
        refs = {
            name: tuple(
                found
                for index, key in enumerate(keys)
                if (found := resolver.one(kind, key, f"{location}[{index}].id", problems))
                is not None
            )
            for name, kind, location, keys in (
                ("category_ids", "category", "category", item.categories),
                ("channel_ids", "channel", "channel", item.channels),
                ("market_segment_ids", "segment", "marketSegment", item.segments),
            )
        }
        specification = resolver.one(
            "specification", item.specification, "productSpecification.id", problems
        )
        errors += [ErrorDetail(f"{item.location}.{d.location}", d.message) for d in problems]
        # Every price's own fields now, so that one report lists every problem of the file.
        for location, _, price in item.prices:
            _refused(errors, _price_location(item, location), lambda p=price: validate_price(p))
        if problems or family is None:
            continue
        inputs[item.code] = OfferingInput(
            code=item.code,
            family_id=family,
            product_specification_id=specification,
            terms=tuple(item.terms),
            bundled=tuple(bundled),
            category_ids=refs["category_ids"],
            channel_ids=refs["channel_ids"],
            market_segment_ids=refs["market_segment_ids"],
            **item.fields,
        )
    _raise(errors, source)
    pending = {ids[code]: [b.offering_id for b in given.bundled] for code, given in inputs.items()}
    new_ids = frozenset(ids.values()) - existing
    for item in items:
        _refused(
            errors,
            item.location,
            lambda item=item: check_offering(
                session,
                offering=inputs[item.code],
                offering_id=ids[item.code],
                pending=pending,
                known_offering_ids=new_ids,
                known_codes={ids[code]: code for code in ids},
            ),
        )
    _raise(errors, source)
    created = updated = prices = 0
    total = len(items)
    step = max(1, total // _PROGRESS_STEPS)
    # No savepoint: on SQLite (pysqlite) one opened before the first write would be the
    # outermost transaction, and releasing it would commit. A refusal raises and the
    # caller, which owns the transaction, rolls back everything written so far.
    try:
        for done, item in enumerate(_components_first(items, inputs, ids), start=1):
            given = inputs[item.code]
            offering_id = ids[item.code]
            if offering_id in existing:
                update_offering(
                    session,
                    principal=principal,
                    offering_id=offering_id,
                    offering=given,
                    now=now,
                )
                updated += 1
            else:
                create_offering(
                    session,
                    principal=principal,
                    offering=given,
                    now=now,
                    offering_id=offering_id,
                )
                created += 1
            if done % step == 0 or done == total:
                progress(done, total, "Writing offerings")
        stored = (
            {
                str(row.id): row
                for row in session.scalars(
                    select(ProductOfferingPrice).where(
                        ProductOfferingPrice.product_offering_id.in_(list(existing))
                    )
                )
            }
            if existing
            else {}
        )
        for item in items:
            for location, price_id, price in item.prices:
                where = _price_location(item, location)
                current = stored.get(price_id or "")
                if current is not None and current.product_offering_id == ids[item.code]:
                    _write(
                        errors,
                        where,
                        lambda c=current, p=price: update_price(
                            session, principal=principal, price_id=c.id, price=p, now=now
                        ),
                    )
                else:
                    _write(
                        errors,
                        where,
                        lambda i=item, p=price: add_price(
                            session,
                            principal=principal,
                            offering_id=ids[i.code],
                            price=p,
                            now=now,
                        ),
                    )
                prices += 1
    except _Stop:
        pass
    _raise(errors, source)
    return CatalogueImportResult(
        offerings=len(items), created=created, updated=updated, prices=prices
    )


def _price_location(item: _Item, location: str) -> str:
    """A JSON price is found in its item (``productOfferingPrice[1]``), a CSV one by its row."""
    return f"{item.location}.{location}" if location.startswith("product") else location


class _Stop(Exception):
    pass


def _refused(errors: list[ErrorDetail], location: str, check: Any) -> None:
    try:
        check()
    except SalesdevError as error:
        errors += [ErrorDetail(f"{location}.{d.location}", d.message) for d in error.details] or [
            ErrorDetail(location, error.message)
        ]


def _write(errors: list[ErrorDetail], location: str, write: Any) -> None:
    _refused(errors, location, write)
    if errors:
        raise _Stop


def _components_first(
    items: list[_Item], inputs: Mapping[str, OfferingInput], ids: Mapping[str, uuid.UUID]
) -> list[_Item]:
    """Write order: every offering after the file's offerings it bundles (no cycles by now)."""
    by_id = {ids[item.code]: item for item in items}
    ordered: list[_Item] = []
    done: set[uuid.UUID] = set()

    def visit(item: _Item) -> None:
        own = ids[item.code]
        if own in done:
            return
        done.add(own)
        for component in inputs[item.code].bundled:
            if component.offering_id in by_id:
                visit(by_id[component.offering_id])
        ordered.append(item)

    for item in items:
        visit(item)
    return ordered


__all__ = [
    "CatalogueExportResult",
    "CatalogueImportResult",
    "export_catalogue_csv",
    "export_catalogue_json",
    "import_catalogue_csv",
    "import_catalogue_json",
]
