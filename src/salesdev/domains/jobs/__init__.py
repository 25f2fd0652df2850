"""Jobs: long work with persisted state and progress (queued -> running -> succeeded | failed)."""

from salesdev.domains.jobs.service import (
    JOB_STATUSES,
    JobList,
    create_job,
    fail_job,
    get_job,
    list_jobs,
    report_progress,
    start_job,
    succeed_job,
)

__all__ = [
    "JOB_STATUSES",
    "JobList",
    "create_job",
    "fail_job",
    "get_job",
    "list_jobs",
    "report_progress",
    "start_job",
    "succeed_job",
]
