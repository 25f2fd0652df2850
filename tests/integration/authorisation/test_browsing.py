"""Offer catalogue browsing: what a channel, or a partner in it, may sell at an instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from salesdev.core.errors import NotFound
from salesdev.core.money import Money
from salesdev.domains.access import Role
from salesdev.domains.authorisation import (
    BundleComponent,
    authorise_offering,
    sellable_offerings,
    withdraw_authorisation,
)
from tests.integration.authorisation import builders as b

JAN = datetime(2026, 1, 1, tzinfo=UTC)
MAR = datetime(2026, 3, 1, tzinfo=UTC)
NOW = datetime(2025, 12, 15, tzinfo=UTC)
TICK = timedelta(microseconds=1)
MANAGER = b.user("carla")


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    dealers = b.channel(session, "DEALERS")
    fibre = b.family(session, "FIBRE")
    mobile = b.family(session, "MOBILE", "mobile")
    world = {
        "channel": dealers,
        "acme": b.partner(session, "ACME", dealers.id),
        "rival": b.partner(session, "RIVAL", dealers.id),
        "fibre": b.offering(session, "FIBRE-1G", fibre.id, recurring="39.99", one_time="49"),
        "mobile": b.offering(session, "MOB-10", mobile.id, recurring="15.5"),
        "router": b.offering(session, "ROUTER", fibre.id, one_time="99.9"),
        "duo": b.offering(session, "DUO", fibre.id, recurring="49.99", is_bundle=True),
    }
    b.bundle_item(session, world["duo"].id, world["mobile"].id, 2)
    b.bundle_item(session, world["duo"].id, world["fibre"].id, 1)
    return world


def _authorise(
    session: Session,
    world: dict[str, Any],
    offering: str,
    partner: str | None = None,
    **values: Any,
) -> Any:
    return authorise_offering(
        session,
        principal=MANAGER,
        channel_id=world["channel"].id,
        product_offering_id=world[offering].id,
        partner_id=world[partner].id if partner else None,
        now=NOW,
        **values,
    )


def _codes(
    session: Session, world: dict[str, Any], at: datetime, partner: str | None = None
) -> list[str]:
    return [
        o.code
        for o in sellable_offerings(
            session,
            principal=MANAGER,
            channel_id=world["channel"].id,
            partner_id=world[partner].id if partner else None,
            at=at,
        ).items
    ]


def test_valid_from_is_inclusive_and_valid_to_exclusive(
    session: Session, world: dict[str, Any]
) -> None:
    # given the channel may sell fibre from January (inclusive) to March (exclusive)
    _authorise(session, world, "fibre", valid_from=JAN, valid_to=MAR)
    # then it is sellable from the first instant of January to the last instant before March
    assert _codes(session, world, JAN - TICK) == []
    assert _codes(session, world, JAN) == ["FIBRE-1G"]
    assert _codes(session, world, MAR - TICK) == ["FIBRE-1G"]
    assert _codes(session, world, MAR) == []


def test_a_partner_sees_its_own_rows_plus_the_channel_wide_rows(
    session: Session, world: dict[str, Any]
) -> None:
    # given fibre for the whole channel, the router for ACME only, mobile for RIVAL only
    _authorise(session, world, "fibre", valid_from=JAN)
    _authorise(session, world, "router", "acme", valid_from=JAN)
    _authorise(session, world, "mobile", "rival", valid_from=JAN)
    # then the channel alone sells fibre; each partner adds its own offerings
    assert _codes(session, world, JAN) == ["FIBRE-1G"]
    assert _codes(session, world, JAN, "acme") == ["FIBRE-1G", "ROUTER"]
    assert _codes(session, world, JAN, "rival") == ["FIBRE-1G", "MOB-10"]


def test_the_partner_row_is_shown_when_both_authorise_the_same_offering(
    session: Session, world: dict[str, Any]
) -> None:
    _authorise(session, world, "fibre", valid_from=JAN)
    own = _authorise(
        session,
        world,
        "fibre",
        "acme",
        valid_from=JAN,
        prerequisites=[{"type": "certification", "code": "FIBRE-101"}],
    )
    [offering] = sellable_offerings(
        session,
        principal=MANAGER,
        channel_id=world["channel"].id,
        partner_id=world["acme"].id,
        at=JAN,
    ).items
    assert (offering.authorisation_id, offering.partner_id, offering.prerequisites) == (
        own.id,
        world["acme"].id,
        ({"type": "certification", "code": "FIBRE-101"},),
    )


def test_offerings_come_with_list_prices_and_bundle_structure(
    session: Session, world: dict[str, Any]
) -> None:
    # given the bundle DUO (fibre first, then mobile) and the router are authorised
    _authorise(session, world, "duo", valid_from=JAN)
    _authorise(session, world, "router", valid_from=JAN, valid_to=MAR)
    # when the channel's catalogue is browsed
    duo, router = sellable_offerings(
        session, principal=MANAGER, channel_id=world["channel"].id, at=JAN
    ).items
    # then prices are exact money and the bundle lists its components in order
    assert (
        duo.code,
        duo.family_code,
        duo.is_bundle,
        duo.recurring_charge,
        duo.one_time_charge,
    ) == (
        "DUO",
        "FIBRE",
        True,
        Money(Decimal("49.99"), "EUR"),
        Money(Decimal("0"), "EUR"),
    )
    assert duo.components == (
        BundleComponent(
            world["fibre"].id,
            "FIBRE-1G",
            "Offering FIBRE-1G",
            False,
            1,
            Money(Decimal("39.99"), "EUR"),
            Money(Decimal("49"), "EUR"),
        ),
        BundleComponent(
            world["mobile"].id,
            "MOB-10",
            "Offering MOB-10",
            False,
            2,
            Money(Decimal("15.5"), "EUR"),
            Money(Decimal("0"), "EUR"),
        ),
    )
    assert (router.code, router.components, router.authorised_to) == ("ROUTER", (), MAR)
    assert router.one_time_charge == Money(Decimal("99.9"), "EUR")


def test_retired_offerings_and_withdrawn_rows_are_not_sellable(
    session: Session, world: dict[str, Any]
) -> None:
    family = b.family(session, "LEGACY", "broadband")
    retired = b.offering(session, "DSL-OLD", family.id, lifecycle_status="Retired")
    expired = b.offering(session, "PROMO", family.id, valid_to=datetime(2026, 1, 10, tzinfo=UTC))
    world |= {"retired": retired, "expired": expired}
    _authorise(session, world, "retired", valid_from=JAN)
    _authorise(session, world, "expired", valid_from=JAN)
    withdrawn = _authorise(session, world, "fibre", valid_from=JAN)
    withdraw_authorisation(session, principal=MANAGER, authorisation_id=withdrawn.id, now=NOW)
    assert _codes(session, world, JAN) == ["PROMO"]
    assert _codes(session, world, datetime(2026, 1, 10, tzinfo=UTC)) == []


def test_a_partner_of_another_channel_or_out_of_scope_is_not_found(
    session: Session, world: dict[str, Any]
) -> None:
    web = b.channel(session, "WEB")
    shop = b.partner(session, "SHOP", web.id)
    with pytest.raises(NotFound, match=f"Partner {shop.id} does not exist in sales channel"):
        sellable_offerings(
            session, principal=MANAGER, channel_id=world["channel"].id, partner_id=shop.id, at=JAN
        )
    acme_user = b.user("acme-user", Role.PARTNER_USER, partner_id=world["acme"].id)
    with pytest.raises(NotFound):
        sellable_offerings(
            session,
            principal=acme_user,
            channel_id=world["channel"].id,
            partner_id=world["rival"].id,
            at=JAN,
        )
    with pytest.raises(NotFound, match=f"Sales channel {web.id} does not exist"):
        sellable_offerings(session, principal=acme_user, channel_id=web.id, at=JAN)


def test_a_partner_user_browses_its_own_catalogue(session: Session, world: dict[str, Any]) -> None:
    _authorise(session, world, "fibre", valid_from=JAN)
    _authorise(session, world, "router", "acme", valid_from=JAN)
    acme_user = b.user("acme-user", Role.PARTNER_USER, partner_id=world["acme"].id)
    offerings = sellable_offerings(
        session,
        principal=acme_user,
        channel_id=world["channel"].id,
        partner_id=world["acme"].id,
        at=JAN,
    )
    assert [o.code for o in offerings.items] == ["FIBRE-1G", "ROUTER"]


def test_a_page_of_the_catalogue_comes_with_the_total(
    session: Session, world: dict[str, Any]
) -> None:
    # given four offerings sellable by ACME, one of them through two authorisations
    for name in ("fibre", "mobile", "router", "duo"):
        _authorise(session, world, name, valid_from=JAN)
    _authorise(session, world, "mobile", "acme", valid_from=JAN)
    # when the second page of two is asked for
    page = sellable_offerings(
        session,
        principal=MANAGER,
        channel_id=world["channel"].id,
        partner_id=world["acme"].id,
        at=JAN,
        offset=2,
        limit=2,
    )
    # then each offering is counted once, in code order
    assert ([o.code for o in page.items], page.total) == (["MOB-10", "ROUTER"], 4)
    assert page.items[0].partner_id == world["acme"].id
