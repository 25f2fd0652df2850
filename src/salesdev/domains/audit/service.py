"""Recording and verifying the audit trail.

Changes to business data are captured automatically: a ``before_flush`` hook
turns every insert, update and delete of an audited table into an audit event
in the same transaction, so no service can forget it and a rolled-back change
leaves no trace. Security events (logins, lock-outs, tokens, denied access) are
recorded explicitly with :func:`record_event`.

The actor and the time come from the entrypoint through :func:`set_audit_context`.
Without one (maintenance scripts), the actor is ``system`` and the time is the
wall clock: the audit trail records when something really happened.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, event, inspect, select, update
from sqlalchemy.orm import Session

from salesdev.core.errors import NotFound
from salesdev.core.ids import new_id
from salesdev.core.periods import parse_instant
from salesdev.db.models import (
    ApiToken,
    AuditChainHead,
    AuditEvent,
    Job,
    LoginThrottle,
    OutboxDelivery,
    WebSession,
)
from salesdev.db.prepared import Prepared
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.audit.chain import GENESIS_HASH, event_hash, jsonable

_CONTEXT = "salesdev.audit"
_NOT_AUDITED = (
    AuditEvent,
    AuditChainHead,
    WebSession,
    LoginThrottle,
    OutboxDelivery,
    Job,
    ApiToken,
)
_SECRETS = frozenset({"password_hash", "token_hash", "secret_hash", "csrf_token"})
_IGNORED = frozenset({"version", "created_at", "updated_at"})
_REDACTED = "***"


@dataclass(frozen=True)
class AuditContext:
    actor: str
    now: datetime | None = None
    details: dict[str, Any] | None = None


def set_audit_context(
    session: Session, *, actor: str, now: datetime | None, details: dict[str, Any] | None = None
) -> None:
    session.info[_CONTEXT] = AuditContext(actor, now, details)


def _context(session: Session) -> AuditContext:
    context = session.info.get(_CONTEXT)
    return context if isinstance(context, AuditContext) else AuditContext("system")


def record_event(
    session: Session,
    *,
    action: str,
    object_type: str,
    object_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    context = _context(session)
    _append(
        session,
        [
            {
                "actor": actor or context.actor,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "before": before,
                "after": after,
                "context": details if details is not None else context.details,
            }
        ],
        now=context.now,
    )


_HEAD = cast(Table, AuditChainHead.__table__)
# Built once (each append only binds values): building a statement costs CPU on every call.
# The no-op UPDATE takes the row lock (PostgreSQL; SQLite: the database's write lock) and
# RETURNING reads the head under it, in one statement (SQLite >= 3.35).
_LOCK_AND_READ_HEAD = Prepared(
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(last_sequence=_HEAD.c.last_sequence)
    .returning(_HEAD.c.last_sequence, _HEAD.c.last_hash)
)
_INSERT_EVENTS = Prepared(
    cast(Table, AuditEvent.__table__).insert(),
    columns=(
        "sequence",
        "id",
        "occurred_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
        "context",
        "previous_hash",
        "hash",
    ),
)
_MOVE_HEAD = Prepared(
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(last_sequence=bindparam("new_sequence"), last_hash=bindparam("new_hash"))
)


def _append(session: Session, entries: list[dict[str, Any]], *, now: datetime | None) -> None:
    if not entries:
        return
    occurred_at = now or datetime.now(UTC)
    connection = session.connection()
    # Lock the chain head first: concurrent appends queue here instead of forking the chain.
    sequence, previous = _LOCK_AND_READ_HEAD.rows(connection)[0]
    rows = []
    for entry in entries:
        sequence += 1
        row = {
            "sequence": sequence,
            "id": new_id(),
            "occurred_at": occurred_at,
            "actor": entry["actor"],
            "action": entry["action"],
            "object_type": entry["object_type"],
            "object_id": entry["object_id"],
            "before": jsonable(entry["before"]) if entry["before"] is not None else None,
            "after": jsonable(entry["after"]) if entry["after"] is not None else None,
            "context": jsonable(entry["context"]) if entry["context"] is not None else None,
            "previous_hash": previous,
        }
        row["hash"] = event_hash(previous_hash=previous, content=_content(row))
        previous = row["hash"]
        rows.append(row)
    _INSERT_EVENTS.run_many(connection, rows)
    _MOVE_HEAD.run(connection, {"new_sequence": sequence, "new_hash": previous})


def _content(row: dict[str, Any]) -> dict[str, Any]:
    occurred_at: datetime = row["occurred_at"]
    return {
        "sequence": row["sequence"],
        "id": str(row["id"]),
        "occurred_at": occurred_at.astimezone(UTC).isoformat(),
        "actor": row["actor"],
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": row["object_id"],
        "before": row["before"],
        "after": row["after"],
        "context": row["context"],
    }


# --- automatic capture of changes -------------------------------------------------------


def _audited(obj: Any) -> bool:
    return not isinstance(obj, _NOT_AUDITED) and hasattr(obj, "__tablename__")


def _value(name: str, value: Any) -> Any:
    return _REDACTED if name in _SECRETS and value is not None else value


def _snapshot(obj: Any) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {
        attr.key: _value(attr.key, getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in _IGNORED
    }


def _changes(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in _IGNORED:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                before[attr.key] = _value(attr.key, old)
                after[attr.key] = _value(attr.key, new)
    return before, after


def _object_id(obj: Any) -> str:
    identity = inspect(obj).identity
    if identity:
        return ",".join(str(part) for part in identity)
    return str(getattr(obj, "id", ""))


@event.listens_for(Session, "before_flush")
def _capture_changes(session: Session, _flush_context: Any, _instances: Any) -> None:
    context = _context(session)
    entries: list[dict[str, Any]] = []
    for obj in session.new:
        if _audited(obj):
            if getattr(obj, "id", "no-id") is None:
                obj.id = new_id()  # the event needs the id before the INSERT assigns it
            entries.append(_entry(context, "create", obj, None, _snapshot(obj)))
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj):
            before, after = _changes(obj)
            if after:
                entries.append(_entry(context, "update", obj, before, after))
    for obj in session.deleted:
        if _audited(obj):
            entries.append(_entry(context, "delete", obj, _snapshot(obj), None))
    _append(session, entries, now=context.now)


def _entry(context: AuditContext, action: str, obj: Any, before: Any, after: Any) -> dict[str, Any]:
    return {
        "actor": context.actor,
        "action": action,
        "object_type": obj.__tablename__,
        "object_id": _object_id(obj),
        "before": before,
        "after": after,
        "context": context.details,
    }


# --- reading and verifying ---------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def verify_chain(session: Session) -> Verification:
    """Recompute every link; report the first event whose content or link does not match."""
    with _stream(session, select(AuditEvent).order_by(AuditEvent.sequence)) as events:
        outcome = _verify_links(events)
    if isinstance(outcome, Verification):
        return outcome
    checked, previous = outcome
    expected_sequence = checked
    head = session.get(AuditChainHead, 1)
    if head is None or head.last_sequence != expected_sequence or head.last_hash != previous:
        return Verification(
            False, checked, expected_sequence + 1, "events after the last one present were removed"
        )
    return Verification(True, checked)


def _verify_links(events: Iterator[AuditEvent]) -> Verification | tuple[int, str]:
    previous = GENESIS_HASH
    checked = 0
    for expected_sequence, event_row in enumerate(events, start=1):
        if event_row.sequence != expected_sequence:
            return Verification(
                False, checked, expected_sequence, f"event {expected_sequence} is missing"
            )
        if event_row.previous_hash != previous:
            return Verification(
                False, checked, event_row.sequence, "link to the previous event does not match"
            )
        content = _content(
            {
                "sequence": event_row.sequence,
                "id": event_row.id,
                "occurred_at": event_row.occurred_at,
                "actor": event_row.actor,
                "action": event_row.action,
                "object_type": event_row.object_type,
                "object_id": event_row.object_id,
                "before": event_row.before,
                "after": event_row.after,
                "context": event_row.context,
            }
        )
        if event_hash(previous_hash=previous, content=content) != event_row.hash:
            return Verification(
                False, checked, event_row.sequence, "content does not match its hash"
            )
        previous = event_row.hash
        checked += 1
    return checked, previous


@contextmanager
def _stream(session: Session, statement: Select[Any]) -> Iterator[Iterator[AuditEvent]]:
    """Rows in batches (a server-side cursor on PostgreSQL), closed even when reading stops early."""
    result = session.scalars(statement.execution_options(yield_per=1000))
    try:
        yield iter(result)
    finally:
        result.close()


AUDIT_ATTRIBUTES: dict[str, Attribute] = {
    "id": Attribute(AuditEvent.id, parse=uuid.UUID),
    "actor": Attribute(AuditEvent.actor),
    "action": Attribute(AuditEvent.action),
    "objectType": Attribute(AuditEvent.object_type),
    "objectId": Attribute(AuditEvent.object_id),
    "occurredAt": Attribute(AuditEvent.occurred_at, parse=parse_instant),
    "sequence": Attribute(AuditEvent.sequence, parse=int),
}


def list_events(session: Session, *, principal: Principal, query: ListQuery) -> Page[AuditEvent]:
    """Audit events, newest first unless sorted otherwise; for auditors and administrators."""
    authorize(principal, Family.AUDIT, "read")
    return fetch_page(
        session,
        select(AuditEvent),
        attributes=AUDIT_ATTRIBUTES,
        query=query,
        tie_breaker=AuditEvent.sequence,
        default_sort=(SortKey("sequence", descending=True),),
    )


def get_event(session: Session, *, principal: Principal, event_id: uuid.UUID) -> AuditEvent:
    authorize(principal, Family.AUDIT, "read")
    found = session.scalar(select(AuditEvent).where(AuditEvent.id == event_id))
    if found is None:
        raise NotFound(f"Audit event {event_id} does not exist")
    return found
