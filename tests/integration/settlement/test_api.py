"""The settlement API: statements (JSON, PDF, CSV), disputes, periods and payout batches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from salesdev.api.sales_development import API_NAME, sales_development_api
from salesdev.api.settlement import install_settlement
from salesdev.api.toolkit import install_error_handlers
from salesdev.api.toolkit.security import install_security
from salesdev.db.models import HubSubscription, OutboxDelivery
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.notifications import subscribe
from salesdev.runtime import Runtime
from tests.conftest import T0
from tests.integration.api.conftest import BASE, TestClient, bearer, make_client, user_token
from tests.integration.settlement.builders import build_world, line, write_ledger


@pytest.fixture
def anonymous(runtime: Runtime) -> Iterator[TestClient]:
    """The settlement routes alone, with the API's error handling and security."""
    app = FastAPI()
    install_error_handlers(app)
    install_settlement(app, install_security(app, runtime), sales_development_api())
    with make_client(app) as client:
        yield client


def seed(runtime: Runtime) -> dict[str, Any]:
    with unit_of_work(runtime.session_factory) as session:
        world = build_world(session)
        write_ledger(
            session,
            "2026-10",
            [
                line(world.rep_a, "revenue", "100.00", family="FIBRE"),
                line(world.rep_b, "revenue", "30.00", family="FIBRE"),
            ],
        )
        ids = {"ann": world.rep_a.id, "bob": world.rep_b.id}
    return {
        **ids,
        "ann_token": user_token(runtime, "ann", ["sales_rep"], sales_person_id=ids["ann"]),
        "bob_token": user_token(runtime, "bob", ["sales_rep"], sales_person_id=ids["bob"]),
        "ops": user_token(runtime, "ops", ["sales_operations"]),
        "ops2": user_token(runtime, "ops2", ["sales_operations"]),
    }


