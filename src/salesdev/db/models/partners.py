"""What a partner organisation is reached and paid through: its contacts and payout details."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin

_PRIMARY = text("is_primary")


class PartnerContact(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A person at the partner, by role (sales, operations, finance, technical)."""

    __tablename__ = "partner_contact"
    __table_args__ = (
        # Backs the service's "one primary contact per partner" if two writes race.
        Index(
            "uq_partner_contact_primary",
            "partner_id",
            unique=True,
            sqlite_where=_PRIMARY,
            postgresql_where=_PRIMARY,
        ),
    )
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)


class PartnerPayout(IdMixin, TimestampMixin, VersionedMixin, Base):
    """Where a partner's commissions are paid: one set of bank details per partner."""

    __tablename__ = "partner_payout"
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id"), unique=True)
    payee_name: Mapped[str] = mapped_column(String(200))
    # Stored in its electronic form: upper case, without spaces.
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    tax_id: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    payment_terms_days: Mapped[int] = mapped_column(Integer)
