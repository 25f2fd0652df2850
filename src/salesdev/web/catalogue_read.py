"""What the catalogue pages show: an offering with everything TMF620 says about it, a
catalog's category tree with its offerings, and product specifications.

Reads go through the catalogue services where they exist (``get_offering``,
``offering_input``, ``list_offering_prices``, ``get_catalog_entity``); the names shown
next to ids are read here, a few queries per page whatever its size.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.db.models import (
    Catalog,
    Category,
    MarketSegment,
    ProductFamily,
    ProductOffering,
    ProductOfferingBundleItem,
    ProductOfferingPrice,
    ProductSpecification,
    SalesChannel,
    category_offering,
)
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.catalog import (
    TermInput,
    describe_charge,
    get_catalog_entity,
    get_offering,
    list_offering_prices,
    offering_input,
)
from salesdev.web.choices import Named, names_by_id


@dataclass(frozen=True)
class PriceLine:
    price: ProductOfferingPrice
    charge: str
    in_force: bool
    # Still open: it has no end, or its end is still ahead (it can be ended).
    can_end: bool


@dataclass(frozen=True)
class ComponentLine:
    offering: Named
    is_bundle: bool
    lower: int
    default: int
    upper: int


@dataclass(frozen=True)
class CategoryRef:
    id: uuid.UUID
    name: str
    catalog_id: uuid.UUID | None
    catalog_name: str


@dataclass(frozen=True)
class OfferingView:
    offering: ProductOffering
    family: Named | None
    specification: ProductSpecification | None
    categories: list[CategoryRef]
    channels: list[Named]
    segments: list[Named]
    terms: tuple[TermInput, ...]
    prices: list[PriceLine]
    components: list[ComponentLine]
    part_of: list[Named]


def load_offering_view(
    session: Session, *, principal: Principal, offering_id: uuid.UUID, now: datetime
) -> OfferingView:
    row = get_offering(session, principal=principal, offering_id=offering_id)
    given = offering_input(session, row)
    prices = list_offering_prices(session, principal=principal, offering_id=row.id)
    component_ids = [item.offering_id for item in given.bundled]
    item = ProductOfferingBundleItem
    bundle_ids = list(session.scalars(select(item.bundle_id).where(item.component_id == row.id)))
    offerings = names_by_id(session, ProductOffering, [*component_ids, *bundle_ids])
    bundles = set(
        session.scalars(
            select(ProductOffering.id).where(
                ProductOffering.id.in_(component_ids), ProductOffering.is_bundle.is_(True)
            )
        )
    )
    segments = names_by_id(session, MarketSegment, given.market_segment_ids)
    channels = names_by_id(session, SalesChannel, given.channel_ids)
    return OfferingView(
        offering=row,
        family=names_by_id(session, ProductFamily, [row.family_id]).get(row.family_id),
        specification=session.get(ProductSpecification, row.product_specification_id)
        if row.product_specification_id
        else None,
        categories=_category_refs(session, given.category_ids),
        channels=sorted(
            (channels[i] for i in given.channel_ids if i in channels), key=lambda n: n.name
        ),
        segments=[segments[i] for i in given.market_segment_ids if i in segments],
        terms=given.terms,
        prices=[_price_line(price, now) for price in _in_order(prices)],
        components=[
            ComponentLine(offerings[b.offering_id], b.offering_id in bundles, *b.limits())
            for b in given.bundled
            if b.offering_id in offerings
        ],
        part_of=sorted((offerings[i] for i in bundle_ids), key=lambda n: n.code),
    )


def _in_order(prices: Iterable[ProductOfferingPrice]) -> list[ProductOfferingPrice]:
    # One kind of charge together, its history oldest first.
    return sorted(
        prices,
        key=lambda p: (
            p.price_type,
            p.recurring_period_type or "",
            p.recurring_period_length or 0,
            p.units or "",
            p.valid_from,
        ),
    )


def _price_line(price: ProductOfferingPrice, now: datetime) -> PriceLine:
    charge = describe_charge(
        {
            "price_type": price.price_type,
            "recurring_period_type": price.recurring_period_type,
            "recurring_period_length": price.recurring_period_length,
            "units": price.units,
        }
    )
    started = price.valid_from <= now
    not_ended = price.valid_to is None or price.valid_to > now
    return PriceLine(price, charge, started and not_ended, not_ended)


def _category_refs(session: Session, ids: Iterable[uuid.UUID]) -> list[CategoryRef]:
    wanted = list(ids)
    if not wanted:
        return []
    rows = session.execute(
        select(Category.id, Category.name, Catalog.id, Catalog.name)
        .outerjoin(Catalog, Catalog.id == Category.catalog_id)
        .where(Category.id.in_(wanted))
        .order_by(Catalog.name, Category.name)
    )
    return [
        CategoryRef(id_, name, catalog_id, catalog_name or "")
        for id_, name, catalog_id, catalog_name in rows
    ]


# --- catalogs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogRow:
    catalog: Catalog
    categories: int


@dataclass(frozen=True)
class OfferingBrief:
    id: uuid.UUID
    code: str
    name: str
    is_bundle: bool
    lifecycle_status: str


@dataclass(frozen=True)
class CategoryNode:
    category: Category
    depth: int
    offerings: list[OfferingBrief]


@dataclass(frozen=True)
class CatalogView:
    catalog: Catalog
    nodes: list[CategoryNode]


def list_catalog_rows(session: Session, *, principal: Principal) -> list[CatalogRow]:
    authorize(principal, Family.CATALOG, "read")
    counts = dict(
        session.execute(
            select(Category.catalog_id, func.count())
            .where(Category.catalog_id.is_not(None))
            .group_by(Category.catalog_id)
        ).all()
    )
    catalogs = session.scalars(select(Catalog).order_by(Catalog.name))
    return [CatalogRow(c, counts.get(c.id, 0)) for c in catalogs]


def load_catalog_view(
    session: Session, *, principal: Principal, catalog_id: uuid.UUID
) -> CatalogView:
    catalog = get_catalog_entity(session, principal=principal, model=Catalog, entity_id=catalog_id)
    # The tree, one query per level: roots are the catalog's categories without a parent
    # (or whose parent is outside it), subcategories hang below their parent.
    in_catalog = list(
        session.scalars(
            select(Category).where(Category.catalog_id == catalog.id).order_by(Category.name)
        )
    )
    children: dict[uuid.UUID | None, list[Category]] = {}
    known = {c.id for c in in_catalog}
    for category in in_catalog:
        parent = category.parent_id if category.parent_id in known else None
        children.setdefault(parent, []).append(category)
    frontier = list(known)
    while frontier:
        below = list(
            session.scalars(
                select(Category)
                .where(Category.parent_id.in_(frontier), Category.id.not_in(known))
                .order_by(Category.name)
            )
        )
        for category in below:
            children.setdefault(category.parent_id, []).append(category)
            known.add(category.id)
        frontier = [c.id for c in below]
    offerings = _offerings_by_category(session, known)
    nodes: list[CategoryNode] = []

    def walk(parent: uuid.UUID | None, depth: int) -> None:
        for category in children.get(parent, []):
            nodes.append(CategoryNode(category, depth, offerings.get(category.id, [])))
            walk(category.id, depth + 1)

    walk(None, 0)
    return CatalogView(catalog, nodes)


def _offerings_by_category(
    session: Session, category_ids: set[uuid.UUID]
) -> dict[uuid.UUID, list[OfferingBrief]]:
    found: dict[uuid.UUID, list[OfferingBrief]] = {}
    if not category_ids:
        return found
    o = ProductOffering
    rows = session.execute(
        select(
            category_offering.c.category_id, o.id, o.code, o.name, o.is_bundle, o.lifecycle_status
        )
        .join(o, o.id == category_offering.c.product_offering_id)
        .where(category_offering.c.category_id.in_(list(category_ids)))
        .order_by(o.code)
    )
    for category_id, *offering in rows:
        found.setdefault(category_id, []).append(OfferingBrief(*offering))
    return found


# --- product specifications ------------------------------------------------------------------


@dataclass(frozen=True)
class SpecificationRow:
    specification: ProductSpecification
    offerings: int


@dataclass(frozen=True)
class SpecificationView:
    specification: ProductSpecification
    offerings: list[OfferingBrief]


def list_specification_rows(session: Session, *, principal: Principal) -> list[SpecificationRow]:
    authorize(principal, Family.CATALOG, "read")
    o = ProductOffering
    counts = dict(
        session.execute(
            select(o.product_specification_id, func.count())
            .where(o.product_specification_id.is_not(None))
            .group_by(o.product_specification_id)
        ).all()
    )
    specifications = session.scalars(
        select(ProductSpecification).order_by(ProductSpecification.product_number)
    )
    return [SpecificationRow(s, counts.get(s.id, 0)) for s in specifications]


def load_specification_view(
    session: Session, *, principal: Principal, specification_id: uuid.UUID
) -> SpecificationView:
    specification = get_catalog_entity(
        session, principal=principal, model=ProductSpecification, entity_id=specification_id
    )
    o = ProductOffering
    rows = session.execute(
        select(o.id, o.code, o.name, o.is_bundle, o.lifecycle_status)
        .where(o.product_specification_id == specification.id)
        .order_by(o.code)
    )
    return SpecificationView(specification, [OfferingBrief(*row) for row in rows])
