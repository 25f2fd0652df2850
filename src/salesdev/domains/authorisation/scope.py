"""Which authorisation rows a partner user may see: its partners' rows and the
channel-wide rows of the channels those partners sell through."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from salesdev.db.models import ChannelAuthorisation, Partner
from salesdev.domains.access import Principal, Role, partner_scope_ids


def restricted_partners(session: Session, *, principal: Principal) -> set[uuid.UUID] | None:
    """The partners a partner user is limited to, or None when the principal is unrestricted."""
    if principal.is_scoped and Role.PARTNER_USER in principal.roles:
        return partner_scope_ids(session, principal=principal)
    return None


def restricted_channels(session: Session, partners: set[uuid.UUID]) -> set[uuid.UUID]:
    if not partners:
        return set()
    return set(session.scalars(select(Partner.channel_id).where(Partner.id.in_(partners))))


def authorisation_condition(
    session: Session, *, principal: Principal
) -> ColumnElement[bool] | None:
    partners = restricted_partners(session, principal=principal)
    if partners is None:
        return None
    channels = restricted_channels(session, partners)
    return or_(
        ChannelAuthorisation.partner_id.in_(partners),
        and_(
            ChannelAuthorisation.partner_id.is_(None),
            ChannelAuthorisation.channel_id.in_(channels),
        ),
    )
