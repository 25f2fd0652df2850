"""List pages of reference entities: console query parameters -> SQL, names of references.

Only declared fields can be filtered or sorted on (:mod:`salesdev.db.query` refuses
anything else), and the referred entities of a page are named with one query per
referred kind, never one per row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.query import Attribute, Filter, ListQuery, SortKey, paginate
from salesdev.domains.access import Principal
from salesdev.domains.reference import (
    ENTITY_KINDS,
    EntityKind,
    FieldSpec,
    find_visible_ids_by_code,
    scoped_select,
)
from salesdev.web.format import format_export

DEFAULT_LIMIT = 25
MAX_LIMIT = 200
PAGE_SIZES = (10, 25, 50, 100, 200)
# Above this many rows a referred kind is chosen by typing its code, not from a select.
LOOKUP_THRESHOLD = 100
_EXPORT_BATCH = 500


@dataclass(frozen=True)
class RefName:
    id: uuid.UUID
    code: str
    name: str


@dataclass(frozen=True)
class ListParams:
    """What a list page was asked for, as typed (kept to refill the filter form)."""

    q: str = ""
    filters: tuple[tuple[str, str], ...] = ()
    sort: str = ""
    offset: int = 0
    limit: int = DEFAULT_LIMIT

    def filter_value(self, name: str) -> str:
        return dict(self.filters).get(name, "")


@dataclass
class ListResult:
    items: list[Any]
    total: int
    grand_total: int
    # Referred kind -> id -> its code and name.
    refs: dict[str, dict[uuid.UUID, RefName]] = field(default_factory=dict)


def filter_fields(kind: EntityKind) -> tuple[FieldSpec, ...]:
    """Fields offered as filters: value sets, references and yes/no fields."""
    return tuple(f for f in kind.fields if f.choices or f.type in ("ref", "bool"))


def sortable_fields(kind: EntityKind) -> tuple[FieldSpec, ...]:
    return tuple(f for f in kind.fields if f.type != "tags")


def display_column(kind: EntityKind) -> Any:
    model: Any = kind.model
    return model.name if kind.field("name") else model.code


def parse_list_params(kind: EntityKind, raw: Mapping[str, str]) -> ListParams:
    errors: list[ErrorDetail] = []
    offset = _parse_int(raw.get("offset", ""), "offset", 0, errors)
    limit = _parse_int(raw.get("limit", ""), "limit", DEFAULT_LIMIT, errors)
    if offset < 0:
        errors.append(ErrorDetail("offset", "must be 0 or more"))
    if not 1 <= limit <= MAX_LIMIT:
        errors.append(ErrorDetail("limit", f"must be between 1 and {MAX_LIMIT}"))
    sort = raw.get("sort", "").strip()
    sortable = {f.name for f in sortable_fields(kind)}
    if sort and sort.removeprefix("-") not in sortable:
        errors.append(
            ErrorDetail("sort", f"cannot sort on {sort!r}; known: {', '.join(sorted(sortable))}")
        )
    filters = tuple(
        (f.name, raw[f.name].strip()) for f in filter_fields(kind) if raw.get(f.name, "").strip()
    )
    if errors:
        raise InvalidInput("Invalid list request", errors)
    return ListParams(
        q=raw.get("q", "").strip(), filters=filters, sort=sort, offset=offset, limit=limit
    )


def _parse_int(text: str, name: str, default: int, errors: list[ErrorDetail]) -> int:
    if not text.strip():
        return default
    try:
        return int(text)
    except ValueError:
        errors.append(ErrorDetail(name, f"expected a whole number, got {text!r}"))
        return default


def _attributes(kind: EntityKind) -> dict[str, Attribute]:
    model: Any = kind.model
    attributes: dict[str, Attribute] = {}
    for spec in kind.fields:
        column = getattr(model, spec.name)
        if spec.type == "ref":
            assert spec.references is not None
            target = ENTITY_KINDS[spec.references]
            # Sorting a reference orders by the referred entity's name, as the list shows it.
            target_model: Any = target.model
            sort_column = (
                select(display_column(target))
                .where(target_model.id == column)
                .correlate(model)
                .scalar_subquery()
            )
            attributes[spec.name] = Attribute(column, parse=uuid.UUID)
            attributes[f"{spec.name}.name"] = Attribute(sort_column)
        elif spec.type == "bool":
            attributes[spec.name] = Attribute(column, parse=_parse_yes_no)
        elif spec.type != "tags":
            attributes[spec.name] = Attribute(column)
    return attributes


def _parse_yes_no(text: str) -> bool:
    if text in ("true", "false"):
        return text == "true"
    raise ValueError(f"expected true or false, got {text!r}")


def _search(kind: EntityKind, q: str) -> ColumnElement[bool]:
    model: Any = kind.model
    needle = q.lower()
    columns = [model.code, display_column(kind)]
    if kind.field("address"):
        columns.append(model.address)
    return or_(*(func.lower(c).contains(needle, autoescape=True) for c in columns))


def _list_query(
    session: Session, kind: EntityKind, params: ListParams, *, principal: Principal
) -> ListQuery:
    filters: list[Filter] = []
    for name, value in params.filters:
        spec = kind.field(name)
        assert spec is not None
        if spec.type == "ref" and not _is_uuid(value):
            # A large referred kind is filtered by typing its code.
            assert spec.references is not None
            found = find_visible_ids_by_code(
                session, principal=principal, kind=spec.references, codes=[value]
            )
            if value not in found:
                target = ENTITY_KINDS[spec.references]
                raise InvalidInput(
                    "Invalid filter",
                    [ErrorDetail(name, f"no {target.label.lower()} with code {value!r}")],
                )
            value = str(found[value])
        filters.append(Filter(name, "eq", (value,)))
    sort: tuple[SortKey, ...]
    if params.sort:
        name = params.sort.removeprefix("-")
        spec = kind.field(name)
        attribute = f"{name}.name" if spec is not None and spec.type == "ref" else name
        sort = (SortKey(attribute, descending=params.sort.startswith("-")),)
    else:
        sort = (SortKey("code"),)
    return ListQuery(filters=tuple(filters), sort=sort, offset=params.offset, limit=params.limit)


def check_list_params(
    session: Session, *, principal: Principal, kind: EntityKind, params: ListParams
) -> None:
    """Raise the errors a list request would meet (unknown codes) before anything streams."""
    _list_query(session, kind, params, principal=principal)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def readable(session: Session, *, principal: Principal, kind: EntityKind) -> Select[Any] | None:
    """The rows of ``kind`` the principal may read, or None when they may read none."""
    if not principal.can(kind.family, "read"):
        return None
    return scoped_select(session, principal=principal, kind=kind.name)


def _statements(
    session: Session, kind: EntityKind, params: ListParams, *, paged: bool, principal: Principal
) -> tuple[Select[Any], Select[int]]:
    model: Any = kind.model
    # Authorizes the read and narrows to the principal's rows (partner, team, own record).
    base = scoped_select(session, principal=principal, kind=kind.name)
    if params.q:
        base = base.where(_search(kind, params.q))
    query = _list_query(session, kind, params, principal=principal)
    if not paged:
        query = ListQuery(filters=query.filters, sort=query.sort)
    return paginate(base, attributes=_attributes(kind), query=query, tie_breaker=model.id)


def list_entities(
    session: Session, *, principal: Principal, kind: EntityKind, params: ListParams
) -> ListResult:
    page, count = _statements(session, kind, params, paged=True, principal=principal)
    items = list(session.scalars(page))
    return ListResult(
        items=items,
        total=session.scalar(count) or 0,
        grand_total=count_rows(session, principal=principal, kind=kind),
        refs=referred_names(session, kind=kind, items=items),
    )


def referred_names(
    session: Session, *, kind: EntityKind, items: Sequence[Any]
) -> dict[str, dict[uuid.UUID, RefName]]:
    """Code and name of every entity the ``items`` refer to: one query per referred kind."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for spec in kind.fields:
        if spec.type == "ref" and spec.references is not None:
            ids = {getattr(item, spec.name) for item in items} - {None}
            wanted.setdefault(spec.references, set()).update(ids)
    names: dict[str, dict[uuid.UUID, RefName]] = {}
    for target_name, ids in wanted.items():
        target = ENTITY_KINDS[target_name]
        model: Any = target.model
        names[target_name] = {}
        if not ids:
            continue
        rows = session.execute(
            select(model.id, model.code, display_column(target)).where(model.id.in_(ids))
        )
        names[target_name] = {id_: RefName(id_, code, name) for id_, code, name in rows}
    return names