def test_statement_dispute_and_payout_over_the_api(anonymous: TestClient, runtime: Runtime) -> None:
    s = seed(runtime)
    ann, bob, ops, ops2 = (bearer(s[k]) for k in ("ann_token", "bob_token", "ops", "ops2"))
    # a rep lists and reads only their own statement
    listing = anonymous.get(f"{BASE}/compensationStatement", headers=ann)
    assert listing.status_code == 200 and listing.headers["X-Total-Count"] == "1"
    sid = listing.json()[0]["id"]
    assert sid == f"2026-10_{s['ann']}"
    body = anonymous.get(f"{BASE}/compensationStatement/{sid}", headers=ann).json()
    assert body["totalPayable"] == {"unit": "EUR", "value": 100.0}
    assert [item["key"] for item in body["line"]] == ["revenue/FIBRE/revenue"]
    pdf = anonymous.get(
        f"{BASE}/compensationStatement/{sid}", headers={**ann, "Accept": "application/pdf"}
    )
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    csv = anonymous.get(
        f"{BASE}/compensationStatement/{sid}", headers={**ann, "Accept": "text/csv"}
    )
    assert csv.text.splitlines()[1].endswith(
        ",revenue,FIBRE,revenue,1000.0000,,,,0.050000,100.0000,EUR,"
    )
    assert anonymous.get(f"{BASE}/compensationStatement/{sid}", headers=bob).status_code == 404
    # the rep raises a dispute and comments; only sales ops moves it
    raised = anonymous.post(
        f"{BASE}/compensationDispute",
        headers=ann,
        json={"statementId": sid, "line": "revenue/FIBRE/revenue", "subject": "Missing order"},
    )
    assert raised.status_code == 201, raised.text
    dispute = raised.json()["id"]
    comment = anonymous.post(
        f"{BASE}/compensationDispute/{dispute}/comment", headers=ann, json={"text": "ORD-9"}
    )
    assert comment.status_code == 201
    move = {"toStatus": "investigating"}
    assert (
        anonymous.post(
            f"{BASE}/compensationDispute/{dispute}/transition", headers=ann, json=move
        ).status_code
        == 403
    )
    assert anonymous.get(f"{BASE}/compensationDispute/{dispute}", headers=bob).status_code == 404
    moved = anonymous.post(
        f"{BASE}/compensationDispute/{dispute}/transition", headers=ops, json=move
    )
    assert moved.json()["status"] == "investigating"
    illegal = anonymous.post(
        f"{BASE}/compensationDispute/{dispute}/transition", headers=ops, json={"toStatus": "open"}
    )
    assert illegal.status_code == 422
    history = anonymous.get(f"{BASE}/compensationDispute/{dispute}/history", headers=ann).json()
    assert [(h["kind"], h["toStatus"]) for h in history] == [
        ("raised", "open"),
        ("comment", "open"),
        ("transition", "investigating"),
    ]
    # period close -> approval by someone else -> lock -> payout, exported once
    period = f"{BASE}/compensationPeriod/2026-10/transition"
    assert anonymous.post(period, headers=ops, json={"action": "close"}).status_code == 200
    refused = anonymous.post(period, headers=ops, json={"action": "approve"})
    assert refused.status_code == 422
    assert anonymous.post(period, headers=ops2, json={"action": "approve"}).status_code == 200
    assert anonymous.post(period, headers=ops, json={"action": "lock"}).status_code == 200
    first = anonymous.post(f"{BASE}/payoutBatch", headers=ops, json={"period": "2026-10"})
    again = anonymous.post(f"{BASE}/payoutBatch", headers=ops, json={"period": "2026-10"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["total"] == [{"unit": "EUR", "value": 130.0}]
    payroll = anonymous.get(f"{BASE}/payoutBatch/{first.json()['id']}/payroll", headers=ops)
    assert payroll.text.splitlines() == [
        "batch,period,employee_code,employee_name,earning_period,kind,component,amount,currency",
        "2026-10#1,2026-10,REP1,Ann Rep,2026-10,earning,revenue,100.0000,EUR",
        "2026-10#1,2026-10,REP2,Bob Rep,2026-10,earning,revenue,30.0000,EUR",
    ]
    [rec] = anonymous.get(f"{BASE}/compensationPeriod/2026-10/reconciliation", headers=ops).json()
    assert (rec["ledgerTotal"], rec["paid"], rec["balanced"]) == (130.0, 130.0, True)


def test_bad_input_names_each_field(anonymous: TestClient, runtime: Runtime) -> None:
    s = seed(runtime)
    response = anonymous.post(
        f"{BASE}/compensationAdjustment",
        headers=bearer(s["ops"]),
        json={
            "period": "2026-13",
            "payeeKind": "sales_person",
            "payeeId": str(s["ann"]),
            "amount": "abc",
            "currency": "EUR",
            "reason": " ",
        },
    )
    assert response.status_code == 400
    locations = sorted(d["location"] for d in response.json()["details"])
    assert locations == ["amount", "period", "reason"]
    listing = anonymous.get(f"{BASE}/compensationAdjustment", headers=bearer(s["ops"]))
    assert listing.json() == []


def test_the_hub_announces_a_raised_dispute_and_each_change_of_its_status(
    anonymous: TestClient, runtime: Runtime
) -> None:
    # Given a listener of every event and one of state changes only
    s = seed(runtime)
    ann, ops = bearer(s["ann_token"]), bearer(s["ops"])
    with unit_of_work(runtime.session_factory) as session:
        for query in ("", "eventType=CompensationDisputeStateChangeEvent"):
            subscribe(session, principal=SYSTEM, api=API_NAME,
                      callback="http://127.0.0.1:9/listener", query=query, now=T0)  # fmt: skip
    # When the rep raises a dispute, comments, and sales operations investigate then reject it
    raised = anonymous.post(
        f"{BASE}/compensationDispute",
        headers=ann,
        json={"statementId": f"2026-10_{s['ann']}", "line": "revenue/FIBRE/revenue",
              "subject": "Missing order"},
    ).json()  # fmt: skip
    anonymous.post(f"{raised['href']}/comment", headers=ann, json={"text": "ORD-9"})
    for move in ({"toStatus": "investigating"}, {"toStatus": "rejected", "comment": "Paid in 09"}):
        assert anonymous.post(f"{raised['href']}/transition", headers=ops, json=move).is_success
    # Then the outbox holds a create event and a state change per move, carrying the dispute
    with runtime.session_factory() as session:
        rows = session.execute(
            select(OutboxDelivery.event_type, OutboxDelivery.payload, HubSubscription.query).join(
                HubSubscription, HubSubscription.id == OutboxDelivery.subscription_id
            )
        ).all()
    sent = sorted(
        (kind, payload["event"]["compensationDispute"]["status"], query)
        for kind, payload, query in rows
    )
    body = next(payload for kind, payload, _ in rows if kind.endswith("CreateEvent"))
    assert sent == [
        ("CompensationDisputeCreateEvent", "open", ""),
        ("CompensationDisputeStateChangeEvent", "investigating", ""),
        ("CompensationDisputeStateChangeEvent", "investigating",
         "eventType=CompensationDisputeStateChangeEvent"),
        ("CompensationDisputeStateChangeEvent", "rejected", ""),
        ("CompensationDisputeStateChangeEvent", "rejected",
         "eventType=CompensationDisputeStateChangeEvent"),
    ]  # fmt: skip
    assert body["event"]["compensationDispute"]["id"] == raised["id"]
    assert body["event"]["compensationDispute"]["subject"] == "Missing order"


def test_a_statement_line_drills_down_to_its_trace_for_its_payee_only(
    anonymous: TestClient, runtime: Runtime
) -> None:
    # Given Ann's October statement (a ledger written without a run's lineage)
    s = seed(runtime)
    ann, bob, ops = (bearer(s[k]) for k in ("ann_token", "bob_token", "ops"))
    sid = f"2026-10_{s['ann']}"
    statement = anonymous.get(f"{BASE}/compensationStatement/{sid}", headers=ann).json()
    href = statement["line"][0]["href"]
    assert href == f"http://testserver{BASE}/compensationStatement/{sid}/line/revenue/FIBRE/revenue"
    # When Ann opens the line, then she gets its rule trace, and no event lineage
    line = anonymous.get(href, headers=ann)
    assert line.status_code == 200, line.text
    body = line.json()
    assert {k: body[k] for k in ("@type", "key", "componentId", "basis", "measure", "rate")} == {
        "@type": "CompensationStatementLine",
        "key": "revenue/FIBRE/revenue",
        "componentId": "revenue",
        "basis": "revenue",
        "measure": 1000.0,
        "rate": 0.05,
    }
    assert (body["amount"], body["statement"]["id"]) == ({"unit": "EUR", "value": 100.0}, sid)
    assert (body["lineageKept"], body["event"], body["dispute"]) == (False, [], [])
    # And sales operations may open it too; Bob (another rep) gets a 404, as for a line
    # that does not exist
    assert anonymous.get(href, headers=ops).status_code == 200
    assert anonymous.get(href, headers=bob).status_code == 404
    missing = anonymous.get(f"{BASE}/compensationStatement/{sid}/line/bonus/-/revenue", headers=ann)
    assert (missing.status_code, missing.json()["code"]) == (404, "SDV-404")
    # Bad paging is a 400 naming the parameter
    bad = anonymous.get(f"{href}?limit=0", headers=ann)
    assert bad.status_code == 400
    assert [d["location"] for d in bad.json()["details"]] == ["limit"]
