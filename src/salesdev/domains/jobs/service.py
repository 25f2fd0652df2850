"""Job state and progress. Services flush; the caller (API, CLI, job runner) commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, RuleViolation
from salesdev.core.periods import require_aware
from salesdev.db.models import Job
from salesdev.domains.access import Family, Principal, authorize

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
JOB_STATUSES = (QUEUED, RUNNING, SUCCEEDED, FAILED)

# The only moves a job makes; a finished job is never reopened, so its history stays true.
_ALLOWED = {QUEUED: {RUNNING}, RUNNING: {SUCCEEDED, FAILED}, SUCCEEDED: set(), FAILED: set()}

_MAX_KIND = 64
_MAX_REQUESTED_BY = 200

INTERRUPTED = "interrupted: the server stopped while this job was running"


@dataclass(frozen=True)
class JobList:
    items: list[Job]
    total: int


def create_job(
    session: Session,
    *,
    kind: str,
    params: Mapping[str, Any],
    requested_by: str,
    now: datetime,
) -> Job:
    details = []
    if not kind or len(kind) > _MAX_KIND:
        details.append(ErrorDetail("kind", f"expected 1 to {_MAX_KIND} characters, got {kind!r}"))
    if not requested_by or len(requested_by) > _MAX_REQUESTED_BY:
        details.append(ErrorDetail("requestedBy", f"expected 1 to {_MAX_REQUESTED_BY} characters"))
    if details:
        raise InvalidInput("Invalid job", details)
    require_aware(now, location="now")
    job = Job(
        kind=kind,
        status=QUEUED,
        params=dict(params),
        progress_done=0,
        progress_total=None,
        message="",
        requested_by=requested_by,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, *, principal: Principal, job_id: uuid.UUID) -> Job:
    authorize(principal, Family.JOBS, "read")
    return _load(session, job_id)


def _load(session: Session, job_id: uuid.UUID) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"Job {job_id} not found", [ErrorDetail("id", str(job_id))])
    return job


def jobs_select(*, principal: Principal) -> Select[Any]:
    """The jobs the principal may see, for interfaces that page and filter themselves."""
    authorize(principal, Family.JOBS, "read")
    return select(Job)


def list_jobs(
    session: Session,
    *,
    principal: Principal,
    status: str | None = None,
    kind: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> JobList:
    """Newest first."""
    authorize(principal, Family.JOBS, "read")
    if status is not None and status not in JOB_STATUSES:
        raise InvalidInput(
            "Invalid job filter",
            [ErrorDetail("status", f"expected one of {', '.join(JOB_STATUSES)}, got {status!r}")],
        )
    if offset < 0 or limit < 1:
        raise InvalidInput(
            "Invalid page", [ErrorDetail("offset/limit", "offset must be >= 0 and limit >= 1")]
        )
    query = select(Job)
    if status is not None:
        query = query.where(Job.status == status)
    if kind is not None:
        query = query.where(Job.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(Job.created_at.desc(), Job.id).offset(offset).limit(limit)
    ).all()
    return JobList(items=list(items), total=total)


def start_job(session: Session, *, job_id: uuid.UUID, now: datetime) -> Job:
    job = _move(session, job_id=job_id, to=RUNNING, now=now)
    job.started_at = now
    session.flush()
    return job


def report_progress(
    session: Session,
    *,
    job_id: uuid.UUID,
    done: int,
    total: int | None,
    message: str,
    now: datetime,
) -> Job:
    job = _load(session, job_id)
    if job.status != RUNNING:
        raise RuleViolation(
            f"Progress can only be reported for a running job; job {job_id} is {job.status}"
        )
    if done < 0 or (total is not None and (total < 0 or done > total)):
        raise InvalidInput(
            "Invalid progress",
            [ErrorDetail("progress", f"expected 0 <= done <= total, got {done} of {total}")],
        )
    job.progress_done = done
    job.progress_total = total
    job.message = message
    job.updated_at = require_aware(now, location="now")
    session.flush()
    return job


def succeed_job(
    session: Session, *, job_id: uuid.UUID, result: Mapping[str, Any], now: datetime
) -> Job:
    job = _move(session, job_id=job_id, to=SUCCEEDED, now=now)
    job.result = dict(result)
    job.finished_at = now
    if job.progress_total is not None:
        job.progress_done = job.progress_total
    session.flush()
    return job


def fail_job(session: Session, *, job_id: uuid.UUID, error: str, now: datetime) -> Job:
    job = _move(session, job_id=job_id, to=FAILED, now=now)
    job.error = error
    job.finished_at = now
    session.flush()
    return job


def _move(session: Session, *, job_id: uuid.UUID, to: str, now: datetime) -> Job:
    require_aware(now, location="now")
    job = _load(session, job_id)
    if to not in _ALLOWED[job.status]:
        raise RuleViolation(
            f"Job {job_id} cannot move from {job.status} to {to}",
            [ErrorDetail("status", f"allowed from {job.status}: {_allowed_text(job.status)}")],
        )
    job.status = to
    job.updated_at = now
    return job


def _allowed_text(status: str) -> str:
    allowed = sorted(_ALLOWED[status])
    return ", ".join(allowed) if allowed else "none (the job is finished)"


@dataclass(frozen=True)
class Recovery:
    """What a runner found when it started: jobs it failed, and jobs to run again."""

    interrupted: list[uuid.UUID]
    requeued: list[uuid.UUID]


def recover_jobs(session: Session, *, now: datetime) -> Recovery:
    """Settle the jobs of a runner that stopped: a ``running`` job died with its process and is
    failed (a job is never silently restarted: its handler may have done half its work);
    ``queued`` jobs never started and are returned, oldest first, to be enqueued again.

    Only for a runner that is the sole runner of its database (see docs/jobs.md).
    """
    oldest_first = (Job.created_at, Job.id)
    interrupted = list(
        session.scalars(select(Job.id).where(Job.status == RUNNING).order_by(*oldest_first))
    )
    for job_id in interrupted:
        fail_job(session, job_id=job_id, error=INTERRUPTED, now=now)
    requeued = list(
        session.scalars(select(Job.id).where(Job.status == QUEUED).order_by(*oldest_first))
    )
    return Recovery(interrupted=interrupted, requeued=requeued)
