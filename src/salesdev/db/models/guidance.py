"""Recommendation rules (guided selling).

A recommendation rule says: when its condition holds for a sale (customer, premise,
channel, partner, offering, sale attributes), recommend this offering (or any offering of
this family) with this weight, and tell the agent this reason. The rules strategy of
``domains.guidance`` adds up the weights of the matching rules per offering.

Price-change simulations are computed on demand from the event store
(``analytics.pricing_simulation``) and keep no table.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from salesdev.db.types import ExactDecimal, UTCDateTime


class RecommendationRule(IdMixin, TimestampMixin, VersionedMixin, Base):
    """Recommend an offering or a family, with a weight and a reason, when a condition holds.

    Exactly one of ``product_offering_id`` and ``family_id`` is set. Validity is
    half-open; ``status`` ``inactive`` switches a rule off without ending it.
    """

    __tablename__ = "recommendation_rule"
    __table_args__ = (
        CheckConstraint("(product_offering_id IS NULL) <> (family_id IS NULL)", name="one_target"),
    )
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The condition in the rules language (``engine.rules``), canonical JSON.
    condition: Mapped[dict[str, Any]] = mapped_column(JSON)
    product_offering_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("product_offering.id"), index=True
    )
    family_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("product_family.id"), index=True)
    # The weight added to an offering's score when the rule matches (may be negative).
    score: Mapped[Decimal] = mapped_column(ExactDecimal(scale=4, precision=9))
    # Shown to the agent: why this offering is recommended.
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author: Mapped[str] = mapped_column(String(200))