def iter_export_rows(
    session: Session, *, principal: Principal, kind: EntityKind, params: ListParams
) -> Iterator[list[str]]:
    """Every row of the filtered list (all pages), references by code; header first."""
    page, _count = _statements(session, kind, params, paged=False, principal=principal)
    yield [export_header(f) for f in kind.fields]
    batch: list[Any] = []
    for item in session.scalars(page.execution_options(yield_per=_EXPORT_BATCH)):
        batch.append(item)
        if len(batch) == _EXPORT_BATCH:
            yield from _export_batch(session, kind, batch)
            batch = []
    yield from _export_batch(session, kind, batch)


def export_header(spec: FieldSpec) -> str:
    return spec.name.removesuffix("_id") if spec.type == "ref" else spec.name


def _export_batch(session: Session, kind: EntityKind, items: list[Any]) -> Iterator[list[str]]:
    if not items:
        return
    refs = referred_names(session, kind=kind, items=items)
    for item in items:
        row: list[str] = []
        for spec in kind.fields:
            value = getattr(item, spec.name)
            if spec.type == "ref" and value is not None:
                assert spec.references is not None
                row.append(refs[spec.references][value].code)
            else:
                row.append(format_export(value))
        yield row


def count_rows(session: Session, *, principal: Principal, kind: EntityKind) -> int:
    """How many rows of ``kind`` the principal may read (0 when they may read none)."""
    rows = readable(session, principal=principal, kind=kind)
    if rows is None:
        return 0
    return session.scalar(select(func.count()).select_from(rows.subquery())) or 0
