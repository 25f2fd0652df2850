"""Guided selling: "sell to this customer".

``recommend`` = qualify the channel's catalogue for the customer (``domains.qualification``)
-> price the qualified offerings (``domains.pricing.resolve_prices``) -> rank them with a
strategy (``domains.guidance.strategies``) -> each with its price and reasons; the offerings
that did not qualify come back too, each with every reason why not, so the agent can say so.

Scoped principals (sales reps and managers, partner users) recommend only in their own
channels; another channel is "not found", as everywhere else.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.core.periods import require_aware
from salesdev.db.models import Customer, Partner, Premise, SalesChannel, SalesPerson
from salesdev.domains.access import (
    Family,
    Principal,
    Role,
    authorize,
    customer_scope_condition,
    partner_scope_ids,
    require_customer_in_scope,
)
from salesdev.domains.guidance import sources
from salesdev.domains.guidance.strategies import Candidate, RankedOffer, get_strategy
from salesdev.domains.qualification import selling_scope

MAX_LIMIT = 100


@dataclass(frozen=True)
class CustomerFacts:
    """What the agent sees of the customer, from the same context the rules read."""

    customer_id: uuid.UUID
    code: str
    name: str
    kind: str
    segment: str
    credit_class: str
    tenure_months: int | None
    age_band: str | None
    region: str | None
    installed_base: tuple[str, ...]
    premise_id: uuid.UUID | None
    premise_code: str | None
    premise_address: str | None
    premise_technologies: tuple[str, ...]


@dataclass(frozen=True)
class NotAvailable:
    offering_id: uuid.UUID
    code: str
    name: str
    reasons: tuple[tuple[str, str], ...]  # (code, label)


@dataclass(frozen=True)
class Recommendations:
    customer: CustomerFacts
    channel_id: uuid.UUID
    channel_code: str
    channel_name: str
    partner_id: uuid.UUID | None
    at: datetime
    strategy: str
    qualified_count: int
    recommended: tuple[RankedOffer, ...]
    not_available: tuple[NotAvailable, ...]


def selling_channels(session: Session, *, principal: Principal) -> set[uuid.UUID] | None:
    """The channels a scoped principal sells in (None: any channel); as qualification has it
    (``domains.qualification.selling_scope``): a partner user its partners' channels, a rep
    or manager their own sales person's channel."""
    if not principal.is_scoped:
        return None
    channels: set[uuid.UUID] = set()
    if Role.PARTNER_USER in principal.roles:
        partners = partner_scope_ids(session, principal=principal)
        if partners:
            channels |= set(
                session.scalars(select(Partner.channel_id).where(Partner.id.in_(partners)))
            )
    elif principal.sales_person_id is not None:
        own = session.scalar(
            select(SalesPerson.channel_id).where(SalesPerson.id == principal.sales_person_id)
        )
        if own is not None:
            channels.add(own)
    return channels


def default_channel(session: Session, *, principal: Principal) -> SalesChannel | None:
    """The channel an agent sells in by default: their own (their sales person's or partner's)."""
    channel_id: uuid.UUID | None = None
    if principal.sales_person_id is not None:
        channel_id = session.scalar(
            select(SalesPerson.channel_id).where(SalesPerson.id == principal.sales_person_id)
        )
    if channel_id is None and principal.partner_id is not None:
        channel_id = session.scalar(
            select(Partner.channel_id).where(Partner.id == principal.partner_id)
        )
    return session.get(SalesChannel, channel_id) if channel_id is not None else None


def visible_channels(session: Session, *, principal: Principal) -> list[SalesChannel]:
    """Channels the principal may recommend in, by name."""
    authorize(principal, Family.SELLING, "read")
    statement = select(SalesChannel).where(SalesChannel.status == "active")
    allowed = selling_channels(session, principal=principal)
    if allowed is not None:
        statement = statement.where(SalesChannel.id.in_(allowed))
    return list(session.scalars(statement.order_by(SalesChannel.name, SalesChannel.id)))


def find_customers(
    session: Session, *, principal: Principal, text: str, limit: int = 20
) -> list[Customer]:
    """Customers whose code or name contains ``text`` (case-insensitive), codes first."""
    authorize(principal, Family.SELLING, "read")
    needle = text.strip().lower()
    if not needle:
        return []
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    statement = select(Customer).where(
        or_(
            func.lower(Customer.code).like(pattern, escape="\\"),
            func.lower(Customer.name).like(pattern, escape="\\"),
        )
    )
    # A partner user finds only its partners' customers (docs/security.md, row scopes).
    scope = customer_scope_condition(session, principal=principal)
    if scope is not None:
        statement = statement.where(scope)
    return list(
        session.scalars(
            statement.order_by(func.lower(Customer.code) != needle, Customer.code).limit(
                max(1, min(limit, 100))
            )
        )
    )


