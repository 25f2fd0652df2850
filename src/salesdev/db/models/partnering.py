"""Channel authorisations, partner on-boarding and channel agreements.

History tables (on-boarding history, agreement versions) are append-only: the ORM
refuses to update or delete their rows, so a service cannot rewrite them by mistake.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.core.errors import RuleViolation
from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from salesdev.db.types import UTCDateTime

_ACTIVE = text("status = 'active'")


class ChannelAuthorisation(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A channel (or one partner within it) may sell an offering during a half-open period.

    ``partner_id`` empty means channel-wide. Ending sets ``valid_to``; rows are never
    deleted, so "what could this channel sell on that day" stays answerable.
    """

    __tablename__ = "channel_authorisation"
    __table_args__ = (
        # Serves catalogue browsing (channel, then partner or channel-wide) and the
        # overlap check (channel, partner, offering) with one B-tree.
        Index(
            "ix_channel_authorisation_lookup",
            "channel_id",
            "partner_id",
            "product_offering_id",
            "valid_from",
        ),
    )
    channel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sales_channel.id"))
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id"), index=True)
    product_offering_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product_offering.id"), index=True
    )
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Conditions recorded as data, e.g. [{"type": "certification", "code": "FIBRE-101"}].
    prerequisites: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")


class OnboardingCase(IdMixin, TimestampMixin, VersionedMixin, Base):
    """One partner's way from application to active, with a pending approval request if any."""

    __tablename__ = "onboarding_case"
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id"), unique=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    opened_by: Mapped[str] = mapped_column(String(200))
    requested_state: Mapped[str | None] = mapped_column(String(32))
    requested_by: Mapped[str | None] = mapped_column(String(200))
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    request_comment: Mapped[str | None] = mapped_column(Text)


class OnboardingChecklistItem(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A due-diligence check with its evidence and who checked it."""

    __tablename__ = "onboarding_checklist_item"
    __table_args__ = (UniqueConstraint("case_id", "code"),)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("onboarding_case.id"))
    code: Mapped[str] = mapped_column(String(48))
    label: Mapped[str] = mapped_column(String(200))
    mandatory: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    evidence: Mapped[str | None] = mapped_column(Text)
    checked_by: Mapped[str | None] = mapped_column(String(200))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OnboardingHistoryEntry(IdMixin, Base):
    """Append-only: opened, transitioned, requested, approved or rejected."""

    __tablename__ = "onboarding_history"
    __table_args__ = (UniqueConstraint("case_id", "sequence"),)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("onboarding_case.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[str | None] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    comment: Mapped[str] = mapped_column(Text, default="")


class ChannelAgreement(IdMixin, TimestampMixin, VersionedMixin, Base):
    """Negotiated terms with a partner or a channel (TMF651 Agreement); terms live in versions.

    The columns repeat what lists filter on; the full terms are in the latest version.
    """

    __tablename__ = "channel_agreement"
    __table_args__ = (
        CheckConstraint("(partner_id IS NULL) <> (channel_id IS NULL)", name="one_party"),
        # Backstop for "one active agreement per party" when two activations race.
        Index(
            "uq_channel_agreement_active_partner",
            "partner_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
        Index(
            "uq_channel_agreement_active_channel",
            "channel_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
    )
    name: Mapped[str] = mapped_column(String(200))
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id"), index=True)
    channel_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sales_channel.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    commission_schedule_ref: Mapped[str] = mapped_column(String(64))
    latest_version: Mapped[int] = mapped_column(Integer)
    # Who wrote the terms now in force: approval and activation must be by someone else.
    terms_author: Mapped[str] = mapped_column(String(200))


class ChannelAgreementVersion(IdMixin, Base):
    """An immutable snapshot of an agreement's full terms and status after one change."""

    __tablename__ = "channel_agreement_version"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)
    agreement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("channel_agreement.id"))
    number: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24))
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    comment: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


def _refuse_rewrite(_mapper: Any, _connection: Any, target: Any) -> None:
    raise RuleViolation(f"{target.__tablename__} rows are append-only and cannot be changed")


for _model in (OnboardingHistoryEntry, ChannelAgreementVersion):
    event.listen(_model, "before_update", _refuse_rewrite)
    event.listen(_model, "before_delete", _refuse_rewrite)
