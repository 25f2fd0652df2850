"""Closed value sets of the reference data (stable codes; labels live in the interfaces)."""

from __future__ import annotations

LINES_OF_BUSINESS = ("mobile", "broadband", "tv", "devices", "value_added", "convergent")
LIFECYCLE_STATUSES = (
    "In study",
    "In design",
    "In test",
    "Active",
    "Launched",
    "Retired",
    "Obsolete",
    "Rejected",
)
CHANNEL_TYPES = (
    "own_retail",
    "franchise_dealer",
    "master_agent",
    "sub_dealer",
    "online",
    "telesales",
    "b2b_field",
    "wholesale",
    "marketplace",
)
PARTNER_TYPES = (
    "master_agent",
    "dealer",
    "sub_dealer",
    "franchisee",
    "wholesale_reseller",
    "marketplace",
)
PARTNER_TIERS = ("gold", "silver", "bronze")
# Party-role status; "onboarding": an applicant whose on-boarding case is not active yet.
PARTNER_STATUSES = ("onboarding", "active", "suspended", "terminated")
ACTIVE_STATUSES = ("active", "inactive")
SALES_ROLES = ("vp", "director", "manager", "rep")
CUSTOMER_KINDS = ("customer", "prospect")
SEGMENTS = ("consumer", "small_business", "enterprise", "public_sector")
CREDIT_CLASSES = ("A", "B", "C", "D")
TECHNOLOGIES = ("fibre", "dsl", "fwa", "5g", "cable")
