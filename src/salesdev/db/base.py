"""Declarative base and the mixins every table uses."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from salesdev.core.ids import new_id
from salesdev.db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)


class TimestampMixin:
    """Set by services from the ``now`` they are given, never from the clock."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VersionedMixin:
    """Optimistic concurrency: every UPDATE checks and bumps ``version``.

    The version is exposed as the resource's ETag; a write carrying a stale
    ``If-Match`` is refused with 412 before it reaches the database, and a race
    that slips past that check still fails on the versioned UPDATE.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:  # noqa: N805
        return {"version_id_col": cls.version}
