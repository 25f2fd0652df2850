"""The sale context read from the database: customer, installed base, premise, channel, partner."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, PermissionDenied
from salesdev.domains.access import Role
from salesdev.domains.rules import (
    OfferingFacts,
    build_sale_context,
    load_offering_facts,
    resolve_sale_codes,
    tenure_months,
)
from salesdev.engine.rules import compile_predicate, parse_condition
from tests.integration.authorisation.builders import user
from tests.integration.rules.world import build_world

AT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
REP = user("rep", Role.SALES_REP)


def test_the_context_holds_every_attribute_of_the_sale(session: Session) -> None:
    # given a customer with an installed base, a premise, and a partner in a channel
    world = build_world(session)
    # when the sale context is built for a date in March 2026
    context = build_sale_context(
        session,
        principal=REP,
        channel_id=world.channel.id,
        customer_id=world.customer.id,
        premise_id=world.premise.id,
        partner_id=world.partner.id,
        at=AT,
        quantity=2,
    )
    # then it holds the attributes in force at that time
    assert dict(context.base) == {
        "customer.code": "CU1",
        "customer.kind": "customer",
        "customer.segment": "consumer",
        "customer.credit_class": "B",
        "customer.age_band": "35-44",
        "customer.region": "NORTH",
        "customer.tenure_months": 13,
        "customer.products": frozenset({"MOB-S", "FIB-1G"}),
        "customer.product_families": frozenset({"MOBILE", "FIBRE"}),
        "premise.region": "SOUTH",
        "premise.technologies": frozenset({"fibre", "5g"}),
        "channel.code": "DEALERS",
        "channel.type": "franchise_dealer",
        "partner.code": "DLR-1",
        "partner.tier": "silver",
        "partner.type": "dealer",
        "sale.date": date(2026, 3, 10),
        "sale.quantity": 2,
    }
    # and the offering's attributes are added per offering
    facts = load_offering_facts(session, [world.bundle.id, world.tv.id, uuid.uuid4()])
    assert facts == {
        world.bundle.id: OfferingFacts(world.bundle.id, "PACK-1", "FIBRE", True),
        world.tv.id: OfferingFacts(world.tv.id, "TV-1", "FIBRE", False),
    }
    full = context.for_offering(facts[world.bundle.id])
    assert (full["offering.code"], full["offering.family"], full["offering.is_bundle"]) == (
        "PACK-1",
        "FIBRE",
        True,
    )
    assert "offering.code" not in context.base
    # and a rule reads it
    rule = parse_condition(
        {
            "all": [
                {"attribute": "customer.products", "op": "contains", "value": "MOB-S"},
                {"not": {"attribute": "customer.products", "op": "contains", "value": "TV-1"}},
                {"attribute": "premise.technologies", "op": "contains", "value": "fibre"},
                {"attribute": "offering.is_bundle", "op": "eq", "value": True},
                {"attribute": "customer.tenure_months", "op": "ge", "value": 12},
            ]
        }
    )
    assert compile_predicate(rule)(full) is True


def test_a_sale_without_customer_or_partner_leaves_their_attributes_out(session: Session) -> None:
    world = build_world(session)
    context = build_sale_context(session, principal=REP, channel_id=world.other_channel.id, at=AT)
    assert dict(context.base) == {
        "channel.code": "WEB",
        "channel.type": "online",
        "sale.date": date(2026, 3, 10),
        "sale.quantity": 1,
    }
    prospect = build_sale_context(
        session,
        principal=REP,
        channel_id=world.other_channel.id,
        customer_id=world.prospect.id,
        at=AT,
    ).base
    # a prospect has no start date, no age band, no region and nothing installed
    assert "customer.tenure_months" not in prospect
    assert "customer.age_band" not in prospect and "customer.region" not in prospect
    assert prospect["customer.products"] == frozenset()


def test_all_offerings_facts_when_no_ids_are_given(session: Session) -> None:
    build_world(session)
    facts = load_offering_facts(session, None)
    assert sorted(f.code for f in facts.values()) == ["FIB-1G", "MOB-S", "PACK-1", "TV-1"]
    assert load_offering_facts(session, []) == {}


def test_unknown_ids_are_not_found(session: Session) -> None:
    world = build_world(session)
    missing = uuid.uuid4()
    cases = [
        ({"channel_id": missing}, f"Sales channel {missing} does not exist"),
        (
            {"channel_id": world.channel.id, "customer_id": missing},
            f"Customer {missing} does not exist",
        ),
        (
            {"channel_id": world.channel.id, "premise_id": missing},
            f"Premise {missing} does not exist",
        ),
        (
            {"channel_id": world.channel.id, "partner_id": missing},
            f"Partner {missing} does not exist in sales channel {world.channel.id}",
        ),
        (
            {"channel_id": world.other_channel.id, "partner_id": world.partner.id},
            f"Partner {world.partner.id} does not exist in sales channel {world.other_channel.id}",
        ),
    ]
    for ids, message in cases:
        with pytest.raises(NotFound) as caught:
            build_sale_context(session, principal=REP, at=AT, **ids)
        assert caught.value.message == message


def test_bad_time_or_quantity_is_invalid(session: Session) -> None:
    world = build_world(session)
    with pytest.raises(InvalidInput) as caught:
        build_sale_context(
            session,
            principal=REP,
            channel_id=world.channel.id,
            at=datetime(2026, 3, 10),  # naive on purpose
            quantity=0,
        )
    assert caught.value.details == [
        ErrorDetail("at", "must be a timezone-aware date and time"),
        ErrorDetail("quantity", "must be from 1 to 1000000"),
    ]


def test_a_partner_user_builds_contexts_only_for_their_own_partner(session: Session) -> None:
    world = build_world(session)
    own = user("dealer", Role.PARTNER_USER, partner_id=world.partner.id)
    context = build_sale_context(
        session, principal=own, channel_id=world.channel.id, partner_id=world.partner.id, at=AT
    )
    assert context.base["partner.code"] == "DLR-1"
    stranger = user("stranger", Role.PARTNER_USER, partner_id=uuid.uuid4())
    with pytest.raises(NotFound):
        build_sale_context(session, principal=stranger, channel_id=world.channel.id, at=AT)


def test_someone_who_neither_sells_nor_prices_may_not_build_a_context(session: Session) -> None:
    world = build_world(session)
    nobody = user("nobody")
    nobody = type(nobody)(kind="user", name="nobody", roles=frozenset())
    with pytest.raises(PermissionDenied):
        build_sale_context(session, principal=nobody, channel_id=world.channel.id, at=AT)


def test_codes_are_resolved_or_reported_by_field(session: Session) -> None:
    world = build_world(session)
    codes = resolve_sale_codes(
        session, channel_code="DEALERS", customer_code="CU1", offering_code="TV-1"
    )
    assert (codes.channel_id, codes.customer_id, codes.offering_id) == (
        world.channel.id,
        world.customer.id,
        world.tv.id,
    )
    with pytest.raises(InvalidInput) as caught:
        resolve_sale_codes(session, channel_code=" ", customer_code="CU9", premise_code="P9")
    assert caught.value.details == [
        ErrorDetail("channel_code", "a channel code is required"),
        ErrorDetail("customer_code", "no customer has the code 'CU9'"),
        ErrorDetail("premise_code", "no premise has the code 'P9'"),
    ]


@pytest.mark.parametrize(
    ("since", "on", "months"),
    [
        (date(2025, 1, 20), date(2026, 3, 10), 13),
        (date(2025, 1, 20), date(2025, 2, 20), 1),
        (date(2025, 1, 20), date(2025, 2, 19), 0),
        (date(2025, 1, 31), date(2025, 2, 28), 1),
        (date(2025, 1, 31), date(2025, 2, 27), 0),
        (date(2026, 5, 1), date(2026, 3, 1), 0),
    ],
)
def test_tenure_counts_whole_months(since: date, on: date, months: int) -> None:
    assert tenure_months(since, on) == months
