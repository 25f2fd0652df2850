from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from salesdev.db.types import Amount, UTCDateTime


class ProductFamily(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A group of offerings that compensation, targets and reports treat alike."""

    __tablename__ = "product_family"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    line_of_business: Mapped[str] = mapped_column(String(32))


class ProductOffering(IdMixin, TimestampMixin, VersionedMixin, Base):
    """What is sold (SID Product Offering), with its list prices.

    The full TMF620 model (price components, terms, channel and segment lists)
    extends this table in the catalogue capability.
    """

    __tablename__ = "product_offering"
    code: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("product_family.id"), index=True)
    is_bundle: Mapped[bool] = mapped_column(Boolean, default=False)
    lifecycle_status: Mapped[str] = mapped_column(String(32), default="Active")
    recurring_charge: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    one_time_charge: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProductOfferingBundleItem(IdMixin, Base):
    """An offering included in a bundle (TMF620 bundledProductOffering)."""

    __tablename__ = "product_offering_bundle_item"
    __table_args__ = (UniqueConstraint("bundle_id", "component_id"),)
    bundle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("product_offering.id"), index=True)
    component_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("product_offering.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
