"""Deterministic demo data: a realistic CSP."""
