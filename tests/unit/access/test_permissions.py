"""The permission model: grants per role, read-only credentials, row-scoped roles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from salesdev.core.errors import PermissionDenied
from salesdev.domains.access import Family, Principal, Role, authorize, permission_matrix_markdown

DOCS = Path(__file__).parents[3] / "docs" / "security.md"


def _principal(*roles: Role, read_only: bool = False) -> Principal:
    return Principal(kind="user", name="someone", roles=frozenset(roles), read_only=read_only)


def test_the_security_guide_shows_the_matrix_the_code_enforces() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = re.search(
        r"<!-- permission-matrix:start -->\n(.*?)\n<!-- permission-matrix:end -->", text, re.S
    )
    assert documented is not None
    assert documented.group(1) == permission_matrix_markdown()


@pytest.mark.parametrize(
    ("role", "family", "action", "allowed"),
    [
        (Role.ADMIN, Family.USERS, "write", True),
        (Role.ADMIN, Family.AUDIT, "write", False),
        (Role.AUDITOR, Family.AUDIT, "read", True),
        (Role.AUDITOR, Family.PARTNERS, "write", False),
        (Role.CHANNEL_MANAGER, Family.PARTNERS, "write", True),
        (Role.CHANNEL_MANAGER, Family.CATALOG, "write", False),
        (Role.PRODUCT_MANAGER, Family.CATALOG, "write", True),
        (Role.SALES_REP, Family.PARTNERS, "read", False),
        (Role.PARTNER_USER, Family.CUSTOMERS, "read", False),
        (Role.SALES_OPERATIONS, Family.AUDIT, "read", False),
        (Role.SALES_OPERATIONS, Family.PAYOUTS, "write", True),
        (Role.AUDITOR, Family.PAYOUTS, "read", True),
        (Role.AUDITOR, Family.PAYOUTS, "write", False),
        (Role.CHANNEL_MANAGER, Family.PAYOUTS, "read", False),
        (Role.PRODUCT_MANAGER, Family.PAYOUTS, "read", False),
        # A partner user reads its own partner's payout details by an explicit rule in
        # the partner services, not by a grant.
        (Role.PARTNER_USER, Family.PAYOUTS, "read", False),
    ],
)
def test_grants(role: Role, family: Family, action: str, allowed: bool) -> None:
    assert _principal(role).can(family, action) is allowed  # type: ignore[arg-type]


def test_a_read_only_credential_never_writes_whatever_its_roles() -> None:
    admin = _principal(Role.ADMIN, read_only=True)
    assert admin.can(Family.CATALOG, "read")
    with pytest.raises(
        PermissionDenied, match="someone may not write catalog \\(read-only credential\\)"
    ):
        authorize(admin, Family.CATALOG, "write")


def test_one_unscoped_role_lifts_the_row_scope() -> None:
    assert _principal(Role.SALES_REP).is_scoped
    assert _principal(Role.PARTNER_USER, Role.SALES_MANAGER).is_scoped
    assert not _principal(Role.SALES_REP, Role.AUDITOR).is_scoped
    assert not _principal().is_scoped


def test_payout_details_are_read_and_written_by_exactly_the_finance_roles() -> None:
    readers = {role for role in Role if _principal(role).can(Family.PAYOUTS, "read")}
    writers = {role for role in Role if _principal(role).can(Family.PAYOUTS, "write")}
    assert readers == {Role.ADMIN, Role.SALES_OPERATIONS, Role.AUDITOR}
    assert writers == {Role.ADMIN, Role.SALES_OPERATIONS}


def test_whoever_reads_the_audit_trail_may_read_payout_details() -> None:
    # The audit trail records IBANs before and after each change; it must not become a
    # back door to bank details for a role that is not allowed to read them.
    audit_readers = {role for role in Role if _principal(role).can(Family.AUDIT, "read")}
    assert all(_principal(role).can(Family.PAYOUTS, "read") for role in audit_readers)
