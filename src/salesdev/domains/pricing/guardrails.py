"""Guard-rails per channel (effective-dated) and the checks that keep prices within them.

A guard-rail row covers a channel, or one offering in it (which takes precedence over the
channel-wide row, as a whole). Two rows of the same channel and offering never overlap in
validity. Entries and rules that break a guard-rail *by themselves* are refused when they
are saved and again when their version is approved (the guard-rails may have changed);
combinations of rules are capped at resolution time instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, RuleViolation
from salesdev.core.ids import new_id
from salesdev.core.money import parse_currency
from salesdev.core.periods import parse_instant, require_aware
from salesdev.db.models import ProductOffering, SalesChannel
from salesdev.db.models.pricing import PriceGuardRail, PriceList, PriceListEntry, PriceListVersion
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.pricing.common import (
    HUNDRED,
    check_expected,
    check_period,
    decimal_value,
    instant_value,
    iso,
    restricted_channels,
    restricted_partners,
    text_value,
)
from salesdev.engine.pricing import Charge, GuardRail, base_violations

GUARD_RAIL_ATTRIBUTES: dict[str, Attribute] = {
    "channelId": Attribute(PriceGuardRail.channel_id, parse=uuid.UUID),
    "productOfferingId": Attribute(PriceGuardRail.product_offering_id, parse=uuid.UUID),
    "validFrom": Attribute(PriceGuardRail.valid_from, parse=parse_instant),
    "validTo": Attribute(PriceGuardRail.valid_to, parse=parse_instant),
    "updatedAt": Attribute(PriceGuardRail.updated_at, parse=parse_instant),
}


@dataclass(frozen=True)
class GuardRailInput:
    channel_id: uuid.UUID
    valid_from: Any
    valid_to: Any = None
    product_offering_id: uuid.UUID | None = None
    currency: str | None = None
    floor_recurring_amount: Any = None
    floor_one_time_amount: Any = None
    floor_percent: Any = None
    max_discount_percent: Any = None
    min_margin_percent: Any = None
    comment: str = ""


def guard_rail_scope(session: Session, principal: Principal) -> Any:
    """A partner user sees the guard-rails of its partners' channels; None: unrestricted."""
    return _scope(session, principal)


def _scope(session: Session, principal: Principal) -> Any:
    partners = restricted_partners(session, principal=principal)
    if partners is None:
        return None
    return PriceGuardRail.channel_id.in_(restricted_channels(session, partners))


def get_guard_rail(
    session: Session, *, principal: Principal, guard_rail_id: uuid.UUID
) -> PriceGuardRail:
    authorize(principal, Family.PRICING, "read")
    statement = select(PriceGuardRail).where(PriceGuardRail.id == guard_rail_id)
    condition = _scope(session, principal)
    if condition is not None:
        statement = statement.where(condition)
    found = session.scalar(statement)
    if found is None:
        raise NotFound(f"Price guard-rail {guard_rail_id} does not exist")
    return found


def list_guard_rails(
    session: Session, *, principal: Principal, query: ListQuery
) -> Page[PriceGuardRail]:
    authorize(principal, Family.PRICING, "read")
    statement = select(PriceGuardRail)
    condition = _scope(session, principal)
    if condition is not None:
        statement = statement.where(condition)
    return fetch_page(
        session,
        statement,
        attributes=GUARD_RAIL_ATTRIBUTES,
        query=query,
        tie_breaker=PriceGuardRail.id,
        default_sort=(SortKey("validFrom", descending=True),),
    )


