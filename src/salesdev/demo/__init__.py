"""Deterministic demo data: a realistic CSP, with one demo login per role."""

from salesdev.demo.loader import DemoSummary, is_demo_loaded, load_demo
from salesdev.demo.scales import SCALES, DemoScale
from salesdev.demo.users import (
    DEMO_LOGIN_NAMES,
    DEMO_PASSWORD,
    DemoLogin,
    create_demo_users,
    existing_demo_logins,
)

__all__ = [
    "DEMO_LOGIN_NAMES",
    "DEMO_PASSWORD",
    "SCALES",
    "DemoLogin",
    "DemoScale",
    "DemoSummary",
    "create_demo_users",
    "existing_demo_logins",
    "is_demo_loaded",
    "load_demo",
]
