"""Who acts on the command line, and the audited transaction every writing command uses.

The CLI acts with the ``SYSTEM`` principal: whoever can run it against the database
(shell access to the database host, or the database URL and its credentials) can already
read and change every table, so a permission check here would protect nothing. What the
CLI does add is accountability: every change it makes is recorded in the audit trail as
``cli:<operating-system user>``.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM, Principal
from salesdev.domains.audit import set_audit_context
from salesdev.runtime import Runtime

OPERATOR: Principal = SYSTEM


def cli_actor() -> str:
    """``cli:<login name>`` of the operating-system user running the command."""
    try:
        name = getpass.getuser()
    except Exception:  # no login name and no passwd entry (e.g. an arbitrary container uid)
        name = "unknown"
    return f"cli:{name}"


def audit_as_operator(session: Session, *, now: datetime) -> None:
    set_audit_context(session, actor=cli_actor(), now=now)


@contextmanager
def operator_session(runtime: Runtime, *, now: datetime | None = None) -> Iterator[Session]:
    """One transaction, committed at the end, whose changes are audited as the operator's
    at ``now`` (the time the command passes to the services; the runtime's clock by default)."""
    with unit_of_work(runtime.session_factory) as session:
        audit_as_operator(session, now=now or runtime.clock.now())
        yield session
