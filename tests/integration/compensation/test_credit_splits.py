"""Stored split credit: an import is all or nothing (problems named by row), replaces the
splits of the orders it names, and a run credits each split payee exactly its share."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.analytics.compensation_runs import run_period
from salesdev.core.errors import InvalidInput, PermissionDenied
from salesdev.core.settings import Settings
from salesdev.db.models.audit import AuditEvent
from salesdev.db.models.compensation import CreditSplit, LedgerEntry
from salesdev.db.query import ListQuery
from salesdev.db.session import unit_of_work
from salesdev.domains.access import Role
from salesdev.domains.compensation import assign_plan
from salesdev.domains.compensation.splits import import_credit_splits, list_credit_splits
from salesdev.runtime import Runtime
from tests.integration.api.conftest import BASE, bearer, make_client, user_token
from tests.integration.cli.conftest import Cli
from tests.integration.compensation.builders import (
    AUTHOR,
    SETUP,
    T,
    World,
    approved_plan,
    at,
    event,
    principal,
    world,
    write_events,
)
from tests.integration.web.conftest import ConsoleClient, console_app, log_in, make_user

RATE_PLAN: dict[str, Any] = {
    "components": [
        {
            "kind": "rate",
            "id": "revenue",
            "rates": [{"product_family": "FIBRE", "rate": "0.05"}],
            "default_rate": "0.01",
        }
    ]
}


def split(order: str, payee: str, share: str, policy: str = "") -> dict[str, object]:
    return {"order_id": order, "payee": payee, "share": share, "policy": policy}


def stored(session: Session) -> list[tuple[str, str, str, str]]:
    rows = session.scalars(select(CreditSplit).order_by(CreditSplit.order_id, CreditSplit.share))
    return [(s.order_id, str(s.payee_id), format(s.share, "f"), s.policy) for s in rows]


def test_an_import_with_bad_rows_names_each_row_and_writes_nothing(session: Session) -> None:
    # Given a rep, a partner and a stored split of order KEEP
    w = world(session)
    import_credit_splits(session, principal=AUTHOR, rows=[split("KEEP", "REP-A", "1")], now=T)
    before = stored(session)
    # When a file with one good order and every kind of mistake is imported
    rows = [
        split("OK", "REP-A", "0.6"),
        split("OK", "REP-B", "0.4"),
        split("U1", "NOBODY", "1"),  # 3: unknown payee
        split("R1", "REP-A", "1.5"),  # 4: share out of range
        split("P1", "REP-A", "0.12345"),  # 5: more than 4 places
        split("T1", "REP-A", "0.5"),  # 6, 7: total 0.9 under total_100
        split("T1", "REP-B", "0.4"),
        split("M1", "REP-A", "0.5", "total_100"),  # 8, 9: mixed policies
        split("M1", "REP-B", "0.5", "overlay"),
        split("D1", "REP-A", "0.5"),  # 10, 11: the same payee twice
        split("D1", "REP-A", "0.5"),
        split("Q1", "ACME", "1"),  # 12: a partner
        split("Z1", "REP-A", "1", "half"),  # 13: unknown policy
    ]
    with pytest.raises(InvalidInput) as error:
        import_credit_splits(session, principal=AUTHOR, rows=rows, now=T)
    # Then every problem is named by its row, and nothing changed
    assert error.value.message == "Invalid credit splits: nothing was imported"
    assert [(d.location, d.message) for d in error.value.details] == [
        ("row 3.payee", "no sales person with code 'NOBODY'"),
        ("row 4.share", "a share must be above 0 and at most 1, got 1.5"),
        ("row 5.share", "a share keeps at most 4 decimal places, got 0.12345"),
        (
            "row 12.payee",
            "'ACME' is a partner; split credit divides the rep's credit, so a "
            "split payee must be a sales person",
        ),
        ("row 13.policy", "unknown policy 'half'; expected total_100 or overlay"),
        (
            "row 6.share",
            "the shares of order 'T1' (rows 6, 7) total 0.9, not 1 (policy "
            "total_100; use overlay for credit above 100 %)",
        ),
        (
            "row 8.policy",
            "order 'M1' mixes policies overlay, total_100 (rows 8, 9); one order has one policy",
        ),
        ("row 11.payee", "the payee is already in order 'D1' on row 10"),
    ]
    assert stored(session) == before == [("KEEP", str(w.rep_a), "1.0000", "total_100")]


def test_an_import_replaces_the_splits_of_the_orders_it_names_and_is_audited(
    session: Session,
) -> None:
    # Given order O1 credited to rep A alone, and order O2 to rep B
    w = world(session)
    import_credit_splits(
        session,
        principal=AUTHOR,
        rows=[split("O1", "REP-A", "1"), split("O2", "REP-B", "1")],
        now=T,
    )
    # When O1 is imported again, split 60/40 (payees by code or id), with an overlay order
    result = import_credit_splits(
        session,
        principal=AUTHOR,
        rows=[
            split("O1", "REP-A", "0.6"),
            split("O1", str(w.rep_b), "0.40"),
            split("O3", "REP-A", "1", "overlay"),
            split("O3", "REP-B", "0.5", "overlay"),
        ],
        now=T,
    )
    # Then O1 is replaced, O2 kept, O3 added; the replaced row is in the audit trail
    assert (result.orders, result.rows, result.replaced) == (2, 4, 1)
    assert stored(session) == [
        ("O1", str(w.rep_b), "0.4000", "total_100"),
        ("O1", str(w.rep_a), "0.6000", "total_100"),
        ("O2", str(w.rep_b), "1.0000", "total_100"),
        ("O3", str(w.rep_b), "0.5000", "overlay"),
        ("O3", str(w.rep_a), "1.0000", "overlay"),
    ]
    audited = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.object_type == "compensation_credit_split")
    )
    assert audited == 2 + 1 + 4  # two inserts, one delete, four inserts
    page = list_credit_splits(session, principal=AUTHOR, query=ListQuery())
    assert page.total == 5
    # And a rep may neither list nor import splits
    rep = principal("rita", Role.SALES_REP)
    with pytest.raises(PermissionDenied):
        list_credit_splits(session, principal=rep, query=ListQuery())


def _split_world(session: Session, settings: Settings) -> World:
    w = world(session)
    plan = approved_plan(session, code="SPLITS", payee_type="sales_person", definition=RATE_PLAN)
    assign_plan(session, principal=AUTHOR, plan_id=plan.id, scope="role", target="rep",
                valid_from=SETUP, now=T)  # fmt: skip
    # Rep A sells order ORD-1 of 1000.00 fibre (split 60/40 with rep B) and rep B sells an
    # unsplit order ORD-2 of 200.00 fibre.
    one = event(w, "E1", "order", at(10, 3), amount="1000.00", rep=w.rep_a, line="L1")
    one["order_id"] = "ORD-1"
    two = event(w, "E2", "order", at(10, 4), amount="200.00", rep=w.rep_b, line="L2")
    two["order_id"] = "ORD-2"
    write_events(settings.event_store_dir, [one, two])
    return w


def payments(session: Session, run_id: Any) -> dict[str, Decimal]:
    paid: dict[str, Decimal] = {}
    for entry in session.scalars(select(LedgerEntry).where(LedgerEntry.run_id == run_id)):
        paid[str(entry.payee_id)] = paid.get(str(entry.payee_id), Decimal(0)) + entry.amount
    return paid


def test_a_run_pays_each_split_payee_exactly_its_share(
    session: Session, settings: Settings
) -> None:
    # Given ORD-1 (1000.00 at 5 %) split 60/40 between rep A and rep B
    w = _split_world(session, settings)
    unsplit = run_period(session, principal=AUTHOR, event_store_dir=settings.event_store_dir,
                         data_dir=settings.data_dir, period="2026-10", now=T)  # fmt: skip
    assert payments(session, unsplit.id) == {
        str(w.rep_a): Decimal("50.0000"),
        str(w.rep_b): Decimal("10.0000"),
    }
    import_credit_splits(
        session,
        principal=AUTHOR,
        rows=[split("ORD-1", "REP-A", "0.6"), split("ORD-1", "REP-B", "0.4")],
        now=T,
    )
    # When the period runs again
    result = run_period(session, principal=AUTHOR, event_store_dir=settings.event_store_dir,
                        data_dir=settings.data_dir, period="2026-10", now=T)  # fmt: skip
    # Then rep A earns 600.00 x 5 % = 30.00, rep B 400.00 x 5 % + 200.00 x 5 % = 30.00
    assert (result.status, result.ledger_version) == ("succeeded", 2)
    assert payments(session, result.id) == {
        str(w.rep_a): Decimal("30.0000"),
        str(w.rep_b): Decimal("30.0000"),
    }
    assert result.totals == {"EUR": "60.00"}


def test_cli_imports_and_lists_splits_and_names_bad_lines(
    cli: Cli, runtime: Runtime, tmp_path: Path
) -> None:
    with unit_of_work(runtime.session_factory) as session:
        world(session)
    good = tmp_path / "splits.csv"
    good.write_text("order_id,payee,share,policy\nORD-1,REP-A,0.6,\nORD-1,REP-B,0.4,total_100\n")
    imported = cli("compensation", "splits", "import", str(good))
    assert imported.exit_code == 0, imported.output
    assert "Imported 2 splits of 1 orders from splits.csv: 0 earlier splits replaced." in (
        imported.output
    )
    listed = cli("compensation", "splits", "list")
    assert listed.exit_code == 0, listed.output
    assert "2 splits" in listed.output
    assert "REP-B" in listed.output
    assert "0.4000" in listed.output
    bad = tmp_path / "bad.csv"
    bad.write_text("order_id,payee,share,policy\nORD-9,REP-A,0.5,\nORD-9,NOBODY,0.5,\n")
    refused = cli("compensation", "splits", "import", str(bad))
    assert refused.exit_code == 3, refused.output
    assert "line 3: payee" in refused.output
    assert "NOBODY" in refused.output
    again = cli("compensation", "splits", "list")
    assert "2 splits" in again.output


def test_api_lists_and_imports_splits(runtime: Runtime, app: FastAPI) -> None:
    with unit_of_work(runtime.session_factory) as session:
        w = world(session)
    ops = user_token(runtime, "ops", ["sales_operations"])
    with make_client(app, headers=bearer(ops)) as client:
        created = client.post(
            f"{BASE}/creditSplit",
            json=[
                {"orderId": "ORD-1", "payee": "REP-A", "share": "0.6"},
                {"orderId": "ORD-1", "payee": "REP-B", "share": "0.4", "policy": "total_100"},
            ],
        )
        assert created.status_code == 201, created.text
        assert created.json() == {"orders": 1, "rows": 2, "replaced": 0}
        found = client.get(f"{BASE}/creditSplit", params={"orderId": "ORD-1"})
        assert found.status_code == 200
        assert found.headers["X-Total-Count"] == "2"
        assert [(s["payeeId"], s["share"], s["policy"]) for s in found.json()] == sorted(
            [(str(w.rep_a), "0.6000", "total_100"), (str(w.rep_b), "0.4000", "total_100")]
        )
        bad = client.post(
            f"{BASE}/creditSplit",
            json=[{"orderId": "ORD-2", "payee": "REP-A", "share": "0.5"}, {"x": 1}],
        )
        assert bad.status_code == 400
        bad = client.post(
            f"{BASE}/creditSplit",
            json=[
                {"orderId": "ORD-2", "payee": "REP-A", "share": "0.5"},
                {"orderId": "ORD-2", "payee": "REP-B", "share": 0.6},
            ],
        )
        assert bad.status_code == 400
        assert "[0].share" in bad.text
        assert client.get(f"{BASE}/creditSplit").headers["X-Total-Count"] == "2"
    rep = user_token(runtime, "rita", ["sales_rep"], sales_person_id=w.rep_a)
    with make_client(app, headers=bearer(rep)) as client:
        assert client.get(f"{BASE}/creditSplit").status_code == 403


def test_the_console_lists_splits_read_only(runtime: Runtime) -> None:
    with unit_of_work(runtime.session_factory) as session:
        world(session)
        import_credit_splits(
            session,
            principal=AUTHOR,
            rows=[split("ORD-1", "REP-A", "0.6"), split("ORD-1", "REP-B", "0.4")],
            now=T,
        )
    make_user(runtime, "ops", ["sales_operations"])
    with ConsoleClient(console_app(runtime)) as client:
        assert log_in(client, "ops").status_code == 303
        page = client.get("/compensation/splits", params={"order": "ORD-1"})
        assert page.status_code == 200
        assert "2 of 2 splits." in page.text
        assert "0.6000" in page.text
        assert "REP-B" in page.text
        none = client.get("/compensation/splits", params={"order": "NOPE\x00"})
        assert none.status_code in (200, 400)
