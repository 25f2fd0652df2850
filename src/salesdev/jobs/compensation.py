"""The ``compensation.run`` job: calculate a period over the event store as a job.

Params: ``run_id`` (the :class:`CompensationRun` created with the job). Three steps, so the
long calculation holds no transaction (progress stays visible): start the run and read its
inputs; calculate; record the outcome (the next ledger version of the period, in one
transaction, unless a dry run). A failure marks the run failed and fails the job.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from salesdev.analytics.compensation_runs import (
    calculate_run,
    mark_failed,
    prepare_run,
    record_run,
)
from salesdev.core.errors import ErrorDetail, InvalidInput, SalesdevError
from salesdev.db.models.compensation import CompensationRun
from salesdev.db.session import unit_of_work
from salesdev.domains.access import Principal
from salesdev.domains.compensation import create_run
from salesdev.jobs.context import JobContext
from salesdev.jobs.registry import register_handler
from salesdev.jobs.submit import submit_job
from salesdev.runtime import Runtime

COMPENSATION_RUN = "compensation.run"


def submit_compensation_run(
    runtime: Runtime, *, session: Session, principal: Principal, period: str, dry_run: bool
) -> CompensationRun:
    """Create the run and its job in the caller's transaction; the job starts after commit."""
    run = create_run(
        session, principal=principal, period=period, dry_run=dry_run, now=runtime.clock.now()
    )
    job = submit_job(
        runtime,
        session=session,
        kind=COMPENSATION_RUN,
        params={"run_id": str(run.id)},
        requested_by=principal.actor,
    )
    run.job_id = job.id
    session.flush()
    return run


def run_compensation_job(context: JobContext) -> dict[str, Any]:
    raw = context.params.get("run_id")
    try:
        run_id = uuid.UUID(str(raw))
    except ValueError:
        raise InvalidInput(
            "Invalid compensation.run parameters", [ErrorDetail("params.run_id", "a run id")]
        ) from None
    runtime = context.runtime
    try:
        with context.unit_of_work() as session:
            inputs = prepare_run(session, run_id=run_id, now=runtime.clock.now())
            dry_run = bool(session.get(CompensationRun, run_id).dry_run)  # type: ignore[union-attr]
        outcome = calculate_run(
            inputs,
            run_id=run_id,
            event_store_dir=runtime.settings.event_store_dir,
            data_dir=runtime.settings.data_dir,
            dry_run=dry_run,
            progress=context.progress,
        )
        with context.unit_of_work() as session:
            run = record_run(session, run_id=run_id, outcome=outcome, now=runtime.clock.now())
            result = {
                "run_id": str(run.id),
                "period": run.period,
                "dry_run": run.dry_run,
                "ledger_version": run.ledger_version,
                "lines": run.line_count,
                "totals": dict(run.totals),
                "events": run.event_count,
                "rejected": run.rejected_count,
            }
    except BaseException as error:
        message = str(error) if isinstance(error, SalesdevError) else repr(error)
        if isinstance(error, InvalidInput) and error.details:
            message += ": " + "; ".join(f"{d.location}: {d.message}" for d in error.details[:20])
        with unit_of_work(runtime.session_factory) as session:
            mark_failed(session, run_id=run_id, error=message, now=runtime.clock.now())
        raise
    return result


register_handler(COMPENSATION_RUN, run_compensation_job)
