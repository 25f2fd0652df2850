"""TMF630 query strings -> :class:`ListQuery` and a field selection.

``fields=a,b``; ``sort=name,-creationDate``; ``offset``/``limit``; ``attr=v1,v2`` (OR);
dotted paths ``channel.id=...``; operators as a suffix ``attr.gte=...`` (``gt gte lt lte ne
eq contains``) or written into the key ``attr>=v``, ``attr<=v``, ``attr!=v``, ``attr>v``,
``attr<v``. Repeated parameters are ANDed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.query import OPERATORS, Filter, ListQuery, Operator, SortKey

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# Databases keep offsets in a signed 64-bit (PostgreSQL) or 63-bit (SQLite) integer.
MAX_OFFSET = 2**31 - 1
RESERVED = ("fields", "sort", "offset", "limit")
ALWAYS_KEPT = ("id", "href", "@type")

_KEY_SIGNS: dict[str, Operator] = {">": "gte", "<": "lte", "!": "ne"}


@dataclass(frozen=True)
class ListRequest:
    query: ListQuery
    fields: tuple[str, ...] | None


def parse_list_request(params: Iterable[tuple[str, str]]) -> ListRequest:
    errors: list[ErrorDetail] = []
    filters: list[Filter] = []
    sort: list[SortKey] = []
    fields: tuple[str, ...] | None = None
    offset, limit = 0, DEFAULT_LIMIT
    for key, value in params:
        if key == "fields":
            fields = tuple(f.strip() for f in value.split(",") if f.strip())
        elif key == "sort":
            sort += [
                SortKey(k.strip().lstrip("-+"), descending=k.strip().startswith("-"))
                for k in value.split(",")
                if k.strip().lstrip("-+")
            ]
        elif key == "offset":
            offset = _number(value, "offset", 0, MAX_OFFSET, errors)
        elif key == "limit":
            limit = _number(value, "limit", 0, MAX_LIMIT, errors)
        else:
            flt = _filter(key, value)
            if flt is None:
                errors.append(ErrorDetail(key, "a filter needs a value, e.g. status=active"))
            else:
                filters.append(flt)
    if errors:
        raise InvalidInput("Invalid query", errors)
    return ListRequest(ListQuery(tuple(filters), tuple(sort), offset, limit), fields)


def _number(value: str, name: str, low: int, high: int | None, errors: list[ErrorDetail]) -> int:
    text = value.strip()
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        upper = f" and at most {high}" if high is not None else ""
        errors.append(ErrorDetail(name, f"expected a whole number of at least {low}{upper}"))
        return low
    return int(text)


def _filter(key: str, value: str) -> Filter | None:
    attribute = key
    operator: Operator = "eq"
    if value and key[-1:] in _KEY_SIGNS:
        # "attr>=v" arrives as key "attr>" and value "v".
        attribute, operator = key[:-1], _KEY_SIGNS[key[-1]]
    elif not value and ("<" in key or ">" in key):
        # "attr>v" has no "=": the whole text arrives as the key.
        sign = ">" if ">" in key else "<"
        attribute, _, value = key.partition(sign)
        operator = "gt" if sign == ">" else "lt"
    else:
        head, _, last = key.rpartition(".")
        if head and last in OPERATORS:
            attribute, operator = head, last
    values = tuple(v.strip() for v in value.split(",") if v.strip())
    if not values or not attribute:
        return None
    return Filter(attribute, operator, values)


def select_fields(body: Mapping[str, Any], fields: tuple[str, ...] | None) -> dict[str, Any]:
    """A partial representation: the named attributes (dotted paths go inside objects)."""
    if fields is None:
        return dict(body)
    selected: dict[str, Any] = {k: body[k] for k in ALWAYS_KEPT if k in body}
    for path in fields:
        _copy_path(body, selected, path.split("."))
    return selected


def check_fields(fields: tuple[str, ...] | None, known: Iterable[str]) -> None:
    if fields is None:
        return
    names = set(known)
    unknown = [f for f in fields if f.split(".")[0] not in names]
    if unknown:
        raise InvalidInput(
            "Invalid fields",
            [ErrorDetail("fields", f"unknown attribute {f!r}") for f in unknown],
        )


def _copy_path(source: Mapping[str, Any], target: dict[str, Any], path: list[str]) -> None:
    head = path[0]
    if head not in source:
        return
    if len(path) == 1 or not isinstance(source[head], Mapping):
        target[head] = source[head]
        return
    inner = target.setdefault(head, {})
    if isinstance(inner, dict):
        _copy_path(source[head], inner, path[1:])
