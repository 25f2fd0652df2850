"""The terms of a channel agreement: validation into one canonical JSON snapshot.

The snapshot is TMF651-shaped (camelCase) and exact: percentages are decimal
strings, instants ISO 8601 in UTC. Every version stores it whole, so any two
versions can be compared field by field.

```
{"name": "Acme dealer agreement 2027",
 "validFor": {"startDateTime": "2027-01-01T00:00:00Z", "endDateTime": null},
 "commissionScheduleRef": "DEALER-STD-2027",
 "discountAllowances": {"FIBRE": "10", "MOBILE_POSTPAID": "7.5"},
 "volumeCommitments": {"2027-01": {"commitment": 100, "target": 150}},
 "paymentTermsDays": 30,
 "clauses": {"exclusivity": "The dealer sells no other operator's fibre."}}
```
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.periods import Period, parse_instant

TERM_FIELDS = (
    "name",
    "validFor",
    "commissionScheduleRef",
    "discountAllowances",
    "volumeCommitments",
    "paymentTermsDays",
    "clauses",
)
_CLAUSE_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
_CLAUSE_LENGTH = 10_000
_MAX_PAYMENT_DAYS = 365


def normalise_terms(raw: Mapping[str, Any], *, known_families: Collection[str]) -> dict[str, Any]:
    """Validate ``raw`` and return the canonical snapshot; every error names its path."""
    errors: list[ErrorDetail] = [
        ErrorDetail(key, f"unknown field; known: {', '.join(TERM_FIELDS)}")
        for key in raw
        if key not in TERM_FIELDS
    ]
    terms: dict[str, Any] = {
        "name": _name(raw.get("name"), errors),
        "validFor": _valid_for(raw.get("validFor"), errors),
        "commissionScheduleRef": _reference(raw.get("commissionScheduleRef"), errors),
        "discountAllowances": _allowances(raw.get("discountAllowances"), known_families, errors),
        "volumeCommitments": _commitments(raw.get("volumeCommitments"), errors),
        "paymentTermsDays": _payment_days(raw.get("paymentTermsDays"), errors),
        "clauses": _clauses(raw.get("clauses"), errors),
    }
    if errors:
        raise InvalidInput("Invalid agreement terms", errors)
    return terms


def merge_patch(target: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """RFC 7386 JSON merge patch: objects merge, ``None`` removes a key, anything else replaces."""
    merged = dict(target)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_patch(merged[key], value)
        else:
            merged[key] = value
    return merged


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _name(value: Any, errors: list[ErrorDetail]) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 200:
        errors.append(ErrorDetail("name", "is required, at most 200 characters"))
    return text


def _valid_for(value: Any, errors: list[ErrorDetail]) -> dict[str, str | None]:
    if not isinstance(value, Mapping):
        errors.append(ErrorDetail("validFor", "is required: {startDateTime, endDateTime}"))
        return {"startDateTime": None, "endDateTime": None}
    unknown = [k for k in value if k not in ("startDateTime", "endDateTime")]
    errors += [ErrorDetail(f"validFor.{k}", "unknown field") for k in unknown]
    start = _instant(value.get("startDateTime"), "validFor.startDateTime", errors, required=True)
    end = _instant(value.get("endDateTime"), "validFor.endDateTime", errors, required=False)
    if start is not None and end is not None and end <= start:
        errors.append(ErrorDetail("validFor.endDateTime", "must be after startDateTime"))
    return {
        "startDateTime": iso(start) if start else None,
        "endDateTime": iso(end) if end else None,
    }


def _instant(
    value: Any, location: str, errors: list[ErrorDetail], *, required: bool
) -> datetime | None:
    if value is None or value == "":
        if required:
            errors.append(ErrorDetail(location, "is required"))
        return None
    try:
        return parse_instant(value)
    except ValueError as exc:
        errors.append(ErrorDetail(location, str(exc)))
        return None


def _reference(value: Any, errors: list[ErrorDetail]) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 64:
        errors.append(
            ErrorDetail(
                "commissionScheduleRef",
                "is required: the code of a commission schedule, at most 64 characters",
            )
        )
    return text


def _allowances(
    value: Any, known_families: Collection[str], errors: list[ErrorDetail]
) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors.append(
            ErrorDetail("discountAllowances", "expected {productFamilyCode: maximum percent}")
        )
        return {}
    clean: dict[str, str] = {}
    for family, raw in value.items():
        location = f"discountAllowances.{family}"
        if family not in known_families:
            errors.append(ErrorDetail(location, f"no product family with code {family!r}"))
            continue
        percent = _percent(raw)
        if percent is None:
            errors.append(
                ErrorDetail(
                    location,
                    f"expected a percentage from 0 to 100 with at most 2 decimals, "
                    f"as a string or an integer; got {raw!r}",
                )
            )
            continue
        clean[str(family)] = percent
    return dict(sorted(clean.items()))


def _percent(raw: Any) -> str | None:
    if isinstance(raw, bool | float) or not isinstance(raw, str | int | Decimal):
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 <= value <= 100 or value != round(value, 2):
        return None
    return format(value.normalize(), "f")


def _commitments(value: Any, errors: list[ErrorDetail]) -> dict[str, dict[str, int]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors.append(ErrorDetail("volumeCommitments", "expected {YYYY-MM: {commitment, target}}"))
        return {}
    clean: dict[str, dict[str, int]] = {}
    for period, entry in value.items():
        location = f"volumeCommitments.{period}"
        try:
            Period.parse(str(period), location=location)
        except InvalidInput as exc:
            errors += exc.details
            continue
        if not isinstance(entry, Mapping) or set(entry) != {"commitment", "target"}:
            errors.append(ErrorDetail(location, "expected {commitment, target}"))
            continue
        numbers = {key: entry[key] for key in ("commitment", "target")}
        bad = [
            key
            for key, n in numbers.items()
            if isinstance(n, bool) or not isinstance(n, int) or n < 0
        ]
        errors += [
            ErrorDetail(f"{location}.{key}", "expected a whole number, 0 or more") for key in bad
        ]
        if bad:
            continue
        if numbers["target"] < numbers["commitment"]:
            errors.append(ErrorDetail(f"{location}.target", "must be at least the commitment"))
            continue
        clean[str(period)] = numbers
    return dict(sorted(clean.items()))


def _payment_days(value: Any, errors: list[ErrorDetail]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_PAYMENT_DAYS:
        errors.append(
            ErrorDetail(
                "paymentTermsDays", f"expected a whole number of days, 0 to {_MAX_PAYMENT_DAYS}"
            )
        )
        return 0
    return value


def _clauses(value: Any, errors: list[ErrorDetail]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors.append(ErrorDetail("clauses", "expected {clauseKey: text}"))
        return {}
    clean: dict[str, str] = {}
    for key, text in value.items():
        location = f"clauses.{key}"
        if not isinstance(key, str) or not _CLAUSE_KEY.match(key):
            errors.append(
                ErrorDetail(location, "a clause key is lower-case letters, digits, _ or -")
            )
            continue
        if not isinstance(text, str) or not text.strip() or len(text) > _CLAUSE_LENGTH:
            errors.append(
                ErrorDetail(location, f"expected a text of 1 to {_CLAUSE_LENGTH} characters")
            )
            continue
        clean[key] = text.strip()
    return dict(sorted(clean.items()))
