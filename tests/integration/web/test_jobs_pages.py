"""Jobs pages: status, kind, progress and times; the error of a failed job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from salesdev.db.session import unit_of_work
from salesdev.domains.jobs import create_job, fail_job, report_progress, start_job
from salesdev.runtime import Runtime
from tests.integration.web.pages import main_text, table_rows

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_jobs_list_shows_status_progress_and_times_newest_first(
    console: TestClient, runtime: Runtime
) -> None:
    with unit_of_work(runtime.session_factory) as s:
        queued = create_job(s, kind="demo.load", params={}, requested_by="ops", now=T0)
        running = create_job(
            s, kind="import.partners", params={}, requested_by="ops", now=T0 + timedelta(minutes=1)
        )
        start_job(s, job_id=running.id, now=T0 + timedelta(minutes=2))
        report_progress(
            s, job_id=running.id, done=30, total=120, message="rows", now=T0 + timedelta(minutes=3)
        )
        assert queued.id

    response = console.get("/jobs")

    assert response.status_code == 200
    assert table_rows(response.text) == [
        [
            "import.partners",
            "Running",
            "30 of 120 (25%)",
            "2026-03-01 08:01 UTC",
            "2026-03-01 08:02 UTC",
            "",
            "ops",
        ],
        ["demo.load", "Queued", "—", "2026-03-01 08:00 UTC", "", "", "ops"],
    ]
    assert '<progress max="120" value="30"' in response.text
    assert [
        row[0] for row in table_rows(console.get("/jobs", params={"status": "queued"}).text)
    ] == ["demo.load"]


def test_a_failed_job_shows_its_error(console: TestClient, runtime: Runtime) -> None:
    with unit_of_work(runtime.session_factory) as s:
        job = create_job(s, kind="demo.load", params={"scale": "small"}, requested_by="ops", now=T0)
        start_job(s, job_id=job.id, now=T0)
        fail_job(s, job_id=job.id, error="The event store already has events", now=T0)

    page = main_text(console.get(f"/jobs/{job.id}").text)

    assert "This job failed. The event store already has events" in page
    assert "scale : small" in page


def test_no_jobs_yet_and_bad_status_filter(console: TestClient) -> None:
    assert "No jobs have run yet." in main_text(console.get("/jobs").text)
    bad = console.get("/jobs", params={"status": "lost"})
    assert bad.status_code == 400
    assert "expected one of queued, running, succeeded, failed" in main_text(bad.text)
