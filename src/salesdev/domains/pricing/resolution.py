"""Price resolution for a sale: the price list version to use, its rules, the guard-rails.

**Which price list.** Among the channel's price lists whose scope matches the sale (each
of partner tier, market segment and region empty or equal to the sale's: the partner's
tier; the customer's segment; the premise's region, else the customer's), only those with
an approved version in force at the date count. The most specific wins, scored partner
tier (4) + segment (2) + region (1), so a tier list beats a segment-and-region list;
scores never tie (one list per exact scope). For each offering, the most specific version
*with an entry for it* gives its base price; an offering without any entry takes the
catalogue list price (``domains.catalog.list_prices``) and the rules of the most specific
version in force (when its currency is the catalogue price's).

**Bundles.** A bundle's base is its own entry, else its own catalogue list price, else the
sum of its components (each priced the same way) at their default counts; the bundle's
rules and guard-rails apply to that sum. A bundle's unit cost is the sum of its
components' when all of them have one.

**Compiled rules are cached** per approved version, keyed by the version's id and its
row version: an approved version never changes (so the entry stays valid for the life of
the process), and any change to a draft bumps the row version (so a stale entry can
never be hit, even after a rolled-back approval). The cache is bounded (LRU).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.core.money import Money
from salesdev.core.periods import require_aware
from salesdev.db.models import (
    Customer,
    Partner,
    Premise,
    ProductOffering,
    ProductOfferingBundleItem,
    SalesChannel,
)
from salesdev.db.models.pricing import (
    PriceList,
    PriceListEntry,
    PriceListVersion,
    PricingRule,
)
from salesdev.domains.access import Family, Principal, Role, authorize, require_customer_in_scope
from salesdev.domains.catalog import list_prices
from salesdev.domains.pricing.common import APPROVED, restricted_channels, restricted_partners
from salesdev.domains.pricing.guardrails import guard_rails_in_force, to_engine
from salesdev.domains.pricing.rules import compile_rule
from salesdev.domains.rules import build_sale_context, load_offering_facts
from salesdev.engine.pricing import (
    Alteration,
    Charge,
    NotApplied,
    PricingInput,
    RuleSet,
    resolve,
)

MAX_OFFERINGS = 200
MAX_QUANTITY = 100000
_CACHE_SIZE = 256
_cache: OrderedDict[tuple[uuid.UUID, int], RuleSet] = OrderedDict()
_cache_lock = threading.Lock()
_cache_stats = {"hits": 0, "misses": 0}

PriceSource = Literal["priceList", "catalogue", "components"]


@dataclass(frozen=True)
class ChargeBreakdown:
    charge: Charge
    base: Money
    unit_price: Money  # rounded once, here (core.money)
    total: Money  # unit price x quantity, rounded once
    exact_unit_price: Decimal
    alterations: tuple[Alteration, ...]
    not_applied: tuple[NotApplied, ...]


@dataclass(frozen=True)
class BundlePart:
    offering_id: uuid.UUID
    code: str
    count: int
    recurring: Money | None
    one_time: Money | None


@dataclass(frozen=True)
class PriceResolution:
    offering_id: uuid.UUID
    offering_code: str
    offering_name: str
    is_bundle: bool
    currency: str
    quantity: int
    at: datetime
    source: PriceSource
    charges: tuple[ChargeBreakdown, ...]
    not_applied: tuple[NotApplied, ...]
    price_list_id: uuid.UUID | None = None
    price_list_name: str | None = None
    version_id: uuid.UUID | None = None
    version_number: int | None = None
    rules_from_version_id: uuid.UUID | None = None
    guard_rail_id: uuid.UUID | None = None
    components: tuple[BundlePart, ...] = field(default=())

    def charge(self, charge: Charge) -> ChargeBreakdown | None:
        return next((c for c in self.charges if c.charge is charge), None)


def clear_rule_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _cache_stats.update(hits=0, misses=0)


def rule_cache_info() -> dict[str, int]:
    with _cache_lock:
        return {"size": len(_cache), **_cache_stats}


def compiled_rules(session: Session, version: PriceListVersion) -> RuleSet:
    """The version's rules compiled once and reused across requests (see module docs)."""
    key = (version.id, version.version)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            _cache_stats["hits"] += 1
            return found
        _cache_stats["misses"] += 1
    rules = session.scalars(select(PricingRule).where(PricingRule.version_id == version.id))
    compiled = RuleSet.of([compile_rule(rule) for rule in rules])
    if version.status == APPROVED:
        with _cache_lock:
            _cache[key] = compiled
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return compiled


