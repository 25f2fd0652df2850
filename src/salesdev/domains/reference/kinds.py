"""Declarations of the reference entities: their fields, types, value sets and references.

One declaration per entity drives validation here, the bulk datasets, the API
resources and the console pages, so a new attribute is added in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from salesdev.db.base import Base
from salesdev.db.models import (
    Customer,
    Outlet,
    Partner,
    Premise,
    ProductFamily,
    ProductOffering,
    Region,
    SalesChannel,
    SalesPerson,
)
from salesdev.domains.access import Family
from salesdev.domains.reference import vocabulary as v
from salesdev.engine.rules import AGE_BANDS

FieldType = Literal["str", "int", "decimal", "currency", "date", "datetime", "bool", "ref", "tags"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType = "str"
    required: bool = True
    choices: tuple[str, ...] | None = None
    max_length: int | None = None
    # For type "ref": the entity kind referred to. For type "tags": the kind whose codes
    # the tags must be (checked against the table, for sets too large to list as choices).
    references: str | None = None
    label: str = ""
    # For type "decimal": the inclusive bounds.
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    @property
    def title(self) -> str:
        return self.label or self.name.removesuffix("_id").replace("_", " ").capitalize()


@dataclass(frozen=True)
class EntityKind:
    name: str
    label: str
    plural: str
    model: type[Base]
    family: Family
    fields: tuple[FieldSpec, ...]
    # A parent reference to the same kind forms a hierarchy that must stay acyclic.
    hierarchy_field: str | None = None

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


def _code() -> FieldSpec:
    return FieldSpec("code", max_length=32)


def _name() -> FieldSpec:
    return FieldSpec("name", max_length=200)


def _ref(name: str, kind: str, *, required: bool = False, label: str = "") -> FieldSpec:
    return FieldSpec(name, "ref", required=required, references=kind, label=label)


ENTITY_KINDS: dict[str, EntityKind] = {
    kind.name: kind
    for kind in (
        EntityKind(
            "region",
            "Region",
            "Regions",
            Region,
            Family.ORGANISATION,
            (_code(), _name(), _ref("parent_id", "region", label="Parent region")),
            hierarchy_field="parent_id",
        ),
        EntityKind(
            "product_family",
            "Product family",
            "Product families",
            ProductFamily,
            Family.CATALOG,
            (_code(), _name(), FieldSpec("line_of_business", choices=v.LINES_OF_BUSINESS)),
        ),
        EntityKind(
            "product_offering",
            "Product offering",
            "Product offerings",
            ProductOffering,
            Family.CATALOG,
            (
                FieldSpec("code", max_length=48),
                _name(),
                _ref("family_id", "product_family", required=True, label="Product family"),
                FieldSpec("is_bundle", "bool", required=False),
                FieldSpec("lifecycle_status", choices=v.LIFECYCLE_STATUSES, required=False),
                FieldSpec("currency", "currency"),
                FieldSpec("valid_from", "datetime"),
                FieldSpec("valid_to", "datetime", required=False),
            ),
        ),
        EntityKind(
            "sales_channel",
            "Sales channel",
            "Sales channels",
            SalesChannel,
            Family.CHANNELS,
            (
                _code(),
                _name(),
                FieldSpec("channel_type", choices=v.CHANNEL_TYPES),
                _ref("parent_id", "sales_channel", label="Parent channel"),
                FieldSpec("status", choices=v.ACTIVE_STATUSES, required=False),
                FieldSpec(
                    "segments_served",
                    "tags",
                    required=False,
                    choices=v.SEGMENTS,
                    label="Market segments served",
                ),
                FieldSpec(
                    "regions_served",
                    "tags",
                    required=False,
                    references="region",
                    label="Regions served",
                ),
                FieldSpec(
                    "cost_to_serve_percent",
                    "decimal",
                    required=False,
                    minimum=Decimal(0),
                    maximum=Decimal(100),
                    label="Cost to serve (% of revenue)",
                ),
            ),
            hierarchy_field="parent_id",
        ),
        EntityKind(
            "partner",
            "Partner",
            "Partners",
            Partner,
            Family.PARTNERS,
            (
                _code(),
                _name(),
                FieldSpec("partner_type", choices=v.PARTNER_TYPES),
                FieldSpec("tier", choices=v.PARTNER_TIERS),
                _ref("parent_id", "partner", label="Parent partner"),
                _ref("channel_id", "sales_channel", required=True, label="Sales channel"),
                _ref("region_id", "region"),
                FieldSpec("status", choices=v.PARTNER_STATUSES, required=False),
            ),
            hierarchy_field="parent_id",
        ),
        EntityKind(
            "outlet",
            "Outlet",
            "Outlets",
            Outlet,
            Family.CHANNELS,
            (
                _code(),
                _name(),
                _ref("channel_id", "sales_channel", required=True, label="Sales channel"),
                _ref("partner_id", "partner"),
                _ref("region_id", "region"),
                FieldSpec("status", choices=v.ACTIVE_STATUSES, required=False),
            ),
        ),
        EntityKind(
            "sales_person",
            "Sales person",
            "Sales people",
            SalesPerson,
            Family.ORGANISATION,
            (
                _code(),
                _name(),
                FieldSpec("role", choices=v.SALES_ROLES),
                _ref("manager_id", "sales_person", label="Manager"),
                _ref("region_id", "region"),
                _ref("channel_id", "sales_channel", label="Sales channel"),
                _ref("partner_id", "partner"),
                FieldSpec("status", choices=v.ACTIVE_STATUSES, required=False),
                FieldSpec("hired_on", "date", required=False),
            ),
            hierarchy_field="manager_id",
        ),
        EntityKind(
            "customer",
            "Customer",
            "Customers",
            Customer,
            Family.CUSTOMERS,
            (
                _code(),
                _name(),
                FieldSpec("kind", choices=v.CUSTOMER_KINDS),
                FieldSpec("segment", choices=v.SEGMENTS),
                _ref("region_id", "region"),
                FieldSpec("credit_class", choices=v.CREDIT_CLASSES),
                FieldSpec("customer_since", "date", required=False),
                FieldSpec("age_band", choices=AGE_BANDS, required=False),
                # Acquired through / assigned to: a partner user's customer scope.
                _ref("partner_id", "partner", label="Partner"),
            ),
        ),
        EntityKind(
            "premise",
            "Premise",
            "Premises",
            Premise,
            Family.CUSTOMERS,
            (
                _code(),
                _ref("customer_id", "customer"),
                _ref("region_id", "region"),
                FieldSpec("address", max_length=300),
                FieldSpec("technologies", "tags", required=False, choices=v.TECHNOLOGIES),
            ),
        ),
    )
}
