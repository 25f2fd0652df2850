"""The demo's price lists: approved by a second demo user, and priced with their rules."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.db.models.pricing import PriceListVersion
from salesdev.demo.pricing import load_demo_pricing
from salesdev.domains.pricing import resolve_prices
from salesdev.engine.pricing import Charge
from tests.integration.authorisation import builders as b
from tests.integration.pricing.world import FROM, REP, SALE, T


def test_demo_pricing_is_approved_and_prices_fibre_for_a_newcomer(session: Session) -> None:
    online = b.channel(session, "ONLINE")
    b.channel(session, "FRANCHISE")
    fibre = b.family(session, "FIBRE")
    b.family(session, "DEVICE", "devices")
    offering = b.offering(session, "FB-300", fibre.id, recurring="44.99", one_time="69.00")

    assert load_demo_pricing(session, valid_from=FROM, now=T) == 3

    versions = session.scalars(select(PriceListVersion)).all()
    assert {(v.status, v.author, v.decided_by) for v in versions} == {
        ("approved", "system:demo-pricing-author", "system:demo-pricing-approver")
    }
    [price] = resolve_prices(
        session, principal=REP, channel_id=online.id, offering_ids=[offering.id], at=SALE
    )
    recurring = price.charge(Charge.RECURRING)
    assert recurring is not None
    # 5% under 44.99 = 42.74; "Switch to fibre" 10% (4.274) beats 3.00 off: 38.466 -> 38.47
    assert [a.name for a in recurring.alterations] == ["Switch to fibre"]
    assert recurring.unit_price.amount == Decimal("38.47")
