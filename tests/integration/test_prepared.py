"""Prepared statements: the same rows, values and errors as SQLAlchemy's own execution."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    bindparam,
    event,
    exc,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from salesdev.db.prepared import Prepared
from salesdev.db.types import Amount, UTCDateTime
from tests.conftest import Database

METADATA = MetaData()
PROBE = Table(
    "prepared_probe",
    METADATA,
    Column("id", Uuid, primary_key=True),
    Column("code", String(16), nullable=False),
    Column("at", UTCDateTime),
    Column("amount", Amount),
    Column("body", JSON),
    Column("counter", Integer, nullable=False),
    Column("stamp", Integer, default=0),
)
FIRST = uuid.UUID("00000000-0000-4000-8000-000000000001")
SECOND = uuid.UUID("00000000-0000-4000-8000-000000000002")
AT = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
COLUMNS = ("id", "code", "at", "amount", "body", "counter", "stamp")
INSERT = Prepared(insert(PROBE), columns=COLUMNS)
BY_CODE = Prepared(
    select(PROBE.c.id, PROBE.c.at, PROBE.c.amount, PROBE.c.body, PROBE.c.counter.label("n"))
    .where(PROBE.c.code == bindparam("code"), PROBE.c.counter >= 1)
    .order_by(PROBE.c.counter)
)
BUMP = Prepared(
    update(PROBE)
    .where(PROBE.c.id == bindparam("probe_id"))
    .values(counter=PROBE.c.counter + 1)
    .returning(PROBE.c.counter, PROBE.c.at)
)


def row(probe_id: uuid.UUID, counter: int, **values: Any) -> dict[str, Any]:
    return {
        "id": probe_id,
        "code": "A",
        "at": AT,
        "amount": Decimal("12.34"),
        "body": {"x": [1, "two"]},
        "counter": counter,
        "stamp": 0,
        **values,
    }


@pytest.fixture
def connection(session: Session) -> Connection:
    connection = session.connection()
    METADATA.create_all(connection)
    return connection


def test_rows_come_back_typed_and_named_as_from_sqlalchemy(connection: Connection) -> None:
    # given two rows written with one executemany
    INSERT.run_many(connection, [row(FIRST, 1), row(SECOND, 2, body=None, amount=None)])
    # when they are read with a prepared SELECT (a literal bind and a named one)
    found = BY_CODE.rows(connection, {"code": "A"})
    # then the values are typed and named exactly as SQLAlchemy's own execution gives them
    expected = connection.execute(BY_CODE.statement, {"code": "A"}).all()  # type: ignore[arg-type]
    assert [tuple(r) for r in found] == [tuple(r) for r in expected]
    assert [tuple(r) for r in found] == [
        (FIRST, AT, Decimal("12.34"), {"x": [1, "two"]}, 1),
        (SECOND, AT, None, None, 2),
    ]
    assert found[1].n == 2 and found[0].id == FIRST
    assert BY_CODE.first(connection, {"code": "B"}) is None


def test_update_returning_gives_the_new_values(connection: Connection) -> None:
    # given a row with counter 1
    INSERT.run(connection, row(FIRST, 1))
    # when it is bumped twice
    BUMP.run(connection, {"probe_id": FIRST})
    bumped = BUMP.first(connection, {"probe_id": FIRST})
    # then RETURNING answers the row as it is now
    assert (bumped.counter, bumped.at) == (3, AT)


def test_a_missing_parameter_is_refused_before_anything_runs(connection: Connection) -> None:
    # given an INSERT whose values lack the code
    values = row(FIRST, 1)
    del values["code"]
    # when it is run, then it is refused by name and no row was written
    with pytest.raises(exc.ArgumentError, match=r"missing parameters \['code'\]"):
        INSERT.run(connection, values)
    assert connection.execute(select(PROBE.c.id)).all() == []


def test_driver_errors_are_sqlalchemy_errors(connection: Connection) -> None:
    # given a row, when the same primary key is inserted again, then an IntegrityError
    INSERT.run(connection, row(FIRST, 1))
    with pytest.raises(exc.IntegrityError):
        INSERT.run(connection, row(FIRST, 2))


def test_cursor_listeners_see_the_statement(database: Database) -> None:
    seen: list[tuple[str, bool]] = []

    def record(_c: Any, _cursor: Any, statement: str, _p: Any, _ctx: Any, many: bool) -> None:
        seen.append((statement.split()[0], many))

    engine = database.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.connect() as fresh:
            METADATA.create_all(fresh)
            seen.clear()
            INSERT.run_many(fresh, [row(FIRST, 1)])
            BY_CODE.rows(fresh, {"code": "A"})
            fresh.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert seen == [("INSERT", True), ("SELECT", False)]


def test_python_side_defaults_left_out_are_refused(connection: Connection) -> None:
    # "stamp" has a Python-side default that SQLAlchemy computes per execution
    leaving_out_stamp = Prepared(insert(PROBE), columns=COLUMNS[:-1])
    with pytest.raises(exc.ArgumentError, match=r"Python-side defaults.*\['stamp'\]"):
        leaving_out_stamp.run(connection, row(FIRST, 1))


def test_an_expanding_in_is_refused(connection: Connection) -> None:
    in_list = Prepared(
        select(PROBE.c.id).where(PROBE.c.code.in_(bindparam("codes", expanding=True)))
    )
    with pytest.raises(exc.ArgumentError, match="expanding IN"):
        in_list.rows(connection, {"codes": ["A"]})
