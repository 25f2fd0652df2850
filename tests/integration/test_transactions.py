"""The entrypoint owns the transaction: a savepoint never commits on its own."""

from __future__ import annotations

from sqlalchemy import func, select

from salesdev.db.models import Region
from tests.conftest import T0, Database


def test_a_savepoint_opened_first_is_undone_by_the_outer_rollback(database: Database) -> None:
    # given a session whose first statement is a savepoint
    with database.session_factory() as session:
        with session.begin_nested():
            session.add(Region(code="N", name="North", created_at=T0, updated_at=T0))
        # when the outer transaction rolls back
        session.rollback()
    # then nothing was written
    with database.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Region)) == 0


def test_a_savepoint_opened_first_is_kept_by_the_outer_commit(database: Database) -> None:
    with database.session_factory() as session:
        with session.begin_nested():
            session.add(Region(code="S", name="South", created_at=T0, updated_at=T0))
        session.commit()
    with database.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Region)) == 1
