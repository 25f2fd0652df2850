"""The declared attribute vocabulary that conditions are validated against.

An :class:`Attribute` has a dotted name (``customer.segment``), a type, a label and
description for people, and optionally a closed set of values. A
:class:`Vocabulary` is a set of attributes; :data:`SALE_VOCABULARY` is the one
every sale rule (prices, eligibility, recommendations) is written in.

The closed value sets are copies of the reference data's (``salesdev.engine``
imports nothing above ``core``); a unit test keeps them equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Final, Literal

AttributeType = Literal["string", "integer", "decimal", "boolean", "date", "string_set"]
ATTRIBUTE_TYPES: Final[tuple[AttributeType, ...]] = (
    "string",
    "integer",
    "decimal",
    "boolean",
    "date",
    "string_set",
)

Operator = Literal[
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "in",
    "not_in",
    "between",
    "contains",
    "contains_any",
    "contains_all",
    "is_set",
    "is_not_set",
]
OPERATORS: Final[tuple[Operator, ...]] = (
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "in",
    "not_in",
    "between",
    "contains",
    "contains_any",
    "contains_all",
    "is_set",
    "is_not_set",
)
# Which operators apply to which attribute type (in this order in pickers).
OPERATORS_BY_TYPE: Final[Mapping[AttributeType, tuple[Operator, ...]]] = {
    "string": ("eq", "ne", "in", "not_in", "is_set", "is_not_set"),
    "integer": (
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "in",
        "not_in",
        "between",
        "is_set",
        "is_not_set",
    ),
    "decimal": ("eq", "ne", "lt", "le", "gt", "ge", "between", "is_set", "is_not_set"),
    "boolean": ("eq", "ne", "is_set", "is_not_set"),
    "date": ("eq", "ne", "lt", "le", "gt", "ge", "between", "is_set", "is_not_set"),
    "string_set": ("contains", "contains_any", "contains_all", "is_set", "is_not_set"),
}
# How each operator reads in a sentence (``describe``) and in the editor.
OPERATOR_LABELS: Final[Mapping[Operator, str]] = {
    "eq": "is",
    "ne": "is not",
    "lt": "is less than",
    "le": "is at most",
    "gt": "is more than",
    "ge": "is at least",
    "in": "is one of",
    "not_in": "is none of",
    "between": "is from (inclusive) to (exclusive)",
    "contains": "includes",
    "contains_any": "includes any of",
    "contains_all": "includes all of",
    "is_set": "is known",
    "is_not_set": "is unknown",
}


@dataclass(frozen=True)
class Attribute:
    name: str
    type: AttributeType
    label: str
    description: str
    values: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.type not in ATTRIBUTE_TYPES:
            raise ValueError(f"unknown attribute type {self.type!r}")
        if self.values is not None and self.type not in ("string", "string_set"):
            raise ValueError("only string and string_set attributes have closed value sets")

    @property
    def operators(self) -> tuple[Operator, ...]:
        return OPERATORS_BY_TYPE[self.type]

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "type": self.type,
            "label": self.label,
            "description": self.description,
            "values": list(self.values) if self.values is not None else None,
            "operators": list(self.operators),
        }


class Vocabulary:
    """An immutable, ordered set of attributes, looked up by name."""

    __slots__ = ("_attributes",)

    def __init__(self, attributes: Iterable[Attribute]) -> None:
        by_name: dict[str, Attribute] = {}
        for attribute in attributes:
            if attribute.name in by_name:
                raise ValueError(f"attribute {attribute.name!r} is declared twice")
            by_name[attribute.name] = attribute
        self._attributes: Mapping[str, Attribute] = by_name

    def __contains__(self, name: object) -> bool:
        return name in self._attributes

    def __iter__(self) -> Iterator[Attribute]:
        return iter(self._attributes.values())

    def __len__(self) -> int:
        return len(self._attributes)

    def get(self, name: str) -> Attribute | None:
        return self._attributes.get(name)

    def __getitem__(self, name: str) -> Attribute:
        return self._attributes[name]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._attributes)

    def suggest(self, name: str) -> list[str]:
        """Declared names close to ``name`` (for "did you mean" messages)."""
        return get_close_matches(name, list(self._attributes), n=3, cutoff=0.8)

    def extend(self, attributes: Iterable[Attribute]) -> Vocabulary:
        return Vocabulary([*self, *attributes])

    def to_json(self) -> dict[str, object]:
        """What the console editor needs: attributes, and operator labels."""
        return {
            "attributes": [a.to_json() for a in self],
            "operators": {op: OPERATOR_LABELS[op] for op in OPERATORS},
        }


# Closed value sets (copies of salesdev.domains.reference.vocabulary; kept equal by a test).
CUSTOMER_KINDS: Final = ("customer", "prospect")
SEGMENTS: Final = ("consumer", "small_business", "enterprise", "public_sector")
CREDIT_CLASSES: Final = ("A", "B", "C", "D")
TECHNOLOGIES: Final = ("fibre", "dsl", "fwa", "5g", "cable")
CHANNEL_TYPES: Final = (
    "own_retail",
    "franchise_dealer",
    "master_agent",
    "sub_dealer",
    "online",
    "telesales",
    "b2b_field",
    "wholesale",
    "marketplace",
)
PARTNER_TYPES: Final = (
    "master_agent",
    "dealer",
    "sub_dealer",
    "franchisee",
    "wholesale_reseller",
    "marketplace",
)
PARTNER_TIERS: Final = ("gold", "silver", "bronze")
# Age bands of consumer customers (declared here; the reference data uses this tuple).
AGE_BANDS: Final = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")


def _a(
    name: str,
    type_: AttributeType,
    label: str,
    description: str,
    values: tuple[str, ...] | None = None,
) -> Attribute:
    return Attribute(name, type_, label, description, values)


SALE_VOCABULARY: Final[Vocabulary] = Vocabulary(
    [
        _a("customer.code", "string", "Customer code", "The customer's code."),
        _a("customer.kind", "string", "Customer kind", "Customer or prospect.", CUSTOMER_KINDS),
        _a("customer.segment", "string", "Customer segment", "Market segment.", SEGMENTS),
        _a(
            "customer.credit_class",
            "string",
            "Credit class",
            "Credit class, A (best) to D.",
            CREDIT_CLASSES,
        ),
        _a(
            "customer.tenure_months",
            "integer",
            "Tenure (months)",
            "Whole months from the customer's start date to the sale date.",
        ),
        _a(
            "customer.age_band",
            "string",
            "Age band",
            "Age band of a consumer customer.",
            AGE_BANDS,
        ),
        _a("customer.region", "string", "Customer region", "Region code of the customer."),
        _a(
            "customer.products",
            "string_set",
            "Installed products",
            "Offering codes the customer has at the sale date (installed base).",
        ),
        _a(
            "customer.product_families",
            "string_set",
            "Installed product families",
            "Product family codes of the customer's installed base at the sale date.",
        ),
        _a("premise.region", "string", "Premise region", "Region code of the premise."),
        _a(
            "premise.technologies",
            "string_set",
            "Serviceable technologies",
            "Technologies that can serve the premise.",
            TECHNOLOGIES,
        ),
        _a("channel.code", "string", "Channel code", "The selling channel's code."),
        _a("channel.type", "string", "Channel type", "The selling channel's type.", CHANNEL_TYPES),
        _a("partner.code", "string", "Partner code", "The selling partner's code."),
        _a("partner.tier", "string", "Partner tier", "The selling partner's tier.", PARTNER_TIERS),
        _a("partner.type", "string", "Partner type", "The selling partner's type.", PARTNER_TYPES),
        _a("offering.code", "string", "Offering code", "The product offering's code."),
        _a(
            "offering.family",
            "string",
            "Offering family",
            "Product family code of the offering.",
        ),
        _a("offering.is_bundle", "boolean", "Offering is a bundle", "Whether it is a bundle."),
        _a("sale.date", "date", "Sale date", "The date of the sale (UTC)."),
        _a("sale.quantity", "integer", "Quantity", "How many units are sold."),
    ]
)
