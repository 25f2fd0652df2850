"""The ``demo.load`` job loads the demo data set once, reporting its progress."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from salesdev.db.models import AuditEvent
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.jobs import get_job
from salesdev.jobs import start_job_runner, submit_job
from salesdev.runtime import Runtime


def _run(runtime: Runtime, params: dict[str, Any]) -> Any:
    runner = start_job_runner(runtime)
    with unit_of_work(runtime.session_factory) as session:
        job_id = submit_job(
            runtime, session=session, kind="demo.load", params=params, requested_by="admin"
        ).id
    runner.drain()
    with runtime.session_factory() as session:
        return get_job(session, principal=SYSTEM, job_id=job_id)


@pytest.mark.slow
def test_the_demo_job_loads_the_data_once_as_the_jobs_doing_in_the_audit_trail(
    runtime: Runtime,
) -> None:
    # One test, not two: each load of the small demo (the smallest the job offers) takes
    # ~15 s, and what is audited is checked before the second run.
    first = _run(runtime, {"scale": "small", "seed": 42})

    assert (first.status, first.error) == ("succeeded", None)
    assert (first.result["scale"], first.result["seed"], first.result["regions"]) == (
        "small",
        42,
        10,
    )
    assert first.progress_total is not None
    assert (first.progress_done, first.message) == (first.progress_total, "Demo loaded")
    # The demo data is recorded in the audit trail as the job's doing.
    with runtime.session_factory() as session:
        actors = set(session.scalars(select(AuditEvent.actor).distinct()))
        login = session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "app_user").limit(1)
        ).one()
    assert actors == {"job:demo.load:admin"}
    assert (login.occurred_at, login.context) == (runtime.clock.now(), {"job_id": str(first.id)})

    second = _run(runtime, {"scale": "small", "seed": 42})

    assert (second.status, second.error) == (
        "failed",
        "Conflict: This database already holds reference data; "
        "the demo loads into an empty database only",
    )


def test_the_demo_job_refuses_an_unknown_scale(runtime: Runtime) -> None:
    job = _run(runtime, {"scale": "huge", "seed": 1})

    assert (job.status, job.error) == (
        "failed",
        "Invalid input: Invalid demo.load parameters\n"
        "  - params: scale one of small, medium, large, seed an integer",
    )
