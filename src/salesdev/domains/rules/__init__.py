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

__all__ = [
    "MAX_QUANTITY",
    "OfferingFacts",
    "SaleCodes",
    "SaleContext",
    "build_sale_context",
    "load_offering_facts",
    "resolve_sale_codes",
    "tenure_months",
]
