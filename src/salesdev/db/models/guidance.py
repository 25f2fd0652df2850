"""Recommendation rules (guided selling) and price-change simulations."""

from __future__ import annotations
