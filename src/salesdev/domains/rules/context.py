"""The sale context: the attribute values rules are evaluated against, read from the database.

:func:`build_sale_context` reads the customer (with the installed base in force at the
time of the sale), the premise, the channel and the partner once; the offering's own
attributes are added per offering by :meth:`SaleContext.for_offering`, which is a
dictionary copy (it runs once per offering, thousands of times per request).
Attributes that do not apply (no customer, no partner, no age band) are absent:
every comparison on them is false (see ``docs/rules.md``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import cast

from sqlalchemy import Table, bindparam, or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.db.models import (
    Customer,
    Partner,
    Premise,
    ProductFamily,
    ProductOffering,
    SalesChannel,
)
from salesdev.db.models.customers import InstalledProduct
from salesdev.db.prepared import Prepared
from salesdev.db.session import flushed_connection
from salesdev.domains.access import Family, Principal, Role, authorize, partner_scope_ids
from salesdev.domains.rules.parties import CustomerParty, PremiseParty, SaleParties, sale_parties

MAX_QUANTITY = 1_000_000


@dataclass(frozen=True, slots=True)
class OfferingFacts:
    """What rules may say about an offering: its code, its family's code, whether a bundle."""

    id: uuid.UUID
    code: str
    family: str
    is_bundle: bool


class SaleContext:
    """The attributes of one sale, without the offering; see :meth:`for_offering`."""

    __slots__ = ("_base", "at", "channel_id", "customer_id", "partner_id", "premise_id", "quantity")

    def __init__(
        self,
        base: Mapping[str, object],
        *,
        channel_id: uuid.UUID,
        customer_id: uuid.UUID | None = None,
        premise_id: uuid.UUID | None = None,
        partner_id: uuid.UUID | None = None,
        at: datetime,
        quantity: int = 1,
    ) -> None:
        self._base = {k: v for k, v in base.items() if v is not None}
        self.channel_id = channel_id
        self.customer_id = customer_id
        self.premise_id = premise_id
        self.partner_id = partner_id
        self.at = at
        self.quantity = quantity

    @property
    def base(self) -> Mapping[str, object]:
        """Customer, premise, channel, partner and sale attributes (read-only)."""
        return MappingProxyType(self._base)

    def for_offering(self, facts: OfferingFacts) -> Mapping[str, object]:
        """The base attributes plus the offering's (a new dict: cheap, safe to keep)."""
        context = self._base.copy()
        context["offering.code"] = facts.code
        context["offering.family"] = facts.family
        context["offering.is_bundle"] = facts.is_bundle
        return context


def build_sale_context(
    session: Session,
    *,
    principal: Principal,
    channel_id: uuid.UUID,
    customer_id: uuid.UUID | None = None,
    premise_id: uuid.UUID | None = None,
    partner_id: uuid.UUID | None = None,
    at: datetime,
    quantity: int = 1,
) -> SaleContext:
    """Read the attributes of a sale at ``at`` in ``channel_id`` (and by ``partner_id``).

    Unknown ids (or a partner outside the channel, or outside a partner user's scope)
    raise :class:`NotFound`; a naive ``at`` or a quantity below 1 :class:`InvalidInput`.
    Needs read access to selling or to pricing (the rule authors' test panel).
    """
    if not principal.can(Family.PRICING, "read"):
        authorize(principal, Family.SELLING, "read")
    problems: list[ErrorDetail] = []
    if at.tzinfo is None:
        problems.append(ErrorDetail("at", "must be a timezone-aware date and time"))
    if isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        problems.append(ErrorDetail("quantity", f"must be from 1 to {MAX_QUANTITY}"))
    if problems:
        raise InvalidInput("Invalid sale context", problems)
    sale_date = at.astimezone(UTC).date()
    base: dict[str, object] = {"sale.date": sale_date, "sale.quantity": quantity}
    parties = sale_parties(
        session,
        channel_id=channel_id,
        partner_id=partner_id,
        customer_id=customer_id,
        premise_id=premise_id,
    )
    base.update(_channel_and_partner(session, principal, parties, channel_id, partner_id))
    if customer_id is not None:
        base.update(_customer(session, parties.customer, customer_id, at, sale_date))
    if premise_id is not None:
        base.update(_premise(parties.premise, premise_id))
    return SaleContext(
        base,
        channel_id=channel_id,
        customer_id=customer_id,
        premise_id=premise_id,
        partner_id=partner_id,
        at=at,
        quantity=quantity,
    )


def _channel_and_partner(
    session: Session,
    principal: Principal,
    parties: SaleParties,
    channel_id: uuid.UUID,
    partner_id: uuid.UUID | None,
) -> dict[str, object]:
    scope: set[uuid.UUID] | None = None
    if principal.is_scoped and Role.PARTNER_USER in principal.roles:
        scope = partner_scope_ids(session, principal=principal)
    channel = parties.channel
    if channel is None or (
        scope is not None
        and channel_id
        not in set(session.scalars(select(Partner.channel_id).where(Partner.id.in_(scope))))
    ):
        raise NotFound(f"Sales channel {channel_id} does not exist")
    attributes: dict[str, object] = {
        "channel.code": channel.code,
        "channel.type": channel.channel_type,
    }
    if partner_id is None:
        return attributes
    partner = parties.partner
    if (
        partner is None
        or partner.channel_id != channel_id
        or (scope is not None and partner_id not in scope)
    ):
        raise NotFound(f"Partner {partner_id} does not exist in sales channel {channel_id}")
    attributes.update(
        {
            "partner.code": partner.code,
            "partner.tier": partner.tier,
            "partner.type": partner.partner_type,
        }
    )
    return attributes


