from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from salesdev.db.types import ExactDecimal


class SalesChannel(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A route to market (SID Sales Channel): retail, dealers, online, telesales..."""

    __tablename__ = "sales_channel"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    channel_type: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sales_channel.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Comma-separated market segment codes (a small closed set) and region codes: the
    # codes are what people and files exchange, and both lists are short.
    segments_served: Mapped[str] = mapped_column(String(200), default="", server_default="")
    regions_served: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Cost of serving a sale in this channel, as a percentage of its revenue; empty when
    # not assessed yet (channel reports must not take "unknown" for "free").
    cost_to_serve_percent: Mapped[Decimal | None] = mapped_column(
        ExactDecimal(scale=4, precision=7)
    )


class Partner(IdMixin, TimestampMixin, VersionedMixin, Base):
    """An organisation that sells for the CSP; ``parent_id`` is the dealer genealogy."""

    __tablename__ = "partner"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    partner_type: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id"), index=True)
    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sales_channel.id"), index=True)
    region_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("region.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")


class Outlet(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A point of sale: a store, a dealer shop, a call-centre site, a web storefront."""

    __tablename__ = "outlet"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sales_channel.id"), index=True)
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id"), index=True)
    region_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("region.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
