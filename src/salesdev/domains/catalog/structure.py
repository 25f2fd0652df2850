"""Catalogs, categories and product specifications (TMF620), effective-dated and versioned."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import Conflict, ErrorDetail, InvalidInput, NotFound
from salesdev.core.periods import require_aware
from salesdev.db.models import Catalog, Category, ProductSpecification
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.catalog.common import (
    check_lifecycle,
    check_text,
    check_validity,
    check_version,
)


@dataclass(frozen=True)
class CatalogInput:
    name: str
    valid_from: datetime
    valid_to: datetime | None = None
    description: str = ""
    catalog_type: str = ""
    lifecycle_status: str = "Active"
    version_label: str = "1.0"


@dataclass(frozen=True)
class CategoryInput:
    name: str
    valid_from: datetime
    valid_to: datetime | None = None
    description: str = ""
    parent_id: uuid.UUID | None = None
    catalog_id: uuid.UUID | None = None
    lifecycle_status: str = "Active"
    version_label: str = "1.0"

    @property
    def is_root(self) -> bool:
        return self.parent_id is None


@dataclass(frozen=True)
class SpecificationInput:
    name: str
    product_number: str
    valid_from: datetime
    valid_to: datetime | None = None
    description: str = ""
    brand: str = ""
    is_bundle: bool = False
    lifecycle_status: str = "Active"
    version_label: str = "1.0"
    characteristics: tuple[dict[str, Any], ...] = field(default=())


Entity = TypeVar("Entity", Catalog, Category, ProductSpecification)
Input = CatalogInput | CategoryInput | SpecificationInput


def create_catalog(
    session: Session, *, principal: Principal, catalog: CatalogInput, now: datetime
) -> Catalog:
    return _create(session, principal, Catalog, catalog, now, _check_catalog)


def update_catalog(
    session: Session,
    *,
    principal: Principal,
    catalog_id: uuid.UUID,
    catalog: CatalogInput,
    now: datetime,
    expected_version: int | None = None,
) -> Catalog:
    return _update(
        session, principal, Catalog, catalog_id, catalog, now, expected_version, _check_catalog
    )


def create_category(
    session: Session, *, principal: Principal, category: CategoryInput, now: datetime
) -> Category:
    return _create(session, principal, Category, category, now, _check_category)


def update_category(
    session: Session,
    *,
    principal: Principal,
    category_id: uuid.UUID,
    category: CategoryInput,
    now: datetime,
    expected_version: int | None = None,
) -> Category:
    return _update(
        session, principal, Category, category_id, category, now, expected_version, _check_category
    )


def create_specification(
    session: Session, *, principal: Principal, specification: SpecificationInput, now: datetime
) -> ProductSpecification:
    return _create(
        session, principal, ProductSpecification, specification, now, _check_specification
    )


def update_specification(
    session: Session,
    *,
    principal: Principal,
    specification_id: uuid.UUID,
    specification: SpecificationInput,
    now: datetime,
    expected_version: int | None = None,
) -> ProductSpecification:
    return _update(
        session,
        principal,
        ProductSpecification,
        specification_id,
        specification,
        now,
        expected_version,
        _check_specification,
    )


def get_catalog_entity(
    session: Session, *, principal: Principal, model: type[Entity], entity_id: uuid.UUID
) -> Entity:
    authorize(principal, Family.CATALOG, "read")
    row = session.get(model, entity_id)
    if row is None:
        raise NotFound(f"{_label(model)} {entity_id} does not exist")
    return row


def _label(model: type[Any]) -> str:
    return {
        Catalog: "Catalog",
        Category: "Category",
        ProductSpecification: "Product specification",
    }[model]


def _values(given: Input) -> dict[str, Any]:
    values = {f.name: getattr(given, f.name) for f in fields(given)}
    if isinstance(given, CategoryInput):
        values["is_root"] = given.is_root
    if isinstance(given, SpecificationInput):
        values["characteristics"] = [dict(item) for item in given.characteristics]
    return values


def _create(
    session: Session,
    principal: Principal,
    model: type[Entity],
    given: Any,
    now: datetime,
    check: Any,
) -> Entity:
    authorize(principal, Family.CATALOG, "write")
    require_aware(now, location="now")
    entity_id = uuid.uuid4()
    check(session, given, entity_id)
    row = model(id=entity_id, created_at=now, updated_at=now, **_values(given))
    session.add(row)
    session.flush()
    return row


def _update(
    session: Session,
    principal: Principal,
    model: type[Entity],
    entity_id: uuid.UUID,
    given: Any,
    now: datetime,
    expected_version: int | None,
    check: Any,
) -> Entity:
    row = get_catalog_entity(session, principal=principal, model=model, entity_id=entity_id)
    authorize(principal, Family.CATALOG, "write")
    require_aware(now, location="now")
    check_version(f"{_label(model)} {row.name!r}", row, expected_version)
    check(session, given, row.id)
    changed = {k: v for k, v in _values(given).items() if getattr(row, k) != v}
    for name, value in changed.items():
        setattr(row, name, value)
    if changed:
        row.updated_at = now
        session.flush()
    return row


def _common(given: Any, errors: list[ErrorDetail]) -> None:
    check_text("name", given.name, errors, max_length=200, required=True)
    check_text("version", given.version_label, errors, max_length=32)
    check_lifecycle(given.lifecycle_status, errors)
    check_validity(given.valid_from, given.valid_to, errors)


def _check_catalog(session: Session, given: CatalogInput, entity_id: uuid.UUID) -> None:
    errors: list[ErrorDetail] = []
    _common(given, errors)
    check_text("catalogType", given.catalog_type, errors, max_length=64)
    if errors:
        raise InvalidInput("Invalid catalog", errors)
    owner = session.scalar(select(Catalog.id).where(Catalog.name == given.name))
    if owner is not None and owner != entity_id:
        raise Conflict(
            f"A catalog named {given.name!r} already exists",
            [ErrorDetail("name", "must be unique")],
        )


def _check_category(session: Session, given: CategoryInput, entity_id: uuid.UUID) -> None:
    errors: list[ErrorDetail] = []
    _common(given, errors)
    if given.catalog_id is not None and session.get(Catalog, given.catalog_id) is None:
        errors.append(ErrorDetail("catalog.id", f"no catalog with id {given.catalog_id}"))
    if given.parent_id is not None:
        if session.get(Category, given.parent_id) is None:
            errors.append(ErrorDetail("parentId", f"no category with id {given.parent_id}"))
        elif _is_descendant(session, given.parent_id, entity_id):
            errors.append(
                ErrorDetail("parentId", "cannot be the category itself or one of its subcategories")
            )
    if errors:
        raise InvalidInput("Invalid category", errors)
    owner = session.scalar(
        select(Category.id).where(
            Category.name == given.name,
            Category.catalog_id.is_(None)
            if given.catalog_id is None
            else Category.catalog_id == given.catalog_id,
        )
    )
    if owner is not None and owner != entity_id:
        raise Conflict(
            f"The catalog already has a category named {given.name!r}",
            [ErrorDetail("name", "must be unique in its catalog")],
        )


def _is_descendant(session: Session, candidate: uuid.UUID, ancestor: uuid.UUID) -> bool:
    """Whether walking up from ``candidate`` reaches ``ancestor`` (a cycle if it became the parent)."""
    seen: set[uuid.UUID] = set()
    current: uuid.UUID | None = candidate
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = session.scalar(select(Category.parent_id).where(Category.id == current))
    return False


def _check_specification(session: Session, given: SpecificationInput, entity_id: uuid.UUID) -> None:
    errors: list[ErrorDetail] = []
    _common(given, errors)
    check_text("productNumber", given.product_number, errors, max_length=64, required=True)
    check_text("brand", given.brand, errors, max_length=100)
    for index, item in enumerate(given.characteristics):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("name"), str)
            or not item["name"].strip()
        ):
            errors.append(ErrorDetail(f"productSpecCharacteristic[{index}].name", "is required"))
    if errors:
        raise InvalidInput("Invalid product specification", errors)
    owner = session.scalar(
        select(ProductSpecification.id).where(
            ProductSpecification.product_number == given.product_number
        )
    )
    if owner is not None and owner != entity_id:
        raise Conflict(
            f"A product specification with number {given.product_number!r} already exists",
            [ErrorDetail("productNumber", "must be unique")],
        )
