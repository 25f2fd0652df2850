"""``salesdev compensation close|approve|lock|payout|reconcile|disputes``."""

from __future__ import annotations

from pathlib import Path

from salesdev.db.session import unit_of_work
from tests.conftest import Database
from tests.integration.cli.conftest import Cli
from tests.integration.settlement.builders import build_world, line, write_ledger


def test_close_approve_lock_and_pay_out_from_the_command_line(
    database: Database, tmp_path: Path
) -> None:
    with unit_of_work(database.session_factory) as session:
        world = build_world(session)
        write_ledger(session, "2026-10", [line(world.rep_a, "revenue", "100.00", family="FIBRE")])
    env = {"SALESDEV_DATABASE_URL": database.url, "SALESDEV_DATA_DIR": str(tmp_path / "var")}
    alice, bob = Cli({**env, "LOGNAME": "alice"}), Cli({**env, "LOGNAME": "bob"})
    closed = alice("compensation", "close", "--period", "2026-10")
    assert (closed.exit_code, closed.output) == (0, "Period 2026-10 is closed\n")
    same = alice("compensation", "approve", "--period", "2026-10")
    assert same.exit_code == 4
    assert "closed period 2026-10 and cannot approve it; another user must" in same.output
    assert bob("compensation", "approve", "--period", "2026-10").exit_code == 0
    assert alice("compensation", "lock", "--period", "2026-10").exit_code == 0
    out = tmp_path / "out"
    paid = alice("compensation", "payout", "--period", "2026-10", "--out", str(out))
    assert paid.exit_code == 0, paid.output
    assert paid.output.splitlines()[0] == "Payout batch 2026-10#1: 1 lines, 100.0000 EUR"
    assert (out / "payroll-2026-10-1.csv").read_text() == (
        "batch,period,employee_code,employee_name,earning_period,kind,component,amount,currency\n"
        "2026-10#1,2026-10,REP1,Ann Rep,2026-10,earning,revenue,100.0000,EUR\n"
    )
    assert (out / "payables-2026-10-1.csv").read_text().count("\n") == 1
    again = alice("compensation", "payout", "--period", "2026-10", "--out", str(out))
    assert again.output.splitlines()[0] == (
        "Nothing new is due: batch 2026-10#1 is the latest (nothing paid twice)"
    )
    reconciled = alice("compensation", "reconcile", "--period", "2026-10")
    assert reconciled.exit_code == 0 and reconciled.output.splitlines()[1].split() == [
        "EUR",
        "100.0000",
        "100.0000",
        "0",
        "0",
        "yes",
    ]
    listed = alice("compensation", "disputes", "list")
    assert (listed.exit_code, listed.output) == (0, "0 disputes\n")
    bad = alice("compensation", "close", "--period", "2026-13")
    assert bad.exit_code == 3 and "expected YYYY-MM" in bad.output
