"""A small sale world for the rules tests: a channel with a partner, a customer with a
premise and an installed base, and offerings in two families."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from salesdev.db.models.customers import InstalledProduct
from salesdev.domains.access import SYSTEM
from salesdev.domains.reference import create_entity
from tests.integration.authorisation.builders import SETUP, channel, family, offering, partner


@dataclass
class World:
    channel: Any
    other_channel: Any
    partner: Any
    customer: Any
    prospect: Any
    premise: Any
    fibre: Any
    mobile: Any
    tv: Any
    bundle: Any


def entity(session: Session, entity_kind: str, **values: Any) -> Any:
    return create_entity(session, principal=SYSTEM, kind=entity_kind, values=values, now=SETUP)


def install(
    session: Session,
    customer_id: uuid.UUID,
    offering_id: uuid.UUID,
    valid_from: datetime,
    valid_to: datetime | None = None,
    premise_id: uuid.UUID | None = None,
) -> None:
    session.add(
        InstalledProduct(
            customer_id=customer_id,
            product_offering_id=offering_id,
            premise_id=premise_id,
            valid_from=valid_from,
            valid_to=valid_to,
            created_at=SETUP,
            updated_at=SETUP,
        )
    )
    session.flush()


def build_world(session: Session) -> World:
    north = entity(session, "region", code="NORTH", name="North")
    south = entity(session, "region", code="SOUTH", name="South")
    shops = channel(session, "DEALERS")
    web = entity(session, "sales_channel", code="WEB", name="Web shop", channel_type="online")
    dealer = partner(session, "DLR-1", shops.id)
    fibre_family = family(session, "FIBRE")
    mobile_family = family(session, "MOBILE", "mobile")
    fibre = offering(session, "FIB-1G", fibre_family.id)
    mobile = offering(session, "MOB-S", mobile_family.id)
    tv = offering(session, "TV-1", fibre_family.id)
    bundle = offering(session, "PACK-1", fibre_family.id, is_bundle=True)
    customer = entity(
        session,
        "customer",
        code="CU1",
        name="Ann Example",
        kind="customer",
        segment="consumer",
        region_id=north.id,
        credit_class="B",
        customer_since=date(2025, 1, 20),
        age_band="35-44",
    )
    prospect = entity(
        session,
        "customer",
        code="PR1",
        name="Bob Prospect",
        kind="prospect",
        segment="small_business",
        credit_class="A",
    )
    premise = entity(
        session,
        "premise",
        code="P1",
        customer_id=customer.id,
        region_id=south.id,
        address="1 Main Street",
        technologies="fibre,5g",
    )
    at = datetime(2026, 1, 1, tzinfo=UTC)
    install(session, customer.id, mobile.id, datetime(2025, 1, 20, tzinfo=UTC))
    install(session, customer.id, fibre.id, at, premise_id=premise.id)
    # removed before the sale; installed after the sale
    install(session, customer.id, tv.id, datetime(2025, 2, 1, tzinfo=UTC), at)
    install(session, customer.id, bundle.id, datetime(2026, 12, 1, tzinfo=UTC))
    return World(shops, web, dealer, customer, prospect, premise, fibre, mobile, tv, bundle)
