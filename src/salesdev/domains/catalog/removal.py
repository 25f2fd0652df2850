"""Deleting catalogue structure and prices (TMF620 DELETE), only when nothing is lost.

A catalog, category or specification goes only while nothing refers to it; a price only
if it never applied: history is never rewritten, so a price that was ever in force is
ended through its ``validFor`` instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from salesdev.core.errors import Conflict
from salesdev.core.periods import require_aware
from salesdev.db.models import (
    Catalog,
    Category,
    ProductOffering,
    ProductSpecification,
    category_offering,
)
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.catalog.common import check_version
from salesdev.domains.catalog.prices import get_price
from salesdev.domains.catalog.structure import get_catalog_entity

# How many offering codes a refusal names before it only counts the rest.
_NAMED = 5


def delete_catalog(
    session: Session,
    *,
    principal: Principal,
    catalog_id: uuid.UUID,
    expected_version: int | None = None,
) -> None:
    row = _writable(session, principal, Catalog, catalog_id, expected_version)
    held = _count(session, select(Category.id).where(Category.catalog_id == row.id))
    if held:
        raise Conflict(f"Catalog {row.name!r} still holds {_many(held, 'category')}")
    _remove(session, row, f"Catalog {row.name!r}")


def delete_category(
    session: Session,
    *,
    principal: Principal,
    category_id: uuid.UUID,
    expected_version: int | None = None,
) -> None:
    row = _writable(session, principal, Category, category_id, expected_version)
    subcategories = _count(session, select(Category.id).where(Category.parent_id == row.id))
    offerings = _count(
        session,
        select(category_offering.c.product_offering_id).where(
            category_offering.c.category_id == row.id
        ),
    )
    held = [
        _many(n, noun) for n, noun in ((subcategories, "subcategory"), (offerings, "offering")) if n
    ]
    if held:
        raise Conflict(f"Category {row.name!r} still holds {' and '.join(held)}")
    _remove(session, row, f"Category {row.name!r}")


def delete_specification(
    session: Session,
    *,
    principal: Principal,
    specification_id: uuid.UUID,
    expected_version: int | None = None,
) -> None:
    row = _writable(session, principal, ProductSpecification, specification_id, expected_version)
    codes = session.scalars(
        select(ProductOffering.code)
        .where(ProductOffering.product_specification_id == row.id)
        .order_by(ProductOffering.code)
    ).all()
    if codes:
        raise Conflict(f"Product specification {row.name!r} is still used by {_offerings(codes)}")
    _remove(session, row, f"Product specification {row.name!r}")


def delete_price(
    session: Session,
    *,
    principal: Principal,
    price_id: uuid.UUID,
    now: datetime,
    expected_version: int | None = None,
) -> None:
    """Delete a price that never applied (it starts after ``now``)."""
    row = get_price(session, principal=principal, price_id=price_id)
    authorize(principal, Family.CATALOG, "write")
    require_aware(now, location="now")
    label = f"Product offering price {row.name!r}"
    check_version(label, row, expected_version)
    if row.valid_from <= now:
        code = session.scalar(
            select(ProductOffering.code).where(ProductOffering.id == row.product_offering_id)
        )
        if row.valid_to is None or row.valid_to > now:
            raise Conflict(f"{label} is in force for offering {code}: end it (validFor) instead")
        raise Conflict(
            f"{label} was in force for offering {code} until {row.valid_to.isoformat()}: "
            "its history is kept"
        )
    _remove(session, row, label)


def _writable(
    session: Session,
    principal: Principal,
    model: Any,
    entity_id: uuid.UUID,
    expected_version: int | None,
) -> Any:
    row = get_catalog_entity(session, principal=principal, model=model, entity_id=entity_id)
    authorize(principal, Family.CATALOG, "write")
    label = {Catalog: "Catalog", Category: "Category"}.get(model, "Product specification")
    check_version(f"{label} {row.name!r}", row, expected_version)
    return row


def _count(session: Session, referring: Any) -> int:
    return session.scalar(select(func.count()).select_from(referring.subquery())) or 0


def _many(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{count} {plural}"


def _offerings(codes: Sequence[str]) -> str:
    if len(codes) == 1:
        return f"offering {codes[0]}"
    shown = ", ".join(codes[:_NAMED])
    more = f" and {len(codes) - _NAMED} more" if len(codes) > _NAMED else ""
    return f"{len(codes)} offerings ({shown}{more})"


def _remove(session: Session, row: Any, label: str) -> None:
    # The checks above name the usual references; the savepoint catches any other
    # foreign key (added later, or written concurrently) without losing the transaction.
    try:
        with session.begin_nested():
            session.delete(row)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"{label} is still referred to by other records and cannot be deleted"
        ) from None
