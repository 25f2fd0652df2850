"""The rules generation: one token that changes with every change qualification depends on.

Qualification compiles a channel's authorisations, its offerings and every eligibility
rule once and keeps the result in memory. Each request reads one row (the token) and
reloads only when it differs from the token the copy was built under.

The token becomes a new random value in the same transaction as any change to an
eligibility rule, a channel authorisation, a product offering or a product family:

- ORM changes: a ``before_flush`` hook sees them in the session;
- bulk statements run through a session (``session.execute(insert(ProductOffering), rows)``,
  as the demo loader and bulk imports do): a ``do_orm_execute`` hook sees them.

Statements run on a bare connection are not seen; such code must call :func:`bump`.
A random token (not a counter) stays unique across databases that share nothing, so a
copy built for one database is never taken for another's. Until the first change there is
no row: the token is then ``None`` and callers do not cache.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, event, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from salesdev.db.models import ChannelAuthorisation, ProductFamily, ProductOffering
from salesdev.db.models.selling import EligibilityRule, RulesGeneration
from salesdev.db.prepared import Prepared
from salesdev.db.session import flushed_connection

WATCHED: tuple[type[Any], ...] = (
    EligibilityRule,
    ChannelAuthorisation,
    ProductOffering,
    ProductFamily,
)
_WATCHED_TABLES = frozenset(model.__tablename__ for model in WATCHED)
_ROW = 1
_BUMPED = "salesdev.rules_generation.bumped"


_GENERATIONS = cast(Table, RulesGeneration.__table__)
# Built once, run without the ORM: every qualification asks, to know its caches are current.
_CURRENT_TOKEN = Prepared(select(_GENERATIONS.c.token).where(_GENERATIONS.c.id == _ROW))


def current_token(session: Session) -> str | None:
    """The token now, or None when nothing watched has changed since the database was made."""
    found = _CURRENT_TOKEN.first(flushed_connection(session))
    token: str | None = found.token if found is not None else None
    return token


def bump(session: Session, *, now: datetime | None = None) -> str:
    """Give the token a new value (in the session's transaction)."""
    token = str(uuid.uuid4())
    when = now or datetime.now(UTC)
    table: Table = RulesGeneration.__table__  # type: ignore[assignment]
    connection = session.connection()
    changed = connection.execute(
        update(table).where(table.c.id == _ROW).values(token=token, changed_at=when)
    ).rowcount
    if not changed:
        connection.execute(insert(table).values(id=_ROW, token=token, changed_at=when))
    return token


def _watched_change(session: Session) -> bool:
    return any(
        isinstance(obj, WATCHED)
        for group in (session.new, session.dirty, session.deleted)
        for obj in group
    )


@event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    if _watched_change(session):
        bump(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name in _WATCHED_TABLES and not state.session.info.get(_BUMPED):
        state.session.info[_BUMPED] = True
        try:
            bump(state.session)
        finally:
            state.session.info.pop(_BUMPED, None)
