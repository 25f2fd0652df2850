"""Half-open validity: ``valid_from`` inclusive, ``valid_to`` exclusive (``None`` = open-ended).

All datetimes are timezone-aware; a naive datetime is a programming error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from salesdev.core.errors import ErrorDetail, InvalidInput


def require_aware(value: datetime, *, location: str = "datetime") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("Naive datetime", [ErrorDetail(location, "a timezone is required")])
    return value


_INSTANT_EXAMPLE = "2026-01-01T00:00:00Z"


def parse_instant(value: object) -> datetime:
    """An aware datetime from a datetime or ISO 8601 text; a bare date means midnight UTC.

    The one parser of instants for every interface; raises ValueError with a message
    that callers put under their own location (field, column, option).
    """
    if isinstance(value, datetime):
        instant = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
            instant = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise ValueError(
                f"expected an ISO 8601 date-time with a timezone, e.g. {_INSTANT_EXAMPLE}; got {value!r}"
            ) from None
    else:
        raise ValueError(
            f"expected an ISO 8601 date-time with a timezone, e.g. {_INSTANT_EXAMPLE}; got {value!r}"
        )
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"a timezone is required (e.g. {_INSTANT_EXAMPLE}); got {value!r}")
    return instant


@dataclass(frozen=True)
class Validity:
    valid_from: datetime
    valid_to: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.valid_from, location="validFor.startDateTime")
        if self.valid_to is not None:
            require_aware(self.valid_to, location="validFor.endDateTime")
            if self.valid_to <= self.valid_from:
                raise InvalidInput(
                    "Empty validity period",
                    [ErrorDetail("validFor.endDateTime", "must be after startDateTime")],
                )

    def contains(self, at: datetime) -> bool:
        require_aware(at)
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)

    def overlaps(self, other: Validity) -> bool:
        starts_before_other_ends = other.valid_to is None or self.valid_from < other.valid_to
        other_starts_before_self_ends = self.valid_to is None or other.valid_from < self.valid_to
        return starts_before_other_ends and other_starts_before_self_ends


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """A calendar month in UTC, written ``YYYY-MM``; as a half-open range of instants."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str, *, location: str = "period") -> Period:
        match = _MONTH.match(text)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise InvalidInput(
                "Invalid period", [ErrorDetail(location, f"expected YYYY-MM, got {text!r}")]
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, at: datetime) -> Period:
        utc = require_aware(at).astimezone(UTC)
        return cls(utc.year, utc.month)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return self.next().start

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Period:
        return Period(
            self.year - (1 if self.month == 1 else 0), 12 if self.month == 1 else self.month - 1
        )

    def validity(self) -> Validity:
        return Validity(self.start, self.end)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
