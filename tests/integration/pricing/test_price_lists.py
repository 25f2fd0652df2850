"""Price lists: one per scope, versions approved by someone else, no overlap, immutable,
entries imported all-or-nothing, guard-rails refusing what breaks them by itself."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    ErrorDetail,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from salesdev.db.models.pricing import PriceList, PriceListEntry, PriceListVersion, PricingRule
from salesdev.db.query import ListQuery
from salesdev.domains.access import Role
from salesdev.domains.pricing import (
    EntryInput,
    GuardRailInput,
    create_guard_rail,
    create_rule,
    create_version,
    import_entries_csv,
    list_price_lists,
    price_list_version_detail,
    set_entries,
    transition_version,
)
from tests.integration.authorisation import builders as b
from tests.integration.pricing.world import (
    CARLA,
    FROM,
    OMAR,
    REP,
    T,
    World,
    approve,
    draft,
    price_list,
    world,
)


@pytest.fixture
def w(session: Session) -> World:
    return world(session)


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_one_price_list_per_exact_scope(session: Session, w: World) -> None:
    price_list(session, w, partner_tier="gold")
    price_list(session, w, "Dealers (any tier)")
    with pytest.raises(RuleViolation) as refused:
        price_list(session, w, "Again", partner_tier="gold")
    assert refused.value.message == "Price list 'Dealers' already covers this exact scope"
    assert _count(session, PriceList) == 2


def test_bad_price_list_input_is_reported_field_by_field(session: Session, w: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        price_list(
            session, w, "", partner_tier="platinum", market_segment="martians", currency="eur"
        )
    assert refused.value.details == [
        ErrorDetail("name", "is required"),
        ErrorDetail("currency", "expected an ISO 4217 code like EUR, got 'eur'"),
        ErrorDetail("partnerTier", "expected one of gold, silver, bronze; got 'platinum'"),
        ErrorDetail("marketSegment", "no market segment 'martians'"),
    ]


def test_approval_by_the_author_is_refused_and_by_another_user_accepted(
    session: Session, w: World
) -> None:
    version = draft(session, price_list(session, w), [EntryInput("F100", recurring="35.00")])
    transition_version(session, principal=CARLA, version_id=version.id, action="submit", now=T)
    with pytest.raises(RuleViolation) as refused:
        transition_version(session, principal=CARLA, version_id=version.id, action="approve", now=T)
    assert refused.value.message == (
        "user:carla authored version 1 of price list 'Dealers' and cannot approve it; "
        "another user must"
    )
    assert version.status == "submitted"
    transition_version(session, principal=OMAR, version_id=version.id, action="approve", now=T)
    assert (version.status, version.decided_by) == ("approved", "user:omar")


def test_an_overlapping_version_is_refused_naming_the_other(session: Session, w: World) -> None:
    pl = price_list(session, w)
    first = approve(session, draft(session, pl, [EntryInput("F100", recurring="35.00")]))
    second = draft(
        session, pl, [EntryInput("F100", recurring="33.00")], start=datetime(2027, 6, 1, tzinfo=UTC)
    )
    transition_version(session, principal=CARLA, version_id=second.id, action="submit", now=T)
    with pytest.raises(RuleViolation) as refused:
        transition_version(session, principal=OMAR, version_id=second.id, action="approve", now=T)
    assert refused.value.message == (
        "The validity of version 2 overlaps approved version 1 of price list 'Dealers'"
    )
    assert refused.value.details == [
        ErrorDetail(
            "validFor",
            f"version 1 ({first.id}) is valid from 2027-01-01T00:00:00Z to open-ended",
        )
    ]
    assert second.status == "submitted"


def test_an_approved_version_never_changes_and_a_copy_carries_its_content(
    session: Session, w: World
) -> None:
    pl = price_list(session, w)
    first = draft(
        session,
        pl,
        [EntryInput("F100", recurring="35.00", unit_cost="20.00")],
        end=datetime(2027, 6, 1, tzinfo=UTC),
    )
    create_rule(
        session,
        principal=CARLA,
        version_id=first.id,
        values={
            "name": "Promo",
            "kind": "discount",
            "method": "percentage",
            "value": "10",
            "appliesTo": "recurring",
            "target": "all",
            "stacking": "stackable",
        },
        now=T,
    )
    approve(session, first)
    with pytest.raises(RuleViolation) as refused:
        set_entries(
            session,
            principal=CARLA,
            version_id=first.id,
            entries=[EntryInput("F100", recurring="1")],
            now=T,
        )
    assert (
        refused.value.message == "Version 1 of price list 'Dealers' is approved and cannot change"
    )
    second = create_version(
        session,
        principal=CARLA,
        price_list_id=pl.id,
        valid_from=datetime(2027, 6, 1, tzinfo=UTC),
        copy_from=first.id,
        now=T,
    )
    set_entries(
        session,
        principal=CARLA,
        version_id=second.id,
        entries=[EntryInput("TV1", recurring="12.00")],
        now=T,
    )
    detail = price_list_version_detail(session, principal=REP, version_id=second.id)
    assert [(e.offering.code, e.entry.recurring_amount) for e in detail.entries] == [
        ("F100", Decimal("35.0000")),
        ("TV1", Decimal("12.0000")),
    ]
    assert [r.rule.name for r in detail.rules] == ["Promo"]
    assert [(c.offering_code, c.change) for c in detail.changes] == [("TV1", "added")]
    assert detail.scope == "channel DEALERS"


def test_bad_csv_rows_are_all_reported_and_nothing_is_imported(session: Session, w: World) -> None:
    version = draft(session, price_list(session, w), [])
    text = (
        "offering,recurring,one_time,unit_cost\n"
        "F100,35.00,,20\n"
        "NOPE,10,,\n"
        "TV1,abc,,\n"
        "F100,1,,\n"
        "BUNDLE,,,\n"
        "TV1,1,2\n"
    )
    with pytest.raises(InvalidInput) as refused:
        import_entries_csv(session, principal=CARLA, version_id=version.id, text=text, now=T)
    assert refused.value.details == [ErrorDetail("line 7", "expected 4 columns, got 3")]
    with pytest.raises(InvalidInput) as refused:
        import_entries_csv(
            session,
            principal=CARLA,
            version_id=version.id,
            text=text.rsplit("TV1,1,2", 1)[0],
            now=T,
        )
    assert refused.value.details == [
        ErrorDetail("line 3, offering", "no product offering 'NOPE'"),
        ErrorDetail("line 4, recurring", "not a decimal number: 'abc'"),
        ErrorDetail("line 5, offering", "'F100' appears more than once"),
        ErrorDetail("line 6", "give a recurring or a one-time charge (or both)"),
    ]
    assert _count(session, PriceListEntry) == 0
    imported = import_entries_csv(
        session,
        principal=CARLA,
        version_id=version.id,
        text="offering,recurring\nF100,35.00\nTV1,12.5\n",
        now=T,
    )
    assert len(imported) == 2


def test_an_entry_or_rule_breaking_a_guard_rail_by_itself_is_refused(
    session: Session, w: World
) -> None:
    create_guard_rail(
        session,
        principal=CARLA,
        values=GuardRailInput(
            channel_id=w.channel.id,
            valid_from=FROM,
            max_discount_percent="30",
            min_margin_percent="20",
        ),
        now=T,
    )
    version = draft(session, price_list(session, w), [])
    with pytest.raises(RuleViolation) as refused:
        set_entries(
            session,
            principal=CARLA,
            version_id=version.id,
            entries=[EntryInput("F100", recurring="35.00", unit_cost="30.00")],
            now=T,
        )
    assert refused.value.details[0].location == "entry[0]"
    assert refused.value.details[0].message.startswith(
        "the recurring charge 35.00 leaves a margin of 14.29% over the unit cost 30.00, below the minimum 20%"
    )
    assert _count(session, PriceListEntry) == 0
    set_entries(
        session,
        principal=CARLA,
        version_id=version.id,
        entries=[EntryInput("F100", recurring="40.00", unit_cost="28.00")],
        now=T,
    )
    rule = {
        "name": "Deep",
        "kind": "discount",
        "method": "percentage",
        "value": "35",
        "appliesTo": "both",
        "target": "all",
        "stacking": "exclusive",
    }
    with pytest.raises(RuleViolation) as refused:
        create_rule(session, principal=CARLA, version_id=version.id, values=rule, now=T)
    assert [d.message.split(" (guard-rail")[0] for d in refused.value.details] == [
        "a 35% discount exceeds the maximum total discount 30%",
        "offering F100: the recurring charge would be 26.00, below 35.00 (minimum margin 20% over unit cost 28.00)",
    ]
    assert _count(session, PricingRule) == 0


def test_rule_input_errors_name_each_field(session: Session, w: World) -> None:
    version = draft(session, price_list(session, w), [])
    with pytest.raises(InvalidInput) as refused:
        create_rule(
            session,
            principal=CARLA,
            version_id=version.id,
            values={
                "name": "X",
                "kind": "rebate",
                "method": "percentage",
                "value": "150",
                "appliesTo": "both",
                "target": "family",
                "family": "NOPE",
                "stacking": "stackable",
                "condition": {"attribute": "customer.shoe_size", "op": "eq", "value": 4},
            },
            now=T,
        )
    locations = [d.location for d in refused.value.details]
    assert locations[:2] == ["kind", "family"]
    assert any(loc.startswith("condition") for loc in locations)


def test_readers_and_partner_users_see_only_their_lists(session: Session, w: World) -> None:
    price_list(session, w, "Gold", partner_tier="gold")
    price_list(session, w, "Silver", partner_tier="silver")
    price_list(session, w, "Any")
    other = b.channel(session, "ONLINE")
    from salesdev.domains.pricing import PriceListInput, create_price_list

    create_price_list(
        session,
        principal=CARLA,
        values=PriceListInput(name="Online", channel_id=other.id, currency="EUR"),
        now=T,
    )
    acme = b.user("acme", Role.PARTNER_USER, partner_id=w.partner.id)
    names = [p.name for p in list_price_lists(session, principal=acme, query=ListQuery()).items]
    assert names == ["Any", "Silver"]
    assert len(list_price_lists(session, principal=REP, query=ListQuery()).items) == 4
    with pytest.raises(PermissionDenied):
        price_list(session, w, "Rep's", who=REP)


def test_an_unknown_version_is_not_found(session: Session, w: World) -> None:
    import uuid

    with pytest.raises(NotFound):
        price_list_version_detail(session, principal=REP, version_id=uuid.uuid4())
    assert _count(session, PriceListVersion) == 0


def test_an_approved_version_is_ended_so_that_the_next_one_can_follow(
    session: Session, w: World
) -> None:
    from salesdev.domains.pricing import end_version, update_version

    pl = price_list(session, w)
    first = approve(session, draft(session, pl, [EntryInput("F100", recurring="35.00")]))
    june = datetime(2027, 6, 1, tzinfo=UTC)
    with pytest.raises(RuleViolation) as refused:
        end_version(
            session, principal=CARLA, version_id=first.id, valid_to=T.replace(year=2025), now=T
        )
    assert refused.value.details == [
        ErrorDetail("validFor.endDateTime", "cannot be in the past"),
        ErrorDetail("validFor.endDateTime", "must be after the start"),
    ]
    with pytest.raises(RuleViolation):
        update_version(session, principal=CARLA, version_id=first.id, comment="new", now=T)
    end_version(session, principal=CARLA, version_id=first.id, valid_to=june, now=T)
    second = approve(
        session, draft(session, pl, [EntryInput("F100", recurring="33.00")], start=june)
    )
    assert (first.valid_to, second.status) == (june, "approved")
