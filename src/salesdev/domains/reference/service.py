"""Validated create / update / delete of reference entities.

Values are given in domain names (snake_case, references as ``<x>_id``); the
interfaces map their own shapes (TMF camelCase, CSV codes, form fields) onto them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    Conflict,
    ErrorDetail,
    InvalidInput,
    NotFound,
    PreconditionFailed,
)
from salesdev.core.ids import parse_id
from salesdev.core.money import parse_amount, parse_currency
from salesdev.core.periods import parse_instant
from salesdev.domains.access import Principal, authorize, in_scope, scope_condition
from salesdev.domains.compensation.hierarchy import follow_parent_change
from salesdev.domains.reference.kinds import ENTITY_KINDS, EntityKind, FieldSpec

_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


def entity_kind(kind: str) -> EntityKind:
    try:
        return ENTITY_KINDS[kind]
    except KeyError:
        raise InvalidInput(
            "Unknown entity kind",
            [ErrorDetail("kind", f"{kind!r}; known: {', '.join(ENTITY_KINDS)}")],
        ) from None


def scoped_select(session: Session, *, principal: Principal, kind: str) -> Select[Any]:
    """``SELECT`` of the kind's rows this principal may read; interfaces add filters and paging."""
    spec = entity_kind(kind)
    authorize(principal, spec.family, "read")
    statement: Select[Any] = select(spec.model)
    condition = scope_condition(session, principal=principal, kind=kind)
    return statement.where(condition) if condition is not None else statement


def get_entity(session: Session, *, principal: Principal, kind: str, entity_id: uuid.UUID) -> Any:
    """One entity; outside the principal's scope it is "not found", so existence does not leak."""
    spec = entity_kind(kind)
    authorize(principal, spec.family, "read")
    entity = session.get(spec.model, entity_id)
    if entity is None or not in_scope(session, principal=principal, kind=kind, entity=entity):
        raise NotFound(f"{spec.label} {entity_id} does not exist")
    return entity


def find_ids_by_code(session: Session, *, kind: str, codes: Iterable[str]) -> dict[str, uuid.UUID]:
    """Resolve many codes in one query per 500 (bulk imports must not query per row).

    Unscoped: for resolving references in input that a service then authorizes;
    never return its result to a caller as a listing.
    """
    spec = entity_kind(kind)
    model: Any = spec.model
    wanted = sorted(set(codes))
    found: dict[str, uuid.UUID] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(select(model.code, model.id).where(model.code.in_(chunk)))
        found.update({code: id_ for code, id_ in rows})
    return found


def find_visible_ids_by_code(
    session: Session, *, principal: Principal, kind: str, codes: Iterable[str]
) -> dict[str, uuid.UUID]:
    """Like :func:`find_ids_by_code`, limited to the rows the principal may read: a code
    outside the scope is answered exactly as one that does not exist."""
    spec = entity_kind(kind)
    authorize(principal, spec.family, "read")
    model: Any = spec.model
    condition = scope_condition(session, principal=principal, kind=kind)
    wanted = sorted(set(codes))
    found: dict[str, uuid.UUID] = {}
    for start in range(0, len(wanted), 500):
        statement = select(model.code, model.id).where(model.code.in_(wanted[start : start + 500]))
        if condition is not None:
            statement = statement.where(condition)
        found.update({code: id_ for code, id_ in session.execute(statement)})
    return found


def create_entity(
    session: Session,
    *,
    principal: Principal,
    kind: str,
    values: Mapping[str, Any],
    now: datetime,
    effective_from: datetime | None = None,
) -> Any:
    """A new entity. A sales person's manager (a partner's parent partner) is recorded in the
    compensation hierarchy history from ``effective_from`` (default ``now``)."""
    spec = entity_kind(kind)
    authorize(principal, spec.family, "write")
    clean = _validate(session, spec, values, partial=False)
    entity: Any = spec.model(**clean, created_at=now, updated_at=now)
    _check_code_free(session, spec, clean.get("code"))
    session.add(entity)
    session.flush()
    if spec.hierarchy_field and clean.get(spec.hierarchy_field) is not None:
        follow_parent_change(
            session,
            kind=kind,
            payee_id=entity.id,
            old_parent_id=None,
            new_parent_id=clean[spec.hierarchy_field],
            known_since=now,
            effective_from=effective_from or now,
            now=now,
        )
    return entity


