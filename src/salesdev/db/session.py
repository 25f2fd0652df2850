"""Engine and session factory; the entrypoint owns the transaction.

Services ``flush`` and never commit. ``unit_of_work`` commits (or rolls back) and
then runs the callbacks registered with :func:`after_commit`, which is how jobs
are started and notifications delivered only for changes that were committed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

_AFTER_COMMIT = "salesdev.after_commit"

# Connections kept open per process. A request holds one from authentication to its
# commit, and the server runs synchronous handlers on up to 40 threads (AnyIO's default),
# so under load far more than SQLAlchemy's default 5 are in use at once: every one beyond
# the kept ones was opened (SQLite: with its pragmas; PostgreSQL: a new backend) and
# closed again for one request. Measured under the load test: 4-8 % of the server's CPU.
SQLITE_POOL_SIZE = 40
POSTGRES_POOL_SIZE = 20
POSTGRES_MAX_OVERFLOW = 20


def compact_json(value: Any) -> str:
    """How JSON columns are written: without the spaces after ``,`` and ``:`` that the
    default adds (5 % of a full-catalogue qualification's items, and the time to write
    them). Read back, the value is the same."""
    return json.dumps(value, separators=(",", ":"))


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        options: dict[str, Any] = {}
        database = make_url(url).database
        if database not in (None, "", ":memory:") and "mode=memory" not in url:
            # A file (an in-memory database has its own single-connection pool).
            options = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": 10}
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_serializer=compact_json,
            **options,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
        return engine
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        json_serializer=compact_json,
        pool_size=POSTGRES_POOL_SIZE,
        max_overflow=POSTGRES_MAX_OVERFLOW,
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_before_savepoint(conn: Any, _name: str) -> None:
    # Python's sqlite3 driver opens a transaction only before a data-changing statement.
    # A SAVEPOINT issued first would itself become the outermost transaction, and its
    # RELEASE would commit: begin the real transaction first, so a savepoint stays nested
    # and the entrypoint's rollback undoes everything.
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection is not None and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
    return factory


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the surrounding transaction has committed; dropped on rollback."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks: list[Callable[[], None]] = session.info.pop(_AFTER_COMMIT, [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
