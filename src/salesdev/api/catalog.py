"""The Product Catalog Management API, TMF620 v4 (``/tmf-api/productCatalogManagement/v4``).

``catalog``, ``category``, ``productSpecification``, ``productOffering`` and
``productOfferingPrice``, written through the catalogue services (which check the
``catalog`` permission family, bundle cycles, option limits and price overlaps), with
hub events (``ProductOfferingCreateEvent``, ``...AttributeValueChangeEvent``,
``...StateChangeEvent`` on ``lifecycleStatus``, ``...DeleteEvent``).

Extensions of the TMF620 shape: an offering's ``code``, ``productFamily`` and
``currency``; a price's ``productOffering`` (a price belongs to one offering here, so an
offering's ``productOfferingPrice[]`` is read-only: add a price by POSTing it). Anything
is deleted only while nothing refers to it (a catalog's categories, a category's
subcategories and offerings, a specification's offerings, an offering's prices, links,
bundles, authorisations), and a price only if it never applied; otherwise retire it with
``lifecycleStatus`` ``Retired`` or end its ``validFor``.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.api import catalog_values as cv
from salesdev.api.catalog_attributes import (
    ForeignRef,
    Nested,
    OptionalMoney,
    Quantity,
    RefList,
    forget_prices,
    links,
    period,
    prefetch_links,
    price_refs,
    remember,
)
from salesdev.api.toolkit import ApiSpec, Reference, Resource, ResourceOperations, Scalar, ValidFor
from salesdev.api.toolkit.attributes import Attr
from salesdev.api.toolkit.operations import ServiceOperations
from salesdev.api.toolkit.resource import RenderContext
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.ids import parse_id
from salesdev.db.models import (
    Catalog,
    Category,
    MarketSegment,
    ProductFamily,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    SalesChannel,
    category_offering,
    product_offering_channel,
    product_offering_market_segment,
)
from salesdev.db.query import Attribute, Filter, ListQuery, Page, paginate
from salesdev.domains.access import Family, Principal
from salesdev.domains.catalog import (
    PRICE_TYPES,
    RECURRING_PERIOD_TYPES,
    CatalogInput,
    CategoryInput,
    OfferingInput,
    PriceInput,
    SpecificationInput,
    add_price,
    create_catalog,
    create_category,
    create_offering,
    create_specification,
    delete_catalog,
    delete_category,
    delete_price,
    delete_specification,
    get_catalog_entity,
    get_offering,
    get_price,
    update_catalog,
    update_category,
    update_offering,
    update_price,
    update_specification,
)
from salesdev.domains.reference import delete_entity
from salesdev.domains.reference.vocabulary import LIFECYCLE_STATUSES

API_NAME = "productCatalogManagement"
BASE_PATH = "/tmf-api/productCatalogManagement/v4"
SALES_PATH = "/tmf-api/salesDevelopment/v1"

_TIMES: tuple[Attr, ...] = (Scalar("lastUpdate", "updated_at", "datetime", readonly=True),)


def _common(*, described: bool = True) -> tuple[Attr, ...]:
    return (
        Scalar("name", "name", required=True, max_length=200),
        *((Scalar("description", "description", filterable=False),) if described else ()),
        Scalar("lifecycleStatus", "lifecycle_status", choices=LIFECYCLE_STATUSES),
        Scalar("version", "version_label", max_length=32),
        ValidFor("valid_from", "valid_to", required=True),
    )


def _input(cls: Any, values: Mapping[str, Any]) -> Any:
    """A service input from typed domain values (only the input's own fields)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in names})


def _stored(cls: Any, row: Any) -> Any:
    """The stored row in the shape its update takes (a patch is merged into it)."""
    values = {f.name: getattr(row, f.name) for f in dataclasses.fields(cls) if hasattr(row, f.name)}
    if "characteristics" in values:
        values["characteristics"] = tuple(values["characteristics"] or ())
    return cls(**values)


# --- catalog, category, productSpecification ---------------------------------------


class StructureOperations(ResourceOperations):
    """Catalogs, categories and specifications: the structure services, one per kind."""

    can_create = can_update = can_delete = True

    def __init__(
        self,
        model: Any,
        *,
        label: str,
        input_type: Any,
        create: Any,
        update: Any,
        delete: Any,
        key: str,
    ) -> None:
        super().__init__(model, label=label)
        self.input_type, self._create, self._update, self.key = input_type, create, update, key
        self._delete = delete

    def get(self, session: Session, *, principal: Principal, entity_id: uuid.UUID) -> Any:
        return get_catalog_entity(
            session, principal=principal, model=self.model, entity_id=entity_id
        )

    def create(
        self, session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
    ) -> Any:
        typed = cv.typed_values(values)
        required = {"name": "name", "valid_from": "validFor.startDateTime"}
        if self.input_type is SpecificationInput:
            required["product_number"] = "productNumber"
        cv.require(typed, required, self.label)
        given = _input(self.input_type, typed)
        return self._create(session, principal=principal, now=now, **{self.key: given})

    def update(
        self,
        session: Session,
        *,
        principal: Principal,
        entity_id: uuid.UUID,
        changes: Mapping[str, Any],
        now: datetime,
        expected_version: int | None,
    ) -> Any:
        row = self.get(session, principal=principal, entity_id=entity_id)
        typed = cv.typed_values(changes)
        given = dataclasses.replace(
            _stored(self.input_type, row),
            **{k: v for k, v in typed.items() if k != "is_root"},
        )
        return self._update(
            session,
            principal=principal,
            now=now,
            expected_version=expected_version,
            **{f"{self.key}_id": entity_id, self.key: given},
        )

    def delete(
        self,
        session: Session,
        *,
        principal: Principal,
        entity_id: uuid.UUID,
        expected_version: int | None,
        now: datetime,
    ) -> None:
        self._delete(
            session,
            principal=principal,
            expected_version=expected_version,
            **{f"{self.key}_id": entity_id},
        )


def catalog_resource() -> Resource:
    return Resource(
        name="catalog",
        type="Catalog",
        model=Catalog,
        operations=StructureOperations(
            Catalog,
            label="Catalog",
            input_type=CatalogInput,
            create=create_catalog,
            update=update_catalog,
            delete=delete_catalog,
            key="catalog",
        ),
        family=Family.CATALOG,
        description="A collection of categories (TMF620 Catalog)",
        attributes=(*_common(), Scalar("catalogType", "catalog_type", max_length=64), *_TIMES),
    )


def category_resource() -> Resource:
    return Resource(
        name="category",
        type="Category",
        model=Category,
        operations=StructureOperations(
            Category,
            label="Category",
            input_type=CategoryInput,
            create=create_category,
            update=update_category,
            delete=delete_category,
            key="category",
        ),
        family=Family.CATALOG,
        description="A group of offerings in a catalog; parentId forms a tree (TMF620 Category)",
        attributes=(
            *_common(),
            Scalar("isRoot", "is_root", "bool", readonly=True),
            Scalar("parentId", "parent_id", "uuid", description="The parent category's id"),
            Reference("catalog", "catalog_id", target="catalog", description="Extension"),
            *_TIMES,
        ),
    )


def specification_resource() -> Resource:
    return Resource(
        name="productSpecification",
        type="ProductSpecification",
        model=ProductSpecification,
        operations=StructureOperations(
            ProductSpecification,
            label="Product specification",
            input_type=SpecificationInput,
            create=create_specification,
            update=update_specification,
            delete=delete_specification,
            key="specification",
        ),
        family=Family.CATALOG,
        description="What an offering is made of (TMF620 ProductSpecification)",
        attributes=(
            *_common(),
            Scalar("brand", "brand", max_length=100),
            Scalar("productNumber", "product_number", required=True, max_length=64),
            Scalar("isBundle", "is_bundle", "bool"),
            Scalar(
                "productSpecCharacteristic",
                "characteristics",
                "json",
                description="Characteristics as given (name, valueType, values...)",
            ),
            *_TIMES,
        ),
    )


# --- productOffering ---------------------------------------------------------------

FAMILY = ForeignRef(
    "productFamily", "family_id", ProductFamily, SALES_PATH, "productFamily", "ProductFamily",
    required=True, nullable=False, description="Extension: the product family (salesDevelopment)",
)  # fmt: skip
CHANNEL = ForeignRef(
    "channel", "channel_ids", SalesChannel, SALES_PATH, "salesChannel", "SalesChannel"
)
SEGMENT = ForeignRef(
    "marketSegment", "market_segment_ids", MarketSegment, BASE_PATH, "", "MarketSegment",
)  # fmt: skip
CATEGORY = ForeignRef("category", "category_ids", Category, BASE_PATH, "category", "Category")
OFFERING = ForeignRef(
    "productOffering", "product_offering_id", ProductOffering, BASE_PATH, "productOffering",
    "ProductOffering", required=True, nullable=False,
    description="Extension: the offering this price belongs to (fixed once created)",
)  # fmt: skip
LIST_FILTERS = {
    "category.id": (category_offering, "category_id"),
    "channel.id": (product_offering_channel, "channel_id"),
    "marketSegment.id": (product_offering_market_segment, "market_segment_id"),
}


def _bundled(entity: Any, ctx: RenderContext) -> list[dict[str, Any]]:
    shown = []
    for item in links(ctx.session, entity).bundled:
        component = ctx.session.get(ProductOffering, item.offering_id)
        lower, default, upper = item.limits()
        shown.append(
            {
                "id": str(item.offering_id),
                "href": ctx.href("productOffering", item.offering_id),
                "name": None if component is None else component.name,
                "lifecycleStatus": None if component is None else component.lifecycle_status,
                "bundledProductOfferingOption": {
                    "numberRelOfferLowerLimit": lower,
                    "numberRelOfferDefault": default,
                    "numberRelOfferUpperLimit": upper,
                    "@type": "BundledProductOfferingOption",
                },
                "@type": "BundledProductOffering",
            }
        )
    return shown


def _terms(entity: Any, ctx: RenderContext) -> list[dict[str, Any]]:
    return [
        {
            "name": term.name,
            "description": term.description,
            "duration": None
            if term.duration_amount is None
            else {"amount": term.duration_amount, "units": term.duration_units},
            "validFor": period(term.valid_from, term.valid_to),
            "@type": "ProductOfferingTerm",
        }
        for term in links(ctx.session, entity).terms
    ]


def _price_refs(entity: Any, ctx: RenderContext) -> list[dict[str, Any]]:
    return [
        {
            "id": str(price_id),
            "href": ctx.href("productOfferingPrice", price_id),
            "name": name,
            "@referredType": "ProductOfferingPrice",
        }
        for price_id, name in price_refs(ctx.session, entity.id)
    ]


_OPTION_SCHEMA = {
    "type": "object",
    "properties": {
        name: {"type": "integer"}
        for name in (
            "numberRelOfferLowerLimit",
            "numberRelOfferDefault",
            "numberRelOfferUpperLimit",
        )
    },
}
BUNDLED_SCHEMA = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "bundledProductOfferingOption": _OPTION_SCHEMA,
    },
}
TERM_SCHEMA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "duration": {
            "type": ["object", "null"],
            "properties": {"amount": {"type": "integer"}, "units": {"type": "string"}},
        },
        "validFor": {"$ref": "#/components/schemas/TimePeriod"},
    },
}


