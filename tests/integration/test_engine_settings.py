"""Engine settings (``db.session.make_engine``) and storage choices made for throughput."""

from __future__ import annotations

import fcntl
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from salesdev.db.session import SQLITE_POOL_SIZE, make_engine, unit_of_work, writer_turn
from salesdev.domains.audit import record_event
from tests.conftest import Database


def test_json_columns_are_written_compact_and_read_back_the_same(database: Database) -> None:
    # Given an audit event whose details hold a list and an object
    details = {"via": "api", "ids": ["a", "b"], "nested": {"n": 1}}
    with unit_of_work(database.session_factory) as session:
        record_event(
            session, action="x.checked", object_type="thing", object_id="1", details=details
        )
    with database.engine.connect() as connection:
        # Then the stored text has no blank after a separator
        stored = connection.execute(
            text("SELECT CAST(context AS TEXT) FROM audit_event WHERE action = 'x.checked'")
        ).scalar_one()
        assert stored == '{"ids":["a","b"],"nested":{"n":1},"via":"api"}'
    # And it reads back as it was
    assert json.loads(stored) == details


def test_qualification_items_are_compressed_with_lz4_on_postgresql(database: Database) -> None:
    if database.backend != "postgresql":
        pytest.skip("a PostgreSQL storage choice")
    with database.engine.connect() as connection:
        method = connection.execute(
            text(
                "SELECT attcompression FROM pg_attribute "
                "WHERE attrelid = 'product_offering_qualification'::regclass "
                "AND attname = 'items'"
            )
        ).scalar_one()
    assert method == "l"


def test_a_sqlite_file_keeps_enough_connections_for_the_server_threads(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pool.db'}")
    try:
        assert engine.pool.size() == SQLITE_POOL_SIZE  # type: ignore[attr-defined]
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 1  # NORMAL
            assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == 30_000
    finally:
        engine.dispose()


def _turn_is_taken(database: Path) -> bool:
    """Whether some connection holds the writer's turn, seen as another process sees it."""
    descriptor = os.open(f"{database}-writer", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def test_a_sqlite_writer_holds_the_turn_from_its_first_write_to_the_end_of_its_transaction(
    tmp_path: Path,
) -> None:
    # Given a SQLite file with a table
    path = tmp_path / "turns.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE thing (n INTEGER)"))
        assert not _turn_is_taken(path)
        with engine.connect() as connection:
            # When a connection only reads, the turn stays free
            connection.execute(text("SELECT count(*) FROM thing")).scalar_one()
            assert not _turn_is_taken(path)
            # When it writes, it holds the turn until its transaction ends: commit ...
            connection.execute(text("INSERT INTO thing VALUES (1)"))
            assert _turn_is_taken(path)
            connection.commit()
            assert not _turn_is_taken(path)
            # ... or rollback
            connection.execute(text("UPDATE thing SET n = 2"))
            assert _turn_is_taken(path)
            connection.rollback()
            assert not _turn_is_taken(path)
            # Then the data is as committed
            assert connection.execute(text("SELECT n FROM thing")).scalar_one() == 1
    finally:
        engine.dispose()


def test_a_failed_sqlite_write_gives_the_turn_back(tmp_path: Path) -> None:
    # Given a table with a unique column
    path = tmp_path / "turns.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE thing (n INTEGER UNIQUE)"))
            connection.execute(text("INSERT INTO thing VALUES (1)"))
        # When a transaction's write fails and the transaction is rolled back
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text("INSERT INTO thing VALUES (1)"))
        # Then the turn is free and the next writer writes at once
        assert not _turn_is_taken(path)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO thing VALUES (2)"))
        assert not _turn_is_taken(path)
    finally:
        engine.dispose()


def test_writers_in_threads_of_one_process_take_turns_without_database_locked(
    tmp_path: Path,
) -> None:
    # Given a SQLite file shared by two engines of this process (as the server's request
    # threads and the job runner share the file)
    path = tmp_path / "turns.db"
    first, second = make_engine(f"sqlite:///{path}"), make_engine(f"sqlite:///{path}")
    try:
        assert writer_turn(str(path)) is writer_turn(str(tmp_path / "." / "turns.db"))
        with first.begin() as connection:
            connection.execute(text("CREATE TABLE thing (n INTEGER)"))

        def write(engine: Engine, start: int) -> None:
            for n in range(start, start + 50):
                with engine.begin() as connection:
                    connection.execute(text("INSERT INTO thing VALUES (:n)"), {"n": n})
                    connection.execute(text("UPDATE thing SET n = n WHERE n = :n"), {"n": n})

        # When 8 threads write 50 transactions each through both engines
        with ThreadPoolExecutor(max_workers=8) as pool:
            done = [pool.submit(write, (first, second)[k % 2], k * 100) for k in range(8)]
            for future in done:
                future.result()
        # Then every transaction was committed
        with first.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM thing")).scalar_one() == 400
        assert not _turn_is_taken(path)
    finally:
        first.dispose()
        second.dispose()


def test_a_writer_gives_up_waiting_when_another_process_keeps_the_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given another process holds the turn of a database file (its own lock on the file)
    monkeypatch.setattr("salesdev.db.session._TURN_TIMEOUT_SECONDS", 0.05)
    path = tmp_path / "held.db"
    turn = writer_turn(str(path))
    other = os.open(f"{os.path.realpath(path)}-writer", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(other, fcntl.LOCK_EX)
        # When this process asks for the turn, then it gets a refusal after the timeout
        # (SQLite's busy timeout decides then) instead of waiting for ever
        assert turn.take() is False
        # and once the other process lets go, the turn is taken and given back
        fcntl.flock(other, fcntl.LOCK_UN)
        assert turn.take() is True
        turn.give_back()
    finally:
        os.close(other)
