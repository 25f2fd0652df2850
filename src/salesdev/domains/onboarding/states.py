"""The on-boarding workflow as data: states, allowed moves, which moves need an approval.

application -> due_diligence -> agreement_negotiation -> training -> active, then
active <-> suspended; any state but terminated may end in terminated (an applicant
who fails due diligence, or a partner whose contract ends).
"""

from __future__ import annotations

from enum import StrEnum

from salesdev.core.errors import ErrorDetail, InvalidInput, RuleViolation


class OnboardingState(StrEnum):
    APPLICATION = "application"
    DUE_DILIGENCE = "due_diligence"
    AGREEMENT_NEGOTIATION = "agreement_negotiation"
    TRAINING = "training"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


S = OnboardingState

NEXT_STATES: dict[OnboardingState, tuple[OnboardingState, ...]] = {
    S.APPLICATION: (S.DUE_DILIGENCE, S.TERMINATED),
    S.DUE_DILIGENCE: (S.AGREEMENT_NEGOTIATION, S.TERMINATED),
    S.AGREEMENT_NEGOTIATION: (S.TRAINING, S.TERMINATED),
    S.TRAINING: (S.ACTIVE, S.TERMINATED),
    S.ACTIVE: (S.SUSPENDED, S.TERMINATED),
    S.SUSPENDED: (S.ACTIVE, S.TERMINATED),
    S.TERMINATED: (),
}

# Moves that one user requests and another approves: passing due diligence, and
# letting a partner sell (first activation or reactivation after a suspension).
NEEDS_APPROVAL: frozenset[tuple[OnboardingState, OnboardingState]] = frozenset(
    {
        (S.DUE_DILIGENCE, S.AGREEMENT_NEGOTIATION),
        (S.TRAINING, S.ACTIVE),
        (S.SUSPENDED, S.ACTIVE),
    }
)

# The partner's own status follows the case: "onboarding" (pre-activation, not allowed to
# sell) from the case's opening through training, then the status of these states.
PARTNER_ONBOARDING_STATUS = "onboarding"
PARTNER_STATUS: dict[OnboardingState, str] = {
    S.ACTIVE: "active",
    S.SUSPENDED: "suspended",
    S.TERMINATED: "terminated",
}

# (code, label, mandatory): the due-diligence checklist every new case starts with.
DEFAULT_CHECKLIST: tuple[tuple[str, str, bool], ...] = (
    ("company_registration", "Company registration verified", True),
    ("credit_check", "Credit check passed", True),
    ("sanctions_screening", "Sanctions screening clear", True),
    ("bank_details_verified", "Bank details verified", True),
    ("trade_references", "Trade references obtained", False),
)


def parse_state(value: object, *, location: str = "to_state") -> OnboardingState:
    try:
        return OnboardingState(str(value))
    except ValueError:
        raise InvalidInput(
            "Unknown on-boarding state",
            [ErrorDetail(location, f"expected one of {', '.join(S)}; got {value!r}")],
        ) from None


def check_move(current: OnboardingState, target: OnboardingState) -> None:
    """Refuse a move the workflow does not allow, saying which state is expected next."""
    allowed = NEXT_STATES[current]
    if target in allowed:
        return
    expected = " or ".join(allowed) if allowed else "none: a terminated case is closed"
    raise RuleViolation(
        f"An on-boarding case in {current} cannot move to {target}",
        [ErrorDetail("to_state", f"the next state after {current} is {expected}")],
    )


def needs_approval(current: OnboardingState, target: OnboardingState) -> bool:
    return (current, target) in NEEDS_APPROVAL