def _get_offering(session: Session, *, principal: Principal, offering_id: uuid.UUID) -> Any:
    remember(session, principal)
    return get_offering(session, principal=principal, offering_id=offering_id)


def _list_offerings(
    session: Session,
    *,
    principal: Principal,
    query: ListQuery,
    attributes: Mapping[str, Attribute],
) -> Page[Any]:
    remember(session, principal)
    statement = select(ProductOffering)
    kept: list[Filter] = []
    for flt in query.filters:
        if flt.attribute not in LIST_FILTERS:
            kept.append(flt)
            continue
        if flt.operator != "eq":
            raise InvalidInput(
                "Invalid query",
                [ErrorDetail(flt.attribute, "only equality (one id or several, comma-separated)")],
            )
        table, column = LIST_FILTERS[flt.attribute]
        ids = [parse_id(value, location=flt.attribute) for value in flt.values]
        statement = statement.where(
            ProductOffering.id.in_(
                select(table.c.product_offering_id).where(table.c[column].in_(ids))
            )
        )
    rows, count = paginate(
        statement,
        attributes=attributes,
        query=dataclasses.replace(query, filters=tuple(kept)),
        tie_breaker=ProductOffering.id,
    )
    items = list(session.scalars(rows))
    prefetch_links(session, items)
    return Page(
        items=items,
        total=session.scalar(count) or 0,
        offset=query.offset,
        limit=query.limit,
    )


