"""Demo channel pricing: price lists, approved versions, promotions and guard-rails.

Written through the pricing services (validated, guard-railed and audited), in force from
the start of the demo's event window, open-ended:

- ``ONLINE``: every catalogue offering at 5% under its list price (rounded to the cent),
  a unit cost of 55% of the list price; rules: fibre 10% off for customers with no fibre
  at home yet or 3.00 off (best for the customer), 20% off the set-up charge for enterprise
  customers (exclusive), 3% off devices from 5 units.
- ``FRANCHISE``: the list prices, and a gold-tier list 3% under them with a stackable
  loyalty discount for customers of 24 months or more.
- Guard-rails on both channels: at most 25% total discount and a 15% minimum margin.

Each version is written by one demo user and approved by another (four eyes).
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.db.models import ProductOffering, SalesChannel
from salesdev.domains.access import Principal, Role
from salesdev.domains.catalog import list_prices
from salesdev.domains.pricing import (
    EntryInput,
    GuardRailInput,
    PriceListInput,
    create_guard_rail,
    create_price_list,
    create_rule,
    create_version,
    set_entries,
    transition_version,
)

AUTHOR = Principal(kind="system", name="demo-pricing-author", roles=frozenset({Role.ADMIN}))
APPROVER = Principal(kind="system", name="demo-pricing-approver", roles=frozenset({Role.ADMIN}))
CENT = Decimal("0.01")


def _rule(name: str, kind: str, method: str, value: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "kind": kind,
        "method": method,
        "value": value,
        "appliesTo": extra.pop("appliesTo", "recurring"),
        "target": extra.pop("target", "all"),
        "stacking": extra.pop("stacking", "stackable"),
        **extra,
    }


ONLINE_RULES = (
    _rule(
        "Switch to fibre",
        "discount",
        "percentage",
        "10",
        target="family",
        family="FIBRE",
        stacking="best",
        priority=5,
        description="10% off fibre for customers with no fibre at home yet.",
        condition={
            "not": {"attribute": "customer.product_families", "op": "contains", "value": "FIBRE"}
        },
    ),
    _rule(
        "Web exclusive fibre",
        "discount",
        "amount",
        "3.00",
        target="family",
        family="FIBRE",
        stacking="best",
        priority=4,
        description="3.00 off fibre online; the customer gets the better of the two offers.",
    ),
    _rule(
        "Enterprise set-up",
        "discount",
        "percentage",
        "20",
        appliesTo="oneTime",
        stacking="exclusive",
        priority=9,
        condition={"attribute": "customer.segment", "op": "in", "value": ["enterprise"]},
    ),
    _rule(
        "Volume",
        "discount",
        "percentage",
        "3",
        target="family",
        family="DEVICE",
        appliesTo="oneTime",
        condition={"attribute": "sale.quantity", "op": "ge", "value": 5},
    ),
)
LOYALTY = _rule(
    "Loyalty 24 months",
    "discount",
    "percentage",
    "5",
    priority=2,
    condition={"attribute": "customer.tenure_months", "op": "ge", "value": 24},
)


def _entries(
    session: Session, valid_from: datetime, factor: Decimal, cost: Decimal
) -> list[EntryInput]:
    offerings = list(session.execute(select(ProductOffering.id, ProductOffering.code)).all())
    prices = list_prices(session, offering_ids=[row[0] for row in offerings], at=valid_from)
    found = []
    for offering_id, code in offerings:
        listed = prices[offering_id]
        if listed.recurring is None and listed.one_time is None:
            continue  # a bundle priced by its components
        recurring = listed.recurring.amount if listed.recurring else None
        one_time = listed.one_time.amount if listed.one_time else None
        basis = recurring if recurring is not None else one_time
        assert basis is not None
        found.append(
            EntryInput(
                code,
                None
                if recurring is None
                else str((recurring * factor).quantize(CENT, ROUND_HALF_UP)),
                None
                if one_time is None
                else str((one_time * factor).quantize(CENT, ROUND_HALF_UP)),
                str((basis * cost).quantize(CENT, ROUND_HALF_UP)),
            )
        )
    return found


def _approved_list(
    session: Session,
    *,
    channel_id: Any,
    name: str,
    valid_from: datetime,
    now: datetime,
    entries: list[EntryInput],
    rules: tuple[dict[str, Any], ...],
    tier: str | None = None,
) -> int:
    price_list = create_price_list(
        session,
        principal=AUTHOR,
        values=PriceListInput(name=name, channel_id=channel_id, currency="EUR", partner_tier=tier),
        now=now,
    )
    version = create_version(
        session, principal=AUTHOR, price_list_id=price_list.id, valid_from=valid_from, now=now
    )
    set_entries(session, principal=AUTHOR, version_id=version.id, entries=entries, now=now)
    for rule in rules:
        create_rule(session, principal=AUTHOR, version_id=version.id, values=rule, now=now)
    transition_version(session, principal=AUTHOR, version_id=version.id, action="submit", now=now)
    transition_version(
        session, principal=APPROVER, version_id=version.id, action="approve", now=now
    )
    return len(entries)


def load_demo_pricing(session: Session, *, valid_from: datetime, now: datetime) -> int:
    """The demo's price lists, rules and guard-rails; returns the number of price lists."""
    channels = dict(session.execute(select(SalesChannel.code, SalesChannel.id)).all())
    wanted = [code for code in ("ONLINE", "FRANCHISE") if code in channels]
    for code in wanted:
        create_guard_rail(
            session,
            principal=AUTHOR,
            values=GuardRailInput(
                channel_id=channels[code],
                valid_from=valid_from,
                max_discount_percent="25",
                min_margin_percent="15",
                comment="Demo: no deeper than 25% off, 15% margin at least",
            ),
            now=now,
        )
    lists = 0
    if "ONLINE" in channels:
        _approved_list(
            session,
            channel_id=channels["ONLINE"],
            name="Online self-service",
            valid_from=valid_from,
            now=now,
            entries=_entries(session, valid_from, Decimal("0.95"), Decimal("0.55")),
            rules=ONLINE_RULES,
        )
        lists += 1
    if "FRANCHISE" in channels:
        _approved_list(
            session,
            channel_id=channels["FRANCHISE"],
            name="Franchise dealers",
            valid_from=valid_from,
            now=now,
            entries=_entries(session, valid_from, Decimal(1), Decimal("0.55")),
            rules=(LOYALTY,),
        )
        _approved_list(
            session,
            channel_id=channels["FRANCHISE"],
            name="Franchise dealers, gold tier",
            valid_from=valid_from,
            now=now,
            entries=_entries(session, valid_from, Decimal("0.97"), Decimal("0.55")),
            rules=(LOYALTY,),
            tier="gold",
        )
        lists += 2
    return lists
