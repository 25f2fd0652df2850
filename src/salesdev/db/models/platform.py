"""Platform tables: jobs, hub subscriptions and the notification outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesdev.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from salesdev.db.types import UTCDateTime


class Job(IdMixin, TimestampMixin, VersionedMixin, Base):
    """Long work with persisted state: queued -> running -> succeeded | failed."""

    __tablename__ = "job"
    kind: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True, default="queued")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    requested_by: Mapped[str] = mapped_column(String(200), default="system")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HubSubscription(IdMixin, Base):
    """A TMF hub registration: ``callback`` receives the events of one API that match ``query``."""

    __tablename__ = "hub_subscription"
    api: Mapped[str] = mapped_column(String(64), index=True)
    callback: Mapped[str] = mapped_column(String(2000))
    query: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxDelivery(IdMixin, Base):
    """One event to deliver to one subscriber, written in the transaction of the change.

    pending -> delivered, or -> dead after the last failed attempt (dead letters are
    shown to administrators and can be retried).
    """

    __tablename__ = "outbox_delivery"
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    event_type: Mapped[str] = mapped_column(String(100))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("hub_subscription.id", ondelete="SET NULL"), index=True
    )
    callback: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