def _create_offering(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    remember(session, principal)
    typed = cv.typed_values(values)
    cv.require(
        typed,
        {
            "code": "code",
            "name": "name",
            "family_id": "productFamily.id",
            "currency": "currency",
            "valid_from": "validFor.startDateTime",
        },
        "ProductOffering",
    )
    return create_offering(
        session, principal=principal, offering=_input(OfferingInput, typed), now=now
    )


def _update_offering(
    session: Session,
    *,
    principal: Principal,
    offering_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None,
) -> Any:
    remember(session, principal)
    row = get_offering(session, principal=principal, offering_id=offering_id)
    given = dataclasses.replace(links(session, row), **cv.typed_values(changes))
    return update_offering(
        session,
        principal=principal,
        offering_id=offering_id,
        offering=given,
        now=now,
        expected_version=expected_version,
    )


def _delete_offering(
    session: Session,
    *,
    principal: Principal,
    offering_id: uuid.UUID,
    expected_version: int | None,
) -> None:
    delete_entity(
        session,
        principal=principal,
        kind="product_offering",
        entity_id=offering_id,
        expected_version=expected_version,
    )


def offering_resource() -> Resource:
    return Resource(
        name="productOffering",
        type="ProductOffering",
        model=ProductOffering,
        operations=ServiceOperations(
            ProductOffering,
            "Product offering",
            key="offering_id",
            get=_get_offering,
            list=_list_offerings,
            create=_create_offering,
            update=_update_offering,
            delete=_delete_offering,
        ),
        family=Family.CATALOG,
        description=(
            "What is sold, simple or a bundle (TMF620 ProductOffering). Extensions: code, "
            "productFamily, currency. productOfferingPrice[] lists the offering's prices "
            "(read-only: POST a productOfferingPrice to add one)"
        ),
        attributes=(
            Scalar("code", "code", required=True, max_length=48, description="Extension: our key"),
            *_common(),
            Scalar("isBundle", "is_bundle", "bool"),
            Scalar("isSellable", "is_sellable", "bool"),
            Scalar("statusReason", "status_reason", max_length=200),
            Scalar("currency", "currency", required=True, description="Extension (ISO 4217)"),
            FAMILY,
            Reference(
                "productSpecification", "product_specification_id", target="productSpecification"
            ),
            RefList("category", "category_ids", CATEGORY, category_offering, "category_id"),
            RefList("channel", "channel_ids", CHANNEL, product_offering_channel, "channel_id"),
            RefList(
                "marketSegment",
                "market_segment_ids",
                SEGMENT,
                product_offering_market_segment,
                "market_segment_id",
            ),
            Nested(
                "bundledProductOffering",
                "bundled",
                _bundled,
                BUNDLED_SCHEMA,
                description="Only a bundle holds offerings; option limits default to 1/1/1",
            ),
            Nested("productOfferingTerm", "terms", _terms, TERM_SCHEMA),
            Nested(
                "productOfferingPrice",
                "prices",
                _price_refs,
                {"$ref": "#/components/schemas/EntityRef"},
                readonly=True,
            ),
            *_TIMES,
        ),
    )


# --- productOfferingPrice ----------------------------------------------------------

_PRICE_FIELDS = {f.name for f in dataclasses.fields(PriceInput)}


def _stored_price(row: ProductOfferingPrice) -> PriceInput:
    return PriceInput(**{name: getattr(row, name) for name in _PRICE_FIELDS})


def _add_price(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    typed = cv.typed_values(values)
    cv.require(
        typed,
        {
            "product_offering_id": "productOffering.id",
            "name": "name",
            "price_type": "priceType",
            "valid_from": "validFor.startDateTime",
        },
        "ProductOfferingPrice",
    )
    offering_id = typed.pop("product_offering_id")
    price = add_price(
        session,
        principal=principal,
        offering_id=offering_id,
        price=_input(PriceInput, typed),
        now=now,
    )
    forget_prices(session, offering_id)
    return price


def _update_price(
    session: Session,
    *,
    principal: Principal,
    price_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None,
) -> Any:
    if "product_offering_id" in changes:
        raise InvalidInput(
            "Invalid change of ProductOfferingPrice",
            [ErrorDetail("productOffering", "a price stays with the offering it was added to")],
        )
    row = get_price(session, principal=principal, price_id=price_id)
    given = dataclasses.replace(_stored_price(row), **cv.typed_values(changes))
    return update_price(
        session,
        principal=principal,
        price_id=price_id,
        price=given,
        now=now,
        expected_version=expected_version,
    )


def _delete_price(
    session: Session,
    *,
    principal: Principal,
    price_id: uuid.UUID,
    expected_version: int | None,
    now: datetime,
) -> None:
    offering_id = get_price(session, principal=principal, price_id=price_id).product_offering_id
    delete_price(
        session,
        principal=principal,
        price_id=price_id,
        now=now,
        expected_version=expected_version,
    )
    forget_prices(session, offering_id)


def price_resource() -> Resource:
    return Resource(
        name="productOfferingPrice",
        type="ProductOfferingPrice",
        model=ProductOfferingPrice,
        operations=ServiceOperations(
            ProductOfferingPrice,
            "Product offering price",
            key="price_id",
            get=get_price,
            create=_add_price,
            update=_update_price,
            delete=_delete_price,
        ),
        family=Family.CATALOG,
        description=(
            "One effective-dated price of an offering (TMF620 ProductOfferingPrice); two "
            "prices of the same kind of charge of one offering may not overlap; only a price "
            "that never applied (starts in the future) can be deleted"
        ),
        attributes=(
            *_common(),
            Scalar("priceType", "price_type", required=True, choices=PRICE_TYPES),
            Scalar(
                "recurringChargePeriodType", "recurring_period_type", choices=RECURRING_PERIOD_TYPES
            ),
            Scalar("recurringChargePeriodLength", "recurring_period_length", "int"),
            Quantity("unitOfMeasure", "unit_amount", "units"),
            OptionalMoney("price", "amount", "currency"),
            Scalar("percentage", "percentage", "decimal"),
            OFFERING,
            *_TIMES,
        ),
    )


def product_catalog_api() -> ApiSpec:
    return ApiSpec(API_NAME, BASE_PATH, title="Product Catalog Management (TMF620 v4)").add(
        catalog_resource(),
        category_resource(),
        specification_resource(),
        offering_resource(),
        price_resource(),
    )
