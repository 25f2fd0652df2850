"""Channels, partners and principals for the partner tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from salesdev.domains.access import SYSTEM, Principal, Role
from salesdev.domains.reference import create_entity

SETUP = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 2, 2, 10, 0, tzinfo=UTC)


def user(
    name: str,
    *roles: Role,
    partner_id: uuid.UUID | None = None,
    read_only: bool = False,
    include_sub_dealers: bool = False,
) -> Principal:
    return Principal(
        kind="user",
        name=name,
        roles=frozenset(roles),
        id=uuid.uuid4(),
        partner_id=partner_id,
        read_only=read_only,
        include_sub_dealers=include_sub_dealers,
    )


def create(session: Session, kind: str, **values: Any) -> Any:
    return create_entity(session, principal=SYSTEM, kind=kind, values=values, now=SETUP)


def channel(session: Session, code: str = "DEALERS", **extra: Any) -> Any:
    return create(
        session,
        "sales_channel",
        code=code,
        name=f"Channel {code}",
        channel_type="franchise_dealer",
        **extra,
    )


def partner(
    session: Session,
    code: str,
    channel_id: uuid.UUID,
    *,
    parent_id: uuid.UUID | None = None,
    partner_type: str = "dealer",
    tier: str = "silver",
) -> Any:
    return create(
        session,
        "partner",
        code=code,
        name=f"Partner {code}",
        partner_type=partner_type,
        tier=tier,
        channel_id=channel_id,
        parent_id=parent_id,
    )
