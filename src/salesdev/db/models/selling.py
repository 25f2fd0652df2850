"""Eligibility rules and product offering qualifications (TMF679).

An eligibility rule says what must hold for an offering (one offering, every offering of a
family, or every offering) to be sold to a customer or at a premise; a qualification keeps
one answer to "which of these offerings can this customer have here, through this channel",
its items (per offering: qualified or not, with every reason) stored as JSON.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from salesdev.db.types import UTCDateTime


class EligibilityRule(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A condition (the rules language) that must hold for offerings to be eligible.

    ``applies_to`` is ``offering`` (``product_offering_id`` set), ``family``
    (``product_family_id`` set) or ``all``. ``kind`` is ``customer`` (the condition reads
    customer, channel, partner, offering and sale attributes) or ``premise`` (it reads the
    premise's attributes, so it can only hold when a premise is given). When the condition
    fails, the qualification shows ``reason_code`` and ``label``. Effective-dated: half-open
    ``[valid_from, valid_to)``.
    """

    __tablename__ = "eligibility_rule"
    code: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))
    applies_to: Mapped[str] = mapped_column(String(16))
    product_offering_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("product_offering.id"), index=True
    )
    product_family_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("product_family.id"), index=True
    )
    # The condition in its canonical JSON form (``engine.rules.condition_to_json``).
    condition: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason_code: Mapped[str] = mapped_column(String(48), index=True)
    label: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RulesGeneration(Base):
    """One row whose token changes (a new random value) in the same transaction as any
    change to eligibility rules, channel authorisations or offerings, so every process can
    tell with one primary-key read whether its compiled copy of a channel is still good."""

    __tablename__ = "rules_generation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(36))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProductOfferingQualification(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A TMF679 product offering qualification: the request and its answer.

    ``items`` holds the TMF679 ``productOfferingQualificationItem[]`` as answered (each
    with its offering reference, result, reasons and alternatives). ``requested_by`` is
    the actor who asked: scoped principals see only their own.
    """

    __tablename__ = "product_offering_qualification"
    __table_args__ = (
        Index("ix_product_offering_qualification_requester", "requested_by", "created_at"),
    )
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(24), index=True)
    qualification_result: Mapped[str] = mapped_column(String(24))
    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sales_channel.id"), index=True)
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id"), index=True)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customer.id"), index=True)
    premise_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("premise.id"), index=True)
    instant_sync: Mapped[bool] = mapped_column(Boolean, default=True)
    provide_alternative: Mapped[bool] = mapped_column(Boolean, default=False)
    provide_only_available: Mapped[bool] = mapped_column(Boolean, default=False)
    provide_unavailability_reason: Mapped[bool] = mapped_column(Boolean, default=True)
    # The instant the offerings were qualified for (TMF679 effectiveQualificationDate).
    qualified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expiration_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    qualified_count: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    requested_by: Mapped[str] = mapped_column(String(200))
