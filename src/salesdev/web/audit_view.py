"""The audit viewer's request parsing and the small before/after diff of each event."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.query import Filter, ListQuery, Operator

PAGE_SIZE = 50
FILTER_FIELDS = ("actor", "action", "object_type", "object_id", "since", "until")


@dataclass(frozen=True)
class AuditParams:
    """The viewer's filters as typed (kept to refill the form)."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: str = ""
    until: str = ""
    offset: int = 0

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FILTER_FIELDS}


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def parse_audit_params(raw: Mapping[str, str]) -> AuditParams:
    values = {name: raw.get(name, "").strip() for name in FILTER_FIELDS}
    offset_text = raw.get("offset", "").strip() or "0"
    if not offset_text.isdigit():
        raise InvalidInput("Invalid paging", [ErrorDetail("offset", "must be 0 or more")])
    return AuditParams(**values, offset=int(offset_text))


def _time(text: str, name: str, errors: list[ErrorDetail]) -> str | None:
    """A time typed in the form (UTC when it has no zone) as ISO 8601 with its zone."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        errors.append(
            ErrorDetail(name, f"expected a date and time such as 2026-10-15T09:30, got {text!r}")
        )
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def audit_query(params: AuditParams) -> ListQuery:
    """Actor and action match any part (``admin``, ``login``); type and id match exactly;
    the time range is half-open: from ``since`` (inclusive) to ``until`` (exclusive)."""
    filters: list[Filter] = []
    errors: list[ErrorDetail] = []
    if params.actor:
        filters.append(Filter("actor", "contains", (params.actor,)))
    if params.action:
        filters.append(Filter("action", "contains", (params.action,)))
    if params.object_type:
        filters.append(Filter("objectType", "eq", (params.object_type,)))
    if params.object_id:
        filters.append(Filter("objectId", "eq", (params.object_id,)))
    bounds: tuple[tuple[str, Operator], ...] = (("since", "gte"), ("until", "lt"))
    for name, operator in bounds:
        text = getattr(params, name)
        if text:
            parsed = _time(text, name, errors)
            if parsed is not None:
                filters.append(Filter("occurredAt", operator, (parsed,)))
    if errors:
        raise InvalidInput("Invalid audit filter", errors)
    return ListQuery(filters=tuple(filters), offset=params.offset, limit=PAGE_SIZE)


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def changes_of(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[Change]:
    """One line per field that differs (all fields of a creation or a deletion)."""
    old = before or {}
    new = after or {}
    names = sorted(set(old) | set(new))
    return [
        Change(name, _show(old.get(name)), _show(new.get(name)))
        for name in names
        if old.get(name) != new.get(name) or before is None or after is None
    ]
