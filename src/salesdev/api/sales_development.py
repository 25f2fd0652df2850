"""The Sales Development API (``/tmf-api/salesDevelopment/v1``): reference data resources.

Each resource is derived from the reference entity's declaration (domains.reference), so
a new field there appears here, renamed to camelCase, with its type and value set.
Product offerings and their prices live in the TMF620 API (``api.catalog``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from salesdev.api.toolkit import (
    ApiSpec,
    Attr,
    Reference,
    Resource,
    Scalar,
)
from salesdev.api.toolkit.attributes import ScalarType
from salesdev.api.toolkit.operations import ServiceOperations
from salesdev.domains.reference import (
    ENTITY_KINDS,
    create_entity,
    delete_entity,
    get_entity,
    scoped_select,
    update_entity,
)

API_NAME = "salesDevelopment"
BASE_PATH = "/tmf-api/salesDevelopment/v1"

_SCALAR_TYPES: dict[str, ScalarType] = {
    "str": "str",
    "int": "int",
    "decimal": "decimal",
    "currency": "str",
    "date": "date",
    "datetime": "datetime",
    "bool": "bool",
    "tags": "tags",
}

TIMESTAMPS: tuple[Attr, ...] = (
    Scalar("creationDate", "created_at", "datetime", readonly=True),
    Scalar("lastUpdate", "updated_at", "datetime", readonly=True),
)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def reference_attributes(
    kind: str,
    *,
    names: Mapping[str, str] | None = None,
    replaced: tuple[str, ...] = (),
    extra: tuple[Attr, ...] = (),
) -> tuple[Attr, ...]:
    """The TMF attributes of a reference entity: one per declared field, unless ``replaced``
    by a composite in ``extra`` (Money, ValidFor), then creation and update times."""
    spec = ENTITY_KINDS[kind]
    columns = spec.model.__table__.c
    attributes: list[Attr] = []
    for field in spec.fields:
        if field.name in replaced:
            continue
        nullable = bool(columns[field.name].nullable)
        if field.type == "ref":
            assert field.references is not None
            name = (names or {}).get(field.name) or camel(field.name.removesuffix("_id"))
            attributes.append(
                Reference(
                    name,
                    field.name,
                    target=camel(field.references),
                    required=field.required,
                    nullable=nullable,
                )
            )
        else:
            attributes.append(
                Scalar(
                    (names or {}).get(field.name) or camel(field.name),
                    field.name,
                    _SCALAR_TYPES[field.type],
                    required=field.required,
                    nullable=nullable,
                    choices=field.choices,
                    max_length=field.max_length,
                )
            )
    return (*attributes, *extra, *TIMESTAMPS)


def reference_resource(
    kind: str,
    type_: str,
    *,
    base_type: str | None = None,
    display_attribute: str = "name",
    **options: Any,
) -> Resource:
    spec = ENTITY_KINDS[kind]
    return Resource(
        name=camel(kind),
        type=type_,
        base_type=base_type,
        model=spec.model,
        attributes=reference_attributes(kind, **options),
        # The reference service takes the kind and the id as ``entity_id`` on every call.
        operations=ServiceOperations(
            spec.model,
            spec.label,
            get=get_entity,
            select=scoped_select,
            create=create_entity,
            update=update_entity,
            delete=delete_entity,
            bound={"kind": kind},
        ),
        family=spec.family,
        display_attribute=display_attribute,
        description=f"{spec.label} (reference data)",
    )


def sales_development_api() -> ApiSpec:
    return ApiSpec(API_NAME, BASE_PATH, title="Sales Development").add(
        reference_resource("region", "Region"),
        reference_resource("product_family", "ProductFamily"),
        reference_resource("sales_channel", "SalesChannel"),
        reference_resource("partner", "Partner", base_type="PartyRole"),
        reference_resource("outlet", "Outlet"),
        reference_resource("sales_person", "SalesPerson", base_type="PartyRole"),
        reference_resource("customer", "Customer", base_type="PartyRole"),
        reference_resource("premise", "Premise", base_type="Place", display_attribute="address"),
    )
