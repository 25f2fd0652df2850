"""Offer catalogue browsing in the console: a channel's sellable offerings, bundles with
their components, list prices, paging, and a partner user's own channel by default."""

from __future__ import annotations

import re

from fastapi import FastAPI

from salesdev.runtime import Runtime
from tests.integration.web.channel_world import build_world
from tests.integration.web.conftest import ConsoleClient, log_in, make_user
from tests.integration.web.pages import field_errors, main_text, text

URL = "/channels/catalogue"


def _rows(html: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    if not body:
        return []
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [[text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]


def test_a_channel_shows_its_sellable_offerings_with_bundle_components_and_prices(
    console: ConsoleClient, runtime: Runtime
) -> None:
    world = build_world(runtime)

    page = console.get(URL, params={"channel": str(world.channel)})

    assert page.status_code == 200
    assert "Showing 1\N{EN DASH}2 of 2 sellable offerings at 2026-10-15 09:30 UTC." in main_text(
        page.text
    )
    assert _rows(page.text) == [
        ["Offering DUO DUO", "Fibre", "Bundle of 2", "49.99 EUR", "0.00 EUR", "49.99 EUR", "—",
         "Channel-wide", "from 2026-01-01 00:00 UTC no end", "—"],
        ["Component of DUO: ↳ Offering FIBRE-1G FIBRE-1G", "", "Component", "39.99 EUR",
         "49.00 EUR", ""],
        ["Component of DUO: ↳ Offering MOB-10 MOB-10", "", "Component", "15.50 EUR", "0.00 EUR",
         ""],
        ["Offering FIBRE-1G FIBRE-1G", "Fibre", "Single", "39.99 EUR", "49.00 EUR",
         "39.99 EUR", "49.00 EUR", "Channel-wide", "from 2026-01-01 00:00 UTC no end", "—"],
    ]  # fmt: skip


def test_a_partner_adds_its_own_authorisations_and_a_date_before_them_shows_none(
    console: ConsoleClient, runtime: Runtime
) -> None:
    world = build_world(runtime)

    with_acme = console.get(URL, params={"channel": str(world.channel), "partner": str(world.acme)})
    before = console.get(URL, params={"channel": str(world.channel), "date": "2025-12-31"})

    rows = [r for r in _rows(with_acme.text) if not r[0].startswith("Component")]
    assert [r[0] for r in rows] == ["Offering DUO DUO", "Offering FIBRE-1G FIBRE-1G",
                                    "Offering ROUTER ROUTER"]  # fmt: skip
    assert rows[2][5:7] == ["—", "99.90 EUR"]  # the channel price (no price list: the list price)
    assert rows[2][7:] == ["Partner ACME (ACME)", "from 2026-01-01 00:00 UTC no end",
                           "Certification FIBRE-101"]  # fmt: skip
    assert "No offering is sellable through this channel at 2025-12-31 00:00 UTC." in main_text(
        before.text
    )


def test_paging_shows_one_page_and_links_the_next(console: ConsoleClient, runtime: Runtime) -> None:
    world = build_world(runtime)

    first = console.get(
        URL, params={"channel": str(world.channel), "limit": "10", "partner": str(world.acme)}
    )
    assert "Showing 1\N{EN DASH}3 of 3" in main_text(first.text)
    one = console.get(URL, params={"channel": str(world.channel), "limit": "1", "offset": "1"})

    assert "Showing 2\N{EN DASH}2 of 2 sellable offerings" in main_text(one.text)
    assert [r[0] for r in _rows(one.text)] == ["Offering FIBRE-1G FIBRE-1G"]
    assert 'rel="prev"' in one.text and 'rel="next"' not in one.text


def test_bad_input_is_shown_next_to_its_field(console: ConsoleClient, runtime: Runtime) -> None:
    world = build_world(runtime)

    page = console.get(URL, params={"channel": str(world.channel), "date": "31/12/2025",
                                    "partner": str(world.offerings["DUO"])})  # fmt: skip

    assert page.status_code == 400
    assert field_errors(page.text, "browse-date") == [
        "expected a date as YYYY-MM-DD, got '31/12/2025'"
    ]
    assert field_errors(page.text, "browse-partner") == [
        "choose a partner that sells through this channel"
    ]
    assert "<tbody>" not in page.text


def test_a_partner_user_starts_with_its_own_partner_and_cannot_browse_another_channel(
    app: FastAPI, runtime: Runtime
) -> None:
    world = build_world(runtime)
    make_user(runtime, "pat", ["partner_user"], partner_id=world.acme)
    client = ConsoleClient(app)
    assert log_in(client, "pat").status_code == 303

    page = client.get(URL)
    other = client.get(URL, params={"channel": str(world.other_channel)})

    assert f'<option value="{world.acme}" selected>' in page.text
    assert [r[0] for r in _rows(page.text) if not r[0].startswith("Component")][-1] == (
        "Offering ROUTER ROUTER"
    )
    assert str(world.other_channel) not in page.text  # only its own channel is offered
    assert other.status_code == 404
