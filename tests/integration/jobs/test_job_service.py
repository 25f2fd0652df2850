"""Job state: queued -> running -> succeeded | failed, and nothing else."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput, NotFound, RuleViolation
from salesdev.domains.access import SYSTEM
from salesdev.domains.jobs import (
    create_job,
    fail_job,
    get_job,
    list_jobs,
    report_progress,
    start_job,
    succeed_job,
)
from tests.conftest import T0


def _job(session: Session, kind: str = "demo.load", at: int = 0) -> uuid.UUID:
    job = create_job(
        session,
        kind=kind,
        params={"scale": "small", "seed": 42},
        requested_by="ops@example.com",
        now=T0 + timedelta(minutes=at),
    )
    return job.id


def test_a_new_job_is_queued_with_its_parameters(session: Session) -> None:
    job_id = _job(session)
    session.commit()

    job = get_job(session, principal=SYSTEM, job_id=job_id)
    assert (job.kind, job.status, job.params) == (
        "demo.load",
        "queued",
        {"scale": "small", "seed": 42},
    )
    assert (job.requested_by, job.created_at, job.progress_done, job.progress_total) == (
        "ops@example.com",
        T0,
        0,
        None,
    )
    assert (job.started_at, job.finished_at, job.error, job.result) == (None, None, None, None)


def test_a_job_runs_reports_progress_and_succeeds(session: Session) -> None:
    job_id = _job(session)
    start_job(session, job_id=job_id, now=T0 + timedelta(seconds=1))
    report_progress(
        session, job_id=job_id, done=3, total=10, message="regions", now=T0 + timedelta(seconds=2)
    )
    running = get_job(session, principal=SYSTEM, job_id=job_id)
    assert (running.status, running.progress_done, running.progress_total, running.message) == (
        "running",
        3,
        10,
        "regions",
    )

    succeed_job(session, job_id=job_id, result={"regions": 12}, now=T0 + timedelta(seconds=5))
    session.commit()

    job = get_job(session, principal=SYSTEM, job_id=job_id)
    assert (job.status, job.result, job.progress_done) == ("succeeded", {"regions": 12}, 10)
    assert (job.started_at, job.finished_at) == (
        T0 + timedelta(seconds=1),
        T0 + timedelta(seconds=5),
    )


def test_a_running_job_can_fail_with_its_error(session: Session) -> None:
    job_id = _job(session)
    start_job(session, job_id=job_id, now=T0)
    fail_job(session, job_id=job_id, error="ValueError: boom", now=T0 + timedelta(seconds=3))
    session.commit()

    job = get_job(session, principal=SYSTEM, job_id=job_id)
    assert (job.status, job.error, job.finished_at) == (
        "failed",
        "ValueError: boom",
        T0 + timedelta(seconds=3),
    )


@pytest.mark.parametrize(
    ("path", "move"),
    [
        ([], "succeed"),
        ([], "fail"),
        (["start"], "start"),
        (["start", "succeed"], "fail"),
        (["start", "succeed"], "start"),
        (["start", "fail"], "succeed"),
    ],
)
def test_any_other_move_is_refused_and_changes_nothing(
    session: Session, path: list[str], move: str
) -> None:
    job_id = _job(session)
    moves = {
        "start": lambda: start_job(session, job_id=job_id, now=T0),
        "succeed": lambda: succeed_job(session, job_id=job_id, result={}, now=T0),
        "fail": lambda: fail_job(session, job_id=job_id, error="x", now=T0),
    }
    for step in path:
        moves[step]()
    session.commit()
    before = get_job(session, principal=SYSTEM, job_id=job_id).status

    with pytest.raises(RuleViolation) as raised:
        moves[move]()

    target = {"start": "running", "succeed": "succeeded", "fail": "failed"}[move]
    assert raised.value.message == f"Job {job_id} cannot move from {before} to {target}"
    session.rollback()
    assert get_job(session, principal=SYSTEM, job_id=job_id).status == before


def test_progress_is_refused_unless_the_job_runs(session: Session) -> None:
    job_id = _job(session)

    with pytest.raises(RuleViolation, match=r"job .* is queued"):
        report_progress(session, job_id=job_id, done=1, total=2, message="", now=T0)


def test_progress_beyond_the_total_is_invalid(session: Session) -> None:
    job_id = _job(session)
    start_job(session, job_id=job_id, now=T0)

    with pytest.raises(InvalidInput) as raised:
        report_progress(session, job_id=job_id, done=3, total=2, message="", now=T0)

    assert [str(d) for d in raised.value.details] == [
        "progress: expected 0 <= done <= total, got 3 of 2"
    ]


def test_an_unknown_job_is_not_found(session: Session) -> None:
    missing = uuid.UUID(int=7)
    with pytest.raises(NotFound, match=f"Job {missing} not found"):
        get_job(session, principal=SYSTEM, job_id=missing)


def test_jobs_are_listed_newest_first_and_filtered(session: Session) -> None:
    first = _job(session, "demo.load", at=0)
    second = _job(session, "import", at=1)
    third = _job(session, "demo.load", at=2)
    start_job(session, job_id=third, now=T0)
    session.commit()

    everything = list_jobs(session, principal=SYSTEM)
    assert ([j.id for j in everything.items], everything.total) == ([third, second, first], 3)
    queued_demo = list_jobs(session, principal=SYSTEM, status="queued", kind="demo.load")
    assert ([j.id for j in queued_demo.items], queued_demo.total) == ([first], 1)
    page = list_jobs(session, principal=SYSTEM, offset=1, limit=1)
    assert ([j.id for j in page.items], page.total) == ([second], 3)


def test_listing_by_an_unknown_status_is_invalid(session: Session) -> None:
    with pytest.raises(InvalidInput) as raised:
        list_jobs(session, principal=SYSTEM, status="done")

    assert [str(d) for d in raised.value.details] == [
        "status: expected one of queued, running, succeeded, failed, got 'done'"
    ]


def test_jobs_are_visible_only_to_roles_that_may_read_them(session: Session) -> None:
    from salesdev.core.errors import PermissionDenied
    from salesdev.domains.access import Principal, Role

    rep = Principal(kind="user", name="rep", roles=frozenset({Role.SALES_REP}))
    with pytest.raises(PermissionDenied, match="rep may not read jobs"):
        list_jobs(session, principal=rep)
