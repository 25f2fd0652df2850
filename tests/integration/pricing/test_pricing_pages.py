"""Channel pricing in the console: a list, a version with entries (one by one and CSV),
a rule written with the rule editor's field, four-eyes approval, guard-rails and the
price check breakdown."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from salesdev.db.models.pricing import PriceListEntry, PriceListVersion
from salesdev.db.session import unit_of_work
from salesdev.runtime import Runtime
from tests.integration.pricing.world import World, world
from tests.integration.web.conftest import ConsoleClient, console_app, log_in, make_user
from tests.integration.web.pages import main_text


@pytest.fixture
def w(runtime: Runtime) -> World:
    with unit_of_work(runtime.session_factory) as session:
        found = world(session)
        session.expunge_all()
    return found


def _client(runtime: Runtime, login: str, role: str) -> ConsoleClient:
    make_user(runtime, login, [role])
    client = ConsoleClient(console_app(runtime))
    assert log_in(client, login).status_code == 303
    return client


@pytest.fixture
def carla(runtime: Runtime) -> Iterator[ConsoleClient]:
    with _client(runtime, "carla", "channel_manager") as client:
        yield client


@pytest.fixture
def omar(runtime: Runtime) -> Iterator[ConsoleClient]:
    with _client(runtime, "omar", "product_manager") as client:
        yield client


def test_a_price_list_is_priced_approved_and_checked(
    carla: ConsoleClient, omar: ConsoleClient, runtime: Runtime, w: World
) -> None:
    made = carla.post(
        "/pricing/price-lists",
        data={"name": "Dealers", "channel": str(w.channel.id), "currency": "EUR"},
        follow_redirects=False,
    )
    assert made.status_code == 303, main_text(made.text)
    list_href = made.headers["location"]
    assert "Dealers" in carla.get("/pricing/price-lists").text
    version = carla.post(
        f"{list_href}/versions", data={"valid_from": "2027-01-01"}, follow_redirects=False
    )
    assert version.status_code == 303, main_text(version.text)
    version_href = version.headers["location"]
    bad = carla.post(f"{version_href}/import", data={"csv": "offering,recurring\nF100,abc\n"})
    assert bad.status_code == 400
    assert "line 2, recurring: not a decimal number: 'abc'" in main_text(bad.text)
    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(PriceListEntry)) == 0
    uploaded = carla.post(
        f"{version_href}/import",
        files={
            "file": ("entries.csv", b"offering,recurring,one_time\nF100,40.00,50\n", "text/csv")
        },
        follow_redirects=False,
    )
    assert uploaded.status_code == 303, main_text(uploaded.text)
    entry = carla.post(
        f"{version_href}/entries",
        data={"offering": "TV1", "recurring": "14.00"},
        follow_redirects=False,
    )
    assert entry.status_code == 303, main_text(entry.text)
    form = carla.get(f"{version_href}/rules/new")
    assert "data-rule-editor" in form.text
    rule = carla.post(
        f"{version_href}/rules/new",
        data={
            "name": "Consumers", "kind": "discount", "method": "percentage", "value": "10",
            "applies_to": "recurring", "target": "all", "stacking": "stackable", "priority": "1",
            "condition": '{"attribute": "customer.segment", "op": "eq", "value": "consumer"}',
        },
        follow_redirects=False,
    )  # fmt: skip
    assert rule.status_code == 303, main_text(rule.text)
    wrong = carla.post(
        f"{version_href}/rules/new",
        data={"name": "X", "kind": "discount", "method": "percentage", "value": "5",
              "applies_to": "both", "target": "all", "stacking": "stackable",
              "condition": '{"attribute": "customer.shoe", "op": "eq", "value": 1}'},
    )  # fmt: skip
    assert wrong.status_code == 400
    assert carla.post(f"{version_href}/transition", data={"action": "submit"}).status_code == 200
    own = carla.post(f"{version_href}/transition", data={"action": "approve"})
    assert own.status_code == 400
    assert "cannot approve it; another user must" in main_text(own.text)
    approved = omar.post(
        f"{version_href}/transition", data={"action": "approve"}, follow_redirects=False
    )
    assert approved.status_code == 303
    with runtime.session_factory() as session:
        assert session.scalar(select(PriceListVersion.status)) == "approved"
    page = omar.get(version_href)
    assert "This version is approved and never changes" in main_text(page.text)
    version_id = version_href.rsplit("/", 1)[1]
    assert f'href="/pricing/simulation?version={version_id}&amp;months=6"' in page.text
    check = omar.get(
        "/pricing/price-check",
        params={
            "channel": "DEALERS",
            "customer": "C1",
            "offering": "F100,TV1",
            "date": "2027-02-01",
        },
    )
    assert check.status_code == 200, main_text(check.text)
    shown = main_text(check.text)
    assert re.search(r"Consumers\s+10\.00\s+-4\.00\s+stackable discount", shown), shown
    assert "36.00" in shown and "12.60" in shown
    past = omar.post(f"{version_href}/end", data={"valid_to": "2020-01-01"})
    assert past.status_code == 400
    assert "cannot be in the past" in main_text(past.text)
    ended = omar.post(
        f"{version_href}/end", data={"valid_to": "2027-06-01"}, follow_redirects=False
    )
    assert ended.status_code == 303, main_text(ended.text)


def test_guard_rails_page_adds_and_refuses_an_overlap(carla: ConsoleClient, w: World) -> None:
    data = {"channel": str(w.channel.id), "max_discount": "30", "valid_from": "2027-01-01"}
    assert carla.post("/pricing/guard-rails", data=data, follow_redirects=False).status_code == 303
    again = carla.post("/pricing/guard-rails", data=data)
    assert again.status_code == 400
    assert "overlaps another guard-rail" in main_text(again.text)
    assert "30" in main_text(carla.get("/pricing/guard-rails").text)
