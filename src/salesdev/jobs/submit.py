"""Create a job in the caller's transaction; send it to the queue only once that commits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, PreconditionFailed
from salesdev.db.models import Job
from salesdev.db.session import after_commit
from salesdev.domains.jobs import create_job
from salesdev.jobs.runner import SERVICE_KEY, JobQueue
from salesdev.runtime import Runtime


def submit_job(
    runtime: Runtime,
    *,
    session: Session,
    kind: str,
    params: Mapping[str, Any],
    requested_by: str,
) -> Job:
    queue: JobQueue | None = runtime.services.get(SERVICE_KEY)
    if queue is None:
        raise PreconditionFailed("No job queue is running in this process")
    handles = getattr(queue, "handles", None)
    if callable(handles) and not handles(kind):
        raise InvalidInput("Unknown job kind", [ErrorDetail("kind", f"no handler for {kind!r}")])
    job = create_job(
        session, kind=kind, params=params, requested_by=requested_by, now=runtime.clock.now()
    )
    job_id = job.id
    # A rolled-back request must start nothing, and a worker must find the job committed.
    after_commit(session, lambda: queue.enqueue(job_id))
    return job
