"""A small selling world for the eligibility and qualification tests.

Channel RET (partner P1 in it) and channel ONL (partner P2); offerings of four families,
each FIBRE/MOBILE/ENT/ADDON offering authorised channel-wide in RET except UNAUTH and
OLD-retired; customers ADA (consumer, A, 65+), BOB (consumer, C, 25-34, has FIB-100) and
ACME (enterprise, B); premises PF (fibre, dsl), PD (dsl) and P5 (5g, fwa); and the six
demo-like eligibility rules.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from salesdev.db.models import (
    ChannelAuthorisation,
    Customer,
    Partner,
    Premise,
    ProductFamily,
    ProductOffering,
    ProductOfferingPrice,
    Region,
    SalesChannel,
)
from salesdev.db.models.customers import InstalledProduct
from salesdev.domains.access import SYSTEM
from salesdev.domains.eligibility import RuleInput, create_rule
from tests.conftest import T0

SETUP = datetime(2025, 12, 1, tzinfo=UTC)

OFFERINGS: dict[str, tuple[str, str, str]] = {
    # code: (family, monthly price, lifecycle)
    "FIB-100": ("FIBRE", "30", "Active"),
    "FIB-500": ("FIBRE", "45", "Active"),
    "FIB-1G": ("FIBRE", "60", "Active"),
    "MOB-S": ("MOBILE", "10", "Active"),
    "MOB-SENIOR": ("MOBILE", "8", "Active"),
    "MOB-5G": ("MOBILE", "25", "Active"),
    "HANDSET-FIN": ("MOBILE", "20", "Active"),
    "ENT-LINK": ("ENT", "200", "Active"),
    "TV-ADDON": ("ADDON", "5", "Active"),
    "OLD": ("MOBILE", "9", "Retired"),
    "UNAUTH": ("MOBILE", "12", "Active"),
}

RULES: list[dict[str, Any]] = [
    {
        "code": "FIBRE-TECH",
        "name": "Fibre needs fibre at the premise",
        "kind": "premise",
        "applies_to": "family",
        "family": "FIBRE",
        "condition": {"attribute": "premise.technologies", "op": "contains", "value": "fibre"},
        "reason_code": "NO_FIBRE",
        "label": "Fibre is not available at this address",
    },
    {
        "code": "ENT-SEGMENT",
        "name": "Enterprise offers for enterprises",
        "kind": "customer",
        "applies_to": "family",
        "family": "ENT",
        "condition": {"attribute": "customer.segment", "op": "eq", "value": "enterprise"},
        "reason_code": "SEGMENT",
        "label": "Only for enterprise customers",
    },
    {
        "code": "HANDSET-CREDIT",
        "name": "Handset financing needs good credit",
        "kind": "customer",
        "applies_to": "offering",
        "offering": "HANDSET-FIN",
        "condition": {"attribute": "customer.credit_class", "op": "in", "value": ["A", "B"]},
        "reason_code": "CREDIT_CLASS",
        "label": "Handset financing needs credit class A or B",
    },
    {
        "code": "SENIOR-AGE",
        "name": "Senior plan from 65",
        "kind": "customer",
        "applies_to": "offering",
        "offering": "MOB-SENIOR",
        "condition": {"attribute": "customer.age_band", "op": "eq", "value": "65+"},
        "reason_code": "AGE_BAND",
        "label": "The senior plan is for customers aged 65 or more",
    },
    {
        "code": "ADDON-BASE",
        "name": "TV add-on needs a fibre line",
        "kind": "customer",
        "applies_to": "offering",
        "offering": "TV-ADDON",
        "condition": {
            "attribute": "customer.product_families",
            "op": "contains",
            "value": "FIBRE",
        },
        "reason_code": "BASE_PRODUCT",
        "label": "The TV add-on needs a fibre line in the installed base",
    },
    {
        "code": "5G-PREMISE",
        "name": "5G needs 5G coverage",
        "kind": "premise",
        "applies_to": "offering",
        "offering": "MOB-5G",
        "condition": {"attribute": "premise.technologies", "op": "contains", "value": "5g"},
        "reason_code": "NO_5G",
        "label": "No 5G coverage at this address",
    },
]


@dataclass
class World:
    ids: dict[str, uuid.UUID] = field(default_factory=dict)

    def __getitem__(self, name: str) -> uuid.UUID:
        return self.ids[name]


def _stamp(row: Any) -> Any:
    row.created_at = SETUP
    row.updated_at = SETUP
    return row


def build_world(session: Session, *, rules: bool = True) -> World:
    world = World()
    ids = world.ids
    for code in ("N", "S"):
        region = _stamp(Region(code=code, name=f"Region {code}"))
        session.add(region)
        session.flush()
        ids[f"region:{code}"] = region.id
    for code, kind in (("RET", "own_retail"), ("ONL", "online")):
        channel = _stamp(SalesChannel(code=code, name=f"Channel {code}", channel_type=kind))
        session.add(channel)
        session.flush()
        ids[code] = channel.id
    for code, channel_code in (("P1", "RET"), ("P2", "ONL")):
        partner = _stamp(
            Partner(
                code=code,
                name=f"Partner {code}",
                partner_type="dealer",
                tier="gold",
                channel_id=ids[channel_code],
            )
        )
        session.add(partner)
        session.flush()
        ids[code] = partner.id
    for code in ("FIBRE", "MOBILE", "ENT", "ADDON"):
        family = _stamp(ProductFamily(code=code, name=code.title(), line_of_business="x"))
        session.add(family)
        session.flush()
        ids[f"family:{code}"] = family.id
    for code, (family_code, monthly, lifecycle) in OFFERINGS.items():
        offering = _stamp(
            ProductOffering(
                code=code,
                name=f"Offering {code}",
                family_id=ids[f"family:{family_code}"],
                lifecycle_status=lifecycle,
                currency="EUR",
                valid_from=SETUP,
            )
        )
        session.add(offering)
        session.flush()
        ids[code] = offering.id
        session.add(
            _stamp(
                ProductOfferingPrice(
                    product_offering_id=offering.id,
                    name="Monthly",
                    price_type="recurring",
                    recurring_period_type="month",
                    recurring_period_length=1,
                    amount=Decimal(monthly),
                    currency="EUR",
                    valid_from=SETUP,
                )
            )
        )
        if code != "UNAUTH":
            session.add(
                _stamp(
                    ChannelAuthorisation(
                        channel_id=ids["RET"],
                        product_offering_id=offering.id,
                        valid_from=SETUP,
                        prerequisites=[],
                        status="active",
                    )
                )
            )
    customers = (
        ("ADA", "consumer", "A", "65+"),
        ("BOB", "consumer", "C", "25-34"),
        ("ACME", "enterprise", "B", None),
    )
    for code, segment, credit, age in customers:
        customer = _stamp(
            Customer(
                code=code,
                name=f"Customer {code}",
                kind="customer",
                segment=segment,
                credit_class=credit,
                age_band=age,
                region_id=ids["region:N"],
                customer_since=date(2020, 1, 1),
            )
        )
        session.add(customer)
        session.flush()
        ids[code] = customer.id
    for code, technologies in (("PF", "fibre,dsl"), ("PD", "dsl"), ("P5", "5g,fwa")):
        premise = _stamp(
            Premise(
                code=code,
                address=f"{code} Main Street",
                technologies=technologies,
                region_id=ids["region:N"],
            )
        )
        session.add(premise)
        session.flush()
        ids[code] = premise.id
    session.add(
        _stamp(
            InstalledProduct(
                customer_id=ids["BOB"], product_offering_id=ids["FIB-100"], valid_from=SETUP
            )
        )
    )
    session.flush()
    if rules:
        for spec in RULES:
            create_rule(session, principal=SYSTEM, rule=rule_input(world, spec), now=SETUP)
    return world


def rule_input(world: World, spec: dict[str, Any]) -> RuleInput:
    return RuleInput(
        code=spec["code"],
        name=spec["name"],
        kind=spec["kind"],
        applies_to=spec["applies_to"],
        condition=spec["condition"],
        reason_code=spec["reason_code"],
        label=spec["label"],
        valid_from=spec.get("valid_from", SETUP),
        valid_to=spec.get("valid_to"),
        product_offering_id=world[spec["offering"]] if "offering" in spec else None,
        product_family_id=world[f"family:{spec['family']}"] if "family" in spec else None,
    )


__all__ = ["OFFERINGS", "RULES", "SETUP", "T0", "World", "build_world", "rule_input"]
