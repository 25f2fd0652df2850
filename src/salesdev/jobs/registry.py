"""Which handler runs which kind of job. The in-process runner and a queue worker share it."""

from __future__ import annotations

from salesdev.core.errors import Conflict
from salesdev.jobs.context import JobHandler

_HANDLERS: dict[str, JobHandler] = {}


def register_handler(kind: str, handler: JobHandler, *, replace: bool = False) -> None:
    if kind in _HANDLERS and not replace and _HANDLERS[kind] is not handler:
        raise Conflict(f"A handler is already registered for job kind {kind!r}")
    _HANDLERS[kind] = handler


def handler_for(kind: str) -> JobHandler | None:
    _load_builtin_handlers()
    return _HANDLERS.get(kind)


def registered_kinds() -> list[str]:
    _load_builtin_handlers()
    return sorted(_HANDLERS)


def _load_builtin_handlers() -> None:
    # Imported late: the handlers import the runner's context, which imports this module.
    import salesdev.jobs.compensation
    import salesdev.jobs.handlers
    import salesdev.jobs.imports  # noqa: F401
