"""What guided selling takes from the other selling capabilities, in its own terms.

Qualification (``domains.qualification``), the sale context of the rules language
(``domains.rules``) and price resolution (``domains.pricing``) are called here and only
here, so the rest of ``domains.guidance`` depends on these small shapes alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.db.models import ProductFamily
from salesdev.db.models.pricing import PriceListEntry
from salesdev.domains.access import Principal
from salesdev.domains.guidance.strategies import OfferPrice, PriceStep
from salesdev.domains.pricing import PriceResolution, resolve_prices
from salesdev.domains.qualification import qualify_offerings
from salesdev.domains.rules import build_sale_context, load_offering_facts
from salesdev.engine.pricing import Charge


@dataclass(frozen=True)
class Outcome:
    offering_id: uuid.UUID
    code: str
    name: str
    family_id: uuid.UUID | None
    family_code: str
    qualified: bool
    reasons: tuple[tuple[str, str], ...]  # (code, label with the failing clauses)


def qualify(
    session: Session,
    *,
    principal: Principal,
    channel_id: uuid.UUID,
    at: datetime,
    customer_id: uuid.UUID,
    premise_id: uuid.UUID | None,
    partner_id: uuid.UUID | None,
) -> list[Outcome]:
    """The channel's whole catalogue qualified for the customer (and premise)."""
    outcomes = qualify_offerings(
        session,
        principal=principal,
        channel_id=channel_id,
        at=at,
        customer_id=customer_id,
        premise_id=premise_id,
        partner_id=partner_id,
    )
    # Families are few: one small read instead of a lookup per offering.
    families = family_ids(session, sorted({o.family_code for o in outcomes}))
    result = []
    for outcome in outcomes:
        reasons = []
        for reason in outcome.reasons:
            clauses = tuple(getattr(reason, "clauses", ()) or ())
            label = reason.label + (f" ({'; '.join(clauses)})" if clauses else "")
            reasons.append((reason.code, label))
        result.append(
            Outcome(
                offering_id=outcome.offering_id,
                code=outcome.code,
                name=outcome.name,
                family_id=families.get(outcome.family_code),
                family_code=outcome.family_code,
                qualified=outcome.qualified,
                reasons=tuple(reasons),
            )
        )
    return result


class SaleContext:
    """The base context of the sale and, per offering, the context with ``offering.*``."""

    def __init__(self, context: Any, facts: Mapping[uuid.UUID, Any]) -> None:
        self._context = context
        self._facts = facts
        self.base: Mapping[str, object] = context.base

    def for_offering(self, offering_id: uuid.UUID) -> Mapping[str, object]:
        facts = self._facts.get(offering_id)
        if facts is None:
            return self.base
        context: Mapping[str, object] = self._context.for_offering(facts)
        return context


def sale_context(
    session: Session,
    *,
    principal: Principal,
    channel_id: uuid.UUID,
    customer_id: uuid.UUID,
    premise_id: uuid.UUID | None,
    partner_id: uuid.UUID | None,
    at: datetime,
    offering_ids: Sequence[uuid.UUID],
) -> SaleContext:
    context = build_sale_context(
        session,
        principal=principal,
        channel_id=channel_id,
        customer_id=customer_id,
        premise_id=premise_id,
        partner_id=partner_id,
        at=at,
    )
    facts = load_offering_facts(session, list(offering_ids)) if offering_ids else {}
    return SaleContext(context, facts)


def family_ids(session: Session, codes: Sequence[str]) -> dict[str, uuid.UUID]:
    if not codes:
        return {}
    return dict(
        session.execute(
            select(ProductFamily.code, ProductFamily.id).where(ProductFamily.code.in_(codes))
        ).all()
    )


# resolve_prices takes at most this many offerings at once.
_PRICE_BATCH = 200


def prices(
    session: Session,
    *,
    principal: Principal,
    channel_id: uuid.UUID,
    offering_ids: Sequence[uuid.UUID],
    at: datetime,
    partner_id: uuid.UUID | None,
    customer_id: uuid.UUID,
    premise_id: uuid.UUID | None,
) -> dict[uuid.UUID, OfferPrice]:
    """The price of each offering for this sale (quantity 1), with its unit cost."""
    resolutions: list[PriceResolution] = []
    ids = list(offering_ids)
    for start in range(0, len(ids), _PRICE_BATCH):
        resolutions += resolve_prices(
            session,
            principal=principal,
            channel_id=channel_id,
            offering_ids=ids[start : start + _PRICE_BATCH],
            at=at,
            partner_id=partner_id,
            customer_id=customer_id,
            premise_id=premise_id,
        )
    costs = _unit_costs(session, resolutions)
    return {r.offering_id: _offer_price(r, costs.get(r.offering_id)) for r in resolutions}


def _unit_costs(
    session: Session, resolutions: Sequence[PriceResolution]
) -> dict[uuid.UUID, Decimal]:
    """Unit costs from the price-list entries the prices came from."""
    wanted = {(r.version_id, r.offering_id) for r in resolutions if r.version_id is not None}
    if not wanted:
        return {}
    entry = PriceListEntry
    rows = session.execute(
        select(entry.version_id, entry.product_offering_id, entry.unit_cost).where(
            entry.version_id.in_({v for v, _ in wanted}),
            entry.product_offering_id.in_({o for _, o in wanted}),
            entry.unit_cost.is_not(None),
        )
    ).all()
    return {
        offering: cost
        for version, offering, cost in rows
        if cost is not None and (version, offering) in wanted
    }


def _offer_price(resolution: PriceResolution, unit_cost: Decimal | None) -> OfferPrice:
    recurring = resolution.charge(Charge.RECURRING)
    one_time = resolution.charge(Charge.ONE_TIME)
    steps = tuple(
        PriceStep(
            name=alteration.name,
            description=alteration.reason,
            amount=alteration.amount,
            price_type=str(breakdown.charge),
        )
        for breakdown in resolution.charges
        for alteration in breakdown.alterations
    )
    if resolution.source == "priceList" and resolution.price_list_name:
        source = f"{resolution.price_list_name} v{resolution.version_number}"
    else:
        source = {"catalogue": "catalogue list price", "components": "sum of components"}.get(
            resolution.source, resolution.source
        )
    return OfferPrice(
        currency=resolution.currency,
        list_recurring=recurring.base.amount if recurring else Decimal(0),
        list_one_time=one_time.base.amount if one_time else Decimal(0),
        final_recurring=recurring.unit_price.amount if recurring else Decimal(0),
        final_one_time=one_time.unit_price.amount if one_time else Decimal(0),
        steps=steps,
        unit_cost=unit_cost,
        source=source,
    )
