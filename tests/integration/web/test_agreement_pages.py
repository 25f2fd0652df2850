"""Channel agreements in the console: create with the terms form, revise into versions,
stale revisions refused, four-eyes status moves, and a side-by-side comparison."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select

from salesdev.db.models import ChannelAgreement, ChannelAgreementVersion
from salesdev.db.session import unit_of_work
from salesdev.runtime import Runtime
from tests.integration.authorisation.builders import commission_plan
from tests.integration.web.channel_world import World, build_world
from tests.integration.web.conftest import ConsoleClient, log_in, make_user
from tests.integration.web.pages import body_rows, field_errors, main_text, table_rows, text


def _terms(world: World, **values: Any) -> dict[str, Any]:
    return {
        "partner": str(world.acme), "channel": "", "name": "ACME dealer agreement 2027",
        "valid_from": "2027-01-01", "valid_to": "2028-01-01", "commission": "DEALER-STD-2027",
        "payment_days": "30", "allowance_FIBRE": "10", "allowance_MOBILE": "5",
        "volume_month": ["2027-01", ""], "volume_commitment": ["100", ""], "volume_target": ["150", ""],
        "clause_key": ["exclusivity"], "clause_text": ["No other operator's fibre in ACME shops."],
        **values,
    }  # fmt: skip


def _world(runtime: Runtime) -> World:
    """The channel world and the compensation plan the terms' commission schedule names."""
    world = build_world(runtime, authorise=False)
    with unit_of_work(runtime.session_factory) as session:
        commission_plan(session, "DEALER-STD-2027")
    return world


def _counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.session_factory() as s:
        return (
            s.scalar(select(func.count()).select_from(ChannelAgreement)) or 0,
            s.scalar(select(func.count()).select_from(ChannelAgreementVersion)) or 0,
        )


def _create(client: ConsoleClient, world: World, **values: Any) -> str:
    response = client.post("/agreements/new", data=_terms(world, **values), follow_redirects=False)
    assert response.status_code == 303, main_text(response.text)
    return str(response.headers["location"])


def test_an_agreement_is_created_as_a_draft_with_its_terms(
    console: ConsoleClient, runtime: Runtime
) -> None:
    world = _world(runtime)

    href = _create(console, world)
    page = main_text(console.get(href).text)
    listed = table_rows(console.get("/agreements").text)

    assert "With Partner Partner ACME (ACME) · status Draft · version 1" in page
    assert "Discount allowances FIBRE: 10 %; MOBILE: 5 %" in page
    assert "Volume commitments 2027-01: 100 committed, target 150" in page
    assert "Clauses exclusivity : No other operator's fibre in ACME shops." in page
    assert "Commission schedule DEALER-STD-2027 (Plan DEALER-STD-2027)" in page
    assert re.search(r'<a href="/compensation/plans/[0-9a-f-]{36}">DEALER-STD-2027</a>',
                     console.get(href).text)  # fmt: skip
    assert listed == [["ACME dealer agreement 2027", "Partner Partner ACME (ACME)", "Draft",
                       "from 2027-01-01 00:00 UTC until 2028-01-01 00:00 UTC", "DEALER-STD-2027", "1"]]  # fmt: skip


def test_bad_terms_are_shown_next_to_their_fields_and_nothing_is_created(
    console: ConsoleClient, runtime: Runtime
) -> None:
    world = _world(runtime)

    response = console.post("/agreements/new", data=_terms(
        world, name="", allowance_FIBRE="150", payment_days="thirty", valid_to="2026-01-01",
        volume_month=["2027-01", "2027-02"], volume_commitment=["100", "50"],
        volume_target=["150", "10"], clause_key=["Bad Key"]))  # fmt: skip

    assert response.status_code == 400
    assert field_errors(response.text, "f-name") == ["is required, at most 200 characters"]
    assert field_errors(response.text, "f-payment_days") == [
        "expected a whole number of days, got 'thirty'"
    ]
    assert field_errors(response.text, "f-valid_to") == ["must be after startDateTime"]
    assert field_errors(response.text, "f-allowance-FIBRE")[0].startswith(
        "expected a percentage from 0 to 100"
    )
    assert field_errors(response.text, "volume-2") == ["target: must be at least the commitment"]
    assert field_errors(response.text, "clause-1") == [
        "a clause key is lower-case letters, digits, _ or -"
    ]
    assert 'value="thirty"' in response.text
    assert _counts(runtime) == (0, 0)


