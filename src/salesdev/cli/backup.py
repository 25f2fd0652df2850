"""A consistent online copy of the embedded SQLite database (``salesdev db backup``).

SQLite's backup API copies the database page by page inside one read transaction, so the
copy is the database as of one instant even while the server writes (WAL mode lets those
writers carry on). The copy is done in a single step: a stepped backup restarts whenever
another connection writes, which on a busy server may never finish.

The copy is written next to the target under a temporary name and renamed into place only
once it is complete and checked, so a failed backup never leaves a half-written file, and
``--force`` never destroys the previous backup before the new one is good.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from salesdev.core.errors import Conflict, ErrorDetail, InvalidInput, NotFound, RuleViolation


@dataclass(frozen=True)
class Backup:
    source: Path
    target: Path
    size_bytes: int


def backup_sqlite(engine: Engine, *, target: Path, force: bool = False) -> Backup:
    source = _source_file(engine)
    target = target.expanduser()
    if target.resolve() == source.resolve():
        raise InvalidInput(
            "Cannot back up the database onto itself", [ErrorDetail("FILE", str(target))]
        )
    if target.is_dir():
        raise InvalidInput(
            f"{target} is a directory", [ErrorDetail("FILE", "give the path of the file to write")]
        )
    if target.exists() and not force:
        raise Conflict(f"{target} already exists; give --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
    try:
        _copy(engine, partial)
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return Backup(source=source, target=target, size_bytes=target.stat().st_size)


def _source_file(engine: Engine) -> Path:
    if engine.dialect.name != "sqlite":
        raise RuleViolation(
            f"salesdev db backup copies the embedded SQLite database; this database is "
            f"{engine.dialect.name}: back it up with pg_dump, e.g. "
            "`pg_dump --format=custom --file=salesdev.dump DBNAME` (restore with pg_restore)"
        )
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise RuleViolation("This SQLite database lives in memory only; there is no file to copy")
    source = Path(database)
    if not source.is_file():
        raise NotFound(
            f"There is no database file at {source}", [ErrorDetail("database", str(source))]
        )
    return source


def _copy(engine: Engine, partial: Path) -> None:
    destination = sqlite3.connect(partial)
    try:
        with engine.connect() as connection:
            source = connection.connection.driver_connection
            assert isinstance(source, sqlite3.Connection)
            source.backup(destination)
        # The copy inherits WAL mode; a backup is one self-contained file.
        destination.execute("PRAGMA journal_mode=DELETE")
        (check,) = destination.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise RuleViolation(
                "The copy failed its integrity check; no backup was written",
                [ErrorDetail("quick_check", str(check))],
            )
    finally:
        destination.close()
