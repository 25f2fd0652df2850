"""The ``import`` job: a bulk file imported in the background, all or nothing, with progress."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from salesdev.core.errors import InvalidInput, NotFound, PermissionDenied
from salesdev.db.models import AuditEvent, Region
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM, Principal, Role
from salesdev.domains.jobs import get_job, list_jobs
from salesdev.jobs import (
    imports_dir,
    stage_import_file,
    start_job_runner,
    submit_import,
    submit_job,
)
from salesdev.runtime import Runtime

CARLA = Principal(kind="user", name="carla", roles=frozenset({Role.ADMIN}))
AUDITOR = Principal(kind="user", name="alex", roles=frozenset({Role.AUDITOR}))
REGIONS = b"code,name,parent_code\nNORTH,North,\nNORTH-CITY,North city,NORTH\n"


def _stage(runtime: Runtime, content: bytes = REGIONS, name: str = "regions.csv") -> str:
    return stage_import_file(runtime.settings, file_name=name, content=io.BytesIO(content))


def _submit(runtime: Runtime, path: str, dataset: str = "regions", **options: Any) -> uuid.UUID:
    with unit_of_work(runtime.session_factory) as session:
        job = submit_import(
            runtime, session=session, principal=options.pop("principal", CARLA),
            dataset=dataset, path=path, **options,
        )  # fmt: skip
        return job.id


def _run(runtime: Runtime, path: str, **options: Any) -> Any:
    runner = start_job_runner(runtime)
    job_id = _submit(runtime, path, **options)
    runner.drain()
    with runtime.session_factory() as session:
        return get_job(session, principal=SYSTEM, job_id=job_id)


def _regions(runtime: Runtime) -> list[str]:
    with runtime.session_factory() as session:
        return sorted(session.scalars(select(Region.code)))


def test_an_import_job_writes_the_rows_and_keeps_the_counts(runtime: Runtime) -> None:
    staged = _stage(runtime)

    job = _run(runtime, staged)

    assert (job.status, job.error, job.requested_by) == ("succeeded", None, "user:carla")
    assert job.params == {"dataset": "regions", "path": staged, "dry_run": False}
    assert job.result == {
        "dataset": "regions",
        "file": staged,
        "rows": 2,
        "created": 2,
        "updated": 0,
        "dry_run": False,
    }
    assert (job.progress_done, job.progress_total, job.message) == (2, 2, "writing rows: 2 of 2")
    assert _regions(runtime) == ["NORTH", "NORTH-CITY"]


def test_its_changes_are_audited_as_the_jobs_on_behalf_of_the_requester(
    runtime: Runtime,
) -> None:
    job = _run(runtime, _stage(runtime))

    with runtime.session_factory() as session:
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.sequence)))
    assert [(e.actor, e.action, e.object_type) for e in events] == [
        ("job:import:user:carla", "create", "region"),
        ("job:import:user:carla", "create", "region"),
    ]
    assert {(e.occurred_at, str(e.context)) for e in events} == {
        (runtime.clock.now(), str({"job_id": str(job.id)}))
    }


def test_a_file_with_errors_fails_the_job_with_every_row_and_writes_nothing(
    runtime: Runtime,
) -> None:
    staged = _stage(runtime, b"code,name,parent_code\nNORTH,North,\nSOUTH,,\nWEST,West,EAST\n")

    job = _run(runtime, staged)

    assert (job.status, job.error) == (
        "failed",
        f"Invalid input: {staged}: 2 error(s) for dataset regions; nothing was imported\n"
        "  - row 2 (line 3): column 'name': a value is required\n"
        "  - row 3 (line 4): column 'parent_code': no region with code 'EAST'",
    )
    assert _regions(runtime) == []


def test_a_dry_run_checks_everything_and_writes_nothing(runtime: Runtime) -> None:
    job = _run(runtime, _stage(runtime), dry_run=True)

    assert (job.status, job.result["created"], job.result["dry_run"]) == ("succeeded", 2, True)
    assert _regions(runtime) == []


@pytest.mark.parametrize("path", ["../salesdev.db", "/etc/passwd"])
def test_only_files_in_the_imports_directory_can_be_imported(runtime: Runtime, path: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        _submit(runtime, path)

    assert [(d.location, d.message) for d in refused.value.details] == [
        (
            "params.path",
            f"the file must be in the imports directory {imports_dir(runtime.settings).resolve()}",
        )
    ]


def test_a_job_submitted_around_the_checks_still_refuses_an_outside_file(
    runtime: Runtime,
) -> None:
    runner = start_job_runner(runtime)
    with unit_of_work(runtime.session_factory) as session:
        job_id = submit_job(
            runtime, session=session, kind="import",
            params={"dataset": "regions", "path": "/etc/passwd"}, requested_by="user:mallory",
        ).id  # fmt: skip
    runner.drain()

    with runtime.session_factory() as session:
        job = get_job(session, principal=SYSTEM, job_id=job_id)
    assert (job.status, job.error.splitlines()[0]) == (
        "failed",
        "Invalid input: Invalid import parameters",
    )
    assert "root:" not in job.error


def test_the_requester_needs_write_permission_on_the_dataset(runtime: Runtime) -> None:
    start_job_runner(runtime)

    with pytest.raises(PermissionDenied, match=r"^alex may not write organisation$"):
        _submit(runtime, _stage(runtime), principal=AUDITOR)


def test_unknown_datasets_formats_and_files_are_refused_at_submission(runtime: Runtime) -> None:
    start_job_runner(runtime)

    with pytest.raises(InvalidInput) as refused:
        _submit(runtime, "missing.csv", format="xlsx")
    with pytest.raises(NotFound, match=r"^Unknown dataset 'dealers'\n"):
        _submit(runtime, _stage(runtime), dataset="dealers")

    assert [(d.location, d.message) for d in refused.value.details] == [
        ("params.format", "expected one of csv, json, jsonl, parquet or none"),
        ("params.path", "no file 'missing.csv' in the imports directory"),
    ]
    with runtime.session_factory() as session:
        assert list_jobs(session, principal=SYSTEM).total == 0


def test_staged_files_keep_their_extension_under_a_unique_safe_name(runtime: Runtime) -> None:
    first = _stage(runtime, name="../../Partners 2026.CSV")
    second = _stage(runtime, name="../../Partners 2026.CSV")

    assert first != second
    assert first.endswith("-Partners_2026.CSV") and "/" not in first
    assert (imports_dir(runtime.settings) / first).read_bytes() == REGIONS


class _StoppedServer:
    """A queue whose process stops before it runs anything it was sent."""

    def enqueue(self, job_id: uuid.UUID) -> None:
        pass


def test_an_import_left_queued_by_a_stopped_server_runs_at_the_next_start(
    runtime: Runtime,
) -> None:
    runtime.services["jobs"] = _StoppedServer()
    job_id = _submit(runtime, _stage(runtime))
    runtime.services.clear()

    runner = start_job_runner(runtime)
    runner.drain()

    with runtime.session_factory() as session:
        assert get_job(session, principal=SYSTEM, job_id=job_id).status == "succeeded"
    assert _regions(runtime) == ["NORTH", "NORTH-CITY"]
