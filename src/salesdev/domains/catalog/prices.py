"""Product offering prices (TMF620 productOfferingPrice): validation, writes, list prices.

A price is effective-dated. Two prices of one offering may not be in force at the same
time for the same kind of charge: the same ``priceType``, recurring period and usage
unit (a new monthly price starts where the old one ends).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, RuleViolation
from salesdev.core.money import Money, parse_amount, parse_currency
from salesdev.core.periods import require_aware
from salesdev.db.models import ProductOffering, ProductOfferingPrice
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.catalog.common import (
    check_lifecycle,
    check_text,
    check_validity,
    check_version,
)
from salesdev.domains.catalog.vocabulary import (
    PRICE_TYPES,
    RECURRING_PERIOD_TYPES,
    SELLABLE_STATUSES,
)

_PERCENT_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class PriceInput:
    """A price as given: amounts raw (a decimal string, int or Decimal; floats are refused)."""

    name: str
    price_type: str
    valid_from: datetime
    valid_to: datetime | None = None
    amount: object = None
    currency: str | None = None
    recurring_period_type: str | None = None
    recurring_period_length: int | None = None
    unit_amount: object = None
    units: str | None = None
    percentage: object = None
    description: str = ""
    version_label: str = "1.0"
    lifecycle_status: str = "Active"


@dataclass(frozen=True)
class ListPrices:
    """An offering's list prices at an instant: the monthly recurring and the one-time charge."""

    recurring: Money | None
    one_time: Money | None


def validate_price(price: PriceInput) -> dict[str, Any]:
    """The price's column values, or InvalidInput naming every wrong field (TMF620 paths)."""
    errors: list[ErrorDetail] = []
    check_text("name", price.name, errors, max_length=200, required=True)
    check_text("version", price.version_label, errors, max_length=32)
    check_lifecycle(price.lifecycle_status, errors)
    check_validity(price.valid_from, price.valid_to, errors)
    kind = price.price_type
    if kind not in PRICE_TYPES:
        errors.append(
            ErrorDetail("priceType", f"expected one of {', '.join(PRICE_TYPES)}; got {kind!r}")
        )
    amount = _decimal("price.value", price.amount, errors)
    # A wrong amount is reported once: not again as a missing one.
    has_amount = _given(price.amount)
    currency: str | None = None
    if price.currency is not None:
        try:
            currency = parse_currency(price.currency, location="price.unit")
        except InvalidInput as error:
            errors += error.details
    if has_amount and price.currency is None:
        errors.append(ErrorDetail("price.unit", "a price needs its currency (ISO 4217, e.g. EUR)"))
    if not has_amount and price.currency is not None:
        errors.append(ErrorDetail("price.value", "a currency was given without an amount"))
    percentage = _decimal("percentage", price.percentage, errors)
    has_percentage = _given(price.percentage)
    if percentage is not None and not Decimal(0) < percentage <= Decimal(100):
        errors.append(
            ErrorDetail("percentage", f"must be more than 0 and at most 100; got {percentage}")
        )
    unit_amount = _decimal("unitOfMeasure.amount", price.unit_amount, errors)
    period_type, period_length = price.recurring_period_type, price.recurring_period_length
    if kind == "recurring":
        if period_type not in RECURRING_PERIOD_TYPES:
            errors.append(
                ErrorDetail(
                    "recurringChargePeriodType",
                    f"a recurring price repeats every day, week, month or year; got {period_type!r}",
                )
            )
        if period_length is None:
            period_length = 1
        elif (
            isinstance(period_length, bool)
            or not isinstance(period_length, int)
            or period_length < 1
        ):
            errors.append(
                ErrorDetail(
                    "recurringChargePeriodLength",
                    f"must be a whole number of 1 or more; got {period_length!r}",
                )
            )
    elif kind in PRICE_TYPES and (period_type is not None or period_length is not None):
        errors.append(
            ErrorDetail(
                "recurringChargePeriodType",
                f"only a recurring price has a period, not a {kind} price",
            )
        )
    if kind in ("recurring", "oneTime", "usage") and not has_amount:
        errors.append(ErrorDetail("price", f"a {kind} price needs an amount and a currency"))
    if kind != "discount" and has_percentage:
        errors.append(ErrorDetail("percentage", "only a discount has a percentage"))
    if kind == "discount" and has_amount == has_percentage:
        errors.append(ErrorDetail("price", "a discount has either an amount or a percentage"))
    if kind == "usage":
        if unit_amount is None and _given(price.unit_amount):
            pass  # already reported as not a number
        elif unit_amount is None or unit_amount <= 0 or not price.units:
            errors.append(
                ErrorDetail(
                    "unitOfMeasure", "a usage price is per a positive amount of a unit, e.g. 1 GB"
                )
            )
    elif _given(price.unit_amount) or price.units:
        errors.append(ErrorDetail("unitOfMeasure", "only a usage price has a unit of measure"))
    if price.units is not None and len(price.units) > 32:
        errors.append(ErrorDetail("unitOfMeasure.units", "at most 32 characters"))
    if errors:
        raise InvalidInput("Invalid product offering price", errors)
    return {
        "name": price.name.strip(),
        "description": price.description,
        "version_label": price.version_label,
        "price_type": kind,
        "recurring_period_type": period_type if kind == "recurring" else None,
        "recurring_period_length": period_length if kind == "recurring" else None,
        "unit_amount": unit_amount,
        "units": price.units or None,
        "amount": amount,
        "currency": currency,
        "percentage": percentage,
        "lifecycle_status": price.lifecycle_status,
        "valid_from": price.valid_from,
        "valid_to": price.valid_to,
    }


