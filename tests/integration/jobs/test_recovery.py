"""A runner that starts settles what a stopped process left: running jobs fail, queued ones run."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.jobs import INTERRUPTED, create_job, get_job, start_job, succeed_job
from salesdev.jobs import InProcessJobRunner, JobContext
from salesdev.runtime import Runtime
from tests.conftest import T0

YESTERDAY = T0 - timedelta(days=1)


def _left_behind(runtime: Runtime) -> dict[str, uuid.UUID]:
    """The jobs of a server that stopped mid-work."""
    with unit_of_work(runtime.session_factory) as session:
        jobs = {}
        for name in ("running", "queued", "queued_later", "succeeded"):
            job = create_job(
                session, kind="test.record", params={"name": name}, requested_by="ops",
                now=YESTERDAY if name != "queued_later" else YESTERDAY + timedelta(hours=1),
            )  # fmt: skip
            jobs[name] = job.id
        start_job(session, job_id=jobs["running"], now=YESTERDAY)
        start_job(session, job_id=jobs["succeeded"], now=YESTERDAY)
        succeed_job(session, job_id=jobs["succeeded"], result={"n": 1}, now=YESTERDAY)
    return jobs


def _runner(runtime: Runtime, ran: list[str]) -> InProcessJobRunner:
    runner = InProcessJobRunner(runtime, workers=1)

    def record(context: JobContext) -> dict[str, Any]:
        ran.append(context.params["name"])
        return {}

    runner.register_handler("test.record", record)
    return runner


def _job(runtime: Runtime, job_id: uuid.UUID) -> Any:
    with runtime.session_factory() as session:
        return get_job(session, principal=SYSTEM, job_id=job_id)


def test_on_start_a_job_left_running_is_failed_as_interrupted(runtime: Runtime) -> None:
    jobs = _left_behind(runtime)
    runner = _runner(runtime, [])

    runner.start()
    runner.drain()
    runner.stop()

    job = _job(runtime, jobs["running"])
    assert (job.status, job.error, job.finished_at) == ("failed", INTERRUPTED, T0)
    assert INTERRUPTED == "interrupted: the server stopped while this job was running"


def test_on_start_queued_jobs_run_oldest_first_and_finished_ones_are_left_alone(
    runtime: Runtime,
) -> None:
    jobs = _left_behind(runtime)
    ran: list[str] = []
    runner = _runner(runtime, ran)

    runner.start()
    runner.drain()
    runner.stop()

    assert ran == ["queued", "queued_later"]
    assert [_job(runtime, jobs[name]).status for name in ("queued", "queued_later")] == [
        "succeeded",
        "succeeded",
    ]
    finished = _job(runtime, jobs["succeeded"])
    assert (finished.status, finished.result, finished.finished_at) == (
        "succeeded",
        {"n": 1},
        YESTERDAY,
    )


def test_starting_a_running_runner_again_recovers_nothing_twice(runtime: Runtime) -> None:
    jobs = _left_behind(runtime)
    ran: list[str] = []
    runner = _runner(runtime, ran)

    runner.start()
    runner.drain()
    runner.start()
    runner.drain()
    runner.stop()

    assert ran == ["queued", "queued_later"]
    assert _job(runtime, jobs["running"]).status == "failed"


def test_a_runner_started_without_recovery_leaves_the_jobs_as_they_are(runtime: Runtime) -> None:
    jobs = _left_behind(runtime)
    ran: list[str] = []
    runner = _runner(runtime, ran)

    runner.start(recover=False)
    runner.drain()
    runner.stop()

    assert ran == []
    assert [_job(runtime, jobs[name]).status for name in ("running", "queued")] == [
        "running",
        "queued",
    ]