@dataclass
class _Choice:
    price_list: PriceList
    version: PriceListVersion
    score: int


def _scope_check(
    session: Session, principal: Principal, channel_id: uuid.UUID, partner_id: uuid.UUID | None
) -> tuple[SalesChannel, Partner | None]:
    partners = restricted_partners(session, principal=principal)
    channel = session.get(SalesChannel, channel_id)
    if channel is None or (
        partners is not None and channel_id not in restricted_channels(session, partners)
    ):
        raise NotFound(f"Sales channel {channel_id} does not exist")
    if partner_id is None:
        return channel, None
    partner = session.get(Partner, partner_id)
    if (
        partner is None
        or partner.channel_id != channel_id
        or (partners is not None and partner_id not in partners)
    ):
        raise NotFound(f"Partner {partner_id} does not exist in sales channel {channel_id}")
    return channel, partner


def resolve_prices(
    session: Session,
    *,
    principal: Principal,
    channel_id: uuid.UUID,
    offering_ids: Sequence[uuid.UUID],
    at: datetime,
    partner_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    premise_id: uuid.UUID | None = None,
    quantity: int = 1,
) -> list[PriceResolution]:
    """The final price of each offering for a sale, with a breakdown (see module docs)."""
    authorize(principal, Family.SELLING, "read")
    require_aware(at, location="date")
    if (
        partner_id is None
        and principal.partner_id is not None
        and Role.PARTNER_USER in principal.roles
    ):
        partner_id = principal.partner_id
    errors: list[ErrorDetail] = []
    if not offering_ids:
        errors.append(ErrorDetail("productOffering", "give at least one offering"))
    if len(offering_ids) > MAX_OFFERINGS:
        errors.append(ErrorDetail("productOffering", f"at most {MAX_OFFERINGS} offerings at once"))
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or not 1 <= quantity <= MAX_QUANTITY
    ):
        errors.append(ErrorDetail("quantity", f"expected a whole number from 1 to {MAX_QUANTITY}"))
    if errors:
        raise InvalidInput("Invalid price resolution", errors)
    _channel, partner = _scope_check(session, principal, channel_id, partner_id)
    customer = session.get(Customer, customer_id) if customer_id is not None else None
    if customer is not None and not _may_sell_to(session, principal, customer_id):
        # A partner user prices only its partners' customers; another's reads as unknown.
        customer = None
    if customer_id is not None and customer is None:
        errors.append(ErrorDetail("customer.id", f"no customer with id {customer_id}"))
    premise = session.get(Premise, premise_id) if premise_id is not None else None
    if premise_id is not None and premise is None:
        errors.append(ErrorDetail("premise.id", f"no premise with id {premise_id}"))
    unique_ids = list(dict.fromkeys(offering_ids))
    offerings = {
        o.id: o
        for o in session.scalars(select(ProductOffering).where(ProductOffering.id.in_(unique_ids)))
    }
    for index, offering_id in enumerate(offering_ids):
        if offering_id not in offerings:
            errors.append(
                ErrorDetail(f"productOffering[{index}].id", f"no product offering {offering_id}")
            )
    if errors:
        raise InvalidInput("Invalid price resolution", errors)
    sale = build_sale_context(
        session,
        principal=principal,
        channel_id=channel_id,
        customer_id=customer_id,
        premise_id=premise_id,
        partner_id=partner_id,
        at=at,
        quantity=quantity,
    )
    region_id = (premise.region_id if premise is not None else None) or (
        customer.region_id if customer is not None else None
    )
    choices = _versions_in_force(
        session,
        channel_id=channel_id,
        tier=partner.tier if partner is not None else None,
        segment=customer.segment if customer is not None else None,
        region_id=region_id,
        at=at,
    )
    bundles = [o.id for o in offerings.values() if o.is_bundle]
    parts: dict[uuid.UUID, list[tuple[uuid.UUID, int]]] = {}
    if bundles:
        for bundle_id, component_id, count in session.execute(
            select(
                ProductOfferingBundleItem.bundle_id,
                ProductOfferingBundleItem.component_id,
                ProductOfferingBundleItem.number_default,
            )
            .where(ProductOfferingBundleItem.bundle_id.in_(bundles))
            .order_by(ProductOfferingBundleItem.position)
        ):
            parts.setdefault(bundle_id, []).append((component_id, count))
    component_ids = {c for found in parts.values() for c, _ in found} - set(offerings)
    if component_ids:
        offerings |= {
            o.id: o
            for o in session.scalars(
                select(ProductOffering).where(ProductOffering.id.in_(component_ids))
            )
        }
    entries: dict[tuple[uuid.UUID, uuid.UUID], PriceListEntry] = {}
    if choices:
        for entry in session.scalars(
            select(PriceListEntry).where(
                PriceListEntry.version_id.in_([c.version.id for c in choices]),
                PriceListEntry.product_offering_id.in_(list(offerings)),
            )
        ):
            entries[(entry.version_id, entry.product_offering_id)] = entry
    catalogue = list_prices(session, offering_ids=list(offerings), at=at)
    rails = guard_rails_in_force(session, channel_id, unique_ids, at)
    facts = load_offering_facts(session, unique_ids)
    results = []
    for offering_id in unique_ids:
        offering = offerings[offering_id]
        chosen = next((c for c in choices if (c.version.id, offering_id) in entries), None)
        source: PriceSource
        rules_from: _Choice | None
        components: list[BundlePart] = []
        cost: Decimal | None = None
        if chosen is not None:
            entry = entries[(chosen.version.id, offering_id)]
            currency = chosen.price_list.currency
            base = {
                Charge.RECURRING: entry.recurring_amount,
                Charge.ONE_TIME: entry.one_time_amount,
            }
            cost, source, rules_from = entry.unit_cost, "priceList", chosen
        else:
            listed = catalogue[offering_id]
            currency = _currency(listed, offering.currency)
            base = {
                Charge.RECURRING: listed.recurring.amount if listed.recurring else None,
                Charge.ONE_TIME: listed.one_time.amount if listed.one_time else None,
            }
            source = "catalogue"
            if (
                offering.is_bundle
                and base[Charge.RECURRING] is None
                and base[Charge.ONE_TIME] is None
            ):
                base, cost, components, currency = _sum_components(
                    parts.get(offering_id, []), offerings, choices, entries, catalogue, currency
                )
                source = "components"
            rules_from = next((c for c in choices if c.price_list.currency == currency), None)
        rail = rails.get(offering_id) or rails.get(None)
        item = PricingInput(
            offering_id=offering_id,
            family_id=offering.family_id,
            base=base,
            at=at,
            context=sale.for_offering(facts[offering_id]),
            unit_cost=cost,
            guard_rail=to_engine(rail, currency) if rail is not None else None,
        )
        rule_set = (
            compiled_rules(session, rules_from.version) if rules_from is not None else RuleSet()
        )
        resolution = resolve(item, rule_set)
        charges = []
        for result in resolution.charges:
            unit = Money(result.price, currency)
            charges.append(
                ChargeBreakdown(
                    charge=result.charge,
                    base=Money(result.base, currency),
                    unit_price=unit.rounded(),
                    total=(unit * quantity).rounded(),
                    exact_unit_price=result.price,
                    alterations=result.alterations,
                    not_applied=result.not_applied,
                )
            )
        results.append(
            PriceResolution(
                offering_id=offering_id,
                offering_code=offering.code,
                offering_name=offering.name,
                is_bundle=offering.is_bundle,
                currency=currency,
                quantity=quantity,
                at=at,
                source=source,
                charges=tuple(charges),
                not_applied=resolution.not_applied,
                price_list_id=chosen.price_list.id if chosen is not None else None,
                price_list_name=chosen.price_list.name if chosen is not None else None,
                version_id=chosen.version.id if chosen is not None else None,
                version_number=chosen.version.number if chosen is not None else None,
                rules_from_version_id=rules_from.version.id if rules_from is not None else None,
                guard_rail_id=rail.id if rail is not None else None,
                components=tuple(components),
            )
        )
    return results


