"""Where a principal may sell: scoped principals only in their own channel.

- A partner user sells through the channel of its partner (or of a sub-dealer in its
  scope) and as that partner: without a partner given, its own partner is assumed.
- A sales rep or sales manager sells through the channel of its own sales person record,
  and as that person's partner when it belongs to one.
- Everyone else may qualify in any channel, for any partner of it.

A channel or partner outside the scope is "not found", like one that does not exist.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import NotFound
from salesdev.db.models import Partner, SalesPerson
from salesdev.domains.access import Principal, Role, partner_scope_ids
from salesdev.domains.rules import sale_parties


def _no_channel(channel_id: uuid.UUID) -> NotFound:
    return NotFound(f"Sales channel {channel_id} does not exist")


def _no_partner(partner_id: uuid.UUID, channel_id: uuid.UUID) -> NotFound:
    return NotFound(f"Partner {partner_id} does not exist in sales channel {channel_id}")


def selling_scope(
    session: Session,
    *,
    principal: Principal,
    channel_id: uuid.UUID,
    partner_id: uuid.UUID | None,
) -> uuid.UUID | None:
    """Check the channel and partner against the principal; the partner to sell as."""
    if sale_parties(session, channel_id=channel_id).channel is None:
        raise _no_channel(channel_id)
    if principal.is_scoped and Role.PARTNER_USER in principal.roles:
        partners = partner_scope_ids(session, principal=principal)
        channels = (
            set(session.scalars(select(Partner.channel_id).where(Partner.id.in_(partners))))
            if partners
            else set()
        )
        if channel_id not in channels:
            raise _no_channel(channel_id)
        if partner_id is None and principal.partner_id is not None:
            own = sale_parties(session, partner_id=principal.partner_id).partner
            if own is not None and own.channel_id == channel_id:
                partner_id = own.id
        if partner_id is not None and partner_id not in partners:
            raise _no_partner(partner_id, channel_id)
    elif principal.is_scoped:
        person = (
            session.get(SalesPerson, principal.sales_person_id)
            if principal.sales_person_id is not None
            else None
        )
        if person is None or person.channel_id != channel_id:
            raise _no_channel(channel_id)
        if person.partner_id is not None:
            if partner_id is not None and partner_id != person.partner_id:
                raise _no_partner(partner_id, channel_id)
            partner_id = person.partner_id
    if partner_id is not None:
        partner = sale_parties(session, partner_id=partner_id).partner
        if partner is None or partner.channel_id != channel_id:
            raise _no_partner(partner_id, channel_id)
    return partner_id


def may_see_all(principal: Principal) -> bool:
    """Unscoped principals see every stored qualification; scoped ones only their own."""
    return not principal.is_scoped
