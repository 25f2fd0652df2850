"""Shared pieces of the pricing services: scopes, lookups and value parsing."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, PreconditionFailed
from salesdev.core.money import parse_amount
from salesdev.core.periods import parse_instant
from salesdev.db.models import Partner
from salesdev.db.models.pricing import PriceList, PriceListVersion
from salesdev.domains.access import Family, Principal, Role, authorize, partner_scope_ids

DRAFT, SUBMITTED, APPROVED = "draft", "submitted", "approved"
VERSION_STATUSES = (DRAFT, SUBMITTED, APPROVED)
HUNDRED = Decimal(100)
# Amounts are NUMERIC(19, 4): anything larger is refused as input, never a database error.
MAX_AMOUNT = Decimal("99999999999999")


def restricted_partners(session: Session, *, principal: Principal) -> set[uuid.UUID] | None:
    """The partners a partner user is limited to, or None when the principal is unrestricted."""
    if principal.is_scoped and Role.PARTNER_USER in principal.roles:
        return partner_scope_ids(session, principal=principal)
    return None


def restricted_channels(session: Session, partners: set[uuid.UUID]) -> set[uuid.UUID]:
    """The channels the given partners sell through."""
    if not partners:
        return set()
    return set(session.scalars(select(Partner.channel_id).where(Partner.id.in_(partners))))


def price_list_scope(session: Session, principal: Principal) -> ColumnElement[bool] | None:
    """A partner user sees the price lists of its partners' channels, for any tier or theirs."""
    partners = restricted_partners(session, principal=principal)
    if partners is None:
        return None
    if not partners:
        return false()
    rows = session.execute(
        select(Partner.channel_id, Partner.tier).where(Partner.id.in_(partners))
    ).all()
    channels = {row[0] for row in rows}
    tiers = {row[1] for row in rows}
    return and_(
        PriceList.channel_id.in_(channels),
        or_(PriceList.partner_tier.is_(None), PriceList.partner_tier.in_(tiers)),
    )


def get_price_list(
    session: Session, *, principal: Principal, price_list_id: uuid.UUID
) -> PriceList:
    authorize(principal, Family.PRICING, "read")
    statement = select(PriceList).where(PriceList.id == price_list_id)
    condition = price_list_scope(session, principal)
    if condition is not None:
        statement = statement.where(condition)
    found = session.scalar(statement)
    if found is None:
        raise NotFound(f"Price list {price_list_id} does not exist")
    return found


def get_version(
    session: Session, *, principal: Principal, version_id: uuid.UUID
) -> tuple[PriceList, PriceListVersion]:
    authorize(principal, Family.PRICING, "read")
    version = session.get(PriceListVersion, version_id)
    if version is None:
        raise NotFound(f"Price list version {version_id} does not exist")
    try:
        price_list = get_price_list(
            session, principal=principal, price_list_id=version.price_list_id
        )
    except NotFound:
        raise NotFound(f"Price list version {version_id} does not exist") from None
    return price_list, version


def check_expected(entity: Any, expected_version: int | None, label: str) -> None:
    if expected_version is not None and entity.version != expected_version:
        raise PreconditionFailed(
            f"{label} {entity.id} was changed by someone else (version {entity.version}, "
            f"you had {expected_version}); reload and try again"
        )


def decimal_value(
    raw: Any,
    location: str,
    errors: list[ErrorDetail],
    *,
    low: Decimal | None = Decimal(0),
    high: Decimal | None = MAX_AMOUNT,
    required: bool = False,
) -> Decimal | None:
    """An exact non-negative amount (at most 4 decimals, below ``high``), or an error added."""
    if raw is None or raw == "":
        if required:
            errors.append(ErrorDetail(location, "is required"))
        return None
    if high is not None and _too_large(raw, high):
        # Checked first: core.money's quantize fails on numbers past 28 digits.
        errors.append(ErrorDetail(location, f"must be at most {high}, got {raw}"))
        return None
    try:
        value = parse_amount(raw, location=location)
    except InvalidInput as exc:
        errors.extend(exc.details)
        return None
    if low is not None and value < low:
        errors.append(ErrorDetail(location, f"must be at least {low}, got {value}"))
        return None
    if high is not None and value > high:
        errors.append(ErrorDetail(location, f"must be at most {high}, got {value}"))
        return None
    return value


def _too_large(raw: Any, high: Decimal) -> bool:
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        return False
    try:
        number = Decimal(raw)
    except (InvalidOperation, ValueError):
        return False
    return number.is_finite() and abs(number) > high


def instant_value(
    raw: Any, location: str, errors: list[ErrorDetail], *, required: bool = False
) -> datetime | None:
    if raw is None or raw == "":
        if required:
            errors.append(ErrorDetail(location, "is required"))
        return None
    if isinstance(raw, datetime):
        if raw.tzinfo is None:
            errors.append(ErrorDetail(location, "needs a timezone"))
            return None
        return raw
    try:
        return parse_instant(raw)
    except ValueError as exc:
        errors.append(ErrorDetail(location, str(exc)))
        return None


def text_value(
    raw: Any, location: str, errors: list[ErrorDetail], *, max_length: int, required: bool = False
) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        errors.append(ErrorDetail(location, "expected a string"))
        return ""
    value = raw.strip()
    if "\x00" in value:
        errors.append(ErrorDetail(location, "must not contain NUL characters"))
    elif required and not value:
        errors.append(ErrorDetail(location, "is required"))
    elif len(value) > max_length:
        errors.append(ErrorDetail(location, f"at most {max_length} characters"))
    return value


def check_period(
    start: datetime | None, end: datetime | None, location: str, errors: list[ErrorDetail]
) -> None:
    if start is not None and end is not None and end <= start:
        errors.append(ErrorDetail(location, "the end must be after the start"))


def iso(value: datetime | None) -> str:
    return "open-ended" if value is None else value.isoformat().replace("+00:00", "Z")
