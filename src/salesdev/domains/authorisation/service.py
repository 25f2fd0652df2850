"""Channel authorisations: which offerings a channel, or a partner within it, may sell, and when.

Periods are half-open (``valid_from`` inclusive, ``valid_to`` exclusive). Two active
rows for the same (channel, partner or channel-wide, offering) never overlap. History
is never rewritten: an authorisation is ended by setting ``valid_to`` (never in the
past), and one that has not started yet is withdrawn, not deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    ErrorDetail,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RuleViolation,
)
from salesdev.core.periods import require_aware
from salesdev.db.models import ChannelAuthorisation, Partner, ProductOffering, SalesChannel
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.authorisation.prerequisites import parse_prerequisites
from salesdev.domains.authorisation.scope import authorisation_condition

AUTHORISATION_STATUSES = ("active", "withdrawn")


def iso(value: datetime | None) -> str:
    """An instant as ISO 8601 in UTC with a ``Z``; an open end as ``open-ended``."""
    if value is None:
        return "open-ended"
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def authorise_offering(
    session: Session,
    *,
    principal: Principal,
    channel_id: uuid.UUID,
    product_offering_id: uuid.UUID,
    valid_from: datetime,
    now: datetime,
    valid_to: datetime | None = None,
    partner_id: uuid.UUID | None = None,
    prerequisites: Sequence[Any] | None = None,
    withdrawn: bool = False,
) -> ChannelAuthorisation:
    """Authorise a channel (``partner_id`` None) or one of its partners to sell an offering.

    ``withdrawn`` records history brought in from elsewhere (a bulk import of an export):
    an authorisation that was withdrawn before it started. It blocks nothing, so it is not
    checked for overlaps.
    """
    authorize(principal, Family.CHANNELS, "write")
    require_aware(now, location="now")
    errors: list[ErrorDetail] = []
    # Authorisations of one channel are written one after another (a row lock on
    # PostgreSQL), so two concurrent requests cannot both pass the overlap check.
    channel = session.scalar(
        select(SalesChannel).where(SalesChannel.id == channel_id).with_for_update()
    )
    if channel is None:
        errors.append(ErrorDetail("channel_id", f"no sales channel with id {channel_id}"))
    if session.get(ProductOffering, product_offering_id) is None:
        errors.append(
            ErrorDetail("product_offering_id", f"no product offering with id {product_offering_id}")
        )
    if partner_id is not None:
        partner = session.get(Partner, partner_id)
        if partner is None:
            errors.append(ErrorDetail("partner_id", f"no partner with id {partner_id}"))
        elif channel is not None and partner.channel_id != channel.id:
            errors.append(
                ErrorDetail(
                    "partner_id",
                    f"partner {partner.code} does not sell through channel {channel.code}",
                )
            )
    errors += _period_errors(valid_from, valid_to)
    clean_prerequisites: list[dict[str, str]] = []
    try:
        clean_prerequisites = parse_prerequisites(prerequisites)
    except InvalidInput as exc:
        errors += exc.details
    if errors:
        raise InvalidInput("Invalid channel authorisation", errors)
    if not withdrawn:
        _refuse_overlap(
            session,
            channel_id=channel_id,
            partner_id=partner_id,
            product_offering_id=product_offering_id,
            valid_from=valid_from,
            valid_to=valid_to,
        )
    row = ChannelAuthorisation(
        channel_id=channel_id,
        partner_id=partner_id,
        product_offering_id=product_offering_id,
        valid_from=valid_from,
        valid_to=valid_to,
        prerequisites=clean_prerequisites,
        status="withdrawn" if withdrawn else "active",
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def end_authorisation(
    session: Session,
    *,
    principal: Principal,
    authorisation_id: uuid.UUID,
    valid_to: datetime,
    now: datetime,
    expected_version: int | None = None,
) -> ChannelAuthorisation:
    """Set (or move) the end of an authorisation; never before ``now``, never after a later row."""
    row = _get_for_write(session, principal, authorisation_id, expected_version)
    require_aware(now, location="now")
    require_aware(valid_to, location="valid_to")
    if row.status == "withdrawn":
        raise RuleViolation(f"Authorisation {row.id} was withdrawn; there is nothing to end")
    if row.valid_to is not None and row.valid_to <= now:
        raise RuleViolation(
            f"Authorisation {row.id} already ended at {iso(row.valid_to)}",
            [ErrorDetail("valid_to", "an ended authorisation is history and is not changed")],
        )
    if valid_to < now:
        raise RuleViolation(
            "An authorisation cannot be ended in the past",
            [ErrorDetail("valid_to", f"must be {iso(now)} or later; history is not rewritten")],
        )
    if valid_to <= row.valid_from:
        raise RuleViolation(
            f"Authorisation {row.id} starts at {iso(row.valid_from)}; it can only end after that",
            [ErrorDetail("valid_to", "to cancel an authorisation not yet in force, withdraw it")],
        )
    if row.valid_to is None or valid_to > row.valid_to:
        _refuse_overlap(
            session,
            channel_id=row.channel_id,
            partner_id=row.partner_id,
            product_offering_id=row.product_offering_id,
            valid_from=row.valid_from,
            valid_to=valid_to,
            excluding=row.id,
        )
    row.valid_to = valid_to
    row.updated_at = now
    session.flush()
    return row


def withdraw_authorisation(
    session: Session,
    *,
    principal: Principal,
    authorisation_id: uuid.UUID,
    now: datetime,
    expected_version: int | None = None,
) -> ChannelAuthorisation:
    """Cancel an authorisation that has not started yet (it is kept, marked withdrawn)."""
    row = _get_for_write(session, principal, authorisation_id, expected_version)
    if row.status == "withdrawn":
        return row
    if row.valid_from <= require_aware(now, location="now"):
        raise RuleViolation(
            f"Authorisation {row.id} is in force since {iso(row.valid_from)}; end it instead",
            [ErrorDetail("status", "only an authorisation that has not started can be withdrawn")],
        )
    row.status = "withdrawn"
    row.updated_at = now
    session.flush()
    return row


def get_authorisation(
    session: Session, *, principal: Principal, authorisation_id: uuid.UUID
) -> ChannelAuthorisation:
    authorize(principal, Family.CHANNELS, "read")
    statement = select(ChannelAuthorisation).where(ChannelAuthorisation.id == authorisation_id)
    condition = authorisation_condition(session, principal=principal)
    if condition is not None:
        statement = statement.where(condition)
    row = session.scalar(statement)
    if row is None:
        raise NotFound(f"Channel authorisation {authorisation_id} does not exist")
    return row


def _parse_uuid(raw: str) -> uuid.UUID:
    return uuid.UUID(raw)


def _parse_time(raw: str) -> datetime:
    value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("a timezone is required")
    return value


AUTHORISATION_ATTRIBUTES: dict[str, Attribute] = {
    "channelId": Attribute(ChannelAuthorisation.channel_id, parse=_parse_uuid),
    "partnerId": Attribute(ChannelAuthorisation.partner_id, parse=_parse_uuid),
    "productOfferingId": Attribute(ChannelAuthorisation.product_offering_id, parse=_parse_uuid),
    "status": Attribute(ChannelAuthorisation.status),
    "validFrom": Attribute(ChannelAuthorisation.valid_from, parse=_parse_time),
    "validTo": Attribute(ChannelAuthorisation.valid_to, parse=_parse_time),
}


def list_authorisations(
    session: Session,
    *,
    principal: Principal,
    query: ListQuery,
    in_force_at: datetime | None = None,
) -> Page[ChannelAuthorisation]:
    """Authorisations the principal may see, oldest start first unless sorted otherwise;
    with ``in_force_at``, only the active ones whose period contains that instant."""
    authorize(principal, Family.CHANNELS, "read")
    statement = select(ChannelAuthorisation)
    condition = authorisation_condition(session, principal=principal)
    if condition is not None:
        statement = statement.where(condition)
    if in_force_at is not None:
        require_aware(in_force_at, location="in_force_at")
        statement = statement.where(
            ChannelAuthorisation.status == "active",
            ChannelAuthorisation.valid_from <= in_force_at,
            or_(
                ChannelAuthorisation.valid_to.is_(None), ChannelAuthorisation.valid_to > in_force_at
            ),
        )
    return fetch_page(
        session,
        statement,
        attributes=AUTHORISATION_ATTRIBUTES,
        query=query,
        tie_breaker=ChannelAuthorisation.id,
        default_sort=(SortKey("validFrom"),),
    )


def _get_for_write(
    session: Session,
    principal: Principal,
    authorisation_id: uuid.UUID,
    expected_version: int | None,
) -> ChannelAuthorisation:
    row = get_authorisation(session, principal=principal, authorisation_id=authorisation_id)
    authorize(principal, Family.CHANNELS, "write")
    if expected_version is not None and row.version != expected_version:
        raise PreconditionFailed(
            f"Channel authorisation {row.id} was changed by someone else "
            f"(version {row.version}, you had {expected_version}); reload and try again"
        )
    return row


def _period_errors(valid_from: datetime, valid_to: datetime | None) -> list[ErrorDetail]:
    errors: list[ErrorDetail] = []
    for location, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            errors.append(ErrorDetail(location, "a timezone is required"))
    if not errors and valid_to is not None and valid_to <= valid_from:
        errors.append(ErrorDetail("valid_to", "must be after valid_from"))
    return errors


def _refuse_overlap(
    session: Session,
    *,
    channel_id: uuid.UUID,
    partner_id: uuid.UUID | None,
    product_offering_id: uuid.UUID,
    valid_from: datetime,
    valid_to: datetime | None,
    excluding: uuid.UUID | None = None,
) -> None:
    auth = ChannelAuthorisation
    statement = select(auth).where(
        auth.channel_id == channel_id,
        auth.partner_id.is_(None) if partner_id is None else auth.partner_id == partner_id,
        auth.product_offering_id == product_offering_id,
        auth.status == "active",
        or_(auth.valid_to.is_(None), auth.valid_to > valid_from),
    )
    if valid_to is not None:
        statement = statement.where(auth.valid_from < valid_to)
    if excluding is not None:
        statement = statement.where(auth.id != excluding)
    conflict = session.scalars(statement.order_by(auth.valid_from).limit(1)).first()
    if conflict is not None:
        holder = "the partner" if partner_id is not None else "the channel (channel-wide)"
        raise RuleViolation(
            f"The period overlaps an existing authorisation of {holder} for this offering",
            [
                ErrorDetail(
                    "validFor",
                    f"authorisation {conflict.id} is valid from {iso(conflict.valid_from)} "
                    f"to {iso(conflict.valid_to)}",
                )
            ],
        )
