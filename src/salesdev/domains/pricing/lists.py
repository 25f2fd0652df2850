"""Price lists and their versions: scope, validity, the approval workflow and entries.

A price list is one exact scope (channel; partner tier, market segment and region,
each optional = any) with a currency; a second list for the same scope is refused.
Versions move draft -> submitted -> approved; a submitted version may be rejected back
to draft. Approval is by someone other than the version's author (whoever last changed
its content); approved versions of one list never overlap in validity, and an approved
version never changes (create a new version, optionally copied from another).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, RuleViolation
from salesdev.core.ids import new_id
from salesdev.core.money import parse_currency
from salesdev.core.periods import parse_instant, require_aware
from salesdev.db.models import MarketSegment, ProductOffering, Region, SalesChannel
from salesdev.db.models.pricing import (
    PriceList,
    PriceListEntry,
    PriceListVersion,
    PricingRule,
)
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.access.approval import require_second_person
from salesdev.domains.catalog import SEGMENT_NAMES
from salesdev.domains.pricing.common import (
    APPROVED,
    DRAFT,
    SUBMITTED,
    check_expected,
    check_period,
    decimal_value,
    get_price_list,
    get_version,
    instant_value,
    iso,
    price_list_scope,
    text_value,
)
from salesdev.domains.pricing.guardrails import (
    check_entries_against_guard_rails,
    check_version_against_guard_rails,
)

PARTNER_TIERS = ("gold", "silver", "bronze")
TRANSITIONS = {
    "submit": (DRAFT, SUBMITTED),
    "approve": (SUBMITTED, APPROVED),
    "reject": (SUBMITTED, DRAFT),
}
MAX_IMPORT_ROWS = 20000

PRICE_LIST_ATTRIBUTES: dict[str, Attribute] = {
    "name": Attribute(PriceList.name),
    "channelId": Attribute(PriceList.channel_id, parse=uuid.UUID),
    "partnerTier": Attribute(PriceList.partner_tier),
    "marketSegment": Attribute(PriceList.market_segment),
    "regionId": Attribute(PriceList.region_id, parse=uuid.UUID),
    "currency": Attribute(PriceList.currency),
    "updatedAt": Attribute(PriceList.updated_at, parse=parse_instant),
}


@dataclass(frozen=True)
class PriceListInput:
    name: str
    channel_id: uuid.UUID
    currency: str
    partner_tier: str | None = None
    market_segment: str | None = None
    region_id: uuid.UUID | None = None
    description: str = ""


def scope_key(
    channel_id: uuid.UUID, tier: str | None, segment: str | None, region_id: uuid.UUID | None
) -> str:
    return "|".join(("" if v is None else str(v)) for v in (channel_id, tier, segment, region_id))


def describe_scope(price_list: PriceList, session: Session) -> str:
    channel = session.get(SalesChannel, price_list.channel_id)
    parts = [f"channel {channel.code if channel else price_list.channel_id}"]
    if price_list.partner_tier:
        parts.append(f"tier {price_list.partner_tier}")
    if price_list.market_segment:
        parts.append(f"segment {price_list.market_segment}")
    if price_list.region_id:
        region = session.get(Region, price_list.region_id)
        parts.append(f"region {region.code if region else price_list.region_id}")
    return ", ".join(parts)


# --- price lists -------------------------------------------------------------------------


def list_price_lists(
    session: Session, *, principal: Principal, query: ListQuery
) -> Page[PriceList]:
    authorize(principal, Family.PRICING, "read")
    statement = select(PriceList)
    condition = price_list_scope(session, principal)
    if condition is not None:
        statement = statement.where(condition)
    return fetch_page(
        session,
        statement,
        attributes=PRICE_LIST_ATTRIBUTES,
        query=query,
        tie_breaker=PriceList.id,
        default_sort=(SortKey("name"),),
    )


def create_price_list(
    session: Session, *, principal: Principal, values: PriceListInput, now: datetime
) -> PriceList:
    authorize(principal, Family.PRICING, "write")
    require_aware(now, location="now")
    errors: list[ErrorDetail] = []
    name = text_value(values.name, "name", errors, max_length=200, required=True)
    description = text_value(values.description, "description", errors, max_length=2000)
    try:
        currency = parse_currency(values.currency)
    except InvalidInput as exc:
        errors += exc.details
        currency = ""
    if session.get(SalesChannel, values.channel_id) is None:
        errors.append(ErrorDetail("channel", f"no sales channel with id {values.channel_id}"))
    if values.partner_tier is not None and values.partner_tier not in PARTNER_TIERS:
        errors.append(
            ErrorDetail(
                "partnerTier",
                f"expected one of {', '.join(PARTNER_TIERS)}; got {values.partner_tier!r}",
            )
        )
    if (
        values.market_segment is not None
        and values.market_segment not in SEGMENT_NAMES
        and session.scalar(
            select(MarketSegment.id).where(MarketSegment.code == values.market_segment)
        )
        is None
    ):
        errors.append(ErrorDetail("marketSegment", f"no market segment {values.market_segment!r}"))
    if values.region_id is not None and session.get(Region, values.region_id) is None:
        errors.append(ErrorDetail("region", f"no region with id {values.region_id}"))
    if errors:
        raise InvalidInput("Invalid price list", errors)
    key = scope_key(values.channel_id, values.partner_tier, values.market_segment, values.region_id)
    existing = session.scalar(select(PriceList).where(PriceList.scope_key == key))
    if existing is not None:
        raise RuleViolation(
            f"Price list {existing.name!r} already covers this exact scope",
            [
                ErrorDetail(
                    "scope",
                    f"price list {existing.id} has the same channel, tier, segment and region",
                )
            ],
        )
    price_list = PriceList(
        id=new_id(),
        name=name,
        description=description,
        channel_id=values.channel_id,
        partner_tier=values.partner_tier,
        market_segment=values.market_segment,
        region_id=values.region_id,
        currency=currency,
        scope_key=key,
        latest_number=0,
        created_at=now,
        updated_at=now,
    )
    session.add(price_list)
    session.flush()
    return price_list


def update_price_list(
    session: Session,
    *,
    principal: Principal,
    price_list_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None = None,
) -> PriceList:
    """Only the name and the description change; the scope and currency are the list's identity."""
    price_list = get_price_list(session, principal=principal, price_list_id=price_list_id)
    authorize(principal, Family.PRICING, "write")
    check_expected(price_list, expected_version, "Price list")
    errors: list[ErrorDetail] = []
    fixed = set(changes) - {"name", "description"}
    errors += [
        ErrorDetail(
            field, "the scope and currency of a price list do not change; create another list"
        )
        for field in sorted(fixed)
    ]
    name = text_value(
        changes.get("name", price_list.name), "name", errors, max_length=200, required=True
    )
    description = text_value(
        changes.get("description", price_list.description), "description", errors, max_length=2000
    )
    if errors:
        raise InvalidInput("Invalid change of price list", errors)
    if (name, description) != (price_list.name, price_list.description):
        price_list.name, price_list.description = name, description
        price_list.updated_at = now
        session.flush()
    return price_list


