"""Settings and runtime for one command invocation.

Settings are read when a command runs, not at import, so that each invocation (and
each test) sees the environment it was given.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from salesdev.core.errors import PreconditionFailed
from salesdev.core.settings import Settings
from salesdev.db.migrate import current_revision, head_revision
from salesdev.runtime import Runtime


def load_settings() -> Settings:
    return Settings()


@contextmanager
def open_runtime() -> Iterator[Runtime]:
    runtime = Runtime.from_settings(load_settings())
    try:
        yield runtime
    finally:
        runtime.close()


def require_current_schema(runtime: Runtime) -> None:
    current, head = current_revision(runtime.engine), head_revision()
    if current != head:
        raise PreconditionFailed(
            f"The database is not migrated to the current schema "
            f"(it is at {current or 'no revision'}, the code needs {head}); "
            "run `salesdev db upgrade` first"
        )
