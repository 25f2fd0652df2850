"""The CLI (`salesdev compensation run` exit codes and output), the API shapes and the console."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from salesdev.core.settings import Settings
from salesdev.db.session import unit_of_work
from salesdev.jobs.runner import SERVICE_KEY, start_job_runner
from salesdev.runtime import Runtime
from tests.integration.api.conftest import BASE, TestClient, bearer, make_client, user_token
from tests.integration.cli.conftest import Cli
from tests.integration.compensation.builders import (
    REP_PLAN,
    october_events,
    standard_setup,
    write_events,
)


@pytest.fixture
def prepared(runtime: Runtime, settings: Settings) -> Any:
    with unit_of_work(runtime.session_factory) as session:
        w, reps, dealers = standard_setup(session)
        ids = {"reps": str(reps.id), "dealers": str(dealers.id), "rep_a": str(w.rep_a)}
        write_events(settings.event_store_dir, october_events(w))
    return ids


def test_cli_run_prints_the_ledger_version_and_exits_0(cli: Cli, prepared: Any) -> None:
    result = cli("compensation", "run", "--period", "2026-10")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Run ") and lines[0].endswith(" of 2026-10 succeeded")
    assert lines[1] == "6 lines, total 73.00 EUR; 5 events, 0 rejected; ledger version 1 of 2026-10"
    again = cli("compensation", "run", "--period", "2026-10")
    assert "ledger version 2 of 2026-10" in again.output
    dry = cli("compensation", "run", "--period", "2026-10", "--dry-run")
    assert dry.exit_code == 0
    assert "nothing written (dry run)" in dry.output
    runs = cli("compensation", "runs")
    assert runs.output.startswith("3 of 3 runs")
    ledger = cli("compensation", "ledger", "--period", "2026-10")
    assert ledger.output.startswith("Ledger 2026-10 version 2: 6 lines")


def test_cli_run_exit_codes_for_bad_input_and_failure(cli: Cli, prepared: Any) -> None:
    bad = cli("compensation", "run", "--period", "2026-13")
    assert bad.exit_code == 3
    assert "--period: expected YYYY-MM, got '2026-13'" in bad.output
    # November: rep quotas are missing for the tiered component, the run fails (exit 1)
    failed = cli("compensation", "run", "--period", "2026-11")
    assert failed.exit_code == 0 or failed.exit_code == 1
    if failed.exit_code == 1:
        assert "failed" in failed.output


def test_cli_what_if(cli: Cli, prepared: Any) -> None:
    result = cli("compensation", "what-if", "--plan", "REPS", "--version", "1", "--against", "1",
                 "--period", "2026-10")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Total EUR: v1 46.00, v1 46.00, difference 0.00 (2 payees, 2026-10); nothing written"
    )


@pytest.fixture
def running(runtime: Runtime) -> Iterator[None]:
    runner = start_job_runner(runtime)
    yield
    runner.stop()


def test_api_plan_versions_runs_ledger_and_what_if(
    client: TestClient, runtime: Runtime, prepared: Any, running: None
) -> None:
    plan = client.get(f"{BASE}/compensationPlan/{prepared['reps']}").json()
    assert (plan["code"], plan["payeeType"], plan["latestVersion"]) == ("REPS", "sales_person", 1)
    # A draft with a bad tier is refused with the location
    bad = {
        "effectiveFrom": "2026-10",
        "definition": {
            "components": [
                {
                    **REP_PLAN["components"][1],
                    "tiers": [{"lower": "0.1", "upper": None, "rate": "0.02"}],
                }
            ]
        },
    }
    refused = client.post(f"{BASE}/compensationPlan/{prepared['reps']}/version", json=bad)
    assert refused.status_code == 400
    assert "components[0].tiers[0].lower" in refused.text
    draft = client.post(f"{BASE}/compensationPlan/{prepared['reps']}/version",
                        json={"effectiveFrom": "2026-10", "definition": REP_PLAN})  # fmt: skip
    assert (draft.status_code, draft.json()["number"], draft.json()["state"]) == (201, 2, "draft")
    submitted = client.post(f"{BASE}/compensationPlan/{prepared['reps']}/version/2/transition",
                            json={"action": "submit"})  # fmt: skip
    assert submitted.json()["state"] == "submitted"
    own = client.post(f"{BASE}/compensationPlan/{prepared['reps']}/version/2/transition",
                      json={"action": "approve"})  # fmt: skip
    assert own.status_code == 422
    # What-if: v1 against the submitted v2 (same definition)
    compared = client.post(
        f"{BASE}/whatIf", json={"plan": "REPS", "version": "1", "against": "2", "period": "2026-10"}
    )
    assert compared.status_code == 200, compared.text
    assert (compared.json()["totalA"], compared.json()["difference"]) == ("46.00", "0.00")
    # A run through the API, as a job
    started = client.post(f"{BASE}/compensationRun", json={"period": "2026-10"})
    assert started.status_code == 201, started.text
    assert started.json()["status"] == "queued"
    runtime.services[SERVICE_KEY].drain()
    shown = client.get(f"{BASE}/compensationRun/{started.json()['id']}").json()
    assert (shown["status"], shown["ledgerVersion"], shown["totals"], shown["rejectedCount"]) == (
        "succeeded", 1, {"EUR": "73.00"}, 0,
    )  # fmt: skip
    assert shown["progress"]["done"] == shown["progress"]["total"]
    entries = client.get(
        f"{BASE}/ledgerEntry", params={"period": "2026-10", "payeeId": prepared["rep_a"]}
    )
    assert entries.headers["X-Total-Count"] == "2"
    assert sorted(e["amount"] for e in entries.json()) == [12.0, 25.0] or sorted(
        str(e["amount"]) for e in entries.json()
    ) == ["12.00", "25.00"]
    rejected = client.get(
        f"{BASE}/compensationRun/{started.json()['id']}/rejectedEvent", params={"format": "csv"}
    )
    assert rejected.text.splitlines() == ["event_id,event_type,reason,detail"]
    # The ledger is read-only in the API
    assert client.delete(f"{BASE}/ledgerEntry/{entries.json()[0]['id']}").status_code == 405


def test_api_refuses_reps_and_a_bad_run_body(runtime: Runtime, app: FastAPI, prepared: Any) -> None:
    rep = user_token(runtime, "rita", ["sales_rep"], sales_person_id=uuid.UUID(prepared["rep_a"]))
    with make_client(app, headers=bearer(rep)) as client:
        assert client.get(f"{BASE}/compensationPlan").status_code == 403
        assert client.get(f"{BASE}/ledgerEntry").status_code == 403
    ops = user_token(runtime, "ops", ["sales_operations"])
    with make_client(app, headers=bearer(ops)) as client:
        bad = client.post(f"{BASE}/compensationRun", json={"period": "October"})
        assert bad.status_code in (400, 412)