# --- versions ------------------------------------------------------------------------------


def list_versions(
    session: Session, *, principal: Principal, price_list_id: uuid.UUID
) -> list[PriceListVersion]:
    price_list = get_price_list(session, principal=principal, price_list_id=price_list_id)
    return list(
        session.scalars(
            select(PriceListVersion)
            .where(PriceListVersion.price_list_id == price_list.id)
            .order_by(PriceListVersion.number)
        )
    )


def create_version(
    session: Session,
    *,
    principal: Principal,
    price_list_id: uuid.UUID,
    valid_from: Any,
    now: datetime,
    valid_to: Any = None,
    copy_from: uuid.UUID | None = None,
    comment: str = "",
) -> PriceListVersion:
    """A new draft version; with ``copy_from`` its entries and rules are copied from that
    version of the same list."""
    price_list = get_price_list(session, principal=principal, price_list_id=price_list_id)
    authorize(principal, Family.PRICING, "write")
    require_aware(now, location="now")
    errors: list[ErrorDetail] = []
    start = instant_value(valid_from, "validFor.startDateTime", errors, required=True)
    end = instant_value(valid_to, "validFor.endDateTime", errors)
    check_period(start, end, "validFor.endDateTime", errors)
    text = text_value(comment, "comment", errors, max_length=2000)
    source = None
    if copy_from is not None:
        source = session.get(PriceListVersion, copy_from)
        if source is None or source.price_list_id != price_list.id:
            errors.append(ErrorDetail("copyFrom", f"no version {copy_from} of this price list"))
    if errors:
        raise InvalidInput("Invalid price list version", errors)
    assert start is not None
    price_list.latest_number += 1
    price_list.updated_at = now
    version = PriceListVersion(
        id=new_id(),
        price_list_id=price_list.id,
        number=price_list.latest_number,
        status=DRAFT,
        valid_from=start,
        valid_to=end,
        author=principal.actor,
        copied_from_id=source.id if source else None,
        comment=text,
        created_at=now,
        updated_at=now,
    )
    session.add(version)
    if source is not None:
        for entry in session.scalars(
            select(PriceListEntry).where(PriceListEntry.version_id == source.id)
        ):
            session.add(
                PriceListEntry(
                    version_id=version.id,
                    product_offering_id=entry.product_offering_id,
                    recurring_amount=entry.recurring_amount,
                    one_time_amount=entry.one_time_amount,
                    unit_cost=entry.unit_cost,
                    created_at=now,
                    updated_at=now,
                )
            )
        for rule in session.scalars(select(PricingRule).where(PricingRule.version_id == source.id)):
            session.add(
                PricingRule(
                    version_id=version.id,
                    **{
                        column: getattr(rule, column)
                        for column in (
                            "name",
                            "description",
                            "kind",
                            "method",
                            "value",
                            "applies_to",
                            "target",
                            "family_id",
                            "offering_ids",
                            "condition",
                            "priority",
                            "stacking",
                            "valid_from",
                            "valid_to",
                        )
                    },
                    created_at=now,
                    updated_at=now,
                )
            )
    session.flush()
    return version


