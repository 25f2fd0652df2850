"""The product catalogue (TMF620 v4): catalogs, categories, specifications, offerings,
bundles with option limits, terms, channels, market segments and effective-dated prices.

TMF620's ``version`` attribute (a label such as "2.1") is stored as ``version_label``:
``version`` is the optimistic-concurrency counter every business table carries.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from salesdev.db.types import Amount, ExactDecimal, UTCDateTime


class ProductFamily(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A group of offerings that compensation, targets and reports treat alike."""

    __tablename__ = "product_family"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    line_of_business: Mapped[str] = mapped_column(String(32))


class Catalog(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A TMF620 catalog: a collection of categories (e.g. "Consumer", "Wholesale")."""

    __tablename__ = "catalog"
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    catalog_type: Mapped[str] = mapped_column(String(64), default="")
    lifecycle_status: Mapped[str] = mapped_column(String(32), default="Active")
    version_label: Mapped[str] = mapped_column(String(32), default="1.0")
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)


category_offering = Table(
    "category_offering",
    Base.metadata,
    Column("category_id", ForeignKey("category.id"), primary_key=True),
    Column("product_offering_id", ForeignKey("product_offering.id"), primary_key=True, index=True),
)


class Category(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A TMF620 category; ``parent_id`` forms a tree, roots belong to a catalog."""

    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("catalog_id", "name"),)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_root: Mapped[bool] = mapped_column(Boolean, default=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("category.id"), index=True)
    catalog_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("catalog.id"), index=True)
    lifecycle_status: Mapped[str] = mapped_column(String(32), default="Active")
    version_label: Mapped[str] = mapped_column(String(32), default="1.0")
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProductSpecification(IdMixin, TimestampMixin, VersionedMixin, Base):
    """What an offering is made of technically (TMF620 productSpecification)."""

    __tablename__ = "product_specification"
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str] = mapped_column(String(100), default="")
    product_number: Mapped[str] = mapped_column(String(64), unique=True)
    is_bundle: Mapped[bool] = mapped_column(Boolean, default=False)
    lifecycle_status: Mapped[str] = mapped_column(String(32), default="Active")
    version_label: Mapped[str] = mapped_column(String(32), default="1.0")
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # TMF620 productSpecCharacteristic[], kept as given (name, valueType, values...).
    characteristics: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class MarketSegment(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A market segment an offering is marketed to (SID Market Segment)."""

    __tablename__ = "market_segment"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


product_offering_channel = Table(
    "product_offering_channel",
    Base.metadata,
    Column("product_offering_id", ForeignKey("product_offering.id"), primary_key=True),
    Column("channel_id", ForeignKey("sales_channel.id"), primary_key=True, index=True),
)

product_offering_market_segment = Table(
    "product_offering_market_segment",
    Base.metadata,
    Column("product_offering_id", ForeignKey("product_offering.id"), primary_key=True),
    Column("market_segment_id", ForeignKey("market_segment.id"), primary_key=True, index=True),
)


class ProductOffering(IdMixin, TimestampMixin, VersionedMixin, Base):
    """What is sold (SID / TMF620 Product Offering).

    List prices are ``product_offering_price`` rows, effective-dated; ``currency`` is the
    currency the offering is priced in and shown in when it has no price.
    """

    __tablename__ = "product_offering"
    code: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("product_family.id"), index=True)
    product_specification_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("product_specification.id"), index=True
    )
    is_bundle: Mapped[bool] = mapped_column(Boolean, default=False)
    is_sellable: Mapped[bool] = mapped_column(Boolean, default=True)
    lifecycle_status: Mapped[str] = mapped_column(String(32), default="Active")
    status_reason: Mapped[str] = mapped_column(String(200), default="")
    version_label: Mapped[str] = mapped_column(String(32), default="1.0")
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProductOfferingBundleItem(IdMixin, Base):
    """An offering included in a bundle (TMF620 bundledProductOffering) with its option
    limits (bundledProductOfferingOption): how many of it a bundle holds by default, at
    least and at most."""

    __tablename__ = "product_offering_bundle_item"
    __table_args__ = (UniqueConstraint("bundle_id", "component_id"),)
    bundle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("product_offering.id"), index=True)
    component_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("product_offering.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    number_default: Mapped[int] = mapped_column(Integer, default=1)
    number_lower_limit: Mapped[int] = mapped_column(Integer, default=1)
    number_upper_limit: Mapped[int] = mapped_column(Integer, default=1)


class ProductOfferingTerm(IdMixin, Base):
    """A condition under which an offering is sold (TMF620 productOfferingTerm),
    e.g. a 24-month commitment."""

    __tablename__ = "product_offering_term"
    product_offering_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product_offering.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_amount: Mapped[int | None] = mapped_column(Integer)
    duration_units: Mapped[str | None] = mapped_column(String(16))
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProductOfferingPrice(IdMixin, TimestampMixin, VersionedMixin, Base):
    """One price component of an offering (TMF620 productOfferingPrice), effective-dated.

    ``price_type`` is recurring, oneTime, usage or discount. A recurring price repeats
    every ``recurring_period_length`` ``recurring_period_type`` (1 month); a usage price
    is per ``unit_amount`` ``units`` (1 GB); a discount has a ``percentage`` or an amount.
    """

    __tablename__ = "product_offering_price"
    __table_args__ = (
        # Serves list prices at an instant and the overlap check.
        Index(
            "ix_product_offering_price_lookup", "product_offering_id", "price_type", "valid_from"
        ),
    )
    product_offering_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("product_offering.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    version_label: Mapped[str] = mapped_column(String(32), default="1.0")
    price_type: Mapped[str] = mapped_column(String(16))
    recurring_period_type: Mapped[str | None] = mapped_column(String(8))
    recurring_period_length: Mapped[int | None] = mapped_column(Integer)
    unit_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal(scale=4, precision=19))
    units: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[Decimal | None] = mapped_column(Amount())
    currency: Mapped[str | None] = mapped_column(String(3))
    percentage: Mapped[Decimal | None] = mapped_column(ExactDecimal(scale=4, precision=9))
    lifecycle_status: Mapped[str] = mapped_column(String(32), default="Active")
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
