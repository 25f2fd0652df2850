"""Compensation plans, versions, assignments, effective-dated hierarchies, runs and the ledger."""

from __future__ import annotations
