"""``salesdev jobs``: what ran, how far it got, how it ended."""

from __future__ import annotations

import uuid

from salesdev.db.session import unit_of_work
from salesdev.domains.jobs import create_job, fail_job, start_job
from tests.conftest import T0, Database
from tests.integration.cli.conftest import Cli


def _failed_job(database: Database) -> uuid.UUID:
    with unit_of_work(database.session_factory) as session:
        job = create_job(session, kind="demo.load", params={"seed": 7}, requested_by="ops", now=T0)
        start_job(session, job_id=job.id, now=T0)
        fail_job(session, job_id=job.id, error="Conflict: already loaded", now=T0)
        return job.id


def test_show_prints_the_state_parameters_and_error(cli: Cli, database: Database) -> None:
    job_id = _failed_job(database)

    result = cli("jobs", "show", str(job_id))

    assert result.exit_code == 0
    assert result.stdout == (
        f"id: {job_id}\n"
        "kind: demo.load\n"
        "status: failed\n"
        "progress: -\n"
        "message: \n"
        "requested by: ops\n"
        "created: 2026-10-15T09:30:00+00:00\n"
        "started: 2026-10-15T09:30:00+00:00\n"
        "finished: 2026-10-15T09:30:00+00:00\n"
        'params: {"seed": 7}\n'
        "error: Conflict: already loaded\n"
    )


def test_list_filters_by_status(cli: Cli, database: Database) -> None:
    job_id = _failed_job(database)

    failed = cli("jobs", "list", "--status", "failed")
    running = cli("jobs", "list", "--status", "running")

    assert failed.exit_code == 0 and str(job_id) in failed.stdout and "1 of 1 jobs" in failed.stdout
    assert "0 of 0 jobs" in running.stdout and str(job_id) not in running.stdout


def test_an_unknown_status_exits_3(cli: Cli) -> None:
    result = cli("jobs", "list", "--status", "done")

    assert (result.exit_code, result.stderr) == (
        3,
        "Error: Invalid job filter\n"
        "  - status: expected one of queued, running, succeeded, failed, got 'done'\n",
    )


def test_a_malformed_id_exits_3_and_an_unknown_one_4(cli: Cli) -> None:
    malformed = cli("jobs", "show", "42")
    unknown = cli("jobs", "show", str(uuid.UUID(int=42)))

    assert (malformed.exit_code, malformed.stderr) == (
        3,
        "Error: Invalid identifier\n  - job id: not a UUID: '42'\n",
    )
    assert (unknown.exit_code, unknown.stderr.splitlines()[0]) == (
        4,
        f"Error: Job {uuid.UUID(int=42)} not found",
    )