def sellable_customer(
    session: Session, *, principal: Principal, customer_id: uuid.UUID
) -> Customer | None:
    """The customer, or None when it does not exist or is outside a partner user's scope
    (the two are answered alike, so that existence does not leak)."""
    authorize(principal, Family.SELLING, "read")
    try:
        require_customer_in_scope(session, principal=principal, customer_id=customer_id)
    except NotFound:
        return None
    return session.get(Customer, customer_id)


def customer_premises(
    session: Session, *, principal: Principal, customer_id: uuid.UUID
) -> list[Premise]:
    authorize(principal, Family.SELLING, "read")
    require_customer_in_scope(session, principal=principal, customer_id=customer_id)
    return list(
        session.scalars(
            select(Premise).where(Premise.customer_id == customer_id).order_by(Premise.code)
        )
    )


def recommend(
    session: Session,
    *,
    principal: Principal,
    customer_id: uuid.UUID,
    channel_id: uuid.UUID,
    at: datetime,
    premise_id: uuid.UUID | None = None,
    partner_id: uuid.UUID | None = None,
    limit: int = 10,
    strategy: str = "rules",
) -> Recommendations:
    """The qualified offerings ranked and priced, and the ones not available with reasons."""
    authorize(principal, Family.SELLING, "read")
    require_aware(at, location="at")
    if limit < 1 or limit > MAX_LIMIT:
        raise InvalidInput(
            "Invalid limit",
            [ErrorDetail("limit", f"must be between 1 and {MAX_LIMIT}, got {limit}")],
        )
    ranker = get_strategy(strategy)
    # The same scope as qualification: a scoped principal sells in its own channel, and
    # as its own partner when it has one.
    partner_id = selling_scope(
        session, principal=principal, channel_id=channel_id, partner_id=partner_id
    )
    channel = session.get(SalesChannel, channel_id)
    assert channel is not None  # checked by selling_scope
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} does not exist")
    require_customer_in_scope(session, principal=principal, customer_id=customer.id)
    if premise_id is not None:
        premise = session.get(Premise, premise_id)
        if premise is None:
            raise NotFound(f"Premise {premise_id} does not exist")
    outcomes = sources.qualify(
        session,
        principal=principal,
        channel_id=channel.id,
        at=at,
        customer_id=customer.id,
        premise_id=premise_id,
        partner_id=partner_id,
    )
    qualified = [o for o in outcomes if o.qualified]
    context = sources.sale_context(
        session,
        principal=principal,
        channel_id=channel.id,
        customer_id=customer.id,
        premise_id=premise_id,
        partner_id=partner_id,
        at=at,
        offering_ids=[o.offering_id for o in qualified],
    )
    prices = sources.prices(
        session,
        principal=principal,
        channel_id=channel.id,
        offering_ids=[o.offering_id for o in qualified],
        at=at,
        partner_id=partner_id,
        customer_id=customer.id,
        premise_id=premise_id,
    )
    candidates = [
        Candidate(
            offering_id=o.offering_id,
            code=o.code,
            name=o.name,
            family_id=o.family_id,
            family_code=o.family_code,
            price=prices.get(o.offering_id),
            context=context.for_offering(o.offering_id),
        )
        for o in qualified
    ]
    ranked = ranker.rank(session, customer=context.base, candidates=candidates, at=at)
    not_available = tuple(
        NotAvailable(o.offering_id, o.code, o.name, o.reasons)
        for o in sorted((o for o in outcomes if not o.qualified), key=lambda o: o.code)
    )
    return Recommendations(
        customer=_facts(
            customer, context.base, session.get(Premise, premise_id) if premise_id else None
        ),
        channel_id=channel.id,
        channel_code=channel.code,
        channel_name=channel.name,
        partner_id=partner_id,
        at=at,
        strategy=ranker.name,
        qualified_count=len(qualified),
        recommended=tuple(ranked[:limit]),
        not_available=not_available,
    )


def _facts(
    customer: Customer, base: Mapping[str, object], premise: Premise | None
) -> CustomerFacts:
    def text(key: str) -> str | None:
        value = base.get(key)
        return None if value is None else str(value)

    def codes(key: str) -> tuple[str, ...]:
        value = base.get(key)
        if isinstance(value, frozenset | set | tuple | list):
            return tuple(sorted(str(v) for v in value))
        return ()

    tenure = base.get("customer.tenure_months")
    return CustomerFacts(
        customer_id=customer.id,
        code=customer.code,
        name=customer.name,
        kind=customer.kind,
        segment=customer.segment,
        credit_class=customer.credit_class,
        tenure_months=tenure if isinstance(tenure, int) else None,
        age_band=text("customer.age_band"),
        region=text("customer.region"),
        installed_base=codes("customer.products"),
        premise_id=premise.id if premise else None,
        premise_code=premise.code if premise else None,
        premise_address=premise.address if premise else None,
        premise_technologies=codes("premise.technologies") if premise else (),
    )
