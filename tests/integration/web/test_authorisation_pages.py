"""Channel authorisations in the console: list and filters, create, overlap refused, end and
withdraw with confirmation; every refusal says where and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from salesdev.db.models import ChannelAuthorisation
from salesdev.runtime import Runtime
from tests.integration.web.channel_world import World, build_world
from tests.integration.web.conftest import ConsoleClient
from tests.integration.web.pages import field_errors, main_text, table_rows

URL = "/channels/authorisations"


def _count(runtime: Runtime) -> int:
    with runtime.session_factory() as s:
        return s.scalar(select(func.count()).select_from(ChannelAuthorisation)) or 0


def _form(world: World, **values: str) -> dict[str, str]:
    return {
        "channel": str(world.channel),
        "offering": "MOB-10",
        "valid_from": "2026-11-01",
        **values,
    }


def test_the_list_shows_each_authorisation_and_filters_by_partner_and_day(
    console: ConsoleClient, runtime: Runtime
) -> None:
    build_world(runtime)

    every = console.get(URL)
    acme = console.get(URL, params={"partner": "ACME"})
    before = console.get(URL, params={"active_at": "2025-12-31"})

    # Same start: the order among them is the tie-breaker's (ids), so compare as sorted.
    assert sorted(row[:5] for row in table_rows(every.text)) == [
        ["Offering DUO (DUO)", "Channel DEALERS (DEALERS)", "Channel-wide",
         "from 2026-01-01 00:00 UTC, no end", "Active"],
        ["Offering FIBRE-1G (FIBRE-1G)", "Channel DEALERS (DEALERS)", "Channel-wide",
         "from 2026-01-01 00:00 UTC, no end", "Active"],
        ["Offering ROUTER (ROUTER)", "Channel DEALERS (DEALERS)", "Partner ACME (ACME)",
         "from 2026-01-01 00:00 UTC, no end", "Active"],
    ]  # fmt: skip
    assert [row[0] for row in table_rows(acme.text)] == ["Offering ROUTER (ROUTER)"]
    assert table_rows(acme.text)[0][5] == "Certification FIBRE-101"
    assert "No authorisation matches." in main_text(before.text)
    assert "Showing 1\N{EN DASH}3 of 3 authorisations." in main_text(every.text)


def test_a_new_authorisation_is_created_and_shown(console: ConsoleClient, runtime: Runtime) -> None:
    world = build_world(runtime)

    response = console.post(f"{URL}/new", data={**_form(world, partner="RIVAL", valid_to="2027-01-01"),
                            "prerequisite_type": ["course", ""], "prerequisite_code": ["MOB-1", ""]},
                            follow_redirects=True)  # fmt: skip

    assert response.status_code == 200
    page = main_text(response.text)
    assert "Channel authorisation created." in page
    assert "Authorised for Partner RIVAL (RIVAL)" in page
    assert "Period from 2026-11-01 00:00 UTC until 2027-01-01 00:00 UTC" in page
    assert "Prerequisites Course MOB-1" in page
    assert _count(runtime) == 4


def test_bad_input_is_shown_next_to_each_field_and_nothing_is_created(
    console: ConsoleClient, runtime: Runtime
) -> None:
    world = build_world(runtime)

    response = console.post(f"{URL}/new", data={
        "channel": str(world.channel), "partner": "NOPE", "offering": "", "valid_from": "tomorrow",
        "prerequisite_type": ["diploma"], "prerequisite_code": [""]})  # fmt: skip

    assert response.status_code == 400
    assert field_errors(response.text, "f-partner") == ["no partner with code 'NOPE'"]
    assert field_errors(response.text, "f-offering") == ["is required"]
    assert field_errors(response.text, "f-valid_from") == [
        "expected a date as YYYY-MM-DD, got 'tomorrow'"
    ]
    assert field_errors(response.text, "prereq-1") == [
        "Type: expected one of certification, course, agreement; got 'diploma'",
        "Code: is required",
    ]
    assert 'value="NOPE"' in response.text  # what was typed stays
    assert _count(runtime) == 3


def test_an_overlapping_period_is_refused_and_says_which_authorisation_it_overlaps(
    console: ConsoleClient, runtime: Runtime
) -> None:
    world = build_world(runtime)

    response = console.post(
        f"{URL}/new", data=_form(world, offering="FIBRE-1G", valid_from="2026-06-01")
    )

    assert response.status_code == 422
    page = main_text(response.text)
    assert ("Not saved. The period overlaps an existing authorisation of the channel "
            "(channel-wide) for this offering") in page  # fmt: skip
    errors = field_errors(response.text, "f-valid_from")
    assert len(errors) == 1 and errors[0].endswith(
        "is valid from 2026-01-01T00:00:00Z to open-ended"
    )
    assert _count(runtime) == 3


def test_ending_refuses_a_past_day_then_ends_on_a_later_one(
    console: ConsoleClient, runtime: Runtime
) -> None:
    build_world(runtime)
    with runtime.session_factory() as s:
        row = s.scalars(
            select(ChannelAuthorisation).where(ChannelAuthorisation.partner_id.is_not(None))
        ).one()
    href = f"{URL}/{row.id}"

    confirm = console.get(f"{href}/end")
    past = console.post(f"{href}/end", data={"version": "1", "valid_to": "2026-10-01"})
    ended = console.post(f"{href}/end", data={"version": "1", "valid_to": "2026-12-01"},
                         follow_redirects=True)  # fmt: skip

    assert confirm.status_code == 200 and "End authorisation?" in main_text(confirm.text)
    assert past.status_code == 422
    assert field_errors(past.text, "f-valid_to") == [
        "must be 2026-10-15T09:30:00Z or later; history is not rewritten"
    ]
    assert "Authorisation ends at 2026-12-01 00:00 UTC." in main_text(ended.text)
    with runtime.session_factory() as s:
        assert s.get(ChannelAuthorisation, row.id).valid_to == datetime(2026, 12, 1, tzinfo=UTC)  # type: ignore[union-attr]


def test_a_stale_end_is_refused(console: ConsoleClient, runtime: Runtime) -> None:
    build_world(runtime)
    with runtime.session_factory() as s:
        row = s.scalars(select(ChannelAuthorisation).limit(1)).one()

    response = console.post(f"{URL}/{row.id}/end", data={"version": "7", "valid_to": "2026-12-01"})

    assert response.status_code == 412
    assert "was changed by someone else" in main_text(response.text)
    with runtime.session_factory() as s:
        assert s.get(ChannelAuthorisation, row.id).valid_to is None  # type: ignore[union-attr]


def test_only_an_authorisation_not_started_yet_is_withdrawn(
    console: ConsoleClient, runtime: Runtime
) -> None:
    world = build_world(runtime)
    console.post(f"{URL}/new", data=_form(world))
    with runtime.session_factory() as s:
        future = s.scalars(select(ChannelAuthorisation).where(
            ChannelAuthorisation.valid_from == datetime(2026, 11, 1, tzinfo=UTC))).one()  # fmt: skip
        started = s.scalars(select(ChannelAuthorisation).limit(1)).one()

    refused = console.post(f"{URL}/{started.id}/withdraw", data={"version": "1"})
    done = console.post(f"{URL}/{future.id}/withdraw", data={"version": "1"}, follow_redirects=True)

    assert refused.status_code == 422
    assert "end it instead" in main_text(refused.text)
    assert "Authorisation withdrawn." in main_text(done.text)
    assert "Status Withdrawn" in main_text(done.text)
    with runtime.session_factory() as s:
        assert s.get(ChannelAuthorisation, started.id).status == "active"  # type: ignore[union-attr]