def create_guard_rail(
    session: Session, *, principal: Principal, values: GuardRailInput, now: datetime
) -> PriceGuardRail:
    authorize(principal, Family.PRICING, "write")
    require_aware(now, location="now")
    errors: list[ErrorDetail] = []
    if session.get(SalesChannel, values.channel_id) is None:
        errors.append(ErrorDetail("channel", f"no sales channel with id {values.channel_id}"))
    if (
        values.product_offering_id is not None
        and session.get(ProductOffering, values.product_offering_id) is None
    ):
        errors.append(
            ErrorDetail(
                "productOffering", f"no product offering with id {values.product_offering_id}"
            )
        )
    start = instant_value(values.valid_from, "validFor.startDateTime", errors, required=True)
    end = instant_value(values.valid_to, "validFor.endDateTime", errors)
    check_period(start, end, "validFor.endDateTime", errors)
    floor_r = decimal_value(values.floor_recurring_amount, "floorRecurringAmount", errors)
    floor_o = decimal_value(values.floor_one_time_amount, "floorOneTimeAmount", errors)
    floor_pct = decimal_value(values.floor_percent, "floorPercent", errors, high=HUNDRED)
    max_disc = decimal_value(
        values.max_discount_percent, "maxDiscountPercent", errors, high=HUNDRED
    )
    margin = decimal_value(
        values.min_margin_percent, "minMarginPercent", errors, high=Decimal("99.9999")
    )
    comment = text_value(values.comment, "comment", errors, max_length=2000)
    currency = None
    if floor_r is not None or floor_o is not None:
        if values.product_offering_id is None:
            errors.append(
                ErrorDetail(
                    "floorRecurringAmount",
                    "an absolute floor is per offering: give productOffering",
                )
            )
        try:
            currency = parse_currency(values.currency)
        except InvalidInput as exc:
            errors += exc.details
    if all(v is None for v in (floor_r, floor_o, floor_pct, max_disc, margin)) and not errors:
        errors.append(ErrorDetail("guardRail", "set at least one limit"))
    if errors:
        raise InvalidInput("Invalid price guard-rail", errors)
    assert start is not None
    _refuse_overlap(session, values.channel_id, values.product_offering_id, start, end)
    row = PriceGuardRail(
        id=new_id(),
        channel_id=values.channel_id,
        product_offering_id=values.product_offering_id,
        currency=currency,
        floor_recurring_amount=floor_r,
        floor_one_time_amount=floor_o,
        floor_percent=floor_pct,
        max_discount_percent=max_disc,
        min_margin_percent=margin,
        valid_from=start,
        valid_to=end,
        author=principal.actor,
        comment=comment,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def end_guard_rail(
    session: Session,
    *,
    principal: Principal,
    guard_rail_id: uuid.UUID,
    valid_to: Any,
    now: datetime,
    expected_version: int | None = None,
) -> PriceGuardRail:
    """Effective-dated: a guard-rail is never edited, only ended (then replaced by a new one)."""
    row = get_guard_rail(session, principal=principal, guard_rail_id=guard_rail_id)
    authorize(principal, Family.PRICING, "write")
    check_expected(row, expected_version, "Price guard-rail")
    errors: list[ErrorDetail] = []
    end = instant_value(valid_to, "validFor.endDateTime", errors, required=True)
    check_period(row.valid_from, end, "validFor.endDateTime", errors)
    if end is not None and row.valid_to is not None and end > row.valid_to:
        errors.append(ErrorDetail("validFor.endDateTime", "can only be brought forward"))
    if errors:
        raise InvalidInput("Invalid end of price guard-rail", errors)
    row.valid_to = end
    row.updated_at = now
    session.flush()
    return row


def _refuse_overlap(
    session: Session,
    channel_id: uuid.UUID,
    offering_id: uuid.UUID | None,
    start: datetime,
    end: datetime | None,
) -> None:
    g = PriceGuardRail
    statement = select(g).where(
        g.channel_id == channel_id,
        g.product_offering_id.is_(None)
        if offering_id is None
        else g.product_offering_id == offering_id,
        or_(g.valid_to.is_(None), g.valid_to > start),
    )
    if end is not None:
        statement = statement.where(g.valid_from < end)
    conflict = session.scalars(statement.order_by(g.valid_from).limit(1)).first()
    if conflict is not None:
        raise RuleViolation(
            "The validity overlaps another guard-rail of the same channel and offering",
            [
                ErrorDetail(
                    "validFor",
                    f"guard-rail {conflict.id} is valid from {iso(conflict.valid_from)} "
                    f"to {iso(conflict.valid_to)}",
                )
            ],
        )


def to_engine(row: PriceGuardRail, currency: str | None) -> GuardRail:
    """The engine's view; an absolute floor in another currency than the price's is ignored."""
    floors: dict[Charge, Decimal] = {}
    if row.currency is not None and row.currency == currency:
        if row.floor_recurring_amount is not None:
            floors[Charge.RECURRING] = row.floor_recurring_amount
        if row.floor_one_time_amount is not None:
            floors[Charge.ONE_TIME] = row.floor_one_time_amount
    return GuardRail(
        id=row.id,
        floor_amounts=floors,
        floor_percent=row.floor_percent,
        max_discount_percent=row.max_discount_percent,
        min_margin_percent=row.min_margin_percent,
    )


def guard_rails_in_force(
    session: Session, channel_id: uuid.UUID, offering_ids: Sequence[uuid.UUID], at: datetime
) -> dict[uuid.UUID | None, PriceGuardRail]:
    """The rows in force at ``at``: by offering id, and the channel-wide one under None."""
    g = PriceGuardRail
    rows = session.scalars(
        select(g).where(
            g.channel_id == channel_id,
            or_(g.product_offering_id.is_(None), g.product_offering_id.in_(list(offering_ids))),
            g.valid_from <= at,
            or_(g.valid_to.is_(None), g.valid_to > at),
        )
    )
    return {row.product_offering_id: row for row in rows}


def guard_rails_overlapping(
    session: Session, channel_id: uuid.UUID, start: datetime, end: datetime | None
) -> list[PriceGuardRail]:
    g = PriceGuardRail
    statement = select(g).where(
        g.channel_id == channel_id, or_(g.valid_to.is_(None), g.valid_to > start)
    )
    if end is not None:
        statement = statement.where(g.valid_from < end)
    return list(session.scalars(statement.order_by(g.valid_from)))


def applicable(rows: Sequence[PriceGuardRail], offering_id: uuid.UUID) -> list[PriceGuardRail]:
    """For checks over a validity: the offering's own rows where any exist, else the channel's."""
    own = [r for r in rows if r.product_offering_id == offering_id]
    return own or [r for r in rows if r.product_offering_id is None]


def check_entries_against_guard_rails(
    session: Session,
    price_list: PriceList,
    version: PriceListVersion,
    entries: Sequence[tuple[str, uuid.UUID, Decimal | None, Decimal | None, Decimal | None]],
) -> None:
    """Refuse entries (``(where, offering, recurring, one-time, unit cost)``) whose own
    prices break a guard-rail overlapping the version's validity."""
    rows = guard_rails_overlapping(
        session, price_list.channel_id, version.valid_from, version.valid_to
    )
    if not rows:
        return
    problems = []
    for where, offering_id, recurring, one_time, cost in entries:
        base = {Charge.RECURRING: recurring, Charge.ONE_TIME: one_time}
        for row in applicable(rows, offering_id):
            for text in base_violations(base, cost, to_engine(row, price_list.currency)):
                problems.append(
                    ErrorDetail(where, f"{text} (guard-rail {row.id}, from {iso(row.valid_from)})")
                )
    if problems:
        raise RuleViolation("Price list entries break a guard-rail; nothing was changed", problems)


def check_version_against_guard_rails(
    session: Session, price_list: PriceList, version: PriceListVersion
) -> None:
    """At approval: every entry and every rule alone must respect the guard-rails."""
    offerings = dict(
        session.execute(
            select(ProductOffering.id, ProductOffering.code)
            .join(PriceListEntry, PriceListEntry.product_offering_id == ProductOffering.id)
            .where(PriceListEntry.version_id == version.id)
        ).all()
    )
    entries = session.scalars(
        select(PriceListEntry).where(PriceListEntry.version_id == version.id)
    ).all()
    check_entries_against_guard_rails(
        session,
        price_list,
        version,
        [
            (
                f"entry {offerings.get(e.product_offering_id, e.product_offering_id)}",
                e.product_offering_id,
                e.recurring_amount,
                e.one_time_amount,
                e.unit_cost,
            )
            for e in entries
        ],
    )
    from salesdev.domains.pricing.rules import check_rules_against_guard_rails

    check_rules_against_guard_rails(session, price_list, version, None)


def guard_rail_values(row: PriceGuardRail) -> Mapping[str, Any]:
    return {
        "floorRecurringAmount": row.floor_recurring_amount,
        "floorOneTimeAmount": row.floor_one_time_amount,
        "floorPercent": row.floor_percent,
        "maxDiscountPercent": row.max_discount_percent,
        "minMarginPercent": row.min_margin_percent,
    }
