"""recommend(): qualified offerings ranked and priced with reasons, and the others with why not."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput, NotFound
from salesdev.db.models import SalesPerson
from salesdev.domains.access import SYSTEM, Principal, Role
from salesdev.domains.guidance import create_recommendation_rule, recommend
from tests.conftest import T0
from tests.integration.qualification.world import World, build_world

FROM = datetime(2026, 1, 1, tzinfo=UTC)


def _has(attribute: str, value: object, op: str = "contains") -> dict[str, object]:
    return {"attribute": attribute, "op": op, "value": value}


RULES: list[tuple[Any, ...]] = [
    ("Fibre-ready premise", "family", "FIBRE", "50", _has("premise.technologies", "fibre")),
    ("Good credit mobile", "family", "MOBILE", "30",
     _has("customer.credit_class", ["A", "B"], "in")),
    ("Consumer SIM", "offering", "MOB-S", "20", _has("customer.segment", "consumer", "eq")),
    ("TV for fibre homes", "offering", "TV-ADDON", "40",
     _has("customer.product_families", "FIBRE")),
    ("Switched off", "offering", "MOB-S", "500", {"all": []}, "inactive"),
]  # fmt: skip


@pytest.fixture
def world(session: Session) -> World:
    built = build_world(session)
    for name, kind, code, weight, condition, *status in RULES:
        create_recommendation_rule(
            session,
            principal=SYSTEM,
            values={
                "name": name,
                kind: code,
                "score": weight,
                "reason": f"Reason: {name}",
                "condition": condition,
                "valid_from": FROM,
                "status": status[0] if status else "active",
            },
            now=T0,
        )
    session.commit()
    return built


def test_a_senior_at_a_fibre_address_gets_ranked_priced_offers(
    session: Session, world: World
) -> None:
    # Given ADA (consumer, credit A, 65+) at PF (fibre, dsl) in channel RET
    # When the agent asks for recommendations
    result = recommend(
        session,
        principal=SYSTEM,
        customer_id=world["ADA"],
        channel_id=world["RET"],
        premise_id=world["PF"],
        at=T0,
    )
    # Then the qualified offerings come ranked: score, then (no unit costs, so no margin)
    # the higher monthly charge
    assert [(o.candidate.code, o.score) for o in result.recommended] == [
        ("FIB-1G", Decimal("50")),
        ("FIB-500", Decimal("50")),
        ("FIB-100", Decimal("50")),
        ("MOB-S", Decimal("50")),
        ("HANDSET-FIN", Decimal("30")),
        ("MOB-SENIOR", Decimal("30")),
    ]
    sim = result.recommended[3]
    assert [r.text for r in sim.reasons] == ["Reason: Good credit mobile", "Reason: Consumer SIM"]
    top = result.recommended[0]
    assert [r.text for r in top.reasons] == ["Reason: Fibre-ready premise"]
    assert top.candidate.price is not None
    assert (top.candidate.price.list_recurring, top.candidate.price.final_recurring) == (
        Decimal("60.00"),
        Decimal("60.00"),
    )
    assert result.qualified_count == 6
    # And the others say why not
    assert [(n.code, [c for c, _ in n.reasons]) for n in result.not_available] == [
        ("ENT-LINK", ["SEGMENT"]),
        ("MOB-5G", ["NO_5G"]),
        ("OLD", ["LIFECYCLE"]),
        ("TV-ADDON", ["BASE_PRODUCT"]),
    ]
    facts = result.customer
    assert (facts.code, facts.segment, facts.credit_class, facts.age_band) == (
        "ADA",
        "consumer",
        "A",
        "65+",
    )
    assert facts.premise_technologies == ("dsl", "fibre")
    assert facts.installed_base == ()


def test_the_limit_keeps_the_best(session: Session, world: World) -> None:
    result = recommend(
        session,
        principal=SYSTEM,
        customer_id=world["BOB"],
        channel_id=world["RET"],
        premise_id=world["PD"],
        at=T0,
        limit=1,
    )
    assert [(o.candidate.code, o.score) for o in result.recommended] == [
        ("TV-ADDON", Decimal("40"))
    ]
    assert result.customer.installed_base == ("FIB-100",)


def test_unknown_ids_and_bad_limits_are_refused(session: Session, world: World) -> None:
    with pytest.raises(NotFound, match="Customer"):
        recommend(
            session, principal=SYSTEM, customer_id=world["RET"], channel_id=world["RET"], at=T0
        )
    with pytest.raises(NotFound, match="Sales channel"):
        recommend(
            session, principal=SYSTEM, customer_id=world["ADA"], channel_id=world["ADA"], at=T0
        )
    with pytest.raises(InvalidInput) as caught:
        recommend(
            session,
            principal=SYSTEM,
            customer_id=world["ADA"],
            channel_id=world["RET"],
            at=T0,
            limit=0,
        )
    assert str(caught.value.details[0]) == "limit: must be between 1 and 100, got 0"


def test_a_rep_recommends_only_in_their_own_channel(session: Session, world: World) -> None:
    person = SalesPerson(
        code="REP1",
        name="Rita Rep",
        role="rep",
        channel_id=world["ONL"],
        created_at=T0,
        updated_at=T0,
    )
    session.add(person)
    session.flush()
    rep = Principal(
        kind="user", name="rita", roles=frozenset({Role.SALES_REP}), sales_person_id=person.id
    )
    with pytest.raises(NotFound, match="Sales channel"):
        recommend(session, principal=rep, customer_id=world["ADA"], channel_id=world["RET"], at=T0)
    result = recommend(
        session, principal=rep, customer_id=world["ADA"], channel_id=world["ONL"], at=T0
    )
    assert result.recommended == ()
