"""Reference data and principals shared by the channel and partner tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from salesdev.core.errors import NotFound
from salesdev.db.models import ProductOffering, ProductOfferingBundleItem
from salesdev.domains.access import SYSTEM, Principal, Role
from salesdev.domains.catalog import OfferingInput, PriceInput, add_price, create_offering
from salesdev.domains.reference import create_entity

SETUP = datetime(2025, 12, 1, tzinfo=UTC)


def user(name: str, *roles: Role, partner_id: uuid.UUID | None = None) -> Principal:
    return Principal(
        kind="user",
        name=name,
        roles=frozenset(roles or (Role.CHANNEL_MANAGER,)),
        id=uuid.uuid4(),
        partner_id=partner_id,
    )


def channel(session: Session, code: str = "DEALERS") -> Any:
    return create_entity(
        session,
        principal=SYSTEM,
        kind="sales_channel",
        values={"code": code, "name": f"Channel {code}", "channel_type": "franchise_dealer"},
        now=SETUP,
    )


def partner(session: Session, code: str, channel_id: uuid.UUID) -> Any:
    return create_entity(
        session,
        principal=SYSTEM,
        kind="partner",
        values={
            "code": code,
            "name": f"Partner {code}",
            "partner_type": "dealer",
            "tier": "silver",
            "channel_id": channel_id,
        },
        now=SETUP,
    )


def family(session: Session, code: str = "FIBRE", line: str = "broadband") -> Any:
    return create_entity(
        session,
        principal=SYSTEM,
        kind="product_family",
        values={"code": code, "name": code.title(), "line_of_business": line},
        now=SETUP,
    )


def offering(
    session: Session,
    code: str,
    family_id: uuid.UUID,
    *,
    recurring: str = "0",
    one_time: str = "0",
    is_bundle: bool = False,
    **extra: Any,
) -> ProductOffering:
    """An offering with its list prices (a monthly recurring and a one-time price, each only
    when not zero), both valid for as long as the offering is."""
    given = OfferingInput(
        code=code,
        name=f"Offering {code}",
        family_id=family_id,
        currency="EUR",
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
        is_bundle=is_bundle,
        **extra,
    )
    row = create_offering(session, principal=SYSTEM, offering=given, now=SETUP)
    charges = (
        ("recurring", recurring, "Monthly charge", "month"),
        ("oneTime", one_time, "One-time charge", None),
    )
    for price_type, amount, name, period in charges:
        if Decimal(amount) == 0:
            continue
        price = PriceInput(
            name=name,
            price_type=price_type,
            valid_from=given.valid_from,
            valid_to=given.valid_to,
            amount=amount,
            currency="EUR",
            recurring_period_type=period,
        )
        add_price(session, principal=SYSTEM, offering_id=row.id, price=price, now=SETUP)
    return row


def bundle_item(
    session: Session, bundle_id: uuid.UUID, component_id: uuid.UUID, position: int
) -> None:
    session.add(
        ProductOfferingBundleItem(bundle_id=bundle_id, component_id=component_id, position=position)
    )
    session.flush()


def commission_plan(session: Session, code: str = "DEALER-STD") -> Any:
    """The compensation plan an agreement's commission schedule names (created once)."""
    from salesdev.domains.compensation import create_plan, find_plan

    try:
        return find_plan(session, principal=SYSTEM, code=code)
    except NotFound:
        return create_plan(session, principal=SYSTEM, code=code, name=f"Plan {code}",
                           payee_type="partner", currency="EUR", now=SETUP)  # fmt: skip


def approved_agreement(session: Session, partner_id: uuid.UUID, *, now: datetime) -> Any:
    """A partner agreement written by one channel manager and approved by another."""
    from salesdev.domains.agreements import create_agreement, transition_agreement

    author, approver = user("negotiator"), user("approver")
    terms = {
        "name": "Dealer agreement",
        "validFor": {"startDateTime": "2027-01-01T00:00:00Z"},
        "commissionScheduleRef": "DEALER-STD",
        "paymentTermsDays": 30,
    }
    commission_plan(session, "DEALER-STD")
    agreement = create_agreement(
        session, principal=author, partner_id=partner_id, terms=terms, now=now
    )
    for who, status in ((author, "in_negotiation"), (approver, "approved")):
        transition_agreement(
            session, principal=who, agreement_id=agreement.id, to_status=status, now=now
        )
    return agreement
