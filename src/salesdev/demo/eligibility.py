"""Demo eligibility rules: what a realistic telco checks before it sells.

Written through the eligibility service (validated and audited like any other rule), in
force from the start of the demo's event window, open-ended. Offerings and families are
the demo catalogue's (``demo/catalogue.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.db.models import ProductFamily, ProductOffering
from salesdev.domains.access import SYSTEM
from salesdev.domains.eligibility import RuleInput, create_rule

PREMIUM_HANDSETS = (
    "DV-PIXELON-9",
    "DV-GALAXIA-S",
    "DV-NOVA15",
    "DV-NOVA16",
    "DV-NOVA15-PRO",
    "DV-NOVA16-PRO",
    "DV-GALAXIA-ULTRA",
)


def _op(attribute: str, op: str, value: object) -> dict[str, Any]:
    return {"attribute": attribute, "op": op, "value": value}


# (code, name, kind, applies to, target code, reason code, label, condition)
DEMO_RULES: tuple[tuple[str, str, str, str, str, str, str, dict[str, Any]], ...] = (
    (
        "FIBRE-AT-PREMISE",
        "Fibre needs a fibre-ready premise",
        "premise",
        "family",
        "FIBRE",
        "NO_FIBRE",
        "Fibre is not available at this address",
        _op("premise.technologies", "contains", "fibre"),
    ),
    (
        "FWA-COVERAGE",
        "Fixed wireless needs 4G/5G home coverage",
        "premise",
        "family",
        "FWA",
        "NO_COVERAGE",
        "No fixed-wireless coverage at this address",
        _op("premise.technologies", "contains_any", ["fwa", "5g"]),
    ),
    (
        "5G-AT-PREMISE",
        "5G plans need 5G coverage where the customer lives",
        "premise",
        "family",
        "MOBILE_POSTPAID",
        "NO_5G",
        "No 5G coverage at this address for a 5G plan",
        {
            "any": [
                _op("offering.code", "not_in", ["MP-5G-200", "MP-UNL-MAX"]),
                _op("premise.technologies", "contains", "5g"),
            ]
        },
    ),
    (
        "ENTERPRISE-DEDICATED",
        "Dedicated fibre is for enterprises",
        "customer",
        "offering",
        "FB-B-DED",
        "SEGMENT",
        "Only for enterprise and public-sector customers",
        _op("customer.segment", "in", ["enterprise", "public_sector"]),
    ),
    (
        "ENTERPRISE-CORPORATE",
        "Corporate Unlimited Plus is for enterprises",
        "customer",
        "offering",
        "MP-B-UNL",
        "SEGMENT",
        "Only for enterprise customers",
        _op("customer.segment", "eq", "enterprise"),
    ),
    (
        "HANDSET-FINANCING",
        "Premium handsets are financed: good credit only",
        "customer",
        "family",
        "DEVICE",
        "CREDIT_CLASS",
        "Premium handsets are sold on instalments: credit class A or B required",
        {
            "any": [
                _op("offering.code", "not_in", list(PREMIUM_HANDSETS)),
                _op("customer.credit_class", "in", ["A", "B"]),
            ]
        },
    ),
    (
        "SENIOR-PLAN",
        "Senior Talk from 65",
        "customer",
        "offering",
        "MP-SENIOR-5",
        "AGE_BAND",
        "Senior Talk is for customers aged 65 or more",
        _op("customer.age_band", "eq", "65+"),
    ),
    (
        "MULTISIM-BASE",
        "Multi-SIM needs a postpaid plan",
        "customer",
        "offering",
        "AO-MULTISIM",
        "BASE_PRODUCT",
        "Multi-SIM needs a postpaid mobile plan in the installed base",
        _op("customer.product_families", "contains", "MOBILE_POSTPAID"),
    ),
)


def load_eligibility_rules(session: Session, *, valid_from: datetime, now: datetime) -> int:
    """Create the demo rules whose offering or family exists; how many were created."""
    offerings = {
        code: id_ for code, id_ in session.execute(select(ProductOffering.code, ProductOffering.id))
    }
    families = {
        code: id_ for code, id_ in session.execute(select(ProductFamily.code, ProductFamily.id))
    }
    created = 0
    for code, name, kind, applies_to, target, reason, label, condition in DEMO_RULES:
        offering_id = offerings.get(target) if applies_to == "offering" else None
        family_id = families.get(target) if applies_to == "family" else None
        if offering_id is None and family_id is None:
            continue
        create_rule(
            session,
            principal=SYSTEM,
            rule=RuleInput(
                code=code,
                name=name,
                kind=kind,
                applies_to=applies_to,
                product_offering_id=offering_id,
                product_family_id=family_id,
                condition=condition,
                reason_code=reason,
                label=label,
                valid_from=valid_from,
            ),
            now=now,
        )
        created += 1
    return created
