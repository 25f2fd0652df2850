"""Datasets for the reference entities, derived from their declarations in the reference domain.

References are written as codes (``channel_code``, ``parent_code``...) so that files are
readable and portable between installations; a row whose code exists is an update.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.domains.access import SYSTEM
from salesdev.domains.interchange.columns import Column, ColumnType
from salesdev.domains.interchange.datasets import Dataset, Reference, register_dataset
from salesdev.domains.reference import (
    ENTITY_KINDS,
    EntityKind,
    FieldSpec,
    create_entity,
    find_ids_by_code,
    to_values,
    update_entity,
)

DATASET_NAMES = {
    "region": "regions",
    "product_family": "product_families",
    "product_offering": "product_offerings",
    "sales_channel": "sales_channels",
    "partner": "partners",
    "outlet": "outlets",
    "sales_person": "sales_people",
    "customer": "customers",
    "premise": "premises",
}
_CHUNK = 500
_EXPORT_BATCH = 1000

_COLUMN_TYPES: dict[str, ColumnType] = {
    "str": "str",
    "int": "int",
    "decimal": "decimal",
    "currency": "str",
    "date": "date",
    "datetime": "datetime",
    "bool": "bool",
    "tags": "str",
    "ref": "str",
}


def reference_column_name(field_name: str) -> str:
    """``channel_id`` -> ``channel_code``: the column that names the referred record by code."""
    return field_name.removesuffix("_id") + "_code"


def _column(spec: FieldSpec) -> Column:
    if spec.type == "ref":
        assert spec.references is not None
        target = ENTITY_KINDS[spec.references].label.lower()
        title = spec.title.lower()
        return Column(
            reference_column_name(spec.name),
            "str",
            required=spec.required,
            description=f"code of the {title}" + ("" if title == target else f" (a {target})"),
        )
    descriptions = {
        "currency": "ISO 4217 currency code, e.g. EUR",
        "decimal": "exact decimal amount as text, e.g. 19.99 (at most 4 decimal places)",
        "datetime": "ISO 8601 date-time with a timezone, e.g. 2026-01-01T00:00:00Z",
        "date": "date YYYY-MM-DD",
        "bool": "true or false",
    }
    if spec.name == "code":
        description = "unique code; a row with an existing code updates that record"
    elif spec.type == "tags":
        description = f"comma-separated, any of: {', '.join(spec.choices or ())}"
    else:
        description = descriptions.get(spec.type, spec.title)
        if spec.choices:
            description = f"one of: {', '.join(spec.choices)}"
    return Column(
        spec.name,
        _COLUMN_TYPES[spec.type],
        required=spec.required,
        description=description,
        choices=spec.choices if spec.type == "str" else None,
        max_length=spec.max_length,
    )


def _dataset(kind: EntityKind) -> Dataset:
    references = tuple(
        Reference(
            column=reference_column_name(spec.name),
            kind=spec.references,
            field=spec.name,
            label=ENTITY_KINDS[spec.references].label.lower(),
        )
        for spec in kind.fields
        if spec.type == "ref" and spec.references is not None
    )

    def import_row(
        session: Session,
        *,
        values: Mapping[str, Any],
        existing_id: uuid.UUID | None,
        now: datetime,
    ) -> uuid.UUID:
        if existing_id is None:
            entity = create_entity(
                session, principal=SYSTEM, kind=kind.name, values=values, now=now
            )
        else:
            entity = update_entity(
                session,
                principal=SYSTEM,
                kind=kind.name,
                entity_id=existing_id,
                changes=values,
                now=now,
            )
        record_id: uuid.UUID = entity.id
        return record_id

    def export_rows(session: Session) -> Iterator[dict[str, Any]]:
        codes = {ref.kind: _codes_by_id(session, ref.kind) for ref in references}
        model: Any = kind.model
        for entity in session.scalars(
            select(model).order_by(model.code).execution_options(yield_per=_EXPORT_BATCH)
        ):
            values = to_values(kind.name, entity)
            for ref in references:
                ref_id = values.pop(ref.field)
                values[ref.column] = None if ref_id is None else codes[ref.kind][ref_id]
            yield values

    return Dataset(
        name=DATASET_NAMES[kind.name],
        description=f"{kind.plural}, one row per {kind.label.lower()}, identified by code",
        kind=kind.name,
        columns=tuple(_column(spec) for spec in kind.fields),
        import_row=import_row,
        export_rows=export_rows,
        resolve_codes=_resolve_codes,
        family=kind.family,
        references=references,
        preload=_preload,
    )


def _resolve_codes(
    session: Session, *, kind: str, codes: Collection[str]
) -> Mapping[str, uuid.UUID]:
    return find_ids_by_code(session, kind=kind, codes=codes)


def _preload(session: Session, *, ids_by_kind: Mapping[str, Collection[uuid.UUID]]) -> list[Any]:
    """Load every record the rows refer to or update, a chunk per query, so that the
    reference service's per-row look-ups are answered from the session's identity map."""
    loaded: list[Any] = []
    for kind, ids in ids_by_kind.items():
        model: Any = ENTITY_KINDS[kind].model
        wanted = list(ids)
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            loaded.extend(session.scalars(select(model).where(model.id.in_(chunk))))
    return loaded


def _codes_by_id(session: Session, kind: str) -> dict[uuid.UUID, str]:
    model: Any = ENTITY_KINDS[kind].model
    return {id_: code for id_, code in session.execute(select(model.id, model.code))}


def register_reference_datasets() -> None:
    for kind in ENTITY_KINDS.values():
        register_dataset(_dataset(kind))
