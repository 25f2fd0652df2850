"""Channel authorisation: which offerings a channel or partner may sell, and catalogue browsing."""

from salesdev.domains.authorisation.browsing import (
    SELLABLE_LIFECYCLE_STATUSES,
    BundleComponent,
    SellableOffering,
    sellable_offerings,
)
from salesdev.domains.authorisation.prerequisites import PREREQUISITE_TYPES, parse_prerequisites
from salesdev.domains.authorisation.service import (
    AUTHORISATION_ATTRIBUTES,
    AUTHORISATION_STATUSES,
    authorise_offering,
    end_authorisation,
    get_authorisation,
    list_authorisations,
    withdraw_authorisation,
)

__all__ = [
    "AUTHORISATION_ATTRIBUTES",
    "AUTHORISATION_STATUSES",
    "PREREQUISITE_TYPES",
    "SELLABLE_LIFECYCLE_STATUSES",
    "BundleComponent",
    "SellableOffering",
    "authorise_offering",
    "end_authorisation",
    "get_authorisation",
    "list_authorisations",
    "parse_prerequisites",
    "sellable_offerings",
    "withdraw_authorisation",
]
