"""The permission model and row scopes, in one place (used by every service)."""

from salesdev.domains.access.permissions import (
    GRANTS,
    ROLE_LABELS,
    SCOPED_ROLES,
    SYSTEM,
    Action,
    Family,
    Principal,
    Role,
    authorize,
    parse_roles,
    permission_matrix_markdown,
)
from salesdev.domains.access.scope import (
    customer_scope_condition,
    in_scope,
    partner_rows_condition,
    partner_scope_ids,
    require_customer_in_scope,
    scope_condition,
    team_ids,
)

__all__ = [
    "GRANTS",
    "ROLE_LABELS",
    "SCOPED_ROLES",
    "SYSTEM",
    "Action",
    "Family",
    "Principal",
    "Role",
    "authorize",
    "customer_scope_condition",
    "in_scope",
    "parse_roles",
    "partner_rows_condition",
    "partner_scope_ids",
    "permission_matrix_markdown",
    "require_customer_in_scope",
    "scope_condition",
    "team_ids",
]
