"""The API drill-down of a statement line: the rule trace and the sales events behind the
line, read from the lineage of the run that wrote the ledger; a payee sees only their own."""

from __future__ import annotations

from typing import Any

from salesdev.analytics.compensation_runs import run_period
from salesdev.core.settings import Settings
from salesdev.db.session import unit_of_work
from salesdev.runtime import Runtime
from tests.integration.api.conftest import BASE, TestClient, bearer, user_token
from tests.integration.compensation.builders import (
    AUTHOR,
    T,
    october_events,
    standard_setup,
    write_events,
)


def _october(runtime: Runtime, settings: Settings) -> dict[str, Any]:
    with unit_of_work(runtime.session_factory) as session:
        w, _, _ = standard_setup(session)
        write_events(settings.event_store_dir, october_events(w))
        run_period(session, principal=AUTHOR, event_store_dir=settings.event_store_dir,
                   data_dir=settings.data_dir, period="2026-10", now=T)  # fmt: skip
    return {
        "rep_a": str(w.rep_a),
        "partner": str(w.partner),
        "ann": bearer(user_token(runtime, "ann", ["sales_rep"], sales_person_id=w.rep_a)),
        "bob": bearer(user_token(runtime, "bob", ["sales_rep"], sales_person_id=w.rep_b)),
    }


def test_a_line_lists_the_events_behind_it_from_the_runs_lineage(
    client: TestClient, runtime: Runtime, settings: Settings
) -> None:
    # Given October calculated: rep A sold 500 of fibre (order O1), paid 5 % = 25.00
    o = _october(runtime, settings)
    line_href = f"{BASE}/compensationStatement/2026-10_{o['rep_a']}/line/revenue/FIBRE/revenue"
    # When rep A opens the line of her statement
    answer = client.get(line_href, headers=o["ann"])
    # Then the trace and the one event behind it are there
    assert answer.status_code == 200, answer.text
    line = answer.json()
    assert (line["planCode"], line["measure"], line["rate"], line["amount"]) == (
        "REPS",
        500.0,
        0.05,
        {"unit": "EUR", "value": 25.0},
    )
    assert line["lineageKept"] is True
    assert line["event"] == [{"eventId": "O1", "value": 500.0}]
    # And another rep's request for it is a 404, as is a page past the end an empty list
    assert client.get(line_href, headers=o["bob"]).status_code == 404
    assert client.get(f"{line_href}?offset=1", headers=o["ann"]).json()["event"] == []


def test_a_dealers_bounty_line_lists_its_activation(
    client: TestClient, runtime: Runtime, settings: Settings
) -> None:
    o = _october(runtime, settings)
    statement = client.get(f"{BASE}/compensationStatement/2026-10_{o['partner']}").json()
    bounty = next(item for item in statement["line"] if item["componentId"] == "activation")
    events = client.get(bounty["href"]).json()["event"]
    assert [e["eventId"] for e in events] == ["A3"]
