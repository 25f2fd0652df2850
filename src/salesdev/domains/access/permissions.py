"""The permission model, in one place.

Roles grant actions (read, write) on resource families. Row scopes then narrow
what a partner user, a sales rep or a sales manager sees (see ``scope.py``).
Every service checks here; the API, the console, the CLI and jobs all go through
services, so they all obey the same rules.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from salesdev.core.errors import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    SALES_OPERATIONS = "sales_operations"
    CHANNEL_MANAGER = "channel_manager"
    PRODUCT_MANAGER = "product_manager"
    SALES_MANAGER = "sales_manager"
    SALES_REP = "sales_rep"
    PARTNER_USER = "partner_user"
    AUDITOR = "auditor"


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Administrator",
    Role.SALES_OPERATIONS: "Sales operations (compensation)",
    Role.CHANNEL_MANAGER: "Channel manager",
    Role.PRODUCT_MANAGER: "Product / launch manager",
    Role.SALES_MANAGER: "Sales manager",
    Role.SALES_REP: "Sales rep",
    Role.PARTNER_USER: "Partner user",
    Role.AUDITOR: "Auditor (read-only)",
}

Action = Literal["read", "write"]


class Family(StrEnum):
    """A family of resources that share their permissions (an endpoint family)."""

    CATALOG = "catalog"
    CHANNELS = "channels"
    PARTNERS = "partners"
    # Partners' bank and tax details: narrower than ``partners`` on purpose.
    PAYOUTS = "payouts"
    ORGANISATION = "organisation"
    CUSTOMERS = "customers"
    JOBS = "jobs"
    NOTIFICATIONS = "notifications"
    AUDIT = "audit"
    USERS = "users"
    # Channel price lists, pricing rules, guard-rails, eligibility and recommendation rules.
    PRICING = "pricing"
    # Qualifying and pricing offerings for a customer at the time of sale (TMF679, guided
    # selling): everyone who sells may do it, within their own channel.
    SELLING = "selling"
    # Compensation plans, assignments, runs, the ledger, approvals and payout exports.
    COMPENSATION = "compensation"
    # Statements and disputes: payees read their own and raise disputes on them.
    STATEMENTS = "statements"


_R: frozenset[Action] = frozenset({"read"})
_RW: frozenset[Action] = frozenset({"read", "write"})
_ALL_READ: dict[Family, frozenset[Action]] = {
    family: _R
    for family in Family
    if family not in (Family.AUDIT, Family.USERS, Family.PAYOUTS, Family.STATEMENTS)
}

GRANTS: dict[Role, dict[Family, frozenset[Action]]] = {
    Role.ADMIN: {family: _RW for family in Family} | {Family.AUDIT: _R},
    Role.SALES_OPERATIONS: _ALL_READ
    | {
        Family.ORGANISATION: _RW,
        Family.JOBS: _RW,
        Family.PAYOUTS: _RW,
        Family.SELLING: _RW,
        Family.COMPENSATION: _RW,
        Family.STATEMENTS: _RW,
    },
    Role.CHANNEL_MANAGER: _ALL_READ
    | {
        Family.CHANNELS: _RW,
        Family.PARTNERS: _RW,
        Family.JOBS: _RW,
        Family.PRICING: _RW,
        Family.SELLING: _RW,
    },
    Role.PRODUCT_MANAGER: _ALL_READ
    | {Family.CATALOG: _RW, Family.JOBS: _RW, Family.PRICING: _RW, Family.SELLING: _RW},
    Role.SALES_MANAGER: {
        Family.CATALOG: _R,
        Family.CHANNELS: _R,
        Family.PARTNERS: _R,
        Family.ORGANISATION: _R,
        Family.CUSTOMERS: _R,
        Family.PRICING: _R,
        Family.SELLING: _RW,
        Family.STATEMENTS: _RW,
    },
    Role.SALES_REP: {
        Family.CATALOG: _R,
        Family.CHANNELS: _R,
        Family.ORGANISATION: _R,
        Family.CUSTOMERS: _R,
        Family.PRICING: _R,
        Family.SELLING: _RW,
        Family.STATEMENTS: _RW,
    },
    Role.PARTNER_USER: {
        Family.CATALOG: _R,
        Family.CHANNELS: _R,
        Family.PARTNERS: _R,
        Family.ORGANISATION: _R,
        Family.PRICING: _R,
        Family.SELLING: _RW,
        Family.STATEMENTS: _RW,
    },
    Role.AUDITOR: {family: _R for family in Family if family is not Family.USERS}
    | {Family.USERS: _R},
}

# Roles whose rows are narrowed to their own partner, their own record or their team.
SCOPED_ROLES = frozenset({Role.SALES_MANAGER, Role.SALES_REP, Role.PARTNER_USER})


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user, a system integration (OAuth2 client) or the system itself."""

    kind: Literal["user", "client", "system"]
    name: str
    roles: frozenset[Role]
    id: uuid.UUID | None = None
    sales_person_id: uuid.UUID | None = None
    partner_id: uuid.UUID | None = None
    include_sub_dealers: bool = False
    read_only: bool = False
    attributes: dict[str, str] = field(default_factory=dict, compare=False)

    def can(self, family: Family, action: Action) -> bool:
        if action == "write" and self.read_only:
            return False
        return any(action in GRANTS[role].get(family, frozenset()) for role in self.roles)

    @property
    def is_scoped(self) -> bool:
        """True when every role of the principal is row-scoped (one unscoped role lifts it)."""
        return bool(self.roles) and self.roles <= SCOPED_ROLES

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"


SYSTEM = Principal(kind="system", name="system", roles=frozenset({Role.ADMIN}))


def authorize(principal: Principal, family: Family, action: Action) -> None:
    if not principal.can(family, action):
        raise PermissionDenied(
            f"{principal.name} may not {action} {family.value}"
            + (" (read-only credential)" if principal.read_only and action == "write" else "")
        )


def parse_roles(values: list[str] | tuple[str, ...]) -> frozenset[Role]:
    return frozenset(Role(value) for value in values if value in Role.__members__.values())


def permission_matrix_markdown() -> str:
    """The role x family grants as a Markdown table (docs/security.md embeds it; a test keeps them equal)."""
    roles = list(Role)
    header = "| Family | " + " | ".join(r.value for r in roles) + " |"
    rule = "|---|" + "---|" * len(roles)
    rows = []
    for family in Family:
        cells = []
        for role in roles:
            actions = GRANTS[role].get(family, frozenset())
            cells.append("RW" if actions == {"read", "write"} else "R" if actions else "-")
        rows.append(f"| {family.value} | " + " | ".join(cells) + " |")
    return "\n".join([header, rule, *rows])
