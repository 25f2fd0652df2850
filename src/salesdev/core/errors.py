"""One error hierarchy with stable codes, mapped once per interface.

Each error carries a stable ``code`` (machine-readable, never reworded), a human
``message`` and optional ``details``: where exactly the input was wrong (a field
path, a row number, a line number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class ErrorDetail:
    """Where and what: ``location`` is a field path (``price.amount``), ``row 12`` or ``line 3``."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


@dataclass
class SalesdevError(Exception):
    message: str
    details: list[ErrorDetail] = field(default_factory=list)
    code: ClassVar[str] = "SDV-000"
    reason: ClassVar[str] = "Error"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {d}" for d in self.details)


class InvalidInput(SalesdevError):
    code = "SDV-400"
    reason = "Invalid input"


class NotAuthenticated(SalesdevError):
    code = "SDV-401"
    reason = "Not authenticated"


class PermissionDenied(SalesdevError):
    code = "SDV-403"
    reason = "Permission denied"


class NotFound(SalesdevError):
    code = "SDV-404"
    reason = "Not found"


class Conflict(SalesdevError):
    code = "SDV-409"
    reason = "Conflict"


class PreconditionFailed(SalesdevError):
    """A write based on a stale version (If-Match / optimistic concurrency)."""

    code = "SDV-412"
    reason = "Precondition failed"


class RuleViolation(SalesdevError):
    """Well-formed input that a business rule refuses."""

    code = "SDV-422"
    reason = "Business rule violated"


class ExternalFailure(SalesdevError):
    code = "SDV-502"
    reason = "External system failed"
