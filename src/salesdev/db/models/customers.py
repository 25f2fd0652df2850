from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin


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


class Premise(IdMixin, TimestampMixin, VersionedMixin, Base):
    """An address where service is delivered, with the technologies it can be served by."""

    __tablename__ = "premise"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customer.id"), index=True)
    region_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("region.id"), index=True)
    address: Mapped[str] = mapped_column(String(300))
    # Comma-separated technology codes (fibre, dsl, fwa, 5g, cable): a small closed set.
    technologies: Mapped[str] = mapped_column(String(100), default="")