def _customer(
    session: Session,
    customer: CustomerParty | None,
    customer_id: uuid.UUID,
    at: datetime,
    sale_date: date,
) -> dict[str, object]:
    if customer is None:
        raise NotFound(f"Customer {customer_id} does not exist")
    attributes: dict[str, object] = {
        "customer.code": customer.code,
        "customer.kind": customer.kind,
        "customer.segment": customer.segment,
        "customer.credit_class": customer.credit_class,
        "customer.age_band": customer.age_band or None,
        "customer.region": customer.region_code,
    }
    if customer.customer_since is not None:
        attributes["customer.tenure_months"] = tenure_months(customer.customer_since, sale_date)
    rows = _INSTALLED_BASE.rows(flushed_connection(session), {"customer_id": customer_id, "at": at})
    attributes["customer.products"] = frozenset(code for code, _ in rows)
    attributes["customer.product_families"] = frozenset(family for _, family in rows)
    return attributes


_INSTALLED = cast(Table, InstalledProduct.__table__)
_OFFERINGS = cast(Table, ProductOffering.__table__)
_FAMILIES = cast(Table, ProductFamily.__table__)
# Built once, run without the ORM (every qualification and price resolution reads it):
# the codes of the offerings and families the customer has at ``at``.
_INSTALLED_BASE = Prepared(
    select(_OFFERINGS.c.code, _FAMILIES.c.code)
    .select_from(_INSTALLED)
    .join(_OFFERINGS, _OFFERINGS.c.id == _INSTALLED.c.product_offering_id)
    .join(_FAMILIES, _FAMILIES.c.id == _OFFERINGS.c.family_id)
    .where(
        _INSTALLED.c.customer_id == bindparam("customer_id"),
        _INSTALLED.c.valid_from <= bindparam("at"),
        or_(_INSTALLED.c.valid_to.is_(None), _INSTALLED.c.valid_to > bindparam("at")),
    )
)


def _premise(premise: PremiseParty | None, premise_id: uuid.UUID) -> dict[str, object]:
    if premise is None:
        raise NotFound(f"Premise {premise_id} does not exist")
    technologies = frozenset(t.strip() for t in premise.technologies.split(",") if t.strip())
    return {
        "premise.region": premise.region_code,
        "premise.technologies": technologies,
    }


def tenure_months(since: date, on: date) -> int:
    """Whole months from ``since`` to ``on`` (0 before the first full month, never negative).

    A month is complete on the same day of the month (Jan 15 -> Feb 15 is 1); from the
    31st, a shorter month completes on its last day (Jan 31 -> Feb 28 is 1).
    """
    months = (on.year - since.year) * 12 + (on.month - since.month)
    if on.day < since.day and not _last_day_of_month(on):
        months -= 1
    return max(months, 0)


def _last_day_of_month(day: date) -> bool:
    return date.fromordinal(day.toordinal() + 1).month != day.month


def load_offering_facts(
    session: Session, offering_ids: Sequence[uuid.UUID] | None
) -> dict[uuid.UUID, OfferingFacts]:
    """The facts of the given offerings (all offerings when None); unknown ids are left out."""
    query = select(
        ProductOffering.id, ProductOffering.code, ProductFamily.code, ProductOffering.is_bundle
    ).join(ProductFamily, ProductFamily.id == ProductOffering.family_id)
    if offering_ids is not None:
        if not offering_ids:
            return {}
        query = query.where(ProductOffering.id.in_(list(offering_ids)))
    return {
        row[0]: OfferingFacts(id=row[0], code=row[1], family=row[2], is_bundle=bool(row[3]))
        for row in session.execute(query)
    }


@dataclass(frozen=True)
class SaleCodes:
    """The ids behind the codes a person types (the rule editor's test panel, the CLI)."""

    channel_id: uuid.UUID
    customer_id: uuid.UUID | None = None
    premise_id: uuid.UUID | None = None
    partner_id: uuid.UUID | None = None
    offering_id: uuid.UUID | None = None


def resolve_sale_codes(
    session: Session,
    *,
    channel_code: str,
    customer_code: str | None = None,
    premise_code: str | None = None,
    partner_code: str | None = None,
    offering_code: str | None = None,
) -> SaleCodes:
    """Look the codes up; every unknown code is reported with its field (InvalidInput)."""
    problems: list[ErrorDetail] = []
    wanted: list[tuple[str, type[object], str | None]] = [
        ("channel_code", SalesChannel, channel_code),
        ("customer_code", Customer, customer_code),
        ("premise_code", Premise, premise_code),
        ("partner_code", Partner, partner_code),
        ("offering_code", ProductOffering, offering_code),
    ]
    ids: dict[str, uuid.UUID | None] = {}
    for field, model, code in wanted:
        code = (code or "").strip()
        if not code:
            if field == "channel_code":
                problems.append(ErrorDetail(field, "a channel code is required"))
            ids[field] = None
            continue
        found = session.scalar(select(model.id).where(model.code == code))  # type: ignore[attr-defined]
        if found is None:
            label = field.removesuffix("_code").replace("_", " ")
            problems.append(ErrorDetail(field, f"no {label} has the code {code!r}"))
        ids[field] = found
    if problems:
        raise InvalidInput("Unknown codes", problems)
    channel_id = ids["channel_code"]
    assert channel_id is not None
    return SaleCodes(
        channel_id=channel_id,
        customer_id=ids["customer_code"],
        premise_id=ids["premise_code"],
        partner_id=ids["partner_code"],
        offering_id=ids["offering_code"],
    )
