"""``salesdev jobs``: long work and its state."""

from __future__ import annotations

import json

import typer

from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.operator import OPERATOR
from salesdev.core.ids import parse_id
from salesdev.db.models import Job
from salesdev.domains.jobs import JOB_STATUSES, get_job, list_jobs

app = typer.Typer(help="Jobs: long work with persisted state and progress.", no_args_is_help=True)


@app.command("list")
@reports_errors
def list_command(
    status: str | None = typer.Option(
        None, help=f"Only jobs in this state: {', '.join(JOB_STATUSES)}."
    ),
    kind: str | None = typer.Option(None, help="Only jobs of this kind, e.g. demo.load."),
    limit: int = typer.Option(50, min=1, help="At most this many, newest first."),
) -> None:
    """List jobs, newest first."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            page = list_jobs(session, principal=OPERATOR, status=status, kind=kind, limit=limit)
    # Plain aligned lines rather than a table: ids stay whole and scripts can read them.
    typer.echo(f"{len(page.items)} of {page.total} jobs")
    for job in page.items:
        note = (job.error or job.message or "").splitlines()
        typer.echo(
            f"{job.id}  {job.kind:<20} {job.status:<9} {_progress(job):>11}  "
            f"{job.created_at.strftime('%Y-%m-%d %H:%M')}  {note[0] if note else ''}".rstrip()
        )


@app.command("show")
@reports_errors
def show_command(job_id: str = typer.Argument(..., help="The job's id.")) -> None:
    """Show one job: state, progress, parameters, result or error."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            job = get_job(session, principal=OPERATOR, job_id=parse_id(job_id, location="job id"))
    lines = [
        f"id: {job.id}",
        f"kind: {job.kind}",
        f"status: {job.status}",
        f"progress: {_progress(job)}",
        f"message: {job.message}",
        f"requested by: {job.requested_by}",
        f"created: {job.created_at.isoformat()}",
        f"started: {job.started_at.isoformat() if job.started_at else '-'}",
        f"finished: {job.finished_at.isoformat() if job.finished_at else '-'}",
        f"params: {json.dumps(job.params, sort_keys=True)}",
    ]
    if job.result is not None:
        lines.append(f"result: {json.dumps(job.result, sort_keys=True)}")
    if job.error:
        lines.append(f"error: {job.error}")
    typer.echo("\n".join(lines))


def _progress(job: Job) -> str:
    if job.progress_total is None:
        return str(job.progress_done) if job.progress_done else "-"
    return f"{job.progress_done}/{job.progress_total}"