def _currency(listed: Any, fallback: str) -> str:
    for money in (listed.recurring, listed.one_time):
        if money is not None:
            return str(money.currency)
    return fallback


def _sum_components(
    parts: list[tuple[uuid.UUID, int]],
    offerings: dict[uuid.UUID, ProductOffering],
    choices: list[_Choice],
    entries: dict[tuple[uuid.UUID, uuid.UUID], PriceListEntry],
    catalogue: dict[uuid.UUID, Any],
    currency: str,
) -> tuple[dict[Charge, Decimal | None], Decimal | None, list[BundlePart], str]:
    totals: dict[Charge, Decimal | None] = {Charge.RECURRING: None, Charge.ONE_TIME: None}
    cost: Decimal | None = Decimal(0)
    found: list[BundlePart] = []
    for component_id, count in parts:
        chosen = next((c for c in choices if (c.version.id, component_id) in entries), None)
        if chosen is not None:
            entry = entries[(chosen.version.id, component_id)]
            currency = chosen.price_list.currency
            recurring, one_time, unit_cost = (
                entry.recurring_amount,
                entry.one_time_amount,
                entry.unit_cost,
            )
        else:
            listed = catalogue[component_id]
            recurring = listed.recurring.amount if listed.recurring else None
            one_time = listed.one_time.amount if listed.one_time else None
            unit_cost = None
        for charge, amount in ((Charge.RECURRING, recurring), (Charge.ONE_TIME, one_time)):
            if amount is not None:
                totals[charge] = (totals[charge] or Decimal(0)) + amount * count
        cost = None if cost is None or unit_cost is None else cost + unit_cost * count
        found.append(
            BundlePart(
                offering_id=component_id,
                code=offerings[component_id].code,
                count=count,
                recurring=Money(recurring * count, currency) if recurring is not None else None,
                one_time=Money(one_time * count, currency) if one_time is not None else None,
            )
        )
    return totals, (cost if parts else None), found, currency


