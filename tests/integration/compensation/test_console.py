"""The console: plan designer (validation by field, four-eyes), runs, ledger and what-if pages."""

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
from tests.integration.compensation.builders import october_events, standard_setup, write_events
from tests.integration.web.conftest import ConsoleClient, console_app, log_in, make_user


@pytest.fixture
def world_ids(runtime: Runtime, settings: Settings) -> dict[str, str]:
    with unit_of_work(runtime.session_factory) as session:
        w, reps, _ = standard_setup(session)
        write_events(settings.event_store_dir, october_events(w))
        return {"reps": str(reps.id), "rep_a": str(w.rep_a)}


@pytest.fixture
def ops(runtime: Runtime) -> Iterator[ConsoleClient]:
    make_user(runtime, "ops", ["sales_operations"])
    with ConsoleClient(console_app(runtime)) as client:
        assert log_in(client, "ops").status_code == 303
        yield client


def test_the_designer_shows_each_problem_next_to_its_field(
    ops: ConsoleClient, world_ids: Any
) -> None:
    plan = f"/compensation/plans/{world_ids['reps']}"
    created = ops.post(
        f"{plan}/versions", data={"effective_from": "2026-10"}, follow_redirects=False
    )
    assert created.status_code == 303
    page = ops.get(created.headers["location"])
    assert 'name="components[1].tiers[0].lower"' in page.text
    # An overlapping tier: the message sits with that field
    form = {
        "version": "1",
        "effective_from": "2026-10",
        "components[0].kind": "tiered",
        "components[0].id": "attainment",
        "components[0].mode": "marginal",
        "components[0].tiers[0].lower": "0",
        "components[0].tiers[0].upper": "1",
        "components[0].tiers[0].rate": "0.02",
        "components[0].tiers[1].lower": "0.8",
        "components[0].tiers[1].upper": "",
        "components[0].tiers[1].rate": "0.04",
        "action": "save",
    }
    refused = ops.post(created.headers["location"], data=form)
    assert refused.status_code == 400
    assert 'id="components[0].tiers[1].lower-error"' in refused.text
    form["components[0].tiers[1].lower"] = "1"
    saved = ops.post(created.headers["location"], data=form, follow_redirects=False)
    assert saved.status_code == 303
    # The author submits and cannot approve; the page says so
    ops.post(created.headers["location"], data={"action": "submit", "version": "2"})
    after = ops.get(created.headers["location"])
    assert "Waiting for approval by someone else" in after.text


def test_preview_runs_and_ledger_pages(
    ops: ConsoleClient, runtime: Runtime, world_ids: Any
) -> None:
    preview = ops.post(f"/compensation/plans/{world_ids['reps']}/versions/1",
                       data={"action": "preview", "period": "2026-10"})  # fmt: skip
    assert preview.status_code == 200
    assert "sampled events of 2026-10" in preview.text
    runner = start_job_runner(runtime)
    try:
        started = ops.post("/compensation/runs", data={"period": "2026-10"}, follow_redirects=False)
        assert started.status_code == 303
        runtime.services[SERVICE_KEY].drain()
    finally:
        runner.stop()
    run = ops.get(started.headers["location"])
    assert "version 1 of 2026-10" in run.text
    assert "73.00 EUR" in run.text
    ledger = ops.get("/compensation/ledger", params={"period": "2026-10"})
    assert "Version 1 of 2026-10: 6 lines" in ledger.text
    compared = ops.get(
        "/compensation/what-if",
        params={"plan": "REPS", "version": "1", "against": "1", "period": "2026-10"},
    )
    assert compared.status_code == 200
    assert "difference 0.00 over 2 payees" in compared.text
    bad = ops.post("/compensation/runs", data={"period": "2026-13"})
    assert bad.status_code == 400


def test_reps_do_not_see_compensation_plans(runtime: Runtime, world_ids: Any) -> None:
    make_user(runtime, "rita", ["sales_rep"], sales_person_id=uuid.UUID(world_ids["rep_a"]))
    app: FastAPI = console_app(runtime)
    with ConsoleClient(app) as client:
        log_in(client, "rita")
        assert client.get("/compensation/plans").status_code == 403


def test_other_kinds_are_edited_as_json_with_their_errors(
    ops: ConsoleClient, world_ids: Any
) -> None:
    plan = f"/compensation/plans/{world_ids['reps']}"
    created = ops.post(
        f"{plan}/versions", data={"effective_from": "2026-10"}, follow_redirects=False
    )
    href = created.headers["location"]
    added = ops.post(href, data={"components[0].kind": "spiff", "components[0].json": "{}",
                                 "new_kind": "spiff", "action": "add"})  # fmt: skip
    assert added.status_code == 200
    assert 'name="components[1].json"' in added.text
    broken = ops.post(href, data={"version": "1", "components[0].kind": "spiff",
                                  "components[0].json": "{not json", "action": "save"})  # fmt: skip
    assert broken.status_code == 400
    assert "components[0].json: not a JSON object" in broken.text
    invalid = ops.post(href, data={"version": "1", "components[0].kind": "spiff",
                                   "components[0].json": '{"kind": "spiff", "id": ""}', "action": "save"})  # fmt: skip
    assert invalid.status_code == 400
    assert "components[0]" in invalid.text
    as_json = ops.post(href, data={"version": "1", "definition_json": "[1,", "action": "save_json"})
    assert as_json.status_code == 400
    assert "line 1, column" in as_json.text


def test_assign_and_import_quotas_in_the_console(ops: ConsoleClient, world_ids: Any) -> None:
    plan = f"/compensation/plans/{world_ids['reps']}"
    # The role "rep" is already assigned from 2026-01-01: an overlap is refused, naming it
    overlap = ops.post(f"{plan}/assignments",
                       data={"scope": "role", "target": "rep", "valid_from": "2026-10-01"})  # fmt: skip
    assert overlap.status_code == 422
    assert "overlaps assignment" in overlap.text
    manager = ops.post(f"{plan}/assignments", follow_redirects=False,
                       data={"scope": "role", "target": "manager", "valid_from": "2026-10-01"})  # fmt: skip
    assert manager.status_code == 303
    bad = ops.post("/compensation/quotas", data={"csv": (
        "payee_kind,payee_code,period,amount,currency\n"
        "sales_person,REP-A,2026-11,500,EUR\n"
        "sales_person,NOBODY,2026-11,500,EUR\n"
    )})  # fmt: skip
    assert bad.status_code == 400
    assert "line 3: payee_code: no sales_person with code &#39;NOBODY&#39;" in bad.text
    good = ops.post("/compensation/quotas", follow_redirects=False, files={"file": (
        "q.csv", b"payee_kind,payee_code,period,amount,currency\nsales_person,REP-A,2026-11,500,EUR\n",
        "text/csv",
    )})  # fmt: skip
    assert good.status_code == 303
    listed = ops.get("/compensation/quotas", params={"period": "2026-11"})
    assert "500.0000 EUR" in listed.text or "500.00 EUR" in listed.text