def update_entity(
    session: Session,
    *,
    principal: Principal,
    kind: str,
    entity_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None = None,
    effective_from: datetime | None = None,
) -> Any:
    """Change an entity. A change of a sales person's manager (a partner's parent partner)
    is recorded in the compensation hierarchy history in the same transaction, from
    ``effective_from`` (default ``now``), so runs for earlier periods keep the old one."""
    spec = entity_kind(kind)
    entity = get_entity(session, principal=principal, kind=kind, entity_id=entity_id)
    authorize(principal, spec.family, "write")
    _check_version(spec, entity, expected_version)
    clean = _validate(session, spec, changes, partial=True)
    if "code" in clean and clean["code"] != entity.code:
        _check_code_free(session, spec, clean["code"])
    if spec.hierarchy_field and clean.get(spec.hierarchy_field) is not None:
        _check_acyclic(session, spec, entity.id, clean[spec.hierarchy_field])
    _check_validity(spec, {**_current(spec, entity), **clean})
    changed = {k: val for k, val in clean.items() if getattr(entity, k) != val}
    old_parent = getattr(entity, spec.hierarchy_field) if spec.hierarchy_field else None
    for name, value in changed.items():
        setattr(entity, name, value)
    if changed:
        entity.updated_at = now
        session.flush()
    if spec.hierarchy_field and spec.hierarchy_field in changed:
        follow_parent_change(
            session,
            kind=kind,
            payee_id=entity.id,
            old_parent_id=old_parent,
            new_parent_id=changed[spec.hierarchy_field],
            known_since=entity.created_at,
            effective_from=effective_from or now,
            now=now,
        )
    return entity


def delete_entity(
    session: Session,
    *,
    principal: Principal,
    kind: str,
    entity_id: uuid.UUID,
    expected_version: int | None = None,
) -> None:
    spec = entity_kind(kind)
    entity = get_entity(session, principal=principal, kind=kind, entity_id=entity_id)
    authorize(principal, spec.family, "write")
    _check_version(spec, entity, expected_version)
    try:
        with session.begin_nested():
            session.delete(entity)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"{spec.label} {entity.code} is still referred to by other records and cannot be deleted"
        ) from None


def to_values(kind: str, entity: Any) -> dict[str, Any]:
    """The entity's declared fields as domain values (the inverse of create)."""
    return _current(entity_kind(kind), entity)


def _current(spec: EntityKind, entity: Any) -> dict[str, Any]:
    return {f.name: getattr(entity, f.name) for f in spec.fields}


def _check_version(spec: EntityKind, entity: Any, expected_version: int | None) -> None:
    if expected_version is not None and entity.version != expected_version:
        raise PreconditionFailed(
            f"{spec.label} {entity.code} was changed by someone else "
            f"(version {entity.version}, you had {expected_version}); reload and try again"
        )


def _check_code_free(session: Session, spec: EntityKind, code: str | None) -> None:
    model: Any = spec.model
    if code is not None and session.scalar(select(model.id).where(model.code == code)) is not None:
        raise Conflict(
            f"A {spec.label.lower()} with code {code!r} already exists",
            [ErrorDetail("code", "must be unique")],
        )


def _check_acyclic(
    session: Session, spec: EntityKind, entity_id: uuid.UUID, parent_id: uuid.UUID
) -> None:
    assert spec.hierarchy_field is not None
    seen: set[uuid.UUID] = set()
    current: uuid.UUID | None = parent_id
    while current is not None and current not in seen:
        if current == entity_id:
            raise InvalidInput(
                f"{spec.label} hierarchy would contain a cycle",
                [
                    ErrorDetail(
                        spec.hierarchy_field,
                        "cannot be the entity itself or one of its descendants",
                    )
                ],
            )
        seen.add(current)
        parent = session.get(spec.model, current)
        current = getattr(parent, spec.hierarchy_field) if parent is not None else None


