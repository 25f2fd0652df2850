"""Channel price lists, their versions and entries, pricing rules and guard-rails.

A price list is one scope (channel, and optionally partner tier, market segment and region)
with a currency. Its content lives in numbered versions: draft -> submitted -> approved
(or rejected). An approved version is immutable: its entries and rules are frozen with it
(the ORM refuses to change them), so a compiled copy of its rules can be cached by version
id for as long as the process lives. Pricing rules belong to a version.

Guard-rails belong to a channel (optionally narrowed to one offering), effective-dated.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from salesdev.db.types import Amount, ExactDecimal, UTCDateTime


class PriceList(IdMixin, TimestampMixin, VersionedMixin, Base):
    """One pricing scope of a channel. Empty tier, segment or region means "any".

    ``scope_key`` spells the whole scope (empty parts included) so that "one price list
    per exact scope" holds in the database too (NULLs never collide in a UNIQUE index).
    """

    __tablename__ = "price_list"
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sales_channel.id"), index=True)
    partner_tier: Mapped[str | None] = mapped_column(String(16))
    market_segment: Mapped[str | None] = mapped_column(String(32))
    region_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("region.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    scope_key: Mapped[str] = mapped_column(String(200), unique=True)
    latest_number: Mapped[int] = mapped_column(Integer, default=0)


class PriceListVersion(IdMixin, TimestampMixin, VersionedMixin, Base):
    """The content of a price list for a validity [valid_from, valid_to)."""

    __tablename__ = "price_list_version"
    __table_args__ = (
        UniqueConstraint("price_list_id", "number"),
        Index("ix_price_list_version_in_force", "price_list_id", "status", "valid_from"),
    )
    price_list_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("price_list.id"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author: Mapped[str] = mapped_column(String(200))
    copied_from_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("price_list_version.id"))
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str] = mapped_column(Text, default="")


class PriceListEntry(IdMixin, TimestampMixin, VersionedMixin, Base):
    """An offering's charges in a version: monthly recurring, one-time, and its unit cost."""

    __tablename__ = "price_list_entry"
    __table_args__ = (UniqueConstraint("version_id", "product_offering_id"),)
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("price_list_version.id"), index=True)
    product_offering_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product_offering.id"), index=True
    )
    recurring_amount: Mapped[Decimal | None] = mapped_column(Amount())
    one_time_amount: Mapped[Decimal | None] = mapped_column(Amount())
    unit_cost: Mapped[Decimal | None] = mapped_column(Amount())


class PricingRule(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A discount or surcharge of a price list version.

    ``method`` percentage (``value`` in percent) or amount (``value`` in the list's
    currency, per unit); ``applies_to`` recurring, oneTime or both; ``target`` all,
    family (``family_id``) or offerings (``offering_ids``); ``condition`` is a rule
    condition (``salesdev.engine.rules``) as JSON; ``stacking`` exclusive, stackable or
    best; a promotion window [valid_from, valid_to), each end optional.
    """

    __tablename__ = "pricing_rule"
    __table_args__ = (UniqueConstraint("version_id", "name"),)
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("price_list_version.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16))
    value: Mapped[Decimal] = mapped_column(ExactDecimal(scale=4, precision=19))
    applies_to: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(16))
    family_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("product_family.id"))
    offering_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    condition: Mapped[dict[str, Any]] = mapped_column(JSON)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    stacking: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PriceGuardRail(IdMixin, TimestampMixin, VersionedMixin, Base):
    """Limits no price of a channel may break during [valid_from, valid_to).

    ``product_offering_id`` empty means every offering of the channel; a row for one
    offering takes precedence over the channel-wide row. Floors: an absolute amount per
    charge (only on an offering's row, in ``currency``) and a percentage of the base
    price; ``max_discount_percent`` caps the total discount; ``min_margin_percent``
    is checked against the price-list entry's unit cost.
    """

    __tablename__ = "price_guard_rail"
    __table_args__ = (
        Index("ix_price_guard_rail_lookup", "channel_id", "product_offering_id", "valid_from"),
    )
    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sales_channel.id"))
    product_offering_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("product_offering.id"), index=True
    )
    currency: Mapped[str | None] = mapped_column(String(3))
    floor_recurring_amount: Mapped[Decimal | None] = mapped_column(Amount())
    floor_one_time_amount: Mapped[Decimal | None] = mapped_column(Amount())
    floor_percent: Mapped[Decimal | None] = mapped_column(ExactDecimal(scale=4, precision=9))
    max_discount_percent: Mapped[Decimal | None] = mapped_column(ExactDecimal(scale=4, precision=9))
    min_margin_percent: Mapped[Decimal | None] = mapped_column(ExactDecimal(scale=4, precision=9))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text, default="")
