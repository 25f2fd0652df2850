"""The agreement workflow: draft -> in_negotiation -> approved -> active -> expired.

Any status but a final one may go to terminated (a negotiation abandoned, an
agreement ended early). Terms can change only while draft or in_negotiation.
"""

from __future__ import annotations

from enum import StrEnum

from salesdev.core.errors import ErrorDetail, InvalidInput, RuleViolation


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    IN_NEGOTIATION = "in_negotiation"
    APPROVED = "approved"
    ACTIVE = "active"
    EXPIRED = "expired"
    TERMINATED = "terminated"


A = AgreementStatus

NEXT_STATUSES: dict[AgreementStatus, tuple[AgreementStatus, ...]] = {
    A.DRAFT: (A.IN_NEGOTIATION, A.TERMINATED),
    A.IN_NEGOTIATION: (A.APPROVED, A.TERMINATED),
    A.APPROVED: (A.ACTIVE, A.TERMINATED),
    A.ACTIVE: (A.EXPIRED, A.TERMINATED),
    A.EXPIRED: (),
    A.TERMINATED: (),
}
EDITABLE = frozenset({A.DRAFT, A.IN_NEGOTIATION})
# Statuses in which an agreement binds its party: two of these may not overlap in time.
BINDING = (A.APPROVED.value, A.ACTIVE.value)


def parse_status(value: object, *, location: str = "to_status") -> AgreementStatus:
    try:
        return AgreementStatus(str(value))
    except ValueError:
        raise InvalidInput(
            "Unknown agreement status",
            [ErrorDetail(location, f"expected one of {', '.join(A)}; got {value!r}")],
        ) from None


def check_move(current: AgreementStatus, target: AgreementStatus) -> None:
    allowed = NEXT_STATUSES[current]
    if target in allowed:
        return
    expected = " or ".join(allowed) if allowed else f"none: {current} is final"
    raise RuleViolation(
        f"An agreement in {current} cannot move to {target}",
        [ErrorDetail("to_status", f"the next status after {current} is {expected}")],
    )
