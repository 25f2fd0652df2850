"""What a dataset declares, and the registry the CLI, API and jobs look datasets up in."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, NotFound
from salesdev.domains.access import Family
from salesdev.domains.interchange.columns import Column


@dataclass(frozen=True)
class Reference:
    """A column that names another record by its code, e.g. ``channel_code`` -> ``channel_id``."""

    column: str
    kind: str
    field: str
    label: str


class CodeResolver(Protocol):
    """Many codes to ids in a few queries, never one query per row."""

    def __call__(
        self, session: Session, *, kind: str, codes: Collection[str]
    ) -> Mapping[str, uuid.UUID]: ...


class RowImporter(Protocol):
    """Writes one validated row (references already ids); returns the record's id."""

    def __call__(
        self,
        session: Session,
        *,
        values: Mapping[str, Any],
        existing_id: uuid.UUID | None,
        now: datetime,
    ) -> uuid.UUID: ...


class Preloader(Protocol):
    """Loads the records the rows will touch in bulk before they are written; returns
    what must stay referenced (the session's identity map holds objects weakly)."""

    def __call__(
        self, session: Session, *, ids_by_kind: Mapping[str, Collection[uuid.UUID]]
    ) -> Any: ...


class RowsChecker(Protocol):
    """Checks the file's rows against each other (e.g. overlapping periods) before anything
    is written; each row comes as ``(location, values)``, references still as codes."""

    def __call__(self, rows: Sequence[tuple[str, Mapping[str, Any]]]) -> list[ErrorDetail]: ...


class RowExporter(Protocol):
    def __call__(self, session: Session) -> Iterator[dict[str, Any]]: ...


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    kind: str
    columns: tuple[Column, ...]
    # None for an export-only dataset; ``import_refusal`` then says where records are made.
    import_row: RowImporter | None
    export_rows: RowExporter
    resolve_codes: CodeResolver
    # Whose permission an import of this dataset needs (write) and an export (read).
    family: Family
    references: tuple[Reference, ...] = ()
    # The column that identifies a record: an existing key is updated, a new one created.
    # None for records without a code (e.g. authorisations): every row creates one.
    key_column: str | None = "code"
    preload: Preloader | None = None
    check_rows: RowsChecker | None = None
    # Sort key of the rows' write order (stable); file order when None.
    write_order: Callable[[Mapping[str, Any]], Any] | None = None
    import_refusal: str = ""

    @property
    def importable(self) -> bool:
        return self.import_row is not None

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


_DATASETS: dict[str, Dataset] = {}


def register_dataset(dataset: Dataset) -> None:
    _DATASETS[dataset.name] = dataset


def get_dataset(name: str) -> Dataset:
    try:
        return _DATASETS[name]
    except KeyError:
        raise NotFound(
            f"Unknown dataset {name!r}",
            [ErrorDetail("dataset", f"known datasets: {', '.join(sorted(_DATASETS))}")],
        ) from None


def list_datasets() -> list[Dataset]:
    """In the order they were registered: referred-to datasets before those referring to them."""
    return list(_DATASETS.values())
