"""Recommendation rules: create, change, delete, list; every bad input refused, nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import Conflict, InvalidInput, PermissionDenied, PreconditionFailed
from salesdev.db.models.guidance import RecommendationRule
from salesdev.db.query import ListQuery
from salesdev.domains.access import SYSTEM, Principal, Role
from salesdev.domains.guidance import (
    create_recommendation_rule,
    delete_recommendation_rule,
    list_recommendation_rules,
    rules_in_force,
    update_recommendation_rule,
)
from tests.conftest import T0
from tests.integration.qualification.world import World, build_world

REP = Principal(kind="user", name="rita", roles=frozenset({Role.SALES_REP}))
FROM = datetime(2026, 1, 1, tzinfo=UTC)
CONSUMER = {"attribute": "customer.segment", "op": "eq", "value": "consumer"}


@pytest.fixture
def world(session: Session) -> World:
    built = build_world(session, rules=False)
    session.commit()
    return built


def _values(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "Fibre for consumers",
        "family": "FIBRE",
        "score": "50",
        "reason": "Fibre-ready household",
        "condition": CONSUMER,
        "valid_from": FROM,
    }
    values.update(overrides)
    return values


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(RecommendationRule)) or 0


def test_a_rule_is_stored_with_its_canonical_condition_and_author(
    session: Session, world: World
) -> None:
    rule = create_recommendation_rule(session, principal=SYSTEM, values=_values(), now=T0)
    assert (rule.name, rule.family_id, rule.product_offering_id) == (
        "Fibre for consumers",
        world["family:FIBRE"],
        None,
    )
    assert rule.score == Decimal("50")
    assert rule.condition == {"attribute": "customer.segment", "op": "eq", "value": "consumer"}
    assert (rule.status, rule.valid_from, rule.valid_to, rule.author) == (
        "active",
        FROM,
        None,
        "system:system",
    )


def test_every_problem_is_reported_at_once_and_nothing_is_stored(
    session: Session, world: World
) -> None:
    bad = _values(
        name="",
        family="NOPE",
        score="12.34567",
        reason=" ",
        condition={"attribute": "customer.shoe_size", "op": "eq", "value": 42},
        status="maybe",
        colour="red",
    )
    with pytest.raises(InvalidInput) as caught:
        create_recommendation_rule(session, principal=SYSTEM, values=bad, now=T0)
    found = {(d.location, d.message) for d in caught.value.details}
    assert ("colour", "unknown field; known: " + ", ".join(
        ("name", "condition", "product_offering_id", "family_id", "score", "reason", "status",
         "valid_from", "valid_to"))) in found  # fmt: skip
    assert ("name", "is required") in found
    assert ("family", "no product family with id or code NOPE") in found
    assert ("score", "at most 4 decimal places, got '12.34567'") in found
    assert ("reason", "is required: the agent is told why") in found
    assert ("status", "expected one of active, inactive; got 'maybe'") in found
    assert any(d.location.startswith("condition") and "shoe_size" in d.message
               for d in caught.value.details)  # fmt: skip
    assert _count(session) == 0


@pytest.mark.parametrize(
    ("overrides", "location", "message"),
    [
        ({"family": None}, "product_offering_id", "name exactly one target: an offering or a product family"),
        ({"offering": "MOB-S"}, "product_offering_id", "name exactly one target: an offering or a product family"),
        ({"score": "1000.5"}, "score", "must be between -1000 and 1000, got '1000.5'"),
        ({"score": 1.5}, "score", "expected a decimal number (as a string or integer), got 1.5"),
        ({"valid_to": "2025-12-31"}, "valid_to", "must be after valid_from"),
        ({"valid_from": "yesterday"}, "valid_from", "expected an ISO 8601 date-time with a timezone, e.g. 2026-01-01T00:00:00Z; got 'yesterday'"),
        ({"condition": {"attribute": "customer.segment", "op": "gt", "value": "x"}}, "condition.op", None),
    ],
)  # fmt: skip
def test_bad_input_names_the_field(
    session: Session, world: World, overrides: dict[str, object], location: str, message: str | None
) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_recommendation_rule(session, principal=SYSTEM, values=_values(**overrides), now=T0)
    details = caught.value.details
    assert details[0].location == location
    if message is not None:
        assert details[0].message == message
    assert _count(session) == 0


def test_names_are_unique(session: Session, world: World) -> None:
    create_recommendation_rule(session, principal=SYSTEM, values=_values(), now=T0)
    with pytest.raises(Conflict, match="already exists"):
        create_recommendation_rule(session, principal=SYSTEM, values=_values(), now=T0)


def test_change_target_and_weight_with_optimistic_concurrency(
    session: Session, world: World
) -> None:
    rule = create_recommendation_rule(session, principal=SYSTEM, values=_values(), now=T0)
    changed = update_recommendation_rule(
        session,
        principal=SYSTEM,
        rule_id=rule.id,
        changes={"offering": "MOB-S", "score": "-5"},
        now=T0,
        expected_version=1,
    )
    assert (changed.product_offering_id, changed.family_id, changed.score, changed.version) == (
        world["MOB-S"],
        None,
        Decimal("-5"),
        2,
    )
    with pytest.raises(PreconditionFailed):
        update_recommendation_rule(
            session, principal=SYSTEM, rule_id=rule.id, changes={"score": "1"}, now=T0,
            expected_version=1,
        )  # fmt: skip
    delete_recommendation_rule(session, principal=SYSTEM, rule_id=rule.id, expected_version=2)
    assert _count(session) == 0


def test_rules_in_force_are_active_and_valid_at_the_instant(session: Session, world: World) -> None:
    for name, extra in (
        ("current", {}),
        ("inactive", {"status": "inactive"}),
        ("ended", {"valid_to": "2026-06-01"}),
        ("future", {"valid_from": "2027-01-01"}),
    ):
        create_recommendation_rule(
            session, principal=SYSTEM, values=_values(name=name, **extra), now=T0
        )
    assert [r.name for r in rules_in_force(session, at=T0)] == ["current"]
    assert list_recommendation_rules(session, principal=SYSTEM, query=ListQuery()).total == 4


def test_reps_read_rules_but_may_not_write_them(session: Session, world: World) -> None:
    assert list_recommendation_rules(session, principal=REP, query=ListQuery()).total == 0
    with pytest.raises(PermissionDenied):
        create_recommendation_rule(session, principal=REP, values=_values(), now=T0)