def test_a_commission_schedule_that_names_no_plan_is_shown_at_its_field(
    console: ConsoleClient, runtime: Runtime
) -> None:
    world = _world(runtime)

    response = console.post("/agreements/new", data=_terms(world, commission="DEALER-GOLD"))

    assert response.status_code == 400
    assert field_errors(response.text, "f-commission") == [
        "no compensation plan with code 'DEALER-GOLD'; give the code of a plan"
    ]
    assert 'value="DEALER-GOLD"' in response.text
    assert _counts(runtime) == (0, 0)


def test_a_party_must_be_exactly_one_of_partner_and_channel(
    console: ConsoleClient, runtime: Runtime
) -> None:
    world = _world(runtime)

    response = console.post("/agreements/new", data=_terms(world, channel=str(world.channel)))

    assert response.status_code == 400
    assert field_errors(response.text, "party") == ["give exactly one of partner_id and channel_id"]
    assert _counts(runtime) == (0, 0)


def _version(runtime: Runtime, href: str) -> str:
    with runtime.session_factory() as s:
        agreement = s.get(ChannelAgreement, uuid.UUID(href.rsplit("/", 1)[1]))
        assert agreement is not None
        return str(agreement.version)


def test_revising_creates_a_version_a_stale_revision_is_refused_and_versions_compare(
    console: ConsoleClient, runtime: Runtime
) -> None:
    world = _world(runtime)
    href = _create(console, world)
    form = console.get(f"{href}/revise").text
    opened_version = re.search(r'name="version" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    assert 'id="f-allowance-FIBRE" name="allowance_FIBRE" value="10"' in form

    revised = console.post(f"{href}/revise", follow_redirects=True, data=_terms(
        world, version=opened_version, allowance_FIBRE="12.5", allowance_MOBILE="",
        payment_days="45", valid_to="", volume_month=["2027-01", "2027-02"],
        volume_commitment=["100", "120"], volume_target=["150", "180"], comment="Counter-offer"))  # fmt: skip
    stale = console.post(
        f"{href}/revise", data=_terms(world, version=opened_version, payment_days="60")
    )

    assert "Terms revised: version 2." in main_text(revised.text)
    assert stale.status_code == 412
    assert "was changed by someone else" in main_text(stale.text)
    assert _counts(runtime) == (1, 2)

    compared = console.get(f"{href}/compare", params={"a": "1", "b": "2"})
    rows = {r[0]: r[1:] for r in body_rows(compared.text)}
    assert "6 fields differ; they are highlighted and marked." in main_text(compared.text)
    assert rows["discountAllowances.FIBRE"] == ["10", "12.5", "Changed"]
    assert rows["discountAllowances.MOBILE"] == ["5", "", "Removed"]
    assert rows["paymentTermsDays"] == ["30", "45", "Changed"]
    assert rows["validFor.endDateTime"] == ["2028-01-01T00:00:00Z", "", "Removed"]
    assert rows["volumeCommitments.2027-02.commitment"] == ["", "120", "Added"]
    assert rows["commissionScheduleRef"] == ["DEALER-STD-2027", "DEALER-STD-2027", ""]
    assert '<tr class="diff-row diff-changed">' in compared.text


def test_the_author_of_the_terms_cannot_approve_and_another_user_can(
    app: FastAPI, console: ConsoleClient, runtime: Runtime
) -> None:
    world = _world(runtime)
    href = _create(console, world)
    console.post(
        f"{href}/status", data={"to_status": "in_negotiation", "version": _version(runtime, href)}
    )

    own = console.get(href)
    assert "Waiting for approval by someone else" in main_text(own.text)
    assert 'value="approved"' not in own.text
    refused = console.post(
        f"{href}/status", data={"to_status": "approved", "version": _version(runtime, href)}
    )
    assert refused.status_code == 422
    assert "user:root wrote the terms of this agreement and cannot approve it" in main_text(
        refused.text
    )

    make_user(runtime, "chris", ["channel_manager"])
    chris = ConsoleClient(app)
    assert log_in(chris, "chris").status_code == 303
    approved = chris.post(f"{href}/status", data={"to_status": "approved", "version": _version(runtime, href)},
                          follow_redirects=True)  # fmt: skip

    assert "The agreement is now approved." in main_text(approved.text)
    versions = table_rows(approved.text.split('id="versions-heading"')[1])
    assert [v[:4] for v in versions] == [
        ["3", "Status", "approved", "user:chris"],
        ["2", "Status", "in_negotiation", "user:root"],
        ["1", "Created", "draft", "user:root"],
    ]
    terminate = chris.post(
        f"{href}/status", data={"to_status": "terminated", "version": _version(runtime, href)}
    )
    assert terminate.status_code == 400
    assert field_errors(terminate.text, "status-comment") == ["say why"]
    assert text(terminate.text).count("Not changed.") == 1
