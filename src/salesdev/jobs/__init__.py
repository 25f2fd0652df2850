"""Job runner: runs the handler registered for a job's kind, in-process by default.

The seam for a real queue is :class:`JobQueue` (``enqueue(job_id)``); see docs/jobs.md.
"""

from salesdev.jobs.context import JobContext, JobHandler
from salesdev.jobs.registry import handler_for, register_handler, registered_kinds
from salesdev.jobs.runner import InProcessJobRunner, JobQueue, start_job_runner
from salesdev.jobs.submit import submit_job

__all__ = [
    "InProcessJobRunner",
    "JobContext",
    "JobHandler",
    "JobQueue",
    "handler_for",
    "register_handler",
    "registered_kinds",
    "start_job_runner",
    "submit_job",
]
