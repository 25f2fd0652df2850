"""Job runner: runs the handler registered for a job's kind, in-process by default.

The seam for a real queue is :class:`JobQueue` (``enqueue(job_id)``); see docs/jobs.md.
"""

from salesdev.jobs.context import JobContext, JobHandler
from salesdev.jobs.imports import IMPORT, imports_dir, stage_import_file, submit_import
from salesdev.jobs.registry import handler_for, register_handler, registered_kinds
from salesdev.jobs.runner import InProcessJobRunner, JobQueue, start_job_runner
from salesdev.jobs.submit import submit_job

__all__ = [
    "IMPORT",
    "InProcessJobRunner",
    "JobContext",
    "JobHandler",
    "JobQueue",
    "handler_for",
    "imports_dir",
    "register_handler",
    "registered_kinds",
    "stage_import_file",
    "start_job_runner",
    "submit_import",
    "submit_job",
]
