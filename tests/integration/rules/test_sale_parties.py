"""The parties of a sale read as plain values, once per session until it writes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from salesdev.db.models import Customer, Partner
from salesdev.domains.rules import (
    ChannelParty,
    CustomerParty,
    PartnerParty,
    PremiseParty,
    SaleParties,
    sale_parties,
)
from tests.integration.rules.world import World, build_world


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = session.get_bind()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def everyone(session: Session, world: World) -> SaleParties:
    return sale_parties(
        session,
        channel_id=world.channel.id,
        partner_id=world.partner.id,
        customer_id=world.customer.id,
        premise_id=world.premise.id,
    )


def test_the_four_parties_are_read_as_values_in_one_statement(session: Session) -> None:
    # given a channel with a partner, a customer in NORTH and a premise in SOUTH
    world = build_world(session)
    session.commit()
    # when all four are asked for
    with statements(session) as seen:
        parties = everyone(session, world)
    # then one statement brings each with the values rules and answers read
    assert len(seen) == 1
    assert parties == SaleParties(
        channel=ChannelParty(
            id=world.channel.id,
            code="DEALERS",
            name=world.channel.name,
            channel_type="franchise_dealer",
            status="active",
        ),
        partner=PartnerParty(
            id=world.partner.id,
            code="DLR-1",
            name=world.partner.name,
            partner_type="dealer",
            tier="silver",
            channel_id=world.channel.id,
            status="active",
        ),
        customer=CustomerParty(
            id=world.customer.id,
            code="CU1",
            name="Ann Example",
            kind="customer",
            segment="consumer",
            credit_class="B",
            customer_since=date(2025, 1, 20),
            age_band="35-44",
            partner_id=None,
            region_code="NORTH",
        ),
        premise=PremiseParty(
            id=world.premise.id,
            code="P1",
            address="1 Main Street",
            technologies="fibre,5g",
            region_code="SOUTH",
        ),
    )


def test_a_party_that_does_not_exist_is_none_and_the_others_are_still_read(
    session: Session,
) -> None:
    # given a world, and ids that name nothing
    world = build_world(session)
    nobody = uuid.uuid4()
    # when a real channel and customer are asked for with a partner and premise that do not exist
    parties = sale_parties(
        session,
        channel_id=world.channel.id,
        partner_id=nobody,
        customer_id=world.prospect.id,
        premise_id=uuid.uuid4(),
    )
    # then the missing ones are None; a customer without a region has no region code
    assert parties.partner is None
    assert parties.premise is None
    assert parties.channel is not None and parties.channel.code == "DEALERS"
    assert parties.customer is not None
    assert (parties.customer.code, parties.customer.region_code) == ("PR1", None)
    # and what was not asked for is None
    assert sale_parties(session, channel_id=nobody) == SaleParties()


def test_parties_already_read_are_not_read_again_until_the_session_writes(
    session: Session,
) -> None:
    # given all four parties read once
    world = build_world(session)
    session.commit()
    everyone(session, world)
    # when some of them are asked for again, then no statement is needed
    with statements(session) as seen:
        again = sale_parties(session, channel_id=world.channel.id, customer_id=world.customer.id)
    assert seen == []
    assert again.customer is not None and again.customer.segment == "consumer"
    # when the customer is changed (not yet flushed) and asked for again
    customer = session.get(Customer, world.customer.id)
    assert customer is not None
    customer.segment = "small_business"
    with statements(session) as seen:
        changed = sale_parties(session, customer_id=world.customer.id)
    # then the change is flushed first and the customer read again, as the ORM would see it
    assert changed.customer is not None and changed.customer.segment == "small_business"
    assert any(s.lstrip().startswith("UPDATE customer") for s in seen)
    assert any("FROM" in s and "customer" in s and s.lstrip().startswith("SELECT") for s in seen)


def test_a_rollback_forgets_what_was_read(session: Session) -> None:
    # given a customer read in a transaction that then changed it and rolled back
    world = build_world(session)
    session.commit()
    customer = session.get(Customer, world.customer.id)
    assert customer is not None
    customer.segment = "small_business"
    changed = sale_parties(session, customer_id=world.customer.id).customer
    assert changed is not None and changed.segment == "small_business"
    session.rollback()
    # when it is asked for again, then the stored value is read
    again = sale_parties(session, customer_id=world.customer.id).customer
    assert again is not None and again.segment == "consumer"


def test_an_orm_bulk_update_forgets_what_was_read(session: Session) -> None:
    # given a partner read, then suspended by a bulk UPDATE in the same session
    world = build_world(session)
    session.commit()
    read = sale_parties(session, partner_id=world.partner.id).partner
    assert read is not None and read.status == "active"
    session.execute(
        update(Partner).where(Partner.id == world.partner.id).values(status="suspended")
    )
    # when it is asked for again, then the new status is read
    again = sale_parties(session, partner_id=world.partner.id).partner
    assert again is not None and again.status == "suspended"
