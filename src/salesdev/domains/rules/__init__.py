"""Sale rules in the database's terms: the sale context that conditions are evaluated against.

The condition language itself is pure and lives in :mod:`salesdev.engine.rules`.
"""

from salesdev.domains.rules.context import (
    MAX_QUANTITY,
    OfferingFacts,
    SaleCodes,
    SaleContext,
    build_sale_context,
    load_offering_facts,
    resolve_sale_codes,
    tenure_months,
)
from salesdev.domains.rules.parties import (
    ChannelParty,
    CustomerParty,
    PartnerParty,
    PremiseParty,
    SaleParties,
    sale_parties,
)

__all__ = [
    "MAX_QUANTITY",
    "ChannelParty",
    "CustomerParty",
    "OfferingFacts",
    "PartnerParty",
    "PremiseParty",
    "SaleCodes",
    "SaleContext",
    "SaleParties",
    "build_sale_context",
    "load_offering_facts",
    "resolve_sale_codes",
    "sale_parties",
    "tenure_months",
]
