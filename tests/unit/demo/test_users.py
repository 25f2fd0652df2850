"""The demo logins: one per role, all behind one password that meets the policy."""

from __future__ import annotations

from salesdev.demo import DEMO_LOGIN_NAMES, DEMO_PASSWORD
from salesdev.domains.access import Role
from salesdev.domains.identity.passwords import check_policy


def test_every_role_has_exactly_one_demo_login_with_a_readable_name() -> None:
    assert DEMO_LOGIN_NAMES == {
        Role.ADMIN: "admin",
        Role.SALES_OPERATIONS: "salesops",
        Role.CHANNEL_MANAGER: "channels",
        Role.PRODUCT_MANAGER: "products",
        Role.SALES_MANAGER: "manager",
        Role.SALES_REP: "rep",
        Role.PARTNER_USER: "partner",
        Role.AUDITOR: "auditor",
    }


def test_the_shared_demo_password_meets_the_policy_for_every_demo_login() -> None:
    for login in DEMO_LOGIN_NAMES.values():
        check_policy(DEMO_PASSWORD, login=login)  # raises InvalidInput when it does not
        assert login not in DEMO_PASSWORD
