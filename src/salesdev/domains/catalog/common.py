"""Checks shared by the catalogue services: validity, versions, text, lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from salesdev.core.errors import ErrorDetail, PreconditionFailed
from salesdev.domains.reference.vocabulary import LIFECYCLE_STATUSES


def check_validity(
    valid_from: datetime | None, valid_to: datetime | None, errors: list[ErrorDetail]
) -> None:
    for location, value in (
        ("validFor.startDateTime", valid_from),
        ("validFor.endDateTime", valid_to),
    ):
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            errors.append(ErrorDetail(location, "a timezone is required"))
            return
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        errors.append(ErrorDetail("validFor.endDateTime", "must be after startDateTime"))


def check_text(
    location: str, value: str, errors: list[ErrorDetail], *, max_length: int, required: bool = False
) -> None:
    if required and not value.strip():
        errors.append(ErrorDetail(location, "is required"))
    elif len(value) > max_length:
        errors.append(ErrorDetail(location, f"at most {max_length} characters"))


def check_lifecycle(value: str, errors: list[ErrorDetail]) -> None:
    if value not in LIFECYCLE_STATUSES:
        errors.append(
            ErrorDetail(
                "lifecycleStatus",
                f"expected one of {', '.join(LIFECYCLE_STATUSES)}; got {value!r}",
            )
        )


def check_version(label: str, entity: Any, expected_version: int | None) -> None:
    if expected_version is not None and entity.version != expected_version:
        raise PreconditionFailed(
            f"{label} was changed by someone else "
            f"(version {entity.version}, you had {expected_version}); reload and try again"
        )