def update_version(
    session: Session,
    *,
    principal: Principal,
    version_id: uuid.UUID,
    now: datetime,
    valid_from: Any = None,
    valid_to: Any = None,
    clear_valid_to: bool = False,
    comment: str | None = None,
    expected_version: int | None = None,
) -> PriceListVersion:
    """Change a draft's validity or comment; or **end** an approved version (bring its
    ``valid_to`` forward, not into the past), so that a new version can follow it."""
    _, found = get_version(session, principal=principal, version_id=version_id)
    if found.status == APPROVED:
        return end_version(
            session,
            principal=principal,
            version_id=version_id,
            valid_to=valid_to,
            now=now,
            changes_start=valid_from is not None
            and instant_value(valid_from, "x", []) != found.valid_from,
            changes_comment=comment is not None and comment != found.comment,
            expected_version=expected_version,
        )
    _, version = editable_version(session, principal, version_id, expected_version)
    errors: list[ErrorDetail] = []
    start = instant_value(valid_from, "validFor.startDateTime", errors) or version.valid_from
    end = (
        None
        if clear_valid_to
        else (instant_value(valid_to, "validFor.endDateTime", errors) or version.valid_to)
    )
    check_period(start, end, "validFor.endDateTime", errors)
    text = (
        version.comment
        if comment is None
        else text_value(comment, "comment", errors, max_length=2000)
    )
    if errors:
        raise InvalidInput("Invalid change of price list version", errors)
    version.valid_from, version.valid_to, version.comment = start, end, text
    touch(version, principal, now)
    session.flush()
    return version