def _given(raw: object) -> bool:
    return raw is not None and raw != ""


def _decimal(location: str, raw: object, errors: list[ErrorDetail]) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        return parse_amount(raw, location=location)
    except InvalidInput as error:
        errors += error.details
        return None


def add_price(
    session: Session,
    *,
    principal: Principal,
    offering_id: uuid.UUID,
    price: PriceInput,
    now: datetime,
) -> ProductOfferingPrice:
    authorize(principal, Family.CATALOG, "write")
    require_aware(now, location="now")
    if session.get(ProductOffering, offering_id) is None:
        raise NotFound(f"Product offering {offering_id} does not exist")
    values = validate_price(price)
    check_price_overlap(session, offering_id=offering_id, values=values, ignore_id=None)
    row = ProductOfferingPrice(
        product_offering_id=offering_id, created_at=now, updated_at=now, **values
    )
    session.add(row)
    session.flush()
    return row


def update_price(
    session: Session,
    *,
    principal: Principal,
    price_id: uuid.UUID,
    price: PriceInput,
    now: datetime,
    expected_version: int | None = None,
) -> ProductOfferingPrice:
    """Replace a price's attributes (the interfaces merge a patch into the current ones)."""
    row = get_price(session, principal=principal, price_id=price_id)
    authorize(principal, Family.CATALOG, "write")
    check_version(f"Product offering price {row.name!r}", row, expected_version)
    values = validate_price(price)
    check_price_overlap(
        session, offering_id=row.product_offering_id, values=values, ignore_id=row.id
    )
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    for name, value in changed.items():
        setattr(row, name, value)
    if changed:
        row.updated_at = now
        session.flush()
    return row


def get_price(
    session: Session, *, principal: Principal, price_id: uuid.UUID
) -> ProductOfferingPrice:
    authorize(principal, Family.CATALOG, "read")
    row = session.get(ProductOfferingPrice, price_id)
    if row is None:
        raise NotFound(f"Product offering price {price_id} does not exist")
    return row


