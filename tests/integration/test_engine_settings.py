"""Engine settings (``db.session.make_engine``) and storage choices made for throughput."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from salesdev.db.session import SQLITE_POOL_SIZE, make_engine, unit_of_work
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
