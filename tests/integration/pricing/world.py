"""A small pricing world: a dealer channel, a partner, offerings (one bundle), a customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from salesdev.db.models import ProductOffering
from salesdev.db.models.pricing import PriceList, PriceListVersion
from salesdev.domains.access import SYSTEM, Principal, Role
from salesdev.domains.pricing import (
    EntryInput,
    PriceListInput,
    create_price_list,
    create_version,
    set_entries,
    transition_version,
)
from salesdev.domains.reference import create_entity
from tests.integration.authorisation import builders as b

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FROM = datetime(2027, 1, 1, tzinfo=UTC)
SALE = datetime(2027, 2, 1, tzinfo=UTC)
CARLA = b.user("carla")  # writes price lists
OMAR = b.user("omar")  # approves them
REP = b.user("rita", Role.SALES_REP)


@dataclass
class World:
    channel: Any
    partner: Any
    family: Any
    fibre: ProductOffering
    tv: ProductOffering
    bundle: ProductOffering
    customer: Any
    region: Any


def world(session: Session) -> World:
    channel = b.channel(session)
    partner = b.partner(session, "ACME", channel.id)
    family = b.family(session, "FIBRE")
    fibre = b.offering(session, "F100", family.id, recurring="40.00", one_time="50.00")
    tv = b.offering(session, "TV1", family.id, recurring="15.00")
    bundle = b.offering(session, "BUNDLE", family.id, is_bundle=True)
    b.bundle_item(session, bundle.id, fibre.id, 0)
    b.bundle_item(session, bundle.id, tv.id, 1)
    region = create_entity(
        session,
        principal=SYSTEM,
        kind="region",
        values={"code": "NORTH", "name": "North"},
        now=b.SETUP,
    )
    customer = create_entity(
        session,
        principal=SYSTEM,
        kind="customer",
        values={
            "code": "C1",
            "name": "Customer One",
            "kind": "customer",
            "segment": "consumer",
            "region_id": region.id,
            "credit_class": "A",
        },
        now=b.SETUP,
    )
    return World(channel, partner, family, fibre, tv, bundle, customer, region)


def price_list(
    session: Session, w: World, name: str = "Dealers", who: Principal = CARLA, **scope: Any
) -> PriceList:
    return create_price_list(
        session,
        principal=who,
        values=PriceListInput(
            **{"name": name, "channel_id": w.channel.id, "currency": "EUR", **scope}
        ),
        now=T,
    )


def draft(
    session: Session,
    pl: PriceList,
    entries: list[EntryInput],
    *,
    start: datetime = FROM,
    end: datetime | None = None,
) -> PriceListVersion:
    version = create_version(
        session, principal=CARLA, price_list_id=pl.id, valid_from=start, valid_to=end, now=T
    )
    if entries:
        set_entries(session, principal=CARLA, version_id=version.id, entries=entries, now=T)
    return version


def approve(session: Session, version: PriceListVersion) -> PriceListVersion:
    transition_version(session, principal=CARLA, version_id=version.id, action="submit", now=T)
    return transition_version(
        session, principal=OMAR, version_id=version.id, action="approve", now=T
    )
