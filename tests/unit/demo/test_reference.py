"""The demo operator's reference data, built in memory from a seed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from salesdev.core.errors import InvalidInput
from salesdev.demo.calendar import Window
from salesdev.demo.reference import DSL, FIBRE, FWA, Reference, build_reference
from salesdev.demo.scales import SCALES, get_scale

NOW = datetime(2026, 10, 15, 9, 30, tzinfo=UTC)


def _build(seed: int = 7, scale: str = "small") -> Reference:
    return build_reference(
        scale=SCALES[scale], seed=seed, now=NOW, window=Window.ending_before(NOW)
    )


def test_an_unknown_scale_is_refused_with_its_location() -> None:
    with pytest.raises(InvalidInput) as error:
        get_scale("huge")
    assert error.value.details[0].location == "scale"
    assert "small" in error.value.details[0].message


def test_the_same_seed_gives_the_same_rows_and_ids_and_another_seed_other_ids() -> None:
    first, again, other = _build(7), _build(7), _build(8)
    for table in (
        "regions",
        "families",
        "offerings",
        "bundle_items",
        "channels",
        "partners",
        "outlets",
        "people",
    ):
        assert getattr(first, table).rows == getattr(again, table).rows
        assert set(getattr(first, table).ids).isdisjoint(getattr(other, table).ids)
    assert first.parties.customer_ids == again.parties.customer_ids
    assert (first.parties.premise_tech == again.parties.premise_tech).all()


def test_small_scale_has_the_sizes_the_brief_asks_for() -> None:
    reference = _build()
    assert len(reference.regions) == 10  # the country and its nine regions
    assert 85 <= len(reference.offerings) <= 110
    assert 50 <= len(reference.partners) <= 70
    assert 250 <= len(reference.people) <= 350
    assert reference.parties.customers == 3_000


def test_channels_cover_every_channel_type_and_sub_dealers_hang_under_master_agents() -> None:
    channels = {row["channel_type"]: row for row in _build().channels.rows}
    assert set(channels) == {
        "own_retail", "franchise_dealer", "master_agent", "sub_dealer", "online", "telesales",
        "b2b_field", "wholesale", "marketplace",
    }  # fmt: skip
    assert channels["sub_dealer"]["parent_id"] == channels["master_agent"]["id"]


def test_partner_genealogy_is_master_agent_then_dealer_then_sub_dealer() -> None:
    partners = {row["id"]: row for row in _build().partners.rows}
    for partner in partners.values():
        parent = partners.get(partner["parent_id"])
        expected_parent_type = {"dealer": "master_agent", "sub_dealer": "dealer"}.get(
            partner["partner_type"]
        )
        assert (parent["partner_type"] if parent else None) == expected_parent_type
        assert partner["tier"] in {"gold", "silver", "bronze"}
    # The scale's partners, plus three applicants still being on-boarded.
    assert Counter(p["partner_type"] for p in partners.values()) == {
        "master_agent": 4, "dealer": 12 + 1, "sub_dealer": 24, "franchisee": 12 + 1,
        "wholesale_reseller": 5 + 1, "marketplace": 2,
    }  # fmt: skip
    applicants = [p for p in partners.values() if p["status"] != "active"]
    assert [(p["partner_type"], p["status"]) for p in applicants] == [
        ("dealer", "onboarding"), ("franchisee", "onboarding"), ("wholesale_reseller", "onboarding"),
    ]  # fmt: skip


def test_the_sales_organisation_is_four_levels_deep() -> None:
    people = {row["id"]: row for row in _build().people.rows}
    own = [p for p in people.values() if p["partner_id"] is None]
    chains: Counter[tuple[str, ...]] = Counter()
    for person in own:
        roles = [person["role"]]
        manager = people.get(person["manager_id"])
        while manager is not None:
            roles.append(manager["role"])
            manager = people.get(manager["manager_id"])
        chains[tuple(reversed(roles))] += 1
    assert set(chains) == {("vp",), ("vp", "director"), ("vp", "director", "manager"),
                           ("vp", "director", "manager", "rep")}  # fmt: skip
    dealer_staff = [p for p in people.values() if p["partner_id"] is not None]
    assert dealer_staff and {p["role"] for p in dealer_staff} == {"manager", "rep"}


def test_outlets_people_and_sales_points_agree_on_channel_and_partner() -> None:
    reference = _build()
    partners, outlets, people = (
        reference.partners.rows,
        reference.outlets.rows,
        reference.people.rows,
    )
    channels = reference.channels.rows
    for outlet in outlets:
        if outlet["partner_id"] is not None:
            partner = next(p for p in partners if p["id"] == outlet["partner_id"])
            assert outlet["channel_id"] == partner["channel_id"]
    points = reference.sales_points
    for channel, outlet, partner, person in zip(points.channel, points.outlet, points.partner, points.person,
                                                strict=True):  # fmt: skip
        channel_id = channels[channel]["id"]
        if outlet >= 0:
            assert outlets[outlet]["channel_id"] == channel_id
            assert outlets[outlet]["partner_id"] == (
                partners[partner]["id"] if partner >= 0 else None
            )
        if partner >= 0:
            assert partners[partner]["channel_id"] == channel_id
        if person >= 0:
            assert people[person]["channel_id"] == channel_id
            assert people[person]["role"] == "rep"
            assert people[person]["partner_id"] == (
                partners[partner]["id"] if partner >= 0 else None
            )


def test_every_premise_can_get_some_fixed_access() -> None:
    tech = _build().parties.premise_tech
    assert ((tech & (FIBRE | DSL | FWA)) > 0).all()