def _check_validity(spec: EntityKind, values: Mapping[str, Any]) -> None:
    start, end = values.get("valid_from"), values.get("valid_to")
    if spec.field("valid_to") and start is not None and end is not None and end <= start:
        raise InvalidInput(
            "Empty validity period", [ErrorDetail("valid_to", "must be after valid_from")]
        )


def _validate(
    session: Session, spec: EntityKind, values: Mapping[str, Any], *, partial: bool
) -> dict[str, Any]:
    errors: list[ErrorDetail] = []
    known = {f.name for f in spec.fields}
    errors += [
        ErrorDetail(name, f"unknown field; known: {', '.join(sorted(known))}")
        for name in values
        if name not in known
    ]
    clean: dict[str, Any] = {}
    for field_spec in spec.fields:
        if field_spec.name not in values:
            if field_spec.required and not partial:
                errors.append(ErrorDetail(field_spec.name, "is required"))
            continue
        try:
            clean[field_spec.name] = _coerce(session, field_spec, values[field_spec.name])
        except InvalidInput as exc:
            errors += [ErrorDetail(field_spec.name, d.message) for d in exc.details] or [
                ErrorDetail(field_spec.name, exc.message)
            ]
    if errors:
        raise InvalidInput(f"Invalid {spec.label.lower()}", errors)
    if not partial:
        _check_validity(spec, clean)
    return clean


def _coerce(session: Session, spec: FieldSpec, raw: Any) -> Any:
    if raw is None or raw == "":
        if spec.required:
            raise InvalidInput("is required")
        return None if spec.type not in ("tags", "bool") else ("" if spec.type == "tags" else False)
    value: Any
    match spec.type:
        case "str":
            value = str(raw).strip()
            if spec.max_length and len(value) > spec.max_length:
                raise InvalidInput(f"at most {spec.max_length} characters")
            if spec.choices and value not in spec.choices:
                raise InvalidInput(f"expected one of {', '.join(spec.choices)}; got {value!r}")
        case "int":
            if isinstance(raw, bool) or not str(raw).lstrip("-").isdigit():
                raise InvalidInput(f"expected a whole number; got {raw!r}")
            value = int(raw)
        case "decimal":
            value = parse_amount(raw)
            _check_bounds(spec, value)
        case "currency":
            value = parse_currency(raw)
        case "bool":
            value = _parse_bool(raw)
        case "date":
            value = _parse_date(raw)
        case "datetime":
            value = _parse_datetime(raw)
        case "tags":
            items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
            tags = [str(t).strip() for t in items if str(t).strip()]
            unknown = [t for t in tags if spec.choices and t not in spec.choices]
            if unknown:
                raise InvalidInput(
                    f"unknown value(s) {', '.join(unknown)}; expected some of {', '.join(spec.choices or ())}"
                )
            if spec.references is not None:
                _check_codes_exist(session, spec.references, tags)
            value = ",".join(tags)
        case "ref":
            assert spec.references is not None
            target = ENTITY_KINDS[spec.references]
            ref_id = parse_id(raw, location=spec.name)
            if session.get(target.model, ref_id) is None:
                raise InvalidInput(f"no {target.label.lower()} with id {ref_id}")
            value = ref_id
    return value


def _check_bounds(spec: FieldSpec, value: Decimal) -> None:
    low, high = spec.minimum, spec.maximum
    if (low is None or value >= low) and (high is None or value <= high):
        return
    if low is not None and high is not None:
        expected = f"between {low} and {high}"
    elif low is not None:
        expected = f"at least {low}"
    else:
        expected = f"at most {high}"
    raise InvalidInput(f"must be {expected}; got {value}")


def _check_codes_exist(session: Session, kind: str, codes: list[str]) -> None:
    found = find_ids_by_code(session, kind=kind, codes=codes)
    unknown = [code for code in dict.fromkeys(codes) if code not in found]
    if unknown:
        label = ENTITY_KINDS[kind].label.lower()
        plural = "s" if len(unknown) > 1 else ""
        raise InvalidInput(f"no {label} with code{plural} {', '.join(map(repr, unknown))}")


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput(f"expected true or false; got {raw!r}")


def _parse_date(raw: Any) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput(f"expected a date YYYY-MM-DD; got {raw!r}") from None


def _parse_datetime(raw: Any) -> datetime:
    try:
        return parse_instant(raw)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
