"""Pure pieces of eligibility and qualification: no database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from salesdev.api.qualification import parse_request
from salesdev.core.errors import InvalidInput
from salesdev.domains.eligibility import attributes_of, reads_premise
from salesdev.domains.qualification import (
    Alternative,
    QualificationOutcome,
    Reason,
    item_view,
)
from salesdev.domains.qualification.catalogue import Grant
from salesdev.domains.qualification.records import outcome_item, overall_result
from salesdev.engine.rules import parse_condition

JAN, JUL, DEC = (datetime(2026, m, 1, tzinfo=UTC) for m in (1, 7, 12))


def test_attributes_of_a_condition_and_whether_it_reads_the_premise() -> None:
    condition = parse_condition(
        {
            "all": [
                {"attribute": "customer.segment", "op": "eq", "value": "consumer"},
                {"not": {"attribute": "premise.technologies", "op": "contains", "value": "5g"}},
                {"any": [{"attribute": "offering.code", "op": "in", "value": ["A", "B"]}]},
            ]
        }
    )
    assert attributes_of(condition) == {
        "customer.segment",
        "premise.technologies",
        "offering.code",
    }
    assert reads_premise(condition)
    assert not reads_premise(parse_condition({"all": []}))


@pytest.mark.parametrize(
    ("partner", "at", "holds"),
    [(None, JAN, True), (None, JUL, False), (uuid.UUID(int=1), JAN, True)],
)
def test_a_channel_wide_grant_holds_for_every_partner_in_its_half_open_period(
    partner: uuid.UUID | None, at: datetime, holds: bool
) -> None:
    assert Grant(None, JAN, JUL).holds(partner, at) is holds


def test_a_partner_grant_holds_only_for_that_partner() -> None:
    grant = Grant(uuid.UUID(int=1), JAN, None)
    assert grant.holds(uuid.UUID(int=1), DEC)
    assert not grant.holds(uuid.UUID(int=2), DEC)
    assert not grant.holds(None, DEC)


def test_a_stored_item_reads_back_as_it_was() -> None:
    outcome = QualificationOutcome(
        offering_id=uuid.UUID(int=3),
        code="MOB-SENIOR",
        name="Senior",
        family_code="MOBILE",
        qualified=False,
        reasons=[Reason("AGE_BAND", "From 65", ("age band is 65+ (it is 25-34)",), "SENIOR")],
        alternatives=[Alternative(uuid.UUID(int=4), "MOB-S", "Mobile S")],
    )
    stored = outcome_item(outcome)
    assert stored == [
        str(uuid.UUID(int=3)),
        "MOB-SENIOR",
        "Senior",
        0,
        [["AGE_BAND", "From 65", ["age band is 65+ (it is 25-34)"], "SENIOR"]],
        [[str(uuid.UUID(int=4)), "MOB-S", "Mobile S"]],
    ]
    view = item_view(1, stored)
    assert (view.qualified, view.state, view.errors) == (False, "done", [])
    assert view.alternatives == [[str(uuid.UUID(int=4)), "MOB-S", "Mobile S"]]
    qualified = item_view(
        2, outcome_item(QualificationOutcome(uuid.UUID(int=5), "X", "X", "F", True))
    )
    assert (qualified.qualified, qualified.reasons, qualified.alternatives) == (True, [], [])
    assert outcome.offering_code == "MOB-SENIOR" and outcome.offering_name == "Senior"


def test_the_overall_result() -> None:
    yes = QualificationOutcome(uuid.UUID(int=1), "A", "A", "F", True)
    no = QualificationOutcome(uuid.UUID(int=2), "B", "B", "F", False)
    assert [overall_result(o) for o in ([yes], [yes, no], [no], [])] == [
        "qualified",
        "partiallyQualified",
        "unqualified",
        "unqualified",
    ]


def test_a_tmf679_body_becomes_a_request() -> None:
    channel, customer, partner, premise, offering = (str(uuid.UUID(int=i)) for i in range(1, 6))
    request = parse_request(
        {
            "@type": "ProductOfferingQualification",
            "channel": {"id": channel},
            "relatedParty": [
                {"id": customer, "role": "customer"},
                {"id": partner, "@referredType": "Partner"},
            ],
            "place": [{"id": premise}],
            "instantSyncQualification": False,
            "provideAlternative": True,
            "productOfferingQualificationItem": [{"id": "a", "productOffering": {"id": offering}}],
        }
    )
    assert (request.channel_id, request.customer_id, request.partner_id, request.premise_id) == (
        uuid.UUID(channel),
        uuid.UUID(customer),
        uuid.UUID(partner),
        uuid.UUID(premise),
    )
    assert request.offering_ids == [uuid.UUID(offering)]
    assert (request.instant_sync, request.provide_alternative) == (False, True)
    assert parse_request({"channel": {"id": channel}, "productOfferingQualificationItem": []})


def test_a_malformed_tmf679_body_names_every_problem() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_request(
            {
                "@type": "Other",
                "relatedParty": {"id": "x"},
                "place": [{"id": "x"}, {"id": "y"}],
                "productOfferingQualificationItem": "all",
                "expirationDate": "tomorrow",
            }
        )
    assert [d.location for d in raised.value.details] == [
        "@type",
        "channel",
        "relatedParty",
        "place",
        "productOfferingQualificationItem",
        "expirationDate",
    ]
