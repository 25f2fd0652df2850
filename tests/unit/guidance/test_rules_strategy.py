"""The rules strategy: sum of matching weights, ties by margin then price, every candidate once."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from salesdev.core.errors import InvalidInput
from salesdev.domains.guidance import (
    STRATEGIES,
    Candidate,
    OfferPrice,
    Reason,
    get_strategy,
)
from salesdev.domains.guidance.strategies import WeightedRule, rank_by_rules
from salesdev.engine.rules import compile_predicate, parse_condition

FIBRE = uuid.UUID(int=1)
MOBILE = uuid.UUID(int=2)


def _offer(
    code: str,
    family: uuid.UUID,
    recurring: str,
    one_time: str = "0",
    cost: str | None = None,
    **context: object,
) -> Candidate:
    price = OfferPrice(
        currency="EUR",
        list_recurring=Decimal(recurring),
        list_one_time=Decimal(one_time),
        final_recurring=Decimal(recurring),
        final_one_time=Decimal(one_time),
        unit_cost=None if cost is None else Decimal(cost),
    )
    return Candidate(
        offering_id=uuid.uuid5(uuid.NAMESPACE_DNS, code),
        code=code,
        name=code,
        family_id=family,
        family_code="FIBRE" if family == FIBRE else "MOBILE",
        price=price,
        context={"customer.segment": "consumer", "offering.code": code, **context},
    )


def _rule(name: str, score: str, condition: object, *, offering: Candidate | None = None,
          family: uuid.UUID | None = None) -> WeightedRule:  # fmt: skip
    return WeightedRule(
        name=name,
        score=Decimal(score),
        reason=f"because {name}",
        predicate=compile_predicate(parse_condition(condition)),
        offering_id=offering.offering_id if offering else None,
        family_id=family,
    )


CONSUMER = {"attribute": "customer.segment", "op": "eq", "value": "consumer"}
ENTERPRISE = {"attribute": "customer.segment", "op": "eq", "value": "enterprise"}


def test_score_is_the_sum_of_matching_rule_weights_with_their_reasons() -> None:
    # Given two fibre offerings and a mobile one, a family rule, an offering rule and a
    # rule whose condition does not hold
    fast, slow, sim = (
        _offer("FB-1G", FIBRE, "60"),
        _offer("FB-100", FIBRE, "30"),
        _offer("SIM", MOBILE, "10"),
    )
    rules = [
        _rule("fibre", "50", CONSUMER, family=FIBRE),
        _rule("fast", "25.5", {"all": []}, offering=fast),
        _rule("enterprise", "100", ENTERPRISE, family=MOBILE),
    ]
    # When they are ranked
    ranked = rank_by_rules(rules, [slow, sim, fast])
    # Then scores add up per offering, the highest weight's reason first
    assert [(r.candidate.code, r.score) for r in ranked] == [
        ("FB-1G", Decimal("75.5")),
        ("FB-100", Decimal("50")),
        ("SIM", Decimal("0")),
    ]
    assert ranked[0].reasons == (
        Reason("because fibre", "fibre", Decimal("50")),
        Reason("because fast", "fast", Decimal("25.5")),
    )
    assert ranked[2].reasons[0].rule is None
    assert ranked[2].reasons[0].text.startswith("Qualified and priced")


def test_ties_go_to_the_higher_margin_then_the_higher_monthly_charge_then_the_code() -> None:
    # Given five offerings with the same score
    offers = [
        _offer("A-NO-COST", FIBRE, "20"),
        _offer("B-MARGIN-5", FIBRE, "30", cost="25"),
        _offer("C-MARGIN-15", FIBRE, "40", cost="25"),
        _offer("D-CHEAP", FIBRE, "10", one_time="5"),
        _offer("E-CHEAP", FIBRE, "10", one_time="5"),
        _offer("G-CHEAP-DEAR-FEE", FIBRE, "10", one_time="50"),
        # a one-time-only offering: margin on its one-time price
        _offer("F-DEVICE", FIBRE, "0", one_time="300", cost="250"),
    ]
    ranked = rank_by_rules([_rule("all fibre", "10", {"all": []}, family=FIBRE)], offers)
    # Then known margins first (highest first), then the higher monthly charge, the lower
    # one-time charge, then the code
    assert [r.candidate.code for r in ranked] == [
        "F-DEVICE",
        "C-MARGIN-15",
        "B-MARGIN-5",
        "A-NO-COST",
        "D-CHEAP",
        "E-CHEAP",
        "G-CHEAP-DEAR-FEE",
    ]


def test_negative_weights_rank_below_offerings_no_rule_speaks_for() -> None:
    held, plain = _offer("HELD", MOBILE, "50"), _offer("PLAIN", MOBILE, "5")
    ranked = rank_by_rules([_rule("hold", "-20", {"all": []}, offering=held)], [held, plain])
    assert [(r.candidate.code, r.score) for r in ranked] == [
        ("PLAIN", Decimal(0)),
        ("HELD", Decimal("-20")),
    ]


def test_strategies_are_registered_by_name() -> None:
    assert sorted(STRATEGIES) == ["rules"]
    assert get_strategy("rules").name == "rules"
    with pytest.raises(InvalidInput) as caught:
        get_strategy("propensity")
    assert caught.value.details[0].location == "strategy"
    assert caught.value.details[0].message == "expected one of rules; got 'propensity'"
