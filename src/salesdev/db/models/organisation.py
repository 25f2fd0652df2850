from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin


class Region(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A sales region (geography used by channels, targets and territories)."""

    __tablename__ = "region"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("region.id"), index=True)


class SalesPerson(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A member of the sales organisation (SID Party Role: sales rep, manager...).

    ``manager_id`` forms the sales hierarchy; a person may belong to a partner
    (dealer staff) rather than to the CSP's own organisation.
    """

    __tablename__ = "sales_person"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    manager_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sales_person.id"), index=True)
    region_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("region.id"), index=True)
    channel_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sales_channel.id"), index=True)
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    hired_on: Mapped[date | None] = mapped_column(Date)
