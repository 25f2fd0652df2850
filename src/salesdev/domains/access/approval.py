"""The two-person rule, in one place: whoever wrote, requested or closed something may not
also approve it (nor, where a workflow says so, activate or decide it).

Agreements, price-list versions, plan versions, settlement adjustments, period approval
and partner on-boarding moves all refuse the same way, so a client, the console and the
CLI see one message shape and one error: a ``RuleViolation`` (HTTP 422, code SDV-422, as
docs/api.md promises for every business rule) whose one detail is at ``approver``.
"""

from __future__ import annotations

from salesdev.core.errors import ErrorDetail, RuleViolation
from salesdev.domains.access.permissions import Principal

# Where the refusal points: the caller, who would be the second person.
LOCATION = "approver"


class SecondPersonRequired(RuleViolation):
    """The actor is the first person of a two-person rule; another user must act."""


def require_second_person(
    principal: Principal, *, first: str | None, role: str, did: str, verb: str = "approve"
) -> None:
    """Refuse ``principal`` if it is ``first``, the actor recorded as the ``role``.

    ``did`` says what the first person did ("wrote version 2 of PLAN-A"), ``verb`` what the
    second person is about to do. ``first`` of None (nobody recorded) refuses nobody.
    """
    if first is None or first != principal.actor:
        return
    raise SecondPersonRequired(
        f"{principal.actor} {did} and cannot {verb} it; another user must",
        [ErrorDetail(LOCATION, f"must differ from the {role} {first}")],
    )
