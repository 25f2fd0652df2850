"""qualify_offerings: exact outcomes per check and per rule kind, alternatives, bad input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput, NotFound, PermissionDenied
from salesdev.db.models import Partner, SalesChannel
from salesdev.db.models.selling import EligibilityRule, ProductOfferingQualification
from salesdev.domains.access import SYSTEM, Principal, Role
from salesdev.domains.authorisation import authorise_offering
from salesdev.domains.eligibility import update_rule
from salesdev.domains.qualification import (
    QualificationRequest,
    Reason,
    create_qualification,
    qualify_offerings,
)
from salesdev.domains.qualification import catalogue as cache
from tests.conftest import T0
from tests.integration.qualification.world import World, build_world


@pytest.fixture
def world(session: Session) -> World:
    built = build_world(session)
    session.commit()
    return built


def summary(outcomes: list) -> list[tuple[str, bool, list[str]]]:
    return [(o.code, o.qualified, [r.code for r in o.reasons]) for o in outcomes]


def test_whole_catalogue_for_a_senior_consumer_at_a_fibre_address(
    session: Session, world: World
) -> None:
    # Given ADA (consumer, credit A, 65+, nothing installed) at PF (fibre, dsl) in RET
    # When the whole catalogue is qualified
    outcomes = qualify_offerings(
        session,
        principal=SYSTEM,
        channel_id=world["RET"],
        customer_id=world["ADA"],
        premise_id=world["PF"],
        at=T0,
    )
    # Then every authorised offering is answered by code, each failure with its reason
    assert summary(outcomes) == [
        ("ENT-LINK", False, ["SEGMENT"]),
        ("FIB-100", True, []),
        ("FIB-1G", True, []),
        ("FIB-500", True, []),
        ("HANDSET-FIN", True, []),
        ("MOB-5G", False, ["NO_5G"]),
        ("MOB-S", True, []),
        ("MOB-SENIOR", True, []),
        ("OLD", False, ["LIFECYCLE"]),
        ("TV-ADDON", False, ["BASE_PRODUCT"]),
    ]
    by_code = {o.code: o for o in outcomes}
    assert by_code["ENT-LINK"].reasons == [
        Reason(
            "SEGMENT",
            "Only for enterprise customers",
            ("customer segment is enterprise (it is consumer)",),
            "ENT-SEGMENT",
        )
    ]
    assert by_code["OLD"].reasons == [
        Reason("LIFECYCLE", "The offering's lifecycle status is Retired")
    ]
    assert by_code["MOB-5G"].reasons[0].label == "No 5G coverage at this address"
    assert by_code["MOB-5G"].reasons[0].clauses == (
        "serviceable technologies includes 5g (it is dsl, fibre)",
    )


def test_a_customer_with_poor_credit_and_a_fibre_line_at_a_5g_address(
    session: Session, world: World
) -> None:
    outcomes = qualify_offerings(
        session,
        principal=SYSTEM,
        channel_id=world["RET"],
        customer_id=world["BOB"],
        premise_id=world["P5"],
        at=T0,
    )
    assert summary(outcomes) == [
        ("ENT-LINK", False, ["SEGMENT"]),
        ("FIB-100", False, ["NO_FIBRE"]),
        ("FIB-1G", False, ["NO_FIBRE"]),
        ("FIB-500", False, ["NO_FIBRE"]),
        ("HANDSET-FIN", False, ["CREDIT_CLASS"]),
        ("MOB-5G", True, []),
        ("MOB-S", True, []),
        ("MOB-SENIOR", False, ["AGE_BAND"]),
        ("OLD", False, ["LIFECYCLE"]),
        ("TV-ADDON", True, []),
    ]


def test_premise_rules_fail_without_a_premise_and_say_so(session: Session, world: World) -> None:
    outcomes = qualify_offerings(
        session,
        principal=SYSTEM,
        channel_id=world["RET"],
        customer_id=world["ACME"],
        at=T0,
        offering_ids=[world["FIB-100"], world["ENT-LINK"]],
    )
    assert summary(outcomes) == [("FIB-100", False, ["NO_FIBRE"]), ("ENT-LINK", True, [])]
    assert outcomes[0].reasons[0].clauses[0] == "no premise was given"


def test_every_failing_check_is_a_reason(session: Session, world: World) -> None:
    # UNAUTH is not authorised in RET; OLD is retired; asked for at the same time, in order
    outcomes = qualify_offerings(
        session,
        principal=SYSTEM,
        channel_id=world["ONL"],
        customer_id=world["BOB"],
        premise_id=world["PD"],
        at=T0,
        offering_ids=[world["OLD"], world["FIB-100"], world["UNAUTH"]],
    )
    assert summary(outcomes) == [
        ("OLD", False, ["LIFECYCLE", "NOT_AUTHORISED"]),
        ("FIB-100", False, ["NOT_AUTHORISED", "NO_FIBRE"]),
        ("UNAUTH", False, ["NOT_AUTHORISED"]),
    ]
    assert outcomes[2].reasons[0].label == (
        "The channel is not authorised to sell the offering on 2026-10-15"
    )


@pytest.mark.parametrize("status", ["onboarding", "suspended", "terminated"])
def test_a_partner_that_is_not_active_sells_nothing_and_every_item_says_why(
    session: Session, world: World, status: str
) -> None:
    # Given partner P1 of RET is not active (an applicant, suspended or terminated)
    session.execute(update(Partner).where(Partner.id == world["P1"]).values(status=status))
    # When ADA qualifies for two offerings she could have from RET, sold by P1
    outcomes = qualify_offerings(
        session,
        principal=SYSTEM,
        channel_id=world["RET"],
        partner_id=world["P1"],
        customer_id=world["ADA"],
        premise_id=world["PF"],
        at=T0,
        offering_ids=[world["FIB-100"], world["MOB-S"]],
    )
    # Then neither qualifies, and the first reason of each names the partner's status
    assert summary(outcomes) == [
        ("FIB-100", False, ["PARTNER_NOT_ACTIVE"]),
        ("MOB-S", False, ["PARTNER_NOT_ACTIVE"]),
    ]
    assert outcomes[0].reasons[0].label == (
        f"The partner P1 is {status}: only an active partner sells"
    )


def test_an_inactive_channel_sells_nothing_with_or_without_a_partner(
    session: Session, world: World
) -> None:
    # Given channel RET is inactive
    session.execute(
        update(SalesChannel).where(SalesChannel.id == world["RET"]).values(status="inactive")
    )
    # When ADA qualifies for FIB-100 in RET, directly and through partner P1
    for partner_id in (None, world["P1"]):
        (outcome,) = qualify_offerings(
            session,
            principal=SYSTEM,
            channel_id=world["RET"],
            partner_id=partner_id,
            customer_id=world["ADA"],
            premise_id=world["PF"],
            at=T0,
            offering_ids=[world["FIB-100"]],
        )
        # Then it does not qualify, because of the channel
        assert (outcome.qualified, outcome.reasons) == (
            False,
            [Reason("CHANNEL_NOT_ACTIVE", "The sales channel RET is inactive: it sells nothing")],
        )


def test_before_the_offering_exists_it_is_not_available(session: Session, world: World) -> None:
    early = datetime(2025, 6, 1, tzinfo=UTC)
    (outcome,) = qualify_offerings(
        session,
        principal=SYSTEM,
        channel_id=world["RET"],
        customer_id=world["ADA"],
        at=early,
        offering_ids=[world["MOB-S"]],
    )
    assert [r.code for r in outcome.reasons] == ["NOT_AVAILABLE", "NOT_AUTHORISED"]


def test_alternatives_are_qualified_offerings_of_the_family_closest_in_price(
    session: Session, world: World
) -> None:
    # BOB cannot have the senior plan (8/month) nor handset financing (20/month)
    outcomes = qualify_offerings(
        session,
        principal=SYSTEM,
        channel_id=world["RET"],
        customer_id=world["BOB"],
        premise_id=world["PD"],
        at=T0,
        offering_ids=[world["MOB-SENIOR"], world["HANDSET-FIN"], world["MOB-S"]],
        provide_alternative=True,
    )
    # MOB-5G needs 5G (PD has none): the qualified mobile offering left is MOB-S
    assert [[a.code for a in o.alternatives] for o in outcomes] == [["MOB-S"], ["MOB-S"], []]


def test_alternatives_rank_by_price_distance(session: Session, world: World) -> None:
    outcomes = qualify_offerings(
        session,
        principal=SYSTEM,
        channel_id=world["RET"],
        customer_id=world["BOB"],
        premise_id=world["P5"],
        at=T0,
        offering_ids=[world["HANDSET-FIN"]],
        provide_alternative=True,
    )
    # 20/month: MOB-5G (25) is 5 away, MOB-S (10) is 10 away
    assert [a.code for a in outcomes[0].alternatives] == ["MOB-5G", "MOB-S"]


def test_unknown_offerings_are_named_and_nothing_is_stored(session: Session, world: World) -> None:
    stranger = uuid.UUID(int=7)
    with pytest.raises(InvalidInput) as raised:
        qualify_offerings(
            session,
            principal=SYSTEM,
            channel_id=world["RET"],
            at=T0,
            offering_ids=[world["MOB-S"], stranger, world["MOB-S"]],
        )
    assert [(d.location, d.message) for d in raised.value.details] == [
        ("offering_ids[2]", f"{world['MOB-S']} is listed twice"),
        ("offering_ids[1]", f"no product offering with id {stranger}"),
    ]
    assert session.scalar(select(func.count()).select_from(ProductOfferingQualification)) == 0


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("channel_id", "Sales channel {id} does not exist"),
        ("customer_id", "Customer {id} does not exist"),
        ("premise_id", "Premise {id} does not exist"),
        ("partner_id", "Partner {id} does not exist in sales channel {channel}"),
    ],
)
def test_unknown_channel_customer_premise_or_partner_is_not_found(
    session: Session, world: World, field: str, message: str
) -> None:
    stranger = uuid.UUID(int=9)
    given = {"channel_id": world["RET"], field: stranger}
    with pytest.raises(NotFound) as raised:
        qualify_offerings(session, principal=SYSTEM, at=T0, **given)
    assert raised.value.message == message.format(id=stranger, channel=world["RET"])


def test_a_partner_user_qualifies_only_in_its_own_channel(session: Session, world: World) -> None:
    p2_user = Principal(
        kind="user", name="pat", roles=frozenset({Role.PARTNER_USER}), partner_id=world["P2"]
    )
    with pytest.raises(NotFound):
        qualify_offerings(session, principal=p2_user, channel_id=world["RET"], at=T0)
    with pytest.raises(NotFound):
        qualify_offerings(
            session,
            principal=p2_user,
            channel_id=world["ONL"],
            partner_id=world["P1"],
            at=T0,
        )
    assert qualify_offerings(session, principal=p2_user, channel_id=world["ONL"], at=T0) == []


def test_an_auditor_may_not_qualify(session: Session, world: World) -> None:
    nobody = Principal(kind="user", name="x", roles=frozenset())
    with pytest.raises(PermissionDenied):
        qualify_offerings(session, principal=nobody, channel_id=world["RET"], at=T0)


def test_the_compiled_catalogue_is_reused_until_a_rule_changes(
    session: Session, world: World
) -> None:
    def ask() -> list:
        return qualify_offerings(
            session,
            principal=SYSTEM,
            channel_id=world["RET"],
            customer_id=world["BOB"],
            premise_id=world["PD"],
            at=T0,
            offering_ids=[world["MOB-SENIOR"]],
        )

    cache.forget_all()
    before = dict(cache.LOADS)
    assert not ask()[0].qualified
    assert not ask()[0].qualified
    assert cache.LOADS["rules"] - before["rules"] == 1
    # When the senior rule is given an end in the future... it is still in force today
    rule = session.scalar(select(EligibilityRule).where(EligibilityRule.code == "SENIOR-AGE"))
    assert rule is not None
    update_rule(
        session,
        principal=SYSTEM,
        rule_id=rule.id,
        changes={"valid_to": datetime(2026, 11, 1, tzinfo=UTC)},
        now=T0,
    )
    session.commit()
    assert not ask()[0].qualified
    assert cache.LOADS["rules"] - before["rules"] == 2
    # ... and once the end has passed, the offering qualifies
    later = qualify_offerings(
        session,
        principal=SYSTEM,
        channel_id=world["RET"],
        customer_id=world["BOB"],
        premise_id=world["PD"],
        at=datetime(2026, 11, 1, tzinfo=UTC),
        offering_ids=[world["MOB-SENIOR"]],
    )
    assert later[0].qualified


def test_a_new_authorisation_is_seen_by_the_next_qualification(
    session: Session, world: World
) -> None:
    def codes() -> list[str]:
        found = qualify_offerings(session, principal=SYSTEM, channel_id=world["RET"], at=T0)
        return [o.code for o in found]

    assert "UNAUTH" not in codes()
    authorise_offering(
        session,
        principal=SYSTEM,
        channel_id=world["RET"],
        product_offering_id=world["UNAUTH"],
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        now=T0,
    )
    session.commit()
    assert "UNAUTH" in codes()


def test_a_rule_that_can_no_longer_be_read_is_an_error_not_a_pass(
    session: Session, world: World
) -> None:
    # The vocabulary changed under a stored rule (simulated by a bulk statement, which the
    # generation token sees as well).
    session.execute(
        update(EligibilityRule)
        .where(EligibilityRule.code == "SENIOR-AGE")
        .values(condition={"attribute": "customer.shoe_size", "op": "eq", "value": "9"})
    )
    session.commit()
    (outcome,) = qualify_offerings(
        session,
        principal=SYSTEM,
        channel_id=world["RET"],
        customer_id=world["ADA"],
        at=T0,
        offering_ids=[world["MOB-SENIOR"]],
    )
    assert not outcome.qualified
    assert outcome.reasons == []
    assert outcome.errors[0].startswith(
        "eligibility rule SENIOR-AGE cannot be evaluated: condition.attribute: "
    )
    stored = create_qualification(
        session,
        principal=SYSTEM,
        request=QualificationRequest(channel_id=world["RET"], offering_ids=[world["MOB-SENIOR"]]),
        now=T0,
    )
    assert stored.state == "terminatedWithError"
