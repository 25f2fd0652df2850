"""The demo catalogue in the TMF620 model: specifications, the "Consumer", "Business" and
"Wholesale" catalogs with their categories, and for each offering its prices (monthly
and one-time), commitment terms, channels, market segments and bundle option limits.

Built in memory from the offering specs; ids come from a generator of their own, so the
ids of the other demo tables do not move when the catalogue grows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from salesdev.demo.catalogue import FAMILIES, OFFERINGS, OfferingSpec
from salesdev.demo.uuids import SeededUuids
from salesdev.domains.catalog import market_segment_id

Row = dict[str, Any]

CATALOGS: tuple[tuple[str, str, str], ...] = (
    ("Consumer", "Mobile, broadband, TV, devices and bundles for households", "retail"),
    ("Business", "Connectivity and communication for companies and the public sector", "business"),
    ("Wholesale", "Offerings resold by MVNOs and wholesale partners", "wholesale"),
)
# Channels (by code) where offerings of each audience are marketed.
_CONSUMER_CHANNELS = ("RETAIL", "FRANCHISE", "MASTER_AGENT", "SUB_DEALER", "ONLINE", "TELESALES")
_BUSINESS_CHANNELS = ("B2B_FIELD", "TELESALES", "ONLINE")
_SEGMENTS = {
    "consumer": ("consumer",),
    "business": ("small_business", "enterprise", "public_sector"),
    "any": ("consumer", "small_business", "enterprise", "public_sector"),
}
# Multi-SIM cards in the family bundle: none to four, one by default.
_OPTION_LIMITS = {("CB-FAMILY", "AO-MULTISIM"): (0, 1, 4)}


@dataclass
class CatalogueRows:
    specifications: list[Row] = field(default_factory=list)
    catalogs: list[Row] = field(default_factory=list)
    categories: list[Row] = field(default_factory=list)
    category_offerings: list[Row] = field(default_factory=list)
    offering_channels: list[Row] = field(default_factory=list)
    offering_segments: list[Row] = field(default_factory=list)
    terms: list[Row] = field(default_factory=list)
    prices: list[Row] = field(default_factory=list)


def specification_ids(seed: int) -> dict[str, uuid.UUID]:
    """One product specification per family, by family code."""
    ids = SeededUuids(np.random.default_rng([seed, 7]))
    return {family.code: ids.one() for family in FAMILIES}


def build_catalogue(
    *,
    seed: int,
    now: datetime,
    catalogue_from: datetime,
    offering_rows: list[Row],
    channel_ids: dict[str, uuid.UUID],
    specifications: dict[str, uuid.UUID],
) -> CatalogueRows:
    ids = SeededUuids(np.random.default_rng([seed, 8]))
    stamp = {"created_at": now, "updated_at": now, "version": 1}
    rows = CatalogueRows()
    for family in FAMILIES:
        rows.specifications.append(
            {
                "id": specifications[family.code],
                "name": family.name,
                "description": f"{family.name} as the network delivers it",
                "brand": "Alpenfunk",
                "product_number": f"SPEC-{family.code}",
                "is_bundle": family.code == "CONVERGENT",
                "lifecycle_status": "Active",
                "version_label": "1.0",
                "valid_from": catalogue_from,
                "valid_to": None,
                "characteristics": [{"name": "lineOfBusiness", "value": family.line_of_business}],
                **stamp,
            }
        )
    category: dict[tuple[str, str], uuid.UUID] = {}
    for name, description, catalog_type in CATALOGS:
        catalog_id = ids.one()
        rows.catalogs.append(
            {
                "id": catalog_id,
                "name": name,
                "description": description,
                "catalog_type": catalog_type,
                "lifecycle_status": "Active",
                "version_label": "1.0",
                "valid_from": catalogue_from,
                "valid_to": None,
                **stamp,
            }
        )
        for family in FAMILIES:
            category[(name, family.code)] = ids.one()
            rows.categories.append(
                {
                    "id": category[(name, family.code)],
                    "name": family.name,
                    "description": "",
                    "is_root": True,
                    "parent_id": None,
                    "catalog_id": catalog_id,
                    "lifecycle_status": "Active",
                    "version_label": "1.0",
                    "valid_from": catalogue_from,
                    "valid_to": None,
                    **stamp,
                }
            )
    family_months = {family.code: family.contract_months for family in FAMILIES}
    for spec, offering in zip(OFFERINGS, offering_rows, strict=True):
        offering_id = offering["id"]
        for catalog in _catalogs(spec):
            rows.category_offerings.append(
                {
                    "category_id": category[(catalog, spec.family)],
                    "product_offering_id": offering_id,
                }
            )
        rows.offering_channels += [
            {"product_offering_id": offering_id, "channel_id": channel_ids[code]}
            for code in _channels(spec)
        ]
        rows.offering_segments += [
            {"product_offering_id": offering_id, "market_segment_id": market_segment_id(code)}
            for code in _SEGMENTS[spec.segment]
        ]
        for position, months in enumerate(m for m in family_months[spec.family] if m):
            rows.terms.append(
                {
                    "id": ids.one(),
                    "product_offering_id": offering_id,
                    "position": position,
                    "name": f"{months}-month commitment",
                    "description": f"Minimum term of {months} months",
                    "duration_amount": months,
                    "duration_units": "month",
                    "valid_from": None,
                    "valid_to": None,
                }
            )
        rows.prices += _prices(spec, offering, ids, stamp)
    return rows


def option_limits(bundle: str, component: str) -> tuple[int, int, int]:
    """(lower, default, upper) of a bundle's component: exactly one unless stated."""
    return _OPTION_LIMITS.get((bundle, component), (1, 1, 1))


def _catalogs(spec: OfferingSpec) -> tuple[str, ...]:
    if spec.segment == "business":
        return ("Business",)
    if spec.segment == "any":
        return ("Consumer", "Business")
    if spec.family == "MOBILE_PREPAID":
        return ("Consumer", "Wholesale")
    return ("Consumer",)


def _channels(spec: OfferingSpec) -> tuple[str, ...]:
    channels: tuple[str, ...] = ()
    if spec.segment in ("consumer", "any"):
        channels += _CONSUMER_CHANNELS
    if spec.segment in ("business", "any"):
        channels += tuple(c for c in _BUSINESS_CHANNELS if c not in channels)
    if spec.family == "DEVICE":
        channels += ("MARKETPLACE",)
    if spec.family == "MOBILE_PREPAID":
        channels += ("WHOLESALE",)
    return channels


def _prices(spec: OfferingSpec, offering: Row, ids: SeededUuids, stamp: Row) -> list[Row]:
    found = []
    for price_type, name, amount in (
        ("recurring", "Monthly charge", spec.recurring),
        ("oneTime", "Connection fee" if spec.family != "DEVICE" else "Device price", spec.one_time),
    ):
        if not amount:
            continue  # free by design: no price of that kind
        recurring = price_type == "recurring"
        found.append(
            {
                "id": ids.one(),
                "product_offering_id": offering["id"],
                "name": name,
                "description": "",
                "version_label": "1.0",
                "price_type": price_type,
                "recurring_period_type": "month" if recurring else None,
                "recurring_period_length": 1 if recurring else None,
                "unit_amount": None,
                "units": None,
                "amount": amount,
                "currency": offering["currency"],
                "percentage": None,
                "lifecycle_status": "Active",
                "valid_from": offering["valid_from"],
                "valid_to": None,
                **stamp,
            }
        )
    return found
