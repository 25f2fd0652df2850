"""Demo recommendation rules: a small, realistic next-best-offer rule book.

Written through the recommendation-rule service (so they are validated and audited like
any other), valid from the start of the demo's event window, open-ended.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from salesdev.domains.access import SYSTEM
from salesdev.domains.guidance import create_recommendation_rule


def _eq(attribute: str, value: object) -> dict[str, Any]:
    return {"attribute": attribute, "op": "eq", "value": value}


def _op(attribute: str, op: str, value: object) -> dict[str, Any]:
    return {"attribute": attribute, "op": op, "value": value}


# (name, target kind, target code, weight, reason, condition)
DEMO_RULES: tuple[tuple[str, str, str, str, str, dict[str, Any]], ...] = (
    (
        "Fibre where the premise is fibre-ready",
        "family",
        "FIBRE",
        "50",
        "The premise is fibre-ready: offer the fastest line it can take.",
        {"all": [_op("premise.technologies", "contains", "fibre")]},
    ),
    (
        "5G home where there is no fibre",
        "family",
        "FWA",
        "30",
        "No fibre at the premise but 5G coverage: 5G home internet needs no installation.",
        {
            "all": [
                _op("premise.technologies", "contains", "5g"),
                {"not": _op("premise.technologies", "contains", "fibre")},
            ]
        },
    ),
    (
        "Bundle for households with home internet",
        "family",
        "CONVERGENT",
        "40",
        "Already has home internet with us: a convergent bundle saves money and keeps them.",
        {
            "all": [
                _eq("customer.segment", "consumer"),
                _op("customer.product_families", "contains_any", ["FIBRE", "DSL", "FWA"]),
            ]
        },
    ),
    (
        "Postpaid for loyal customers in good standing",
        "family",
        "MOBILE_POSTPAID",
        "30",
        "Customer for a year or more with a good credit class: offer a postpaid plan.",
        {
            "all": [
                _eq("customer.segment", "consumer"),
                _op("customer.tenure_months", "ge", 12),
                _op("customer.credit_class", "in", ["A", "B"]),
            ]
        },
    ),
    (
        "Prepaid for weaker credit",
        "family",
        "MOBILE_PREPAID",
        "35",
        "Credit class C or D: prepaid needs no credit check and no contract.",
        {"all": [_op("customer.credit_class", "in", ["C", "D"])]},
    ),
    (
        "Senior plan for 65 and over",
        "offering",
        "MP-SENIOR-5",
        "60",
        "Aged 65 or over: the senior plan has simpler handsets, support and a lower price.",
        {"all": [_eq("customer.age_band", "65+")]},
    ),
    (
        "Youth plan for 18 to 24",
        "offering",
        "MP-YOUTH-50",
        "60",
        "Aged 18 to 24: the youth plan has the most data for the price.",
        {"all": [_eq("customer.age_band", "18-24")]},
    ),
    (
        "TV for broadband households",
        "family",
        "TV",
        "15",
        "Has broadband with us: TV is one more service on the same line.",
        {"all": [_op("customer.product_families", "contains_any", ["FIBRE", "DSL"])]},
    ),
    (
        "Business plans for business customers",
        "family",
        "MOBILE_POSTPAID",
        "20",
        "A business customer: business plans include invoicing per line and a service level.",
        {"all": [_op("customer.segment", "in", ["small_business", "enterprise", "public_sector"])]},
    ),
    (
        "Hold devices back for prospects",
        "family",
        "DEVICE",
        "-20",
        "Not a customer yet: lead with a plan; the device comes with it.",
        {"all": [_eq("customer.kind", "prospect")]},
    ),
)


def load_recommendation_rules(session: Session, *, valid_from: datetime, now: datetime) -> int:
    """Create the demo rules; returns how many."""
    for name, kind, code, weight, reason, condition in DEMO_RULES:
        create_recommendation_rule(
            session,
            principal=SYSTEM,
            values={
                "name": name,
                kind: code,
                "score": weight,
                "reason": reason,
                "condition": condition,
                "valid_from": valid_from,
            },
            now=now,
        )
    return len(DEMO_RULES)
