"""Jobs: long work with persisted state and progress (queued -> running -> succeeded | failed)."""

from salesdev.domains.jobs.service import (
    INTERRUPTED,
    JOB_STATUSES,
    JobList,
    Recovery,
    create_job,
    fail_job,
    get_job,
    jobs_select,
    list_jobs,
    recover_jobs,
    report_progress,
    start_job,
    succeed_job,
)

__all__ = [
    "INTERRUPTED",
    "JOB_STATUSES",
    "JobList",
    "Recovery",
    "create_job",
    "fail_job",
    "get_job",
    "jobs_select",
    "list_jobs",
    "recover_jobs",
    "report_progress",
    "start_job",
    "succeed_job",
]
