"""Who may touch a partner's contacts and payout details: the two rules beyond GRANTS.

- A partner user only reads ``partners``, yet maintains the contacts of the partners in
  its row scope: they are its own people, and keeping them current is its job.
- A partner user reads the payout details of its own partner (not of its sub-dealers,
  whose bank details are theirs) and never changes them.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from salesdev.db.models import Partner
from salesdev.domains.access import Family, Principal, Role, authorize, partner_scope_ids
from salesdev.domains.reference import get_entity


def visible_partner(session: Session, *, principal: Principal, partner_id: uuid.UUID) -> Partner:
    """The partner, if the principal may read it; "not found" outside its row scope."""
    partner: Partner = get_entity(
        session, principal=principal, kind="partner", entity_id=partner_id
    )
    return partner


def authorize_contact_write(session: Session, *, principal: Principal, partner: Partner) -> None:
    if principal.can(Family.PARTNERS, "write"):
        return
    if (
        Role.PARTNER_USER in principal.roles
        and not principal.read_only
        and partner.id in partner_scope_ids(session, principal=principal)
    ):
        return
    authorize(principal, Family.PARTNERS, "write")


def readable_payout_partner(
    session: Session, *, principal: Principal, partner_id: uuid.UUID
) -> Partner:
    """The partner whose payout details the principal may read, or the refusal."""
    own_partner = Role.PARTNER_USER in principal.roles and principal.partner_id == partner_id
    if not (own_partner or principal.can(Family.PAYOUTS, "read")):
        if Role.PARTNER_USER in principal.roles:
            # Another partner outside its scope does not exist for it; a sub-dealer does.
            visible_partner(session, principal=principal, partner_id=partner_id)
        authorize(principal, Family.PAYOUTS, "read")
    return visible_partner(session, principal=principal, partner_id=partner_id)
