"""Jobs: long-running work with its status, progress and, when it failed, the error."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.ids import parse_id
from salesdev.db.models import Job
from salesdev.domains.jobs import JOB_STATUSES, get_job, list_jobs
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.templating import render
from salesdev.web.urls import with_query

PAGE_SIZE = 25


@dataclass(frozen=True)
class Progress:
    done: int
    total: int | None

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)


def progress_of(job: Job) -> Progress:
    return Progress(job.progress_done, job.progress_total)


def install_job_pages(router: APIRouter, runtime: Runtime) -> None:
    def jobs_page(request: Request) -> Response:
        status = request.query_params.get("status", "") or None
        offset_text = request.query_params.get("offset", "0") or "0"
        if not offset_text.isdigit():
            raise InvalidInput("Invalid paging", [ErrorDetail("offset", "must be 0 or more")])
        offset = int(offset_text)
        with work(runtime, request) as session:
            jobs = list_jobs(
                session,
                principal=principal_of(request),
                status=status,
                offset=offset,
                limit=PAGE_SIZE,
            )
        previous_href = (
            with_query("/jobs", {"status": status, "offset": max(offset - PAGE_SIZE, 0) or ""})
            if offset
            else ""
        )
        next_href = (
            with_query("/jobs", {"status": status, "offset": offset + PAGE_SIZE})
            if offset + len(jobs.items) < jobs.total
            else ""
        )
        return render(
            request,
            "jobs_list.html",
            {
                "title": "Jobs",
                "jobs": [(job, progress_of(job)) for job in jobs.items],
                "total": jobs.total,
                "offset": offset,
                "status": status or "",
                "statuses": JOB_STATUSES,
                "previous_href": previous_href,
                "next_href": next_href,
            },
        )

    def job_page(request: Request, job_id: str) -> Response:
        with work(runtime, request) as session:
            job = get_job(session, principal=principal_of(request), job_id=parse_id(job_id))
        return render(
            request,
            "job_detail.html",
            {"title": f"Job {job.kind}", "job": job, "progress": progress_of(job)},
        )

    router.add_api_route("/jobs", jobs_page, methods=["GET"], name="jobs")
    router.add_api_route("/jobs/{job_id}", job_page, methods=["GET"], name="job")