def list_offering_prices(
    session: Session, *, principal: Principal, offering_id: uuid.UUID
) -> list[ProductOfferingPrice]:
    authorize(principal, Family.CATALOG, "read")
    return list(
        session.scalars(
            select(ProductOfferingPrice)
            .where(ProductOfferingPrice.product_offering_id == offering_id)
            .order_by(
                ProductOfferingPrice.price_type,
                ProductOfferingPrice.valid_from,
                ProductOfferingPrice.id,
            )
        )
    )


def price_key(values: dict[str, Any]) -> tuple[str, str | None, int | None, str | None]:
    """What makes two prices the same kind of charge (only one may be in force at a time)."""
    return (
        values["price_type"],
        values["recurring_period_type"],
        values["recurring_period_length"],
        values["units"],
    )


def check_price_overlap(
    session: Session,
    *,
    offering_id: uuid.UUID,
    values: dict[str, Any],
    ignore_id: uuid.UUID | None,
) -> None:
    p = ProductOfferingPrice
    start, end = values["valid_from"], values["valid_to"]

    def same(column: Any, value: Any) -> Any:
        return column.is_(None) if value is None else column == value

    statement = select(p).where(
        p.product_offering_id == offering_id,
        p.price_type == values["price_type"],
        same(p.recurring_period_type, values["recurring_period_type"]),
        same(p.recurring_period_length, values["recurring_period_length"]),
        same(p.units, values["units"]),
        or_(p.valid_to.is_(None), p.valid_to > start),
        *([] if end is None else [p.valid_from < end]),
    )
    if ignore_id is not None:
        statement = statement.where(p.id != ignore_id)
    clash = session.scalars(statement.order_by(p.valid_from).limit(1)).first()
    if clash is not None:
        raise RuleViolation(
            f"The period overlaps another {describe_charge(values)} of the offering",
            [
                ErrorDetail(
                    "validFor",
                    f"price {clash.name!r} ({clash.id}) is valid from {_iso(clash.valid_from)} "
                    f"to {_iso(clash.valid_to) if clash.valid_to else 'no end'}",
                )
            ],
        )


def describe_charge(values: dict[str, Any]) -> str:
    kind = values["price_type"]
    if kind == "recurring":
        length, period = values["recurring_period_length"], values["recurring_period_type"]
        every = period if length == 1 else f"{length} {period}s"
        return f"recurring price (every {every})"
    if kind == "usage":
        return f"usage price (per {values['units']})"
    return f"{kind} price"


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def list_prices(
    session: Session, *, offering_ids: Collection[uuid.UUID], at: datetime
) -> dict[uuid.UUID, ListPrices]:
    """The list prices of many offerings at the instant ``at``, in one query.

    The recurring list price is the monthly one (every 1 month); both must be in a
    sellable lifecycle status (Active, Launched) and in force at ``at`` (half-open).
    Every asked-for offering is in the answer, with ``None`` where it has no such price.
    """
    require_aware(at, location="at")
    found = {offering_id: ListPrices(None, None) for offering_id in offering_ids}
    if not found:
        return found
    p = ProductOfferingPrice
    rows = session.execute(
        select(p.product_offering_id, p.price_type, p.amount, p.currency).where(
            p.product_offering_id.in_(list(found)),
            or_(
                p.price_type == "oneTime",
                and_(
                    p.price_type == "recurring",
                    p.recurring_period_type == "month",
                    p.recurring_period_length == 1,
                ),
            ),
            p.lifecycle_status.in_(SELLABLE_STATUSES),
            p.amount.is_not(None),
            p.valid_from <= at,
            or_(p.valid_to.is_(None), p.valid_to > at),
        )
    )
    for offering_id, price_type, amount, currency in rows:
        current = found[offering_id]
        assert amount is not None and currency is not None  # filtered in SQL
        money = Money(amount, currency)
        if price_type == "recurring":
            found[offering_id] = ListPrices(money, current.one_time)
        else:
            found[offering_id] = ListPrices(current.recurring, money)
    return found
