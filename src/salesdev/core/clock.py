"""Time is an input. Only interfaces (API, web, CLI, jobs) construct a clock;
domain and engine code receive ``now`` / ``as_of`` as arguments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock for tests and reproducible runs."""

    at: datetime

    def now(self) -> datetime:
        return self.at
