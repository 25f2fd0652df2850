"""Eligibility rules, the customers' installed base and product offering qualifications (TMF679)."""

from __future__ import annotations
