"""Offer catalogue browsing: what a channel (or a partner in it) may sell at an instant.

A fixed number of set-based queries whatever the catalogue size: the total and one
page of offerings authorised at the instant, then that page's authorisations, bundle
components and the list prices of both (``salesdev.domains.catalog.list_prices``). The authorisation side is always read through
``ix_channel_authorisation_lookup`` (channel, partner, offering, start).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.core.money import Money
from salesdev.core.periods import require_aware
from salesdev.db.models import (
    ChannelAuthorisation,
    Partner,
    ProductFamily,
    ProductOffering,
    ProductOfferingBundleItem,
    SalesChannel,
)
from salesdev.db.query import Page
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.authorisation.scope import restricted_channels, restricted_partners
from salesdev.domains.catalog import ListPrices, list_prices

# Lifecycle statuses in which an authorised offering can actually be sold.
SELLABLE_LIFECYCLE_STATUSES = ("Active", "Launched")


@dataclass(frozen=True)
class BundleComponent:
    offering_id: uuid.UUID
    code: str
    name: str
    is_bundle: bool
    position: int
    recurring_charge: Money
    one_time_charge: Money


@dataclass(frozen=True)
class SellableOffering:
    """An offering with its list prices and the authorisation that makes it sellable.

    ``partner_id`` is the partner the authorisation names, or None for a channel-wide
    one; when both exist, the partner's (more specific) authorisation is shown.
    """

    offering_id: uuid.UUID
    code: str
    name: str
    family_code: str
    family_name: str
    is_bundle: bool
    lifecycle_status: str
    recurring_charge: Money
    one_time_charge: Money
    authorisation_id: uuid.UUID
    partner_id: uuid.UUID | None
    authorised_from: datetime
    authorised_to: datetime | None
    prerequisites: tuple[dict[str, str], ...]
    components: tuple[BundleComponent, ...] = field(default=())


def sellable_offerings(
    session: Session,
    *,
    principal: Principal,
    channel_id: uuid.UUID,
    at: datetime,
    partner_id: uuid.UUID | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Page[SellableOffering]:
    """Offerings authorised at ``at`` (partner rows plus channel-wide rows), ordered by code.

    The work done is proportional to the page asked for, not to the channel's catalogue:
    the page of offerings and the total are chosen in SQL, then only that page's
    authorisations and bundle components are read.
    """
    authorize(principal, Family.CHANNELS, "read")
    require_aware(at, location="at")
    if offset < 0 or (limit is not None and limit < 0):
        raise InvalidInput(
            "Invalid paging",
            [ErrorDetail("offset" if offset < 0 else "limit", "must be 0 or more")],
        )
    _check_scope(session, principal, channel_id, partner_id)
    in_force = _in_force(channel_id, partner_id, at)
    authorised = select(ChannelAuthorisation.product_offering_id).where(in_force)
    sellable = and_(ProductOffering.id.in_(authorised), _offering_sellable(at))
    total = session.scalar(select(func.count(ProductOffering.id)).where(sellable)) or 0
    statement = (
        select(
            ProductOffering.id,
            ProductOffering.code,
            ProductOffering.name,
            ProductOffering.is_bundle,
            ProductOffering.lifecycle_status,
            ProductOffering.currency,
            ProductFamily.code,
            ProductFamily.name,
        )
        .join(ProductFamily, ProductFamily.id == ProductOffering.family_id)
        .where(sellable)
        .order_by(ProductOffering.code)
        # Literal paging: a prepared statement's generic plan, made for an unknown offset,
        # walks the code index through thousands of rows on deep pages (PostgreSQL).
        .offset(literal_column(str(int(offset))))
    )
    if limit is not None:
        statement = statement.limit(literal_column(str(int(limit))))
    rows = session.execute(statement).all()
    page_ids = [row[0] for row in rows]
    grants = _authorisations(session, in_force, page_ids)
    components = _components(session, [row[0] for row in rows if row[3]])
    # One query prices the page and its components alike.
    component_ids = {c.offering_id for found in components.values() for c in found}
    prices = list_prices(session, offering_ids={*page_ids, *component_ids}, at=at)
    items = []
    for offering_id, code, name, is_bundle, lifecycle, currency, *family in rows:
        grant = grants[offering_id]
        recurring, one_time = _charges(prices[offering_id], currency)
        items.append(
            SellableOffering(
                offering_id=offering_id,
                code=code,
                name=name,
                family_code=family[0],
                family_name=family[1],
                is_bundle=is_bundle,
                lifecycle_status=lifecycle,
                recurring_charge=recurring,
                one_time_charge=one_time,
                authorisation_id=grant[0],
                partner_id=grant[1],
                authorised_from=grant[2],
                authorised_to=grant[3],
                prerequisites=tuple(grant[4] or ()),
                components=tuple(
                    _priced(component, prices) for component in components.get(offering_id, ())
                ),
            )
        )
    return Page(items, total, offset, limit)


def _authorisations(
    session: Session, in_force: ColumnElement[bool], offering_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    """The authorisation shown for each offering: the partner's own rather than the channel's."""
    if not offering_ids:
        return {}
    rows = session.execute(
        select(
            ChannelAuthorisation.product_offering_id,
            ChannelAuthorisation.id,
            ChannelAuthorisation.partner_id,
            ChannelAuthorisation.valid_from,
            ChannelAuthorisation.valid_to,
            ChannelAuthorisation.prerequisites,
        ).where(in_force, ChannelAuthorisation.product_offering_id.in_(offering_ids))
    )
    chosen: dict[uuid.UUID, Any] = {}
    for offering_id, *grant in rows:
        previous = chosen.get(offering_id)
        if previous is None or (previous[1] is None and grant[1] is not None):
            chosen[offering_id] = grant
    return chosen


def _in_force(
    channel_id: uuid.UUID, partner_id: uuid.UUID | None, at: datetime
) -> ColumnElement[bool]:
    auth = ChannelAuthorisation
    holder = (
        auth.partner_id.is_(None)
        if partner_id is None
        else or_(auth.partner_id.is_(None), auth.partner_id == partner_id)
    )
    return and_(
        auth.channel_id == channel_id,
        holder,
        auth.status == "active",
        auth.valid_from <= at,
        or_(auth.valid_to.is_(None), auth.valid_to > at),
    )


def _offering_sellable(at: datetime) -> ColumnElement[bool]:
    return and_(
        ProductOffering.lifecycle_status.in_(SELLABLE_LIFECYCLE_STATUSES),
        ProductOffering.valid_from <= at,
        or_(ProductOffering.valid_to.is_(None), ProductOffering.valid_to > at),
    )


def _components(
    session: Session, bundle_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[BundleComponent]]:
    if not bundle_ids:
        return {}
    component = aliased(ProductOffering)
    item = ProductOfferingBundleItem
    rows = session.execute(
        select(
            item.bundle_id,
            item.position,
            component.id,
            component.code,
            component.name,
            component.is_bundle,
            component.currency,
        )
        .join(component, component.id == item.component_id)
        .where(item.bundle_id.in_(bundle_ids))
        .order_by(item.bundle_id, item.position, component.code)
    )
    found: dict[uuid.UUID, list[BundleComponent]] = {}
    for (
        bundle_id,
        position,
        offering_id,
        code,
        name,
        is_bundle,
        currency,
    ) in rows:
        # Priced by the caller, together with the page (``_priced``).
        found.setdefault(bundle_id, []).append(
            BundleComponent(
                offering_id=offering_id,
                code=code,
                name=name,
                is_bundle=is_bundle,
                position=position,
                recurring_charge=Money.zero(currency),
                one_time_charge=Money.zero(currency),
            )
        )
    return found


def _charges(prices: ListPrices, currency: str) -> tuple[Money, Money]:
    """The list prices, zero in the offering's currency where it has no such price."""
    return (
        prices.recurring or Money.zero(currency),
        prices.one_time or Money.zero(currency),
    )


def _priced(component: BundleComponent, prices: dict[uuid.UUID, ListPrices]) -> BundleComponent:
    recurring, one_time = _charges(
        prices[component.offering_id], component.recurring_charge.currency
    )
    return replace(component, recurring_charge=recurring, one_time_charge=one_time)


def _check_scope(
    session: Session, principal: Principal, channel_id: uuid.UUID, partner_id: uuid.UUID | None
) -> None:
    """An unknown channel or partner, or one outside a partner user's scope, is not found."""
    partners = restricted_partners(session, principal=principal)
    channel_known = session.get(SalesChannel, channel_id) is not None
    if not channel_known or (
        partners is not None and channel_id not in restricted_channels(session, partners)
    ):
        raise NotFound(f"Sales channel {channel_id} does not exist")
    if partner_id is None:
        return
    partner = session.get(Partner, partner_id)
    if (
        partner is None
        or partner.channel_id != channel_id
        or (partners is not None and partner_id not in partners)
    ):
        raise NotFound(f"Partner {partner_id} does not exist in sales channel {channel_id}")