def end_version(
    session: Session,
    *,
    principal: Principal,
    version_id: uuid.UUID,
    valid_to: Any,
    now: datetime,
    changes_start: bool = False,
    changes_comment: bool = False,
    expected_version: int | None = None,
) -> PriceListVersion:
    """End an approved version: its validity's end moves forward to ``valid_to`` (at or
    after ``now``: what was in force stays as it was). Nothing else of it changes."""
    price_list, version = get_version(session, principal=principal, version_id=version_id)
    authorize(principal, Family.PRICING, "write")
    require_aware(now, location="now")
    check_expected(version, expected_version, "Price list version")
    errors: list[ErrorDetail] = []
    if changes_start or changes_comment:
        errors.append(
            ErrorDetail(
                "validFor.startDateTime" if changes_start else "comment",
                "an approved version only ends (validFor.endDateTime); create a new version",
            )
        )
    end = instant_value(valid_to, "validFor.endDateTime", errors, required=True)
    if end is not None:
        if end < now:
            errors.append(ErrorDetail("validFor.endDateTime", "cannot be in the past"))
        if end <= version.valid_from:
            errors.append(ErrorDetail("validFor.endDateTime", "must be after the start"))
        if version.valid_to is not None and end >= version.valid_to:
            errors.append(
                ErrorDetail("validFor.endDateTime", f"can only come before {iso(version.valid_to)}")
            )
    if errors:
        raise RuleViolation(
            f"Version {version.number} of price list {price_list.name!r} is approved", errors
        )
    version.valid_to = end
    version.updated_at = now
    session.flush()
    return version


def editable_version(
    session: Session, principal: Principal, version_id: uuid.UUID, expected_version: int | None
) -> tuple[PriceList, PriceListVersion]:
    """A draft version the principal may change (an approved one never changes)."""
    price_list, version = get_version(session, principal=principal, version_id=version_id)
    authorize(principal, Family.PRICING, "write")
    check_expected(version, expected_version, "Price list version")
    if version.status != DRAFT:
        raise RuleViolation(
            f"Version {version.number} of price list {price_list.name!r} is {version.status} "
            "and cannot change",
            [
                ErrorDetail(
                    "status",
                    "only a draft changes; create a new version (copied from this one) instead"
                    if version.status == APPROVED
                    else "reject it back to draft first",
                )
            ],
        )
    return price_list, version


def touch(version: PriceListVersion, principal: Principal, now: datetime) -> None:
    """A content change: the changer becomes the author (who may not approve it)."""
    version.author = principal.actor
    version.updated_at = now


def transition_version(
    session: Session,
    *,
    principal: Principal,
    version_id: uuid.UUID,
    action: str,
    now: datetime,
    comment: str = "",
    expected_version: int | None = None,
) -> PriceListVersion:
    """submit (draft -> submitted), approve (submitted -> approved), reject (-> draft)."""
    price_list, version = get_version(session, principal=principal, version_id=version_id)
    authorize(principal, Family.PRICING, "write")
    require_aware(now, location="now")
    check_expected(version, expected_version, "Price list version")
    errors: list[ErrorDetail] = []
    text = text_value(comment, "comment", errors, max_length=2000)
    if action not in TRANSITIONS:
        errors.append(
            ErrorDetail("action", f"expected one of {', '.join(TRANSITIONS)}; got {action!r}")
        )
    if errors:
        raise InvalidInput("Invalid transition", errors)
    source, target = TRANSITIONS[action]
    if version.status != source:
        raise RuleViolation(
            f"Version {version.number} is {version.status}; it cannot be {action}ed",
            [ErrorDetail("action", f"{action} applies to a {source} version")],
        )
    if action == "approve":
        require_second_person(
            principal,
            first=version.author,
            role="author",
            did=f"authored version {version.number} of price list {price_list.name!r}",
        )
        # Approvals of one list run one after another (a row lock on PostgreSQL).
        session.execute(select(PriceList.id).where(PriceList.id == price_list.id).with_for_update())
        refuse_overlap(session, price_list, version)
        check_version_against_guard_rails(session, price_list, version)
    if action == "reject" and not text:
        raise InvalidInput(
            "A reason is required to reject a version", [ErrorDetail("comment", "say why")]
        )
    version.status = target
    if action == "submit":
        version.submitted_by, version.submitted_at = principal.actor, now
    else:
        version.decided_by, version.decided_at = principal.actor, now
    if text:
        version.comment = text
    version.updated_at = now
    session.flush()
    return version