def _versions_in_force(
    session: Session,
    *,
    channel_id: uuid.UUID,
    tier: str | None,
    segment: str | None,
    region_id: uuid.UUID | None,
    at: datetime,
) -> list[_Choice]:
    """The approved versions in force of every matching list, most specific first."""
    pl, v = PriceList, PriceListVersion
    statement = (
        select(pl, v)
        .join(v, v.price_list_id == pl.id)
        .where(
            pl.channel_id == channel_id,
            pl.partner_tier.is_(None)
            if tier is None
            else or_(pl.partner_tier.is_(None), pl.partner_tier == tier),
            pl.market_segment.is_(None)
            if segment is None
            else or_(pl.market_segment.is_(None), pl.market_segment == segment),
            pl.region_id.is_(None)
            if region_id is None
            else or_(pl.region_id.is_(None), pl.region_id == region_id),
            v.status == APPROVED,
            v.valid_from <= at,
            or_(v.valid_to.is_(None), v.valid_to > at),
        )
    )
    choices = [
        _Choice(
            row[0],
            row[1],
            (4 if row[0].partner_tier else 0)
            + (2 if row[0].market_segment else 0)
            + (1 if row[0].region_id else 0),
        )
        for row in session.execute(statement)
    ]
    choices.sort(key=lambda c: (-c.score, c.price_list.name))
    return choices


def _may_sell_to(session: Session, principal: Principal, customer_id: uuid.UUID | None) -> bool:
    try:
        require_customer_in_scope(session, principal=principal, customer_id=customer_id)
    except NotFound:
        return False
    return True
