"""Product offering qualification (TMF679): which offerings a customer can have, and why not."""

from salesdev.domains.qualification.catalogue import forget_all
from salesdev.domains.qualification.records import (
    QUALIFICATION_ATTRIBUTES,
    RESULTS,
    STATES,
    ItemView,
    QualificationRequest,
    create_qualification,
    delete_qualification,
    get_qualification,
    item_view,
    list_qualifications,
    prepare_qualification,
    store_qualification,
    update_qualification,
)
from salesdev.domains.qualification.scope import selling_scope
from salesdev.domains.qualification.service import (
    MAX_ALTERNATIVES,
    Alternative,
    QualificationOutcome,
    Reason,
    qualify_offerings,
)

__all__ = [
    "MAX_ALTERNATIVES",
    "QUALIFICATION_ATTRIBUTES",
    "RESULTS",
    "STATES",
    "Alternative",
    "ItemView",
    "QualificationOutcome",
    "QualificationRequest",
    "Reason",
    "create_qualification",
    "delete_qualification",
    "forget_all",
    "get_qualification",
    "item_view",
    "list_qualifications",
    "prepare_qualification",
    "qualify_offerings",
    "selling_scope",
    "store_qualification",
    "update_qualification",
]
