"""Composition root: the objects an interface (API, console, CLI) works with.

Built once per process from :class:`Settings`; tests build one per database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from salesdev.core.clock import Clock, SystemClock
from salesdev.core.settings import Settings
from salesdev.db.session import make_engine, make_session_factory


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock = field(default_factory=SystemClock)
    # Filled by the jobs layer and the notification dispatcher when they start.
    services: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Clock | None = None) -> Runtime:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.resolved_database_url)
        return cls(
            settings=settings,
            engine=engine,
            session_factory=make_session_factory(engine),
            clock=clock or SystemClock(),
        )

    def close(self) -> None:
        for service in self.services.values():
            stop = getattr(service, "stop", None)
            if callable(stop):
                stop()
        self.engine.dispose()
