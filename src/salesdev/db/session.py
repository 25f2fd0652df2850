"""Engine and session factory; the entrypoint owns the transaction.

Services ``flush`` and never commit. ``unit_of_work`` commits (or rolls back) and
then runs the callbacks registered with :func:`after_commit`, which is how jobs
are started and notifications delivered only for changes that were committed.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Self

from sqlalchemy import Connection, Engine, create_engine, event, make_url
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
        connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": 30}
        if database not in (None, "", ":memory:") and "mode=memory" not in url:
            # A file (an in-memory database has its own single-connection pool).
            options = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": 10}
            if not database.startswith("file:"):
                connect_args["factory"] = _turn_taking_connection(writer_turn(database))
        engine = create_engine(
            url,
            echo=echo,
            connect_args=connect_args,
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


# How long a thread waits for its process's turn to write before it leaves the waiting to
# SQLite (its busy timeout), as without turns.
_TURN_TIMEOUT_SECONDS = 30.0
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriterTurn:
    """Whose turn it is to write to one SQLite file, among the threads and processes that
    open it (``serve --workers N``: several processes, each with many threads).

    SQLite lets one connection write at a time; the others find the database locked and
    retry from its busy handler, which sleeps 1, 2, 5, 10 ... 100 ms between tries, so a
    writer that lost the race wakes long after the lock was free again. Measured under the
    load test with 2 processes: p99 above 100 ms with the server's two cores a third idle.
    Here writers wait instead in a queue that wakes the next one as the lock is released:
    a thread lock within the process, then an ``flock`` on ``<database>-writer`` between
    processes (released by the kernel if a process dies). A turn is taken at a
    connection's first writing statement and given back when its transaction ends
    (commit, rollback, close), so reads never wait for one.
    """

    def __init__(self, database: str) -> None:
        self.path = f"{database}-writer"
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._pid = -1
        self._descriptor = -1

    def take(self) -> bool:
        """Wait for the turn; False when it was not taken (this thread already holds it
        through another connection, or it did not come in time): SQLite decides then."""
        me = threading.get_ident()
        deadline = time.monotonic() + _TURN_TIMEOUT_SECONDS
        if self._owner == me or not self._lock.acquire(timeout=_TURN_TIMEOUT_SECONDS):
            return False
        if not self._lock_file(deadline):
            self._lock.release()
            return False
        self._owner = me
        return True

    def _lock_file(self, deadline: float) -> bool:
        # Polled rather than blocking so that a process holding the turn for long (a
        # large import) makes the others give up after the timeout, as SQLite's own busy
        # timeout did, instead of hanging; the short pauses keep the hand-over prompt.
        pause = 0.00005
        while True:
            try:
                fcntl.flock(self._file(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(pause)
                pause = min(pause * 2, 0.0005)
            except OSError:
                return False

    def give_back(self) -> None:
        self._owner = None
        try:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
        finally:
            self._lock.release()

    def _file(self) -> int:
        # Opened once per process: a child that inherited the parent's descriptor would
        # share its lock rather than compete for it.
        if self._pid != os.getpid():
            self._descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._descriptor


_TURNS: dict[str, WriterTurn] = {}
_TURNS_LOCK = threading.Lock()


def writer_turn(database: str) -> WriterTurn:
    """The process's one turn for a database file, whichever engines open it: a thread
    that writes through two engines at once must find its own turn, not wait for it."""
    path = os.path.realpath(database)
    with _TURNS_LOCK:
        found = _TURNS.get(path)
        if found is None:
            found = _TURNS[path] = WriterTurn(path)
        return found


def _turn_taking_connection(turn: WriterTurn) -> type[sqlite3.Connection]:
    """A ``sqlite3.Connection`` that takes ``turn`` before it writes (see WriterTurn)."""

    class TurnTakingCursor(sqlite3.Cursor):
        def execute(self, sql: str, parameters: Any = (), /) -> Self:
            connection = self.connection
            assert isinstance(connection, TurnTakingConnection)
            if not connection.has_turn and sql.lstrip()[:7].upper().startswith(_WRITES):
                connection.has_turn = turn.take()
            try:
                return super().execute(sql, parameters)
            finally:
                connection.end_turn_outside_transaction()

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> Self:
            connection = self.connection
            assert isinstance(connection, TurnTakingConnection)
            if not connection.has_turn and sql.lstrip()[:7].upper().startswith(_WRITES):
                connection.has_turn = turn.take()
            try:
                return super().executemany(sql, seq_of_parameters)
            finally:
                connection.end_turn_outside_transaction()

    class TurnTakingConnection(sqlite3.Connection):
        has_turn = False

        def cursor(self, factory: Any = TurnTakingCursor) -> Any:
            return super().cursor(factory)

        def end_turn_outside_transaction(self) -> None:
            # A write in autocommit mode, or a failed one, leaves no transaction behind.
            if self.has_turn and not self.in_transaction:
                self.give_back()

        def give_back(self) -> None:
            if self.has_turn:
                self.has_turn = False
                turn.give_back()

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self.end_turn_outside_transaction()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self.end_turn_outside_transaction()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self.give_back()

    return TurnTakingConnection


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


def flushed_connection(session: Session) -> Connection:
    """The session's connection, for a statement built once in Core (no ORM compile or
    entity loading on hot paths), after the flush the ORM would have done before a query:
    the statement sees the session's pending changes as ``session.execute`` would."""
    if session.autoflush:
        session.flush()
    return session.connection()


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
