"""Console pages: a rep's statement, drill-down and dispute; sales ops' settlement page."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from salesdev.db.session import unit_of_work
from salesdev.runtime import Runtime
from tests.integration.settlement.builders import build_world, line, write_ledger
from tests.integration.web.conftest import ConsoleClient, console_app, log_in, make_user


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
    make_user(runtime, "ann", ["sales_rep"], sales_person_id=ids["ann"])
    make_user(runtime, "bob", ["sales_rep"], sales_person_id=ids["bob"])
    make_user(runtime, "ops", ["sales_operations"])
    make_user(runtime, "ops2", ["sales_operations"])
    return ids


def client(app: FastAPI, login: str) -> ConsoleClient:
    c = ConsoleClient(app)
    assert log_in(c, login).status_code == 303
    return c


def test_a_rep_disputes_a_line_of_their_statement(runtime: Runtime) -> None:
    ids = seed(runtime)
    app = console_app(runtime)
    ann = client(app, "ann")
    listing = ann.get("/compensation/statements")
    assert (
        listing.status_code == 200 and "Ann Rep" in listing.text and "Bob Rep" not in listing.text
    )
    sid = f"2026-10_{ids['ann']}"
    page = ann.get(f"/compensation/statements/{sid}")
    assert page.status_code == 200 and 'id="total-payable">100.00 EUR' in page.text
    trace = ann.get(f"/compensation/statements/{sid}/line", params={"key": "revenue/FIBRE/revenue"})
    assert (
        trace.status_code == 200 and "Rule trace" in trace.text and "REPS version 1" in trace.text
    )
    pdf = ann.get(f"/compensation/statements/{sid}.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # an empty subject is refused next to the form, nothing raised
    refused = ann.post(
        f"/compensation/statements/{sid}/dispute",
        data={"line": "revenue/FIBRE/revenue", "subject": ""},
    )
    assert refused.status_code == 400 and "subject: is required" in refused.text
    raised = ann.post(
        f"/compensation/statements/{sid}/dispute",
        data={"line": "revenue/FIBRE/revenue", "subject": "ORD-1 is missing"},
        follow_redirects=False,
    )
    assert raised.status_code == 303
    dispute = ann.get(raised.headers["location"])
    assert "Open" in dispute.text and "ORD-1 is missing" in dispute.text
    commented = ann.post(f"{raised.headers['location']}/comment", data={"text": "See order"})
    assert "See order" in commented.text
    # another rep cannot see it or the statement
    bob = client(app, "bob")
    assert bob.get(f"/compensation/statements/{sid}").status_code == 404
    assert bob.get(raised.headers["location"]).status_code == 404
    # sales ops moves it
    ops = client(app, "ops")
    moved = ops.post(
        f"{raised.headers['location']}/transition",
        data={"to_status": "investigating", "comment": "", "version": "1"},
    )
    assert "Investigating" in moved.text


def test_sales_ops_close_approve_lock_and_pay_out(runtime: Runtime) -> None:
    seed(runtime)
    app = console_app(runtime)
    ops, ops2 = client(app, "ops"), client(app, "ops2")
    page = ops.get("/compensation/settlement", params={"period": "2026-10"})
    assert page.status_code == 200 and "Amounts due" in page.text
    ops.post("/compensation/settlement/period", data={"period": "2026-10", "action": "close"})
    same = ops.post(
        "/compensation/settlement/period", data={"period": "2026-10", "action": "approve"}
    )
    assert "closed period 2026-10 and cannot approve it; another user must" in same.text
    ops2.post("/compensation/settlement/period", data={"period": "2026-10", "action": "approve"})
    ops.post("/compensation/settlement/period", data={"period": "2026-10", "action": "lock"})
    done = ops.post("/compensation/settlement/export", data={"period": "2026-10"})
    assert "Payout batch 1 written (2 lines)" in done.text
    again = ops.post("/compensation/settlement/export", data={"period": "2026-10"})
    assert "nothing is paid twice" in again.text
    href = done.text.split('href="/compensation/payouts/')[1].split('"')[0]
    payroll = ops.get(f"/compensation/payouts/{href}")
    assert payroll.text.splitlines()[1] == (
        "2026-10#1,2026-10,REP1,Ann Rep,2026-10,earning,revenue,100.0000,EUR"
    )
    bad = ops.post(
        "/compensation/settlement/adjustment",
        data={"period": "2026-10", "payee": "NOPE", "amount": "5", "reason": "x"},
    )
    assert "no sales person or partner with code" in bad.text