def refuse_overlap(session: Session, price_list: PriceList, version: PriceListVersion) -> None:
    other = PriceListVersion
    statement = select(other).where(
        other.price_list_id == price_list.id,
        other.id != version.id,
        other.status == APPROVED,
        or_(other.valid_to.is_(None), other.valid_to > version.valid_from),
    )
    if version.valid_to is not None:
        statement = statement.where(other.valid_from < version.valid_to)
    conflict = session.scalars(statement.order_by(other.valid_from).limit(1)).first()
    if conflict is not None:
        raise RuleViolation(
            f"The validity of version {version.number} overlaps approved version "
            f"{conflict.number} of price list {price_list.name!r}",
            [
                ErrorDetail(
                    "validFor",
                    f"version {conflict.number} ({conflict.id}) is valid from "
                    f"{iso(conflict.valid_from)} to {iso(conflict.valid_to)}",
                )
            ],
        )


# --- entries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryInput:
    offering: str  # an offering id or code
    recurring: Any = None
    one_time: Any = None
    unit_cost: Any = None


def list_entries(
    session: Session, *, principal: Principal, version_id: uuid.UUID
) -> list[tuple[PriceListEntry, ProductOffering]]:
    _, version = get_version(session, principal=principal, version_id=version_id)
    rows = session.execute(
        select(PriceListEntry, ProductOffering)
        .join(ProductOffering, ProductOffering.id == PriceListEntry.product_offering_id)
        .where(PriceListEntry.version_id == version.id)
        .order_by(ProductOffering.code)
    ).all()
    return [(row[0], row[1]) for row in rows]


def set_entries(
    session: Session,
    *,
    principal: Principal,
    version_id: uuid.UUID,
    entries: Sequence[EntryInput],
    now: datetime,
    location: str = "entry",
    expected_version: int | None = None,
) -> list[PriceListEntry]:
    """Add or replace entries of a draft, all or nothing; every bad row is reported."""
    price_list, version = editable_version(session, principal, version_id, expected_version)
    if len(entries) > MAX_IMPORT_ROWS:
        raise InvalidInput(
            "Too many entries", [ErrorDetail(location, f"at most {MAX_IMPORT_ROWS} at once")]
        )
    keys = [e.offering.strip() for e in entries]
    ids = {_as_uuid(k) for k in keys} - {None}
    codes = {k for k in keys if _as_uuid(k) is None}
    found = session.scalars(
        select(ProductOffering).where(
            or_(ProductOffering.id.in_(ids), ProductOffering.code.in_(codes))
        )
    ).all()
    by_key = {str(o.id): o for o in found} | {o.code: o for o in found}
    errors: list[ErrorDetail] = []
    parsed: list[tuple[ProductOffering, Decimal | None, Decimal | None, Decimal | None]] = []
    seen: dict[uuid.UUID, str] = {}
    for (index, entry), key in zip(enumerate(entries), keys, strict=True):
        where = _where(location, index)
        offering = by_key.get(key) or by_key.get(str(_as_uuid(key)))
        if not key:
            errors.append(ErrorDetail(f"{where}.offering", "is required"))
        elif offering is None:
            errors.append(ErrorDetail(f"{where}.offering", f"no product offering {key!r}"))
        elif offering.id in seen:
            errors.append(ErrorDetail(f"{where}.offering", f"{key!r} appears more than once"))
        recurring = decimal_value(entry.recurring, f"{where}.recurring", errors)
        one_time = decimal_value(entry.one_time, f"{where}.oneTime", errors)
        cost = decimal_value(entry.unit_cost, f"{where}.unitCost", errors)
        if entry.recurring in (None, "") and entry.one_time in (None, ""):
            errors.append(ErrorDetail(where, "give a recurring or a one-time charge (or both)"))
        if offering is not None and offering.id not in seen:
            seen[offering.id] = where
            parsed.append((offering, recurring, one_time, cost))
    if errors:
        raise InvalidInput(
            f"Invalid price list entries; nothing was changed ({len(errors)} problems)", errors
        )
    check_entries_against_guard_rails(
        session,
        price_list,
        version,
        [(_where(location, i), p[0].id, p[1], p[2], p[3]) for i, p in enumerate(parsed)],
    )
    existing = {
        e.product_offering_id: e
        for e in session.scalars(
            select(PriceListEntry).where(
                PriceListEntry.version_id == version.id,
                PriceListEntry.product_offering_id.in_([p[0].id for p in parsed]),
            )
        )
    }
    result = []
    for offering, recurring, one_time, cost in parsed:
        row = existing.get(offering.id)
        if row is None:
            row = PriceListEntry(
                version_id=version.id,
                product_offering_id=offering.id,
                created_at=now,
            )
            session.add(row)
        row.recurring_amount, row.one_time_amount, row.unit_cost = recurring, one_time, cost
        row.updated_at = now
        result.append(row)
    touch(version, principal, now)
    session.flush()
    return result


