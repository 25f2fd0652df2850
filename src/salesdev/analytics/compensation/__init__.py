"""Incentive compensation calculated set-based by DuckDB (plans compiled by the engine)."""

from salesdev.analytics.compensation.result import CalculationResult, PaymentLine
from salesdev.analytics.compensation.runner import calculate

__all__ = ["CalculationResult", "PaymentLine", "calculate"]
