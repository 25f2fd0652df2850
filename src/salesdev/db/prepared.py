"""Statements on a hot path, run straight on the driver's cursor.

A Core statement built once still costs SQLAlchemy's execution machinery on every run:
the cache key, the execution context, the parameters' construction, the result's set-up.
For one small statement that is ~60-80 us of CPU against ~10 us for the driver itself
(measured on this project's 2-core machine), and a qualification POST runs nine. A
:class:`Prepared` statement is compiled once per dialect with the same SQL, type
processing (``bind_processor`` / ``result_processor`` of each column's type) and
parameter style SQLAlchemy would use, then each run only binds values and executes it on
the connection's DBAPI cursor, inside the connection's transaction.

What is kept from SQLAlchemy's execution: the engine's ``before_cursor_execute`` and
``after_cursor_execute`` listeners (the tests that count statements see these), and driver
errors raised as SQLAlchemy's (``sqlalchemy.exc.IntegrityError`` ...). The engine's
``echo`` log does not show them.
What is not supported (refused when compiled): expanding ``IN`` parameters, and columns
with Python-side defaults left out of an INSERT or UPDATE (SQLAlchemy computes those per
execution): give every value.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Form:
    """A statement compiled for one dialect."""

    sql: str
    # Bind names in the order of the positional parameters; None: named (a mapping).
    order: tuple[str, ...] | None
    processors: dict[str, Processor]
    # Values of the statement's literal binds (``column == 1``), already processed.
    fixed: dict[str, Any]
    row: Any  # the namedtuple type of a result row, or None
    columns: tuple[Any, ...]  # the result's columns (their types convert the values)


class Prepared:
    """``statement`` compiled once per dialect and run on the DBAPI cursor.

    ``columns``: for an ``insert(table)`` without values, the keys every run gives (the
    columns of the INSERT, as ``connection.execute(insert, values)`` would compile them).
    """

    def __init__(self, statement: ClauseElement, *, columns: Sequence[str] | None = None) -> None:
        self.statement = statement
        self._columns = list(columns) if columns is not None else None
        self._forms: dict[str, _Form] = {}
        # Result processors per dialect, made from the first result's column types (some
        # drivers' processors depend on the type the database reports).
        self._results: dict[str, tuple[Processor, ...]] = {}

    def rows(
        self, connection: Connection, parameters: Mapping[str, Any] | None = None
    ) -> list[Any]:
        """Run once; the rows it returns (named tuples), empty for a statement without any."""
        form = self._form(connection.dialect)
        return self._run(connection, form, [self._bound(form, parameters or {})], many=False)

    def first(self, connection: Connection, parameters: Mapping[str, Any] | None = None) -> Any:
        found = self.rows(connection, parameters)
        return found[0] if found else None

    def run(self, connection: Connection, parameters: Mapping[str, Any] | None = None) -> None:
        self.rows(connection, parameters)

    def run_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per parameter set, in one ``executemany``."""
        if not rows:
            return
        form = self._form(connection.dialect)
        self._run(connection, form, [self._bound(form, r) for r in rows], many=True)

    def _form(self, dialect: Dialect) -> _Form:
        form = self._forms.get(dialect.name)
        if form is None:
            form = self._forms[dialect.name] = _compile(self.statement, dialect, self._columns)
        return form

    @staticmethod
    def _bound(form: _Form, parameters: Mapping[str, Any]) -> Any:
        # Every parameter of the statement must be given (``processors`` names them all).
        missing = form.processors.keys() - parameters.keys()
        if missing:
            raise exc.ArgumentError(f"missing parameters {sorted(missing)} for: {form.sql}")
        values = dict(form.fixed)
        for name, processor in form.processors.items():
            value = parameters[name]
            values[name] = processor(value) if processor is not None else value
        if form.order is None:
            return values
        return tuple(values[name] for name in form.order)

    def _run(
        self, connection: Connection, form: _Form, bound: list[Any], *, many: bool
    ) -> list[Any]:
        dbapi_connection = connection.connection
        cursor = dbapi_connection.cursor()
        parameters = bound if many else bound[0]
        try:
            for listener in connection.dispatch.before_cursor_execute:
                listener(connection, cursor, form.sql, parameters, None, many)
            try:
                if many:
                    cursor.executemany(form.sql, parameters)
                else:
                    cursor.execute(form.sql, parameters)
                description = cursor.description
                fetched = cursor.fetchall() if description is not None else []
            except connection.dialect.loaded_dbapi.Error as error:
                raise exc.DBAPIError.instance(
                    form.sql,
                    parameters,
                    error,
                    connection.dialect.loaded_dbapi.Error,
                    dialect=connection.dialect,
                ) from error
            for listener in connection.dispatch.after_cursor_execute:
                listener(connection, cursor, form.sql, parameters, None, many)
        finally:
            cursor.close()
        if not fetched:
            return []
        dialect = connection.dialect
        results = self._results.get(dialect.name)
        if results is None:
            results = self._results[dialect.name] = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, found[1])
                for column, found in zip(form.columns, description, strict=True)
            )
        row = form.row
        return [
            row(*(p(v) if p is not None else v for p, v in zip(results, found, strict=True)))
            for found in fetched
        ]


def _compile(statement: ClauseElement, dialect: Dialect, columns: list[str] | None) -> _Form:
    compiled = statement.compile(dialect=dialect, column_keys=columns)
    assert isinstance(compiled, SQLCompiler)
    if compiled.insert_prefetch or compiled.update_prefetch:
        # SQLAlchemy computes such defaults per execution; a prepared run would not.
        names = [c.key for c in (*compiled.insert_prefetch, *compiled.update_prefetch)]
        raise exc.ArgumentError(
            f"columns with Python-side defaults must be given to a prepared statement: {names}"
        )
    processors: dict[str, Processor] = {}
    fixed: dict[str, Any] = {}
    for bind, name in compiled.bind_names.items():
        if bind.expanding:
            raise exc.ArgumentError(f"an expanding IN cannot be prepared: {compiled.string}")
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if bind.required or (bind.value is None and bind.callable is None):
            processors[name] = processor
        else:
            value = bind.effective_value
            fixed[name] = processor(value) if processor is not None else value
    columns_out = list(getattr(statement, "exported_columns", ()))
    row = namedtuple("Row", [c.key for c in columns_out], rename=True) if columns_out else None
    positional = compiled.positiontup
    return _Form(
        sql=compiled.string,
        order=tuple(positional) if dialect.positional and positional is not None else None,
        processors=processors,
        fixed=fixed,
        row=row,
        columns=tuple(columns_out),
    )