def remove_entry(
    session: Session,
    *,
    principal: Principal,
    version_id: uuid.UUID,
    offering_id: uuid.UUID,
    now: datetime,
) -> None:
    _, version = editable_version(session, principal, version_id, None)
    removed = session.execute(
        delete(PriceListEntry).where(
            PriceListEntry.version_id == version.id,
            PriceListEntry.product_offering_id == offering_id,
        )
    )
    if getattr(removed, "rowcount", 0) == 0:
        raise NotFound(f"Version {version.number} has no entry for offering {offering_id}")
    touch(version, principal, now)
    session.flush()


CSV_COLUMNS = ("offering", "recurring", "one_time", "unit_cost")


def import_entries_csv(
    session: Session, *, principal: Principal, version_id: uuid.UUID, text: str, now: datetime
) -> list[PriceListEntry]:
    """Entries from CSV (``offering,recurring,one_time,unit_cost``; offering by code or id).
    All or nothing: every bad line is reported (``line N``, the header is line 1)."""
    if "\x00" in text:
        raise InvalidInput("Invalid CSV", [ErrorDetail("file", "contains NUL characters")])
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InvalidInput(
            "Invalid CSV; nothing was imported", [ErrorDetail(f"line {reader.line_num}", str(exc))]
        ) from None
    if not rows:
        raise InvalidInput(
            "Invalid CSV", [ErrorDetail("line 1", "the file is empty; expected a header")]
        )
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in ("offering",) if c not in header]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if missing or unknown:
        raise InvalidInput(
            "Invalid CSV header",
            [ErrorDetail("line 1", f"missing column {c!r}") for c in missing]
            + [
                ErrorDetail("line 1", f"unknown column {h!r}; known: {', '.join(CSV_COLUMNS)}")
                for h in unknown
            ],
        )
    entries: list[EntryInput] = []
    lines: list[int] = []
    errors: list[ErrorDetail] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append(
                ErrorDetail(f"line {number}", f"expected {len(header)} columns, got {len(row)}")
            )
            continue
        cells = dict(zip(header, (cell.strip() for cell in row), strict=True))
        entries.append(
            EntryInput(
                offering=cells.get("offering", ""),
                recurring=cells.get("recurring") or None,
                one_time=cells.get("one_time") or None,
                unit_cost=cells.get("unit_cost") or None,
            )
        )
        lines.append(number)
    if errors:
        raise InvalidInput("Invalid CSV; nothing was imported", errors)
    if not entries:
        raise InvalidInput("Invalid CSV", [ErrorDetail("line 2", "no entries after the header")])
    try:
        return set_entries(
            session,
            principal=principal,
            version_id=version_id,
            entries=entries,
            now=now,
            location="row",
        )
    except InvalidInput as exc:
        raise InvalidInput(
            "Invalid CSV; nothing was imported", [_line_detail(d, lines) for d in exc.details]
        ) from None
    except RuleViolation as exc:
        raise RuleViolation(exc.message, [_line_detail(d, lines) for d in exc.details]) from None


def _line_detail(detail: ErrorDetail, lines: list[int]) -> ErrorDetail:
    # "row[3].recurring" -> "line 5: recurring"
    location = detail.location
    if location.startswith("row[") and "]" in location:
        index = int(location[4 : location.index("]")])
        rest = location[location.index("]") + 1 :].lstrip(".")
        column = {"oneTime": "one_time", "unitCost": "unit_cost"}.get(rest, rest)
        where = f"line {lines[index]}"
        return ErrorDetail(f"{where}, {column}" if column else where, detail.message)
    return detail


def _where(location: str, index: int) -> str:
    return f"{location}[{index}]"


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
