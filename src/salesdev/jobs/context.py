"""What a job handler is given: the runtime, its parameters, its audited transaction and a
way to report progress."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from salesdev.db.session import unit_of_work
from salesdev.domains.audit import set_audit_context
from salesdev.domains.jobs import report_progress
from salesdev.runtime import Runtime

logger = logging.getLogger(__name__)

# SQLite has one writer at a time: while a handler holds its own write transaction, a
# progress update would wait for it. Progress is not worth any wait: skip it instead.
_SQLITE_PROGRESS_BUSY_MS = 0
_SQLITE_DEFAULT_BUSY_MS = 30_000
_MAX_ACTOR = 200  # the audit trail's actor column


@dataclass
class JobContext:
    runtime: Runtime
    job_id: uuid.UUID
    kind: str
    params: Mapping[str, Any]
    requested_by: str = "system"
    # The last progress reported, saved with the end state even if no update got through.
    last_progress: tuple[int, int | None, str] | None = field(default=None, init=False)

    @property
    def actor(self) -> str:
        """Who the job's changes are recorded as in the audit trail: ``job:<kind>:<requested by>``."""
        return f"job:{self.kind}:{self.requested_by}"[:_MAX_ACTOR]

    @contextmanager
    def unit_of_work(self, *, now: datetime | None = None) -> Iterator[Session]:
        """The handler's transaction, committed at the end, its changes audited as the job's
        (:attr:`actor`, at ``now``, by default the runtime clock's time, with the job's id)."""
        with unit_of_work(self.runtime.session_factory) as session:
            set_audit_context(
                session,
                actor=self.actor,
                now=now or self.runtime.clock.now(),
                details={"job_id": str(self.job_id)},
            )
            yield session

    def progress(self, done: int, total: int | None, message: str = "") -> None:
        """Persist progress in its own short transaction, visible to readers at once.

        When the store is busy (SQLite while the handler itself is writing), the update
        is skipped: the next one, or the final state, catches up.
        """
        engine = self.runtime.engine
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {_SQLITE_PROGRESS_BUSY_MS}")
                connection.commit()
            try:
                with Session(bind=connection) as session:
                    report_progress(
                        session,
                        job_id=self.job_id,
                        done=done,
                        total=total,
                        message=message,
                        now=self.runtime.clock.now(),
                    )
                    session.commit()
            except OperationalError:
                logger.debug("progress of job %s not saved: the store is busy", self.job_id)
            finally:
                if sqlite:
                    connection.rollback()
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {_SQLITE_DEFAULT_BUSY_MS}")
                    connection.commit()
        self.last_progress = (done, total, message)


JobHandler = Callable[[JobContext], dict[str, Any]]
