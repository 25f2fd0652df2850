"""Channel agreements (TMF651-shaped): versioned terms, approvals and a side-by-side diff."""

from salesdev.domains.agreements.diff import FieldDifference, diff_snapshots
from salesdev.domains.agreements.service import (
    AGREEMENT_ATTRIBUTES,
    commission_plan,
    create_agreement,
    diff_versions,
    get_agreement,
    get_agreement_version,
    list_agreement_versions,
    list_agreements,
    revise_agreement,
    transition_agreement,
)
from salesdev.domains.agreements.terms import TERM_FIELDS, merge_patch, normalise_terms
from salesdev.domains.agreements.workflow import NEXT_STATUSES, AgreementStatus

__all__ = [
    "AGREEMENT_ATTRIBUTES",
    "NEXT_STATUSES",
    "TERM_FIELDS",
    "AgreementStatus",
    "FieldDifference",
    "commission_plan",
    "create_agreement",
    "diff_snapshots",
    "diff_versions",
    "get_agreement",
    "get_agreement_version",
    "list_agreement_versions",
    "list_agreements",
    "merge_patch",
    "normalise_terms",
    "revise_agreement",
    "transition_agreement",
]
