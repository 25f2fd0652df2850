"""Filtering, sorting and paging of list queries, shared by the API and the console.

Interfaces parse their own syntax (TMF630 query strings, console form fields) into a
:class:`ListQuery`; this module turns it into SQL against a declared column map, so
only declared attributes can ever be filtered or sorted on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.text import NUL_MESSAGE

T = TypeVar("T")
# A column of a table or a mapped attribute of a model.
ColumnLike = ColumnElement[Any] | QueryableAttribute[Any]

Operator = Literal["eq", "ne", "gt", "gte", "lt", "lte", "contains"]
OPERATORS: tuple[Operator, ...] = ("eq", "ne", "gt", "gte", "lt", "lte", "contains")


@dataclass(frozen=True)
class Filter:
    """``values`` holds one or more raw values; several values mean OR."""

    attribute: str
    operator: Operator
    values: tuple[str, ...]


@dataclass(frozen=True)
class SortKey:
    attribute: str
    descending: bool = False


@dataclass(frozen=True)
class ListQuery:
    filters: tuple[Filter, ...] = ()
    sort: tuple[SortKey, ...] = ()
    offset: int = 0
    limit: int | None = None


@dataclass(frozen=True)
class Attribute:
    """A filterable/sortable attribute: the SQL expression and how to parse a raw value."""

    column: ColumnLike
    parse: Callable[[str], Any] = str
    sortable: bool = True


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int | None
    extra: dict[str, Any] = field(default_factory=dict)


def apply_filters(
    statement: Select[Any], *, attributes: Mapping[str, Attribute], filters: Sequence[Filter]
) -> Select[Any]:
    errors: list[ErrorDetail] = []
    conditions: list[ColumnElement[bool]] = []
    for flt in filters:
        attribute = attributes.get(flt.attribute)
        if attribute is None:
            errors.append(
                ErrorDetail(
                    flt.attribute,
                    f"cannot filter on this attribute; known: {', '.join(sorted(attributes))}",
                )
            )
            continue
        if any("\x00" in v for v in flt.values):
            errors.append(ErrorDetail(flt.attribute, NUL_MESSAGE))
            continue
        try:
            parsed = [attribute.parse(v) for v in flt.values]
        except (ValueError, InvalidInput) as exc:
            errors.append(ErrorDetail(flt.attribute, f"invalid value: {exc}"))
            continue
        conditions.append(_condition(attribute.column, flt.operator, parsed))
    if errors:
        raise InvalidInput("Invalid filter", errors)
    return statement.where(and_(*conditions)) if conditions else statement


def _condition(column: ColumnLike, operator: Operator, values: list[Any]) -> ColumnElement[bool]:
    if operator == "eq":
        return column.in_(values) if len(values) > 1 else column == values[0]
    if operator == "ne":
        return column.not_in(values)
    if operator == "contains":
        return or_(*(func.lower(column).contains(str(v).lower(), autoescape=True) for v in values))
    compare: dict[str, Callable[[Any], ColumnElement[bool]]] = {
        "gt": column.__gt__,
        "gte": column.__ge__,
        "lt": column.__lt__,
        "lte": column.__le__,
    }
    return or_(*(compare[operator](v) for v in values))


def apply_sort(
    statement: Select[Any],
    *,
    attributes: Mapping[str, Attribute],
    sort: Sequence[SortKey],
    tie_breaker: ColumnLike,
) -> Select[Any]:
    errors = [
        ErrorDetail("sort", f"cannot sort on {key.attribute!r}")
        for key in sort
        if key.attribute not in attributes or not attributes[key.attribute].sortable
    ]
    if errors:
        raise InvalidInput("Invalid sort", errors)
    order = [
        attributes[key.attribute].column.desc()
        if key.descending
        else attributes[key.attribute].column.asc()
        for key in sort
    ]
    # A unique tie-breaker keeps pages stable when sort values repeat.
    return statement.order_by(*order, tie_breaker)


def paginate(
    statement: Select[Any],
    *,
    attributes: Mapping[str, Attribute],
    query: ListQuery,
    tie_breaker: ColumnLike,
) -> tuple[Select[Any], Select[int]]:
    """Return (page statement, total-count statement) for ``query``."""
    if query.offset < 0:
        raise InvalidInput("Invalid paging", [ErrorDetail("offset", "must be 0 or more")])
    if query.limit is not None and query.limit < 0:
        raise InvalidInput("Invalid paging", [ErrorDetail("limit", "must be 0 or more")])
    filtered = apply_filters(statement, attributes=attributes, filters=query.filters)
    count = select(func.count()).select_from(filtered.order_by(None).subquery())
    page = apply_sort(filtered, attributes=attributes, sort=query.sort, tie_breaker=tie_breaker)
    page = page.offset(query.offset)
    if query.limit is not None:
        page = page.limit(query.limit)
    return page, count


def fetch_page(
    session: Session,
    statement: Select[Any],
    *,
    attributes: Mapping[str, Attribute],
    query: ListQuery,
    tie_breaker: ColumnLike,
    default_sort: tuple[SortKey, ...] = (),
) -> Page[Any]:
    """Run :func:`paginate` and return the page with its total; ``default_sort`` applies
    when the query names no sort of its own."""
    if not query.sort and default_sort:
        query = ListQuery(query.filters, default_sort, query.offset, query.limit)
    page, count = paginate(statement, attributes=attributes, query=query, tie_breaker=tie_breaker)
    return Page(list(session.scalars(page)), session.scalar(count) or 0, query.offset, query.limit)
