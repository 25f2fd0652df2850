"""Every change is recorded with actor, time, before and after; the chain exposes tampering."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from salesdev.db.models import AuditEvent
from salesdev.domains.access import SYSTEM
from salesdev.domains.audit import record_event, set_audit_context, verify_chain
from salesdev.domains.reference import create_entity, delete_entity, update_entity
from tests.conftest import Database

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def _events(session: Session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.sequence)))


def _channel_lifecycle(database: Database) -> None:
    with database.session_factory() as session:
        set_audit_context(session, actor="user:cm", now=NOW)
        channel = create_entity(
            session,
            principal=SYSTEM,
            kind="sales_channel",
            values={"code": "WEB", "name": "Online", "channel_type": "online"},
            now=NOW,
        )
        session.commit()
        set_audit_context(session, actor="user:cm", now=NOW)
        update_entity(
            session,
            principal=SYSTEM,
            kind="sales_channel",
            entity_id=channel.id,
            changes={"name": "Online shop"},
            now=NOW,
        )
        session.commit()
        set_audit_context(session, actor="user:admin", now=NOW)
        delete_entity(session, principal=SYSTEM, kind="sales_channel", entity_id=channel.id)
        session.commit()


def test_create_update_delete_are_recorded_with_before_and_after(database: Database) -> None:
    _channel_lifecycle(database)
    with database.session_factory() as session:
        events = _events(session)
    assert [(e.sequence, e.actor, e.action, e.object_type) for e in events] == [
        (1, "user:cm", "create", "sales_channel"),
        (2, "user:cm", "update", "sales_channel"),
        (3, "user:admin", "delete", "sales_channel"),
    ]
    assert events[0].after is not None and events[0].after["name"] == "Online"
    assert (events[1].before, events[1].after) == ({"name": "Online"}, {"name": "Online shop"})
    assert events[2].before is not None and events[2].before["name"] == "Online shop"
    assert all(e.occurred_at == NOW for e in events)
    assert events[0].object_id == events[2].object_id


def test_a_rolled_back_change_leaves_no_audit_event(database: Database) -> None:
    with database.session_factory() as session:
        create_entity(
            session, principal=SYSTEM, kind="region", values={"code": "N", "name": "North"}, now=NOW
        )
        session.rollback()
        assert _events(session) == []


def test_secrets_are_never_written_to_the_trail(database: Database) -> None:
    from salesdev.domains.identity import create_user

    with database.session_factory() as session:
        create_user(
            session,
            principal=SYSTEM,
            login="ana",
            display_name="Ana",
            password="correct horse battery",
            roles=["auditor"],
            now=NOW,
        )
        session.commit()
        (event,) = _events(session)
    assert event.after is not None
    assert event.after["password_hash"] == "***"
    assert "correct horse" not in str(event.after)


def test_an_intact_chain_verifies(database: Database) -> None:
    _channel_lifecycle(database)
    with database.session_factory() as session:
        record_event(
            session, action="login.failed", object_type="login", object_id="x", actor="user:x"
        )
        session.commit()
        assert verify_chain(session).ok
        assert verify_chain(session).checked == 4


def _tamper(database: Database, statement: str) -> None:
    # An attacker with database rights first has to get past the append-only trigger.
    with database.engine.begin() as conn:
        if database.backend == "sqlite":
            conn.execute(text("DROP TRIGGER audit_event_no_update"))
            conn.execute(text("DROP TRIGGER audit_event_no_delete"))
            conn.execute(text(statement))
        else:
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
            conn.execute(text(statement))
            # The PostgreSQL schema is shared by the tests of this process: put the guard back.
            conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))


@pytest.mark.parametrize(
    ("statement", "broken_at", "reason"),
    [
        (
            "UPDATE audit_event SET actor = 'user:nobody' WHERE sequence = 2",
            2,
            "content does not match its hash",
        ),
        ("DELETE FROM audit_event WHERE sequence = 2", 2, "event 2 is missing"),
        (
            "DELETE FROM audit_event WHERE sequence = 3",
            3,
            "events after the last one present were removed",
        ),
    ],
)
def test_editing_or_deleting_an_event_is_detected_at_the_first_broken_link(
    database: Database, statement: str, broken_at: int, reason: str
) -> None:
    _channel_lifecycle(database)
    _tamper(database, statement)
    with database.session_factory() as session:
        result = verify_chain(session)
    assert (result.ok, result.broken_at, result.reason) == (False, broken_at, reason)


def test_the_database_refuses_to_change_an_audit_event(database: Database) -> None:
    _channel_lifecycle(database)
    with pytest.raises(Exception, match="append-only"), database.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor = 'x' WHERE sequence = 1"))
    with database.session_factory() as session:
        assert verify_chain(session).ok
