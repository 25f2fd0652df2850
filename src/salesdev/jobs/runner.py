"""The in-process job runner: a small thread pool in the server's process.

A job moves queued -> running -> succeeded | failed; each move is its own short
transaction, so the state is visible while the handler works. A handler that raises
fails its job (with the error and a traceback summary); the runner carries on.

When it starts, the runner settles what the previous process left behind: jobs still
``running`` died with it and are failed; jobs still ``queued`` are enqueued again.
"""

from __future__ import annotations

import logging
import threading
import traceback
import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, Protocol

from sqlalchemy.orm.exc import StaleDataError

from salesdev.core.errors import SalesdevError
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.audit import set_audit_context
from salesdev.domains.jobs import (
    Recovery,
    fail_job,
    get_job,
    recover_jobs,
    report_progress,
    start_job,
    succeed_job,
)
from salesdev.jobs.context import JobContext, JobHandler
from salesdev.jobs.registry import handler_for
from salesdev.runtime import Runtime

logger = logging.getLogger(__name__)

SERVICE_KEY = "jobs"
RUNNER_ACTOR = "system:job-runner"
_TRACEBACK_FRAMES = 5


class JobQueue(Protocol):
    """Where committed jobs are sent. A real queue sends the id to a broker instead."""

    def enqueue(self, job_id: uuid.UUID) -> None: ...


class InProcessJobRunner:
    def __init__(self, runtime: Runtime, *, workers: int | None = None) -> None:
        self.runtime = runtime
        self._workers = workers or runtime.settings.job_workers
        self._handlers: dict[str, JobHandler] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._futures: set[Future[None]] = set()
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._executor is not None

    def register_handler(self, kind: str, handler: JobHandler) -> None:
        """A handler for this runner only (takes precedence over the shared registry)."""
        self._handlers[kind] = handler

    def handles(self, kind: str) -> bool:
        return kind in self._handlers or handler_for(kind) is not None

    def start(self, *, recover: bool = True) -> None:
        """Start the worker threads and, unless ``recover`` is false, :meth:`recover` the jobs
        of the process that ran before. Starting a running runner does nothing."""
        with self._lock:
            if self._executor is not None:
                return
            self._executor = ThreadPoolExecutor(
                max_workers=self._workers, thread_name_prefix="salesdev-job"
            )
        if recover:
            try:
                self.recover()
            except Exception:
                # An unreachable database must not keep the server from starting (readiness
                # reports it); the jobs are settled at the next start.
                logger.exception("jobs left by the previous process could not be recovered")

    def recover(self) -> Recovery:
        """Fail the jobs left ``running`` by a process that stopped; enqueue those ``queued``.

        Assumes this runner is the only one working on the database, as the in-process
        runner is (see docs/jobs.md for a shared queue).
        """
        with unit_of_work(self.runtime.session_factory) as session:
            now = self.runtime.clock.now()
            set_audit_context(session, actor=RUNNER_ACTOR, now=now)
            recovery = recover_jobs(session, now=now)
        for job_id in recovery.interrupted:
            logger.warning("job %s was interrupted by a stop of the server: failed", job_id)
        for job_id in recovery.requeued:
            self.enqueue(job_id)
        return recovery

    def stop(self, *, wait_for_jobs: bool = True) -> None:
        """Stop taking jobs. Jobs not yet started stay ``queued`` in the store."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait_for_jobs, cancel_futures=True)

    def enqueue(self, job_id: uuid.UUID) -> None:
        with self._lock:
            if self._executor is None:
                raise RuntimeError("the job runner is stopped")
            future = self._executor.submit(self.run, job_id)
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def drain(self, timeout: float | None = None) -> None:
        """Wait until every job enqueued so far has finished (for shutdown and tests)."""
        with self._lock:
            pending = set(self._futures)
        wait(pending, timeout=timeout)

    def run(self, job_id: uuid.UUID) -> None:
        """Run one job to its end state. Also what a queue worker calls with a received id."""
        try:
            context = self._start(job_id)
        except StaleDataError:
            # Another worker moved the job between our read and our write: it owns the job.
            logger.warning("job %s was started by another worker; not run again", job_id)
            return
        except Exception:
            logger.exception("job %s could not be started", job_id)
            return
        if context is None:
            return
        handler = self._handlers.get(context.kind) or handler_for(context.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler is registered for job kind {context.kind!r}")
            result = handler(context)
        except Exception as error:
            self._finish(context, error=_describe(error))
        else:
            self._finish(context, result=result)

    def _start(self, job_id: uuid.UUID) -> JobContext | None:
        with unit_of_work(self.runtime.session_factory) as session:
            job = get_job(session, principal=SYSTEM, job_id=job_id)
            if job.status != "queued":
                # Delivered twice (a broker may redeliver): the first delivery owns it.
                logger.warning("job %s is %s, not queued; not run again", job_id, job.status)
                return None
            start_job(session, job_id=job_id, now=self.runtime.clock.now())
            return JobContext(
                runtime=self.runtime,
                job_id=job_id,
                kind=job.kind,
                params=dict(job.params),
                requested_by=job.requested_by,
            )

    def _finish(
        self, context: JobContext, *, result: dict[str, Any] | None = None, error: str | None = None
    ) -> None:
        for with_progress in (True, False):
            try:
                self._save_end_state(context, result, error, with_progress=with_progress)
                return
            except Exception:
                logger.exception("job %s: its end state could not be saved", context.job_id)

    def _save_end_state(
        self,
        context: JobContext,
        result: dict[str, Any] | None,
        error: str | None,
        *,
        with_progress: bool,
    ) -> None:
        job_id = context.job_id
        with unit_of_work(self.runtime.session_factory) as session:
            now = self.runtime.clock.now()
            if with_progress and context.last_progress is not None:
                done, total, message = context.last_progress
                report_progress(
                    session, job_id=job_id, done=done, total=total, message=message, now=now
                )
            if error is not None:
                fail_job(session, job_id=job_id, error=error, now=now)
            else:
                succeed_job(session, job_id=job_id, result=result or {}, now=now)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.discard(future)


def _describe(error: Exception) -> str:
    """The message first; for an unexpected error, the last frames of where it happened."""
    if isinstance(error, SalesdevError):
        return f"{error.reason}: {error}"
    frames = traceback.extract_tb(error.__traceback__)[-_TRACEBACK_FRAMES:]
    where = "".join(traceback.format_list(frames))
    return f"{type(error).__name__}: {error}\n\nTraceback (most recent call last):\n{where}"


def start_job_runner(runtime: Runtime) -> InProcessJobRunner:
    """Start the runtime's runner (once: a second call returns the same, running, runner)."""
    runner = runtime.services.get(SERVICE_KEY)
    if not isinstance(runner, InProcessJobRunner):
        runner = InProcessJobRunner(runtime)
        runtime.services[SERVICE_KEY] = runner
    runner.start()
    return runner
