"""Closed value sets of the product catalogue (TMF620 v4 values, kept verbatim)."""

from __future__ import annotations

PRICE_TYPES = ("recurring", "oneTime", "usage", "discount")
RECURRING_PERIOD_TYPES = ("day", "week", "month", "year")
DURATION_UNITS = ("day", "week", "month", "year")
# Lifecycle statuses in which a price counts as a list price, and an offering is sold.
SELLABLE_STATUSES = ("Active", "Launched")
