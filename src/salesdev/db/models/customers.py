from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from salesdev.db.types import UTCDateTime


class Customer(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A customer or a prospect (Party Role), with the attributes selling depends on."""

    __tablename__ = "customer"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    segment: Mapped[str] = mapped_column(String(32), index=True)
    region_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("region.id"), index=True)
    credit_class: Mapped[str] = mapped_column(String(8))
    customer_since: Mapped[date | None] = mapped_column(Date)
    # Age band of a consumer ("18-24" ... "65+", salesdev.engine.rules.AGE_BANDS); empty otherwise.
    age_band: Mapped[str | None] = mapped_column(String(8))
    # The partner the customer was acquired through or is assigned to (account coverage);
    # empty for the CSP's own channels. A partner user sells only to its partners' customers.
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id"), index=True)


class Premise(IdMixin, TimestampMixin, VersionedMixin, Base):
    """An address where service is delivered, with the technologies it can be served by."""

    __tablename__ = "premise"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customer.id"), index=True)
    region_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("region.id"), index=True)
    address: Mapped[str] = mapped_column(String(300))
    # Comma-separated technology codes (fibre, dsl, fwa, 5g, cable): a small closed set.
    technologies: Mapped[str] = mapped_column(String(100), default="")


class InstalledProduct(IdMixin, TimestampMixin, VersionedMixin, Base):
    """What a customer has: an offering installed for them, at a premise or not, over time.

    Validity is half-open ``[valid_from, valid_to)``; ``valid_to`` empty means still installed.
    The installed base feeds rule attributes (``customer.products``, ``customer.product_families``).
    """

    __tablename__ = "installed_product"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_period"),
        Index("ix_installed_product_customer_valid", "customer_id", "valid_from"),
    )
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customer.id"))
    product_offering_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product_offering.id"), index=True
    )
    premise_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("premise.id"), index=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
