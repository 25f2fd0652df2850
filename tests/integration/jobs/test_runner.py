"""The in-process runner: handlers run after commit, their progress and end state persist."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from salesdev.core.errors import InvalidInput, NotFound, PreconditionFailed, RuleViolation
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.jobs import get_job
from salesdev.domains.reference import create_entity
from salesdev.jobs import InProcessJobRunner, JobContext, start_job_runner, submit_job
from salesdev.runtime import Runtime


class RecordingQueue:
    """A queue that only notes what it was sent (stands for a broker)."""

    def __init__(self) -> None:
        self.sent: list[uuid.UUID] = []

    def enqueue(self, job_id: uuid.UUID) -> None:
        self.sent.append(job_id)


def _submit(runtime: Runtime, kind: str, params: dict[str, Any] | None = None) -> uuid.UUID:
    with unit_of_work(runtime.session_factory) as session:
        job = submit_job(
            runtime, session=session, kind=kind, params=params or {}, requested_by="tester"
        )
        return job.id


def _status(runtime: Runtime, job_id: uuid.UUID) -> Any:
    with runtime.session_factory() as session:
        return get_job(session, principal=SYSTEM, job_id=job_id)


def test_a_submitted_job_runs_after_commit_and_keeps_its_result(runtime: Runtime) -> None:
    runner = start_job_runner(runtime)
    seen_while_running: list[tuple[str, int, int | None, str]] = []

    def count(context: JobContext) -> dict[str, Any]:
        context.progress(1, 2, "first half")
        seen_while_running.append(_snapshot(_status(runtime, context.job_id)))
        return {"counted": context.params["upto"]}

    runner.register_handler("test.count", count)

    job_id = _submit(runtime, "test.count", {"upto": 2})
    runner.drain()

    assert seen_while_running == [("running", 1, 2, "first half")]
    job = _status(runtime, job_id)
    assert (job.status, job.result, job.progress_done, job.error) == (
        "succeeded",
        {"counted": 2},
        2,
        None,
    )
    assert job.started_at == runtime.clock.now() == job.finished_at


def _snapshot(job: Any) -> tuple[str, int, int | None, str]:
    return (job.status, job.progress_done, job.progress_total, job.message)


def test_a_failing_handler_fails_its_job_and_the_runner_carries_on(runtime: Runtime) -> None:
    runner = start_job_runner(runtime)

    def explode(context: JobContext) -> dict[str, Any]:
        raise ValueError("the model file is corrupt")

    runner.register_handler("test.explode", explode)
    runner.register_handler("test.ok", lambda context: {"ok": True})

    failed_id = _submit(runtime, "test.explode")
    runner.drain()
    ok_id = _submit(runtime, "test.ok")
    runner.drain()

    failed = _status(runtime, failed_id)
    assert failed.status == "failed"
    assert failed.error.startswith("ValueError: the model file is corrupt\n\nTraceback")
    assert "in explode" in failed.error
    assert _status(runtime, ok_id).status == "succeeded"


def test_an_expected_error_is_kept_without_a_traceback(runtime: Runtime) -> None:
    runner = start_job_runner(runtime)

    def refuse(context: JobContext) -> dict[str, Any]:
        raise RuleViolation("period 2026-09 is closed")

    runner.register_handler("test.refuse", refuse)
    job_id = _submit(runtime, "test.refuse")
    runner.drain()

    job = _status(runtime, job_id)
    assert (job.status, job.error) == ("failed", "Business rule violated: period 2026-09 is closed")


def test_a_rolled_back_request_starts_nothing(runtime: Runtime) -> None:
    runner = start_job_runner(runtime)
    calls: list[uuid.UUID] = []
    runner.register_handler("test.record", lambda context: calls.append(context.job_id) or {})
    submitted: list[uuid.UUID] = []

    with (
        pytest.raises(RuntimeError, match="request failed"),
        unit_of_work(runtime.session_factory) as session,
    ):
        job = submit_job(runtime, session=session, kind="test.record", params={}, requested_by="t")
        submitted.append(job.id)
        raise RuntimeError("request failed")
    runner.drain()

    assert calls == []
    with runtime.session_factory() as session, pytest.raises(NotFound):
        get_job(session, principal=SYSTEM, job_id=submitted[0])


def test_the_queue_is_sent_the_job_id_only_once_the_transaction_commits(runtime: Runtime) -> None:
    queue = RecordingQueue()
    runtime.services["jobs"] = queue

    with unit_of_work(runtime.session_factory) as session:
        job = submit_job(runtime, session=session, kind="demo.load", params={}, requested_by="t")
        assert queue.sent == []

    assert queue.sent == [job.id]
    assert _status(runtime, job.id).status == "queued"


def test_a_job_delivered_twice_runs_once(runtime: Runtime) -> None:
    runner = start_job_runner(runtime)
    calls: list[uuid.UUID] = []
    runner.register_handler("test.once", lambda context: calls.append(context.job_id) or {})

    job_id = _submit(runtime, "test.once")
    runner.drain()
    runner.run(job_id)

    assert calls == [job_id]
    assert _status(runtime, job_id).status == "succeeded"


def test_a_job_of_an_unknown_kind_is_refused_at_submission(runtime: Runtime) -> None:
    start_job_runner(runtime)

    with pytest.raises(InvalidInput) as raised, unit_of_work(runtime.session_factory) as session:
        submit_job(runtime, session=session, kind="no.such.kind", params={}, requested_by="t")

    assert [str(d) for d in raised.value.details] == ["kind: no handler for 'no.such.kind'"]


def test_submitting_without_a_running_queue_is_refused(runtime: Runtime) -> None:
    with pytest.raises(PreconditionFailed), unit_of_work(runtime.session_factory) as session:
        submit_job(runtime, session=session, kind="demo.load", params={}, requested_by="t")


def test_starting_the_runner_twice_gives_the_same_running_runner(runtime: Runtime) -> None:
    first = start_job_runner(runtime)
    second = start_job_runner(runtime)

    assert first is second is runtime.services["jobs"]
    assert isinstance(first, InProcessJobRunner) and first.running
    first.stop()
    assert not first.running
    with pytest.raises(RuntimeError, match="stopped"):
        first.enqueue(uuid.uuid4())


def test_demo_load_is_a_built_in_job_kind(runtime: Runtime) -> None:
    runner = start_job_runner(runtime)

    assert runner.handles("demo.load")
    assert not runner.handles("demo.unload")


def test_progress_reported_while_the_handler_writes_is_kept_with_the_end_state(
    runtime: Runtime,
) -> None:
    runner = start_job_runner(runtime)

    def write_then_report(context: JobContext) -> dict[str, Any]:
        # On SQLite this transaction holds the only write lock while progress is reported.
        with unit_of_work(runtime.session_factory) as session:
            values = {"code": "NORTH", "name": "North"}
            create_entity(
                session, principal=SYSTEM, kind="region", values=values, now=runtime.clock.now()
            )
            context.progress(1, 2, "regions written")
        return {}

    runner.register_handler("test.write", write_then_report)
    job_id = _submit(runtime, "test.write")
    runner.drain()

    job = _status(runtime, job_id)
    assert (job.status, job.progress_done, job.progress_total, job.message) == (
        "succeeded",
        2,
        2,
        "regions written",
    )


def test_invalid_progress_fails_the_job(runtime: Runtime) -> None:
    runner = start_job_runner(runtime)
    runner.register_handler("test.overshoot", lambda context: context.progress(3, 2) or {})

    job_id = _submit(runtime, "test.overshoot")
    runner.drain()

    job = _status(runtime, job_id)
    assert (job.status, job.progress_done, job.progress_total) == ("failed", 0, None)
    assert job.error == (
        "Invalid input: Invalid progress\n  - progress: expected 0 <= done <= total, got 3 of 2"
    )
