"""Partner on-boarding: a validated workflow with a due-diligence checklist and approvals."""

from salesdev.domains.onboarding.service import (
    ONBOARDING_ATTRIBUTES,
    add_checklist_item,
    advance_onboarding,
    approve_onboarding_request,
    check_checklist_item,
    get_onboarding_case,
    list_checklist,
    list_onboarding_cases,
    list_onboarding_history,
    open_onboarding_case,
    reject_onboarding_request,
)
from salesdev.domains.onboarding.states import (
    DEFAULT_CHECKLIST,
    NEEDS_APPROVAL,
    NEXT_STATES,
    OnboardingState,
)

__all__ = [
    "DEFAULT_CHECKLIST",
    "NEEDS_APPROVAL",
    "NEXT_STATES",
    "ONBOARDING_ATTRIBUTES",
    "OnboardingState",
    "add_checklist_item",
    "advance_onboarding",
    "approve_onboarding_request",
    "check_checklist_item",
    "get_onboarding_case",
    "list_checklist",
    "list_onboarding_cases",
    "list_onboarding_history",
    "open_onboarding_case",
    "reject_onboarding_request",
]
