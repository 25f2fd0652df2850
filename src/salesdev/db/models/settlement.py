"""Compensation settlement: disputes, adjustments, draws, holds, period approvals, payout batches."""

from __future__ import annotations
