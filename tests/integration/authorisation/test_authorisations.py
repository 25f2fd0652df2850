"""Channel authorisations: effective-dated, never overlapping, never rewritten."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from salesdev.db.models import AuditEvent, ChannelAuthorisation
from salesdev.db.query import Filter, ListQuery
from salesdev.domains.access import Role
from salesdev.domains.audit import set_audit_context
from salesdev.domains.authorisation import (
    authorise_offering,
    end_authorisation,
    get_authorisation,
    list_authorisations,
    withdraw_authorisation,
)
from tests.integration.authorisation import builders as b

JAN = datetime(2026, 1, 1, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)
MAR = datetime(2026, 3, 1, tzinfo=UTC)
APR = datetime(2026, 4, 1, tzinfo=UTC)
NOW = datetime(2026, 2, 15, 10, 0, tzinfo=UTC)
MANAGER = b.user("carla")


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    dealers = b.channel(session, "DEALERS")
    fibre = b.family(session)
    return {
        "channel": dealers,
        "acme": b.partner(session, "ACME", dealers.id),
        "offering": b.offering(session, "FIBRE-1G", fibre.id, recurring="39.99"),
    }


def _authorise(session: Session, world: dict[str, Any], **values: Any) -> ChannelAuthorisation:
    return authorise_offering(
        session,
        principal=MANAGER,
        channel_id=world["channel"].id,
        product_offering_id=world["offering"].id,
        now=NOW,
        **values,
    )


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ChannelAuthorisation)) or 0


def test_an_authorisation_is_recorded_with_its_prerequisites(
    session: Session, world: dict[str, Any]
) -> None:
    # when the channel manager authorises the channel from January to March
    row = _authorise(
        session,
        world,
        valid_from=JAN,
        valid_to=MAR,
        prerequisites=[{"type": "certification", "code": " FIBRE-101 "}],
    )
    # then the row is stored as given, channel-wide and active
    stored = get_authorisation(session, principal=MANAGER, authorisation_id=row.id)
    assert (stored.partner_id, stored.valid_from, stored.valid_to, stored.status) == (
        None,
        JAN,
        MAR,
        "active",
    )
    assert stored.prerequisites == [{"type": "certification", "code": "FIBRE-101"}]


def test_an_overlapping_period_is_refused_naming_the_conflict_and_nothing_changes(
    session: Session, world: dict[str, Any]
) -> None:
    # given a channel-wide authorisation from January to March
    existing = _authorise(session, world, valid_from=JAN, valid_to=MAR)
    # when another one for the same channel and offering starts in February
    with pytest.raises(RuleViolation) as caught:
        _authorise(session, world, valid_from=FEB)
    # then it is refused with the period it collides with, and only the first row exists
    assert caught.value.message == (
        "The period overlaps an existing authorisation of the channel (channel-wide) for this offering"
    )
    assert [(d.location, d.message) for d in caught.value.details] == [
        (
            "validFor",
            f"authorisation {existing.id} is valid from 2026-01-01T00:00:00Z to 2026-03-01T00:00:00Z",
        )
    ]
    assert _count(session) == 1


def test_an_open_ended_row_blocks_any_later_start(session: Session, world: dict[str, Any]) -> None:
    existing = _authorise(session, world, valid_from=FEB)
    with pytest.raises(RuleViolation) as caught:
        _authorise(
            session, world, valid_from=JAN, valid_to=datetime(2026, 2, 1, 0, 0, 1, tzinfo=UTC)
        )
    assert caught.value.details[0].message == (
        f"authorisation {existing.id} is valid from 2026-02-01T00:00:00Z to open-ended"
    )
    assert _count(session) == 1


def test_adjacent_periods_and_partner_rows_do_not_overlap(
    session: Session, world: dict[str, Any]
) -> None:
    # given January to March for the channel
    _authorise(session, world, valid_from=JAN, valid_to=MAR)
    # when the next period starts exactly at the end (valid_to is exclusive), and the
    # partner gets its own row for the same months
    _authorise(session, world, valid_from=MAR)
    _authorise(session, world, valid_from=JAN, partner_id=world["acme"].id)
    # then all three are kept
    assert _count(session) == 3


def test_invalid_input_is_reported_field_by_field(session: Session, world: dict[str, Any]) -> None:
    other_channel = b.channel(session, "WEB")
    stranger = b.partner(session, "WEBSHOP", other_channel.id)
    with pytest.raises(InvalidInput) as caught:
        _authorise(
            session,
            world,
            valid_from=MAR,
            valid_to=JAN,
            partner_id=stranger.id,
            prerequisites=[{"type": "diploma", "code": ""}, "x"],
        )
    assert caught.value.message == "Invalid channel authorisation"
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("partner_id", "partner WEBSHOP does not sell through channel DEALERS"),
        ("valid_to", "must be after valid_from"),
        (
            "prerequisites[0].type",
            "expected one of certification, course, agreement; got 'diploma'",
        ),
        ("prerequisites[0].code", "is required"),
        ("prerequisites[1]", "expected an object with type and code"),
    ]
    assert _count(session) == 0


def test_a_reference_to_something_that_does_not_exist_is_refused(
    session: Session, world: dict[str, Any]
) -> None:
    missing = "00000000-0000-0000-0000-000000000001"
    with pytest.raises(InvalidInput) as caught:
        authorise_offering(
            session,
            principal=MANAGER,
            channel_id=world["channel"].id,
            product_offering_id=uuid.UUID(missing),
            partner_id=uuid.UUID(missing),
            valid_from=JAN,
            now=NOW,
        )
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("product_offering_id", f"no product offering with id {missing}"),
        ("partner_id", f"no partner with id {missing}"),
    ]


def test_ending_sets_valid_to_and_keeps_the_row(session: Session, world: dict[str, Any]) -> None:
    row = _authorise(session, world, valid_from=JAN)
    end_authorisation(session, principal=MANAGER, authorisation_id=row.id, valid_to=MAR, now=NOW)
    assert (row.valid_from, row.valid_to, row.status, row.version) == (JAN, MAR, "active", 2)
    assert _count(session) == 1


def test_ending_in_the_past_is_refused_because_history_is_not_rewritten(
    session: Session, world: dict[str, Any]
) -> None:
    row = _authorise(session, world, valid_from=JAN)
    with pytest.raises(RuleViolation) as caught:
        end_authorisation(
            session, principal=MANAGER, authorisation_id=row.id, valid_to=FEB, now=NOW
        )
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("valid_to", "must be 2026-02-15T10:00:00Z or later; history is not rewritten")
    ]
    assert row.valid_to is None


def test_extending_an_end_into_a_later_row_is_refused(
    session: Session, world: dict[str, Any]
) -> None:
    first = _authorise(session, world, valid_from=JAN, valid_to=MAR)
    later = _authorise(session, world, valid_from=APR)
    with pytest.raises(RuleViolation) as caught:
        end_authorisation(
            session,
            principal=MANAGER,
            authorisation_id=first.id,
            valid_to=datetime(2026, 5, 1, tzinfo=UTC),
            now=NOW,
        )
    assert caught.value.details[0].message == (
        f"authorisation {later.id} is valid from 2026-04-01T00:00:00Z to open-ended"
    )
    assert first.valid_to == MAR


def test_only_an_authorisation_not_yet_in_force_can_be_withdrawn(
    session: Session, world: dict[str, Any]
) -> None:
    running = _authorise(session, world, valid_from=JAN, valid_to=MAR)
    future = _authorise(session, world, valid_from=APR)
    with pytest.raises(
        RuleViolation, match="is in force since 2026-01-01T00:00:00Z; end it instead"
    ):
        withdraw_authorisation(session, principal=MANAGER, authorisation_id=running.id, now=NOW)
    withdraw_authorisation(session, principal=MANAGER, authorisation_id=future.id, now=NOW)
    assert (running.status, future.status) == ("active", "withdrawn")
    # a withdrawn row no longer blocks its period
    _authorise(session, world, valid_from=APR, partner_id=None)
    assert _count(session) == 3


def test_only_channel_writers_may_authorise(session: Session, world: dict[str, Any]) -> None:
    rep = b.user("rex", Role.SALES_REP)
    with pytest.raises(PermissionDenied, match="rex may not write channels"):
        authorise_offering(
            session,
            principal=rep,
            channel_id=world["channel"].id,
            product_offering_id=world["offering"].id,
            valid_from=JAN,
            now=NOW,
        )
    assert _count(session) == 0


def test_a_partner_user_sees_its_own_rows_and_its_channel_wide_rows_only(
    session: Session, world: dict[str, Any]
) -> None:
    # given rows for the channel, for ACME and for another dealer of the same channel
    rival = b.partner(session, "RIVAL", world["channel"].id)
    channel_wide = _authorise(session, world, valid_from=JAN)
    own = _authorise(session, world, valid_from=JAN, partner_id=world["acme"].id)
    theirs = _authorise(session, world, valid_from=JAN, partner_id=rival.id)
    acme_user = b.user("acme-user", Role.PARTNER_USER, partner_id=world["acme"].id)
    # when ACME's user lists and reads them
    page = list_authorisations(session, principal=acme_user, query=ListQuery())
    # then the rival's row is invisible, as if it did not exist
    assert {row.id for row in page.items} == {channel_wide.id, own.id}
    assert page.total == 2
    with pytest.raises(NotFound):
        get_authorisation(session, principal=acme_user, authorisation_id=theirs.id)


def test_list_filters_by_partner(session: Session, world: dict[str, Any]) -> None:
    _authorise(session, world, valid_from=JAN)
    own = _authorise(session, world, valid_from=JAN, partner_id=world["acme"].id)
    page = list_authorisations(
        session,
        principal=MANAGER,
        query=ListQuery(filters=(Filter("partnerId", "eq", (str(world["acme"].id),)),)),
    )
    assert [row.id for row in page.items] == [own.id]


def test_every_change_is_in_the_audit_trail(session: Session, world: dict[str, Any]) -> None:
    set_audit_context(session, actor=MANAGER.actor, now=NOW)
    row = _authorise(session, world, valid_from=JAN)
    end_authorisation(session, principal=MANAGER, authorisation_id=row.id, valid_to=MAR, now=NOW)
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "channel_authorisation")
        .order_by(AuditEvent.sequence)
    ).all()
    assert [(e.actor, e.action, e.object_id) for e in events] == [
        ("user:carla", "create", str(row.id)),
        ("user:carla", "update", str(row.id)),
    ]
    assert (events[1].before, events[1].after) == (
        {"valid_to": None},
        {"valid_to": "2026-03-01T00:00:00+00:00"},
    )


def test_a_withdrawn_row_brought_in_as_history_blocks_nothing(
    session: Session, world: dict[str, Any]
) -> None:
    # given an active authorisation from January to March
    _authorise(session, world, valid_from=JAN, valid_to=MAR)
    # when history from elsewhere records a withdrawn one over the same period
    withdrawn = _authorise(session, world, valid_from=FEB, valid_to=MAR, withdrawn=True)
    # then it is kept, as withdrawn, beside the active one
    assert withdrawn.status == "withdrawn"
    assert _count(session) == 2


def test_in_force_at_keeps_the_active_rows_whose_period_contains_the_instant(
    session: Session, world: dict[str, Any]
) -> None:
    # given one row ending in March, one starting in March, and one withdrawn before it started
    ended = _authorise(session, world, valid_from=JAN, valid_to=MAR)
    later = _authorise(session, world, valid_from=MAR)
    _authorise(session, world, valid_from=FEB, valid_to=MAR, withdrawn=True)
    # when listing what is in force at the boundary and just before it
    at_march = list_authorisations(session, principal=MANAGER, query=ListQuery(), in_force_at=MAR)
    before = list_authorisations(
        session, principal=MANAGER, query=ListQuery(), in_force_at=MAR - timedelta(microseconds=1)
    )
    # then the end is exclusive and the start inclusive; the withdrawn row never counts
    assert [r.id for r in at_march.items] == [later.id]
    assert [r.id for r in before.items] == [ended.id]
    assert (at_march.total, before.total) == (1, 1)
