"""Price resolution through the database: which list, which rules, guard-rails, bundles."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.core.money import Money
from salesdev.domains.pricing import (
    EntryInput,
    GuardRailInput,
    PriceResolution,
    compiled_rules,
    create_guard_rail,
    create_rule,
    resolve_prices,
    rule_cache_info,
)
from salesdev.engine.pricing import Charge
from tests.integration.pricing.world import (
    CARLA,
    FROM,
    REP,
    SALE,
    T,
    World,
    approve,
    draft,
    price_list,
    world,
)

EUR = "EUR"


@pytest.fixture
def w(session: Session) -> World:
    return world(session)


def _rule(session: Session, version: Any, name: str, value: str, **kw: Any) -> None:
    values = {
        "name": name,
        "kind": "discount",
        "method": "percentage",
        "value": value,
        "appliesTo": "recurring",
        "target": "all",
        "stacking": "stackable",
        **kw,
    }
    create_rule(session, principal=CARLA, version_id=version.id, values=values, now=T)


def _resolve(session: Session, w: World, *offerings: Any, **kw: Any) -> list[PriceResolution]:
    return resolve_prices(
        session,
        principal=REP,
        channel_id=w.channel.id,
        offering_ids=[o.id for o in offerings],
        at=SALE,
        **kw,
    )


def _recurring(resolution: PriceResolution) -> Any:
    charge = resolution.charge(Charge.RECURRING)
    assert charge is not None
    return charge


def test_without_a_price_list_the_catalogue_price_is_used(session: Session, w: World) -> None:
    [fibre] = _resolve(session, w, w.fibre)
    assert fibre.source == "catalogue"
    assert [(c.charge, c.unit_price, c.total) for c in fibre.charges] == [
        (Charge.RECURRING, Money(Decimal("40.00"), EUR), Money(Decimal("40.00"), EUR)),
        (Charge.ONE_TIME, Money(Decimal("50.00"), EUR), Money(Decimal("50.00"), EUR)),
    ]


def test_the_most_specific_list_with_an_entry_wins(session: Session, w: World) -> None:
    approve(
        session,
        draft(
            session,
            price_list(session, w, "Any"),
            [EntryInput("F100", recurring="38.00"), EntryInput("TV1", recurring="14.00")],
        ),
    )
    approve(
        session,
        draft(
            session,
            price_list(session, w, "Silver", partner_tier="silver"),
            [EntryInput("F100", recurring="36.00")],
        ),
    )
    approve(
        session,
        draft(
            session,
            price_list(
                session, w, "Consumer North", market_segment="consumer", region_id=w.region.id
            ),
            [EntryInput("F100", recurring="37.00")],
        ),
    )
    fibre, tv = _resolve(
        session, w, w.fibre, w.tv, partner_id=w.partner.id, customer_id=w.customer.id
    )
    assert (fibre.price_list_name, _recurring(fibre).unit_price.amount) == (
        "Silver",
        Decimal("36.00"),
    )
    assert (tv.price_list_name, _recurring(tv).unit_price.amount) == ("Any", Decimal("14.00"))
    [without_partner] = _resolve(session, w, w.fibre, customer_id=w.customer.id)
    assert without_partner.price_list_name == "Consumer North"
    [outside] = resolve_prices(
        session, principal=REP, channel_id=w.channel.id, offering_ids=[w.fibre.id], at=T
    )
    assert outside.source == "catalogue"  # no version in force before 2027


def test_each_stacking_policy_gives_an_exact_breakdown(session: Session, w: World) -> None:
    version = draft(
        session, price_list(session, w), [EntryInput("F100", recurring="40.00", one_time="50.00")]
    )
    _rule(session, version, "Loyalty", "10", priority=5)
    _rule(session, version, "Web", "5", priority=1)
    _rule(session, version, "Summer", "8.00", method="amount", stacking="best", priority=3)
    _rule(session, version, "Launch", "15", stacking="best", priority=4)
    _rule(
        session,
        version,
        "Enterprise",
        "30",
        stacking="exclusive",
        priority=9,
        condition={"attribute": "customer.segment", "op": "eq", "value": "enterprise"},
    )
    _rule(session, version, "Setup waived", "100", appliesTo="oneTime", stacking="exclusive")
    approve(session, version)
    [fibre] = _resolve(session, w, w.fibre, customer_id=w.customer.id, quantity=2)
    recurring = _recurring(fibre)
    # 40 - 10% (4) - 8.00 (best: beats 15% = 6) - 5% (2) = 26.00; times 2 = 52.00
    assert [(a.name, a.amount) for a in recurring.alterations] == [
        ("Loyalty", Decimal("-4.0000")),
        ("Summer", Decimal("-8.0000")),
        ("Web", Decimal("-2.0000")),
    ]
    assert (recurring.unit_price.amount, recurring.total.amount) == (
        Decimal("26.00"),
        Decimal("52.00"),
    )
    assert [(n.name, n.reason, n.detail) for n in recurring.not_applied] == [
        ("Launch", "best", "best for the customer is 'Summer' (32.00 vs 34.00 alone)")
    ]
    assert [(n.name, n.reason, n.detail) for n in fibre.not_applied] == [
        (
            "Enterprise",
            "condition",
            "condition failed: customer segment is enterprise (it is consumer)",
        )
    ]
    one_time = fibre.charge(Charge.ONE_TIME)
    assert one_time is not None
    assert (one_time.unit_price.amount, [a.name for a in one_time.alterations]) == (
        Decimal("0.00"),
        ["Setup waived"],
    )


def test_guard_rails_cap_a_combination_and_say_so(session: Session, w: World) -> None:
    create_guard_rail(
        session,
        principal=CARLA,
        values=GuardRailInput(channel_id=w.channel.id, valid_from=FROM, max_discount_percent="20"),
        now=T,
    )
    version = draft(session, price_list(session, w), [EntryInput("F100", recurring="40.00")])
    _rule(session, version, "A", "15")
    _rule(session, version, "B", "15")
    approve(session, version)
    [fibre] = _resolve(session, w, w.fibre)
    recurring = _recurring(fibre)
    assert recurring.unit_price.amount == Decimal("32.00")
    assert [(a.kind, a.amount, a.reason) for a in recurring.alterations][-1] == (
        "guardRail",
        Decimal("4.0000"),
        "discount capped: maximum total discount 20%",
    )


def test_a_bundle_without_its_own_price_is_the_sum_of_its_components(
    session: Session, w: World
) -> None:
    approve(
        session,
        draft(
            session, price_list(session, w), [EntryInput("F100", recurring="36.00", unit_cost="20")]
        ),
    )
    [bundle] = _resolve(session, w, w.bundle)
    assert bundle.source == "components"
    assert [(p.code, p.count, p.recurring) for p in bundle.components] == [
        ("F100", 1, Money(Decimal("36.0000"), EUR)),
        ("TV1", 1, Money(Decimal("15.0000"), EUR)),
    ]
    assert _recurring(bundle).unit_price.amount == Decimal("51.00")


def test_compiled_rules_are_cached_per_approved_version(session: Session, w: World) -> None:
    version = approve(
        session, draft(session, price_list(session, w), [EntryInput("F100", recurring="36.00")])
    )
    first = compiled_rules(session, version)
    hits = rule_cache_info()["hits"]
    assert compiled_rules(session, version) is first
    assert rule_cache_info()["hits"] == hits + 1


def test_unknown_offering_channel_or_customer_is_a_clear_error(session: Session, w: World) -> None:
    missing = uuid.uuid4()
    with pytest.raises(InvalidInput) as refused:
        resolve_prices(
            session,
            principal=REP,
            channel_id=w.channel.id,
            offering_ids=[w.fibre.id, missing],
            customer_id=missing,
            at=SALE,
            quantity=0,
        )
    assert refused.value.details == [
        ErrorDetail("quantity", "expected a whole number from 1 to 100000"),
    ]
    with pytest.raises(InvalidInput) as refused:
        resolve_prices(
            session,
            principal=REP,
            channel_id=w.channel.id,
            offering_ids=[w.fibre.id, missing],
            customer_id=missing,
            at=SALE,
        )
    assert refused.value.details == [
        ErrorDetail("customer.id", f"no customer with id {missing}"),
        ErrorDetail("productOffering[1].id", f"no product offering {missing}"),
    ]
    with pytest.raises(NotFound):
        resolve_prices(
            session, principal=REP, channel_id=missing, offering_ids=[w.fibre.id], at=SALE
        )
