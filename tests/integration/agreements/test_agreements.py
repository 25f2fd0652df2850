"""Channel agreements: every change a new immutable version, exact diffs, four-eyes activation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput, NotFound, RuleViolation
from salesdev.db.models import AuditEvent, ChannelAgreement, ChannelAgreementVersion
from salesdev.db.query import ListQuery
from salesdev.domains.access import Role
from salesdev.domains.agreements import (
    FieldDifference,
    commission_plan,
    create_agreement,
    diff_versions,
    get_agreement,
    list_agreement_versions,
    list_agreements,
    revise_agreement,
    transition_agreement,
)
from salesdev.domains.audit import set_audit_context
from tests.integration.authorisation import builders as b

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CARLA = b.user("carla")  # negotiates and writes the terms
OMAR = b.user("omar")  # approves
TERMS: dict[str, Any] = {
    "name": "ACME dealer agreement 2027",
    "validFor": {"startDateTime": "2027-01-01T00:00:00Z", "endDateTime": "2028-01-01T00:00:00Z"},
    "commissionScheduleRef": "DEALER-STD-2027",
    "discountAllowances": {"FIBRE": "10", "MOBILE": 5},
    "volumeCommitments": {"2027-01": {"commitment": 100, "target": 150}},
    "paymentTermsDays": 30,
    "clauses": {"exclusivity": "No other operator's fibre in ACME shops."},
}


def at(hours: int) -> datetime:
    return T + timedelta(hours=hours)


@pytest.fixture
def partner(session: Session) -> Any:
    b.family(session, "FIBRE")
    b.family(session, "MOBILE", "mobile")
    b.commission_plan(session, "DEALER-STD-2027")
    return b.partner(session, "ACME", b.channel(session).id)


@pytest.fixture
def agreement(session: Session, partner: Any) -> ChannelAgreement:
    return create_agreement(session, principal=CARLA, partner_id=partner.id, terms=TERMS, now=T)


def _move(
    session: Session, agreement: ChannelAgreement, to: str, hours: int, who: Any = OMAR, **kw: Any
) -> ChannelAgreement:
    return transition_agreement(
        session, principal=who, agreement_id=agreement.id, to_status=to, now=at(hours), **kw
    )


def _to_approved(session: Session, agreement: ChannelAgreement) -> None:
    _move(session, agreement, "in_negotiation", 1, who=CARLA)
    _move(session, agreement, "approved", 2)


def test_a_new_agreement_is_a_draft_with_a_canonical_first_version(
    session: Session, partner: Any, agreement: ChannelAgreement
) -> None:
    assert (agreement.status, agreement.latest_version, agreement.terms_author) == (
        "draft",
        1,
        "user:carla",
    )
    assert (agreement.valid_from, agreement.valid_to, agreement.commission_schedule_ref) == (
        datetime(2027, 1, 1, tzinfo=UTC),
        datetime(2028, 1, 1, tzinfo=UTC),
        "DEALER-STD-2027",
    )
    [version] = list_agreement_versions(session, principal=CARLA, agreement_id=agreement.id)
    assert (version.number, version.change, version.status, version.author, version.created_at) == (
        1,
        "created",
        "draft",
        "user:carla",
        T,
    )
    assert version.snapshot == {
        **TERMS,
        "discountAllowances": {"FIBRE": "10", "MOBILE": "5"},
        "party": {"kind": "partner", "id": str(partner.id)},
        "status": "draft",
    }


def test_every_change_creates_a_version_and_the_diff_is_exact(
    session: Session, agreement: ChannelAgreement
) -> None:
    # when the terms are revised, then the agreement goes into negotiation
    revise_agreement(
        session,
        principal=CARLA,
        agreement_id=agreement.id,
        changes={
            "discountAllowances": {"FIBRE": "12.5", "MOBILE": None},
            "volumeCommitments": {"2027-02": {"commitment": 120, "target": 180}},
            "validFor": {"endDateTime": None},
            "paymentTermsDays": 45,
        },
        now=at(1),
        comment="Counter-offer",
    )
    _move(session, agreement, "in_negotiation", 2, who=CARLA)
    # then there are three versions, and the differences are field by field
    versions = list_agreement_versions(session, principal=CARLA, agreement_id=agreement.id)
    assert [(v.number, v.change, v.status, v.author, v.comment) for v in versions] == [
        (1, "created", "draft", "user:carla", ""),
        (2, "revised", "draft", "user:carla", "Counter-offer"),
        (3, "status", "in_negotiation", "user:carla", ""),
    ]
    assert diff_versions(session, principal=CARLA, agreement_id=agreement.id, a=1, b=2) == [
        FieldDifference("discountAllowances.FIBRE", "changed", "10", "12.5"),
        FieldDifference("discountAllowances.MOBILE", "removed", "5", None),
        FieldDifference("paymentTermsDays", "changed", 30, 45),
        FieldDifference("validFor.endDateTime", "removed", "2028-01-01T00:00:00Z", None),
        FieldDifference("volumeCommitments.2027-02.commitment", "added", None, 120),
        FieldDifference("volumeCommitments.2027-02.target", "added", None, 180),
    ]
    assert diff_versions(session, principal=CARLA, agreement_id=agreement.id, a=2, b=3) == [
        FieldDifference("status", "changed", "draft", "in_negotiation")
    ]
    assert agreement.valid_to is None


def test_a_revision_that_changes_nothing_creates_no_version(
    session: Session, agreement: ChannelAgreement
) -> None:
    revise_agreement(
        session,
        principal=OMAR,
        agreement_id=agreement.id,
        changes={"paymentTermsDays": 30},
        now=at(1),
    )
    assert (agreement.latest_version, agreement.terms_author) == (1, "user:carla")


def test_versions_are_immutable(session: Session, agreement: ChannelAgreement) -> None:
    version = session.scalars(select(ChannelAgreementVersion)).one()
    version.snapshot = {**version.snapshot, "paymentTermsDays": 90}
    with pytest.raises(RuleViolation, match="channel_agreement_version rows are append-only"):
        session.flush()


def test_the_author_of_the_terms_cannot_approve_them(
    session: Session, agreement: ChannelAgreement
) -> None:
    _move(session, agreement, "in_negotiation", 1, who=CARLA)
    with pytest.raises(RuleViolation) as caught:
        _move(session, agreement, "approved", 2, who=CARLA)
    assert caught.value.message == (
        "user:carla wrote the terms of this agreement and cannot approve it; another user must"
    )
    assert (agreement.status, agreement.latest_version) == ("in_negotiation", 2)


def test_activation_by_the_author_is_refused_and_by_another_user_accepted(
    session: Session, agreement: ChannelAgreement
) -> None:
    # given carla wrote the terms and omar approved them
    _to_approved(session, agreement)
    # when carla activates
    with pytest.raises(
        RuleViolation, match="user:carla wrote the terms of this agreement and cannot activate it"
    ):
        _move(session, agreement, "active", 3, who=CARLA)
    assert (agreement.status, agreement.latest_version) == ("approved", 3)
    # then omar can
    _move(session, agreement, "active", 3)
    assert (agreement.status, agreement.latest_version) == ("active", 4)


def test_whoever_revises_the_terms_becomes_their_author(
    session: Session, agreement: ChannelAgreement
) -> None:
    _move(session, agreement, "in_negotiation", 1, who=CARLA)
    revise_agreement(
        session,
        principal=OMAR,
        agreement_id=agreement.id,
        changes={"paymentTermsDays": 60},
        now=at(2),
    )
    with pytest.raises(RuleViolation, match="user:omar wrote the terms"):
        _move(session, agreement, "approved", 3, who=OMAR)
    _move(session, agreement, "approved", 3, who=CARLA)
    assert agreement.status == "approved"


def test_skipping_a_step_is_refused(session: Session, agreement: ChannelAgreement) -> None:
    with pytest.raises(RuleViolation) as caught:
        _move(session, agreement, "active", 1)
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("to_status", "the next status after draft is in_negotiation or terminated")
    ]
    assert agreement.status == "draft"


def test_terms_are_frozen_once_approved(session: Session, agreement: ChannelAgreement) -> None:
    _to_approved(session, agreement)
    with pytest.raises(RuleViolation, match="The terms of an agreement in approved cannot change"):
        revise_agreement(
            session,
            principal=CARLA,
            agreement_id=agreement.id,
            changes={"paymentTermsDays": 60},
            now=at(3),
        )
    assert agreement.latest_version == 3


def test_overlapping_validity_is_refused_and_one_agreement_is_active_per_partner(
    session: Session, partner: Any, agreement: ChannelAgreement
) -> None:
    # given the 2027 agreement is active
    _to_approved(session, agreement)
    _move(session, agreement, "active", 3)
    # when a second agreement overlapping it (June 2027 onwards) is approved
    renewal = create_agreement(
        session,
        principal=CARLA,
        partner_id=partner.id,
        terms={**TERMS, "name": "Renewal", "validFor": {"startDateTime": "2027-06-01T00:00:00Z"}},
        now=at(4),
    )
    _move(session, renewal, "in_negotiation", 5, who=CARLA)
    with pytest.raises(RuleViolation) as caught:
        _move(session, renewal, "approved", 6)
    # then it names the agreement it collides with
    assert caught.value.message == (
        "The validity overlaps the active agreement 'ACME dealer agreement 2027' of the same party"
    )
    assert [(d.location, d.message) for d in caught.value.details] == [
        (
            "validFor",
            f"agreement {agreement.id} is valid from 2027-01-01T00:00:00Z to 2028-01-01T00:00:00Z",
        )
    ]
    # and a renewal starting when 2027 ends may be approved, but not activated alongside it
    revise_agreement(
        session,
        principal=CARLA,
        agreement_id=renewal.id,
        changes={"validFor": {"startDateTime": "2028-01-01T00:00:00Z"}},
        now=at(7),
    )
    _move(session, renewal, "approved", 8)
    with pytest.raises(
        RuleViolation,
        match="The party already has an active agreement 'ACME dealer agreement 2027'",
    ):
        _move(session, renewal, "active", 9)
    assert renewal.status == "approved"


def test_expiry_comes_only_at_the_end_of_validity(
    session: Session, agreement: ChannelAgreement
) -> None:
    _to_approved(session, agreement)
    _move(session, agreement, "active", 3)
    with pytest.raises(RuleViolation, match="valid until 2028-01-01T00:00:00Z; it has not expired"):
        _move(session, agreement, "expired", 4)
    transition_agreement(
        session,
        principal=OMAR,
        agreement_id=agreement.id,
        to_status="expired",
        now=datetime(2028, 1, 1, tzinfo=UTC),
    )
    assert agreement.status == "expired"


def test_termination_needs_a_reason(session: Session, agreement: ChannelAgreement) -> None:
    with pytest.raises(InvalidInput, match="A reason is required"):
        _move(session, agreement, "terminated", 1)
    _move(session, agreement, "terminated", 1, comment="Dealer closed its shops")
    assert (agreement.status, agreement.latest_version) == ("terminated", 2)


def test_invalid_terms_are_reported_by_path_and_nothing_is_written(
    session: Session, partner: Any
) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_agreement(
            session,
            principal=CARLA,
            partner_id=partner.id,
            terms={
                "name": "Bad",
                "validFor": {
                    "startDateTime": "2027-01-01T00:00:00",
                    "endDateTime": "2026-01-01T00:00:00Z",
                },
                "commissionScheduleRef": "",
                "discountAllowances": {"FIBRE": 0.1, "TV": "5", "MOBILE": "100.001"},
                "volumeCommitments": {
                    "2027-13": {"commitment": 1, "target": 2},
                    "2027-02": {"commitment": 5, "target": 4},
                },
                "paymentTermsDays": 400,
                "clauses": {"Bad Key": "text"},
                "colour": "red",
            },
            now=T,
        )
    assert caught.value.message == "Invalid agreement terms"
    assert [(d.location, d.message) for d in caught.value.details] == [
        (
            "colour",
            "unknown field; known: name, validFor, commissionScheduleRef, discountAllowances, volumeCommitments, paymentTermsDays, clauses",
        ),
        (
            "validFor.startDateTime",
            "a timezone is required (e.g. 2026-01-01T00:00:00Z); got '2027-01-01T00:00:00'",
        ),
        (
            "commissionScheduleRef",
            "is required: the code of a commission schedule, at most 64 characters",
        ),
        (
            "discountAllowances.FIBRE",
            "expected a percentage from 0 to 100 with at most 2 decimals, as a string or an integer; got 0.1",
        ),
        ("discountAllowances.TV", "no product family with code 'TV'"),
        (
            "discountAllowances.MOBILE",
            "expected a percentage from 0 to 100 with at most 2 decimals, as a string or an integer; got '100.001'",
        ),
        ("volumeCommitments.2027-13", "expected YYYY-MM, got '2027-13'"),
        ("volumeCommitments.2027-02.target", "must be at least the commitment"),
        ("paymentTermsDays", "expected a whole number of days, 0 to 365"),
        ("clauses.Bad Key", "a clause key is lower-case letters, digits, _ or -"),
    ]
    assert session.scalar(select(func.count()).select_from(ChannelAgreement)) == 0


def test_an_agreement_is_with_a_partner_or_a_channel(session: Session, partner: Any) -> None:
    with pytest.raises(InvalidInput, match="An agreement is with a partner or with a channel"):
        create_agreement(
            session,
            principal=CARLA,
            partner_id=partner.id,
            channel_id=partner.channel_id,
            terms=TERMS,
            now=T,
        )
    channel_agreement = create_agreement(
        session, principal=CARLA, channel_id=partner.channel_id, terms=TERMS, now=T
    )
    assert (channel_agreement.partner_id, channel_agreement.channel_id) == (
        None,
        partner.channel_id,
    )


def test_a_partner_user_sees_only_its_own_agreements(
    session: Session, partner: Any, agreement: ChannelAgreement
) -> None:
    rival = b.partner(session, "RIVAL", partner.channel_id)
    theirs = create_agreement(session, principal=CARLA, partner_id=rival.id, terms=TERMS, now=T)
    channel_wide = create_agreement(
        session, principal=CARLA, channel_id=partner.channel_id, terms=TERMS, now=T
    )
    acme_user = b.user("acme-user", Role.PARTNER_USER, partner_id=partner.id)
    page = list_agreements(session, principal=acme_user, query=ListQuery())
    assert ([a.id for a in page.items], page.total) == ([agreement.id], 1)
    for hidden in (theirs, channel_wide):
        with pytest.raises(NotFound, match=f"Channel agreement {hidden.id} does not exist"):
            get_agreement(session, principal=acme_user, agreement_id=hidden.id)
    with pytest.raises(NotFound):
        diff_versions(session, principal=acme_user, agreement_id=theirs.id, a=1, b=1)


def test_an_unknown_version_is_not_found(session: Session, agreement: ChannelAgreement) -> None:
    with pytest.raises(NotFound) as caught:
        diff_versions(session, principal=CARLA, agreement_id=agreement.id, a=1, b=7)
    assert [(d.location, d.message) for d in caught.value.details] == [("b", "versions are 1 to 1")]


def test_changes_are_in_the_audit_trail(session: Session, partner: Any) -> None:
    set_audit_context(session, actor=CARLA.actor, now=T)
    agreement = create_agreement(
        session, principal=CARLA, partner_id=partner.id, terms=TERMS, now=T
    )
    set_audit_context(session, actor=OMAR.actor, now=at(1))
    _move(session, agreement, "terminated", 1, comment="Deal off")
    events = session.execute(
        select(AuditEvent.actor, AuditEvent.action, AuditEvent.object_type, AuditEvent.after)
        .where(AuditEvent.object_type.in_(["channel_agreement", "channel_agreement_version"]))
        .order_by(AuditEvent.sequence)
    ).all()
    assert [(actor, action, kind) for actor, action, kind, _ in events] == [
        ("user:carla", "create", "channel_agreement"),
        ("user:carla", "create", "channel_agreement_version"),
        ("user:omar", "create", "channel_agreement_version"),
        ("user:omar", "update", "channel_agreement"),
    ]
    assert events[0][3]["status"] == "draft"
    assert events[3][3] == {"status": "terminated", "latest_version": 2}


# --- commission schedules resolve to compensation plans -----------------------------------


def test_an_agreement_resolves_its_commission_schedule_to_a_plan(
    session: Session, agreement: ChannelAgreement
) -> None:
    plan = commission_plan(session, agreement)
    assert plan is not None
    assert (plan.code, plan.name) == ("DEALER-STD-2027", "Plan DEALER-STD-2027")


def test_a_commission_schedule_that_names_no_plan_is_refused_and_nothing_is_written(
    session: Session, partner: Any
) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_agreement(
            session,
            principal=CARLA,
            partner_id=partner.id,
            terms={**TERMS, "commissionScheduleRef": "DEALER-GOLD"},
            now=T,
        )
    assert caught.value.code == "SDV-400"
    assert str(caught.value.message) == (
        "The commission schedule 'DEALER-GOLD' is not a compensation plan"
    )
    assert [(d.location, d.message) for d in caught.value.details] == [
        (
            "commissionScheduleRef",
            "no compensation plan with code 'DEALER-GOLD'; give the code of a plan",
        )
    ]
    assert session.scalar(select(func.count()).select_from(ChannelAgreement)) == 0


def test_an_unknown_schedule_is_reported_with_the_other_problems_of_the_terms(
    session: Session, partner: Any
) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_agreement(
            session,
            principal=CARLA,
            partner_id=partner.id,
            terms={**TERMS, "commissionScheduleRef": "DEALER-GOLD", "paymentTermsDays": 400},
            now=T,
        )
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("paymentTermsDays", "expected a whole number of days, 0 to 365"),
        (
            "commissionScheduleRef",
            "no compensation plan with code 'DEALER-GOLD'; give the code of a plan",
        ),
    ]
    assert session.scalar(select(func.count()).select_from(ChannelAgreement)) == 0


def test_a_revision_to_an_unknown_schedule_is_refused_and_the_terms_stay(
    session: Session, agreement: ChannelAgreement
) -> None:
    with pytest.raises(InvalidInput) as caught:
        revise_agreement(
            session,
            principal=CARLA,
            agreement_id=agreement.id,
            changes={"commissionScheduleRef": "NO-SUCH-PLAN"},
            now=at(1),
        )
    assert [d.location for d in caught.value.details] == ["commissionScheduleRef"]
    assert (agreement.latest_version, agreement.commission_schedule_ref) == (1, "DEALER-STD-2027")
    b.commission_plan(session, "DEALER-GOLD")
    revise_agreement(
        session,
        principal=CARLA,
        agreement_id=agreement.id,
        changes={"commissionScheduleRef": "DEALER-GOLD"},
        now=at(2),
    )
    assert (agreement.latest_version, agreement.commission_schedule_ref) == (2, "DEALER-GOLD")
    assert commission_plan(session, agreement).code == "DEALER-GOLD"  # type: ignore[union-attr]


def test_terms_saved_before_schedules_were_checked_cannot_be_approved(
    session: Session, agreement: ChannelAgreement
) -> None:
    # Given an agreement whose schedule names no plan (written before the check existed)
    _move(session, agreement, "in_negotiation", 1, who=CARLA)
    agreement.commission_schedule_ref = "LEGACY-GOLD"
    session.flush()
    # When another user approves it, then the move is refused on the schedule
    with pytest.raises(RuleViolation) as caught:
        _move(session, agreement, "approved", 2)
    assert caught.value.code == "SDV-422"
    assert [(d.location, d.message) for d in caught.value.details] == [
        (
            "commissionScheduleRef",
            "no compensation plan with code 'LEGACY-GOLD'; give the code of a plan",
        )
    ]
    assert (agreement.status, agreement.latest_version) == ("in_negotiation", 2)
    assert commission_plan(session, agreement) is None
