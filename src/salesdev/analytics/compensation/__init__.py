"""Incentive compensation calculated set-based by DuckDB (plans compiled by the engine)."""

from salesdev.analytics.compensation.plan_shape import ShapeProblem, plan_shape_problems
from salesdev.analytics.compensation.result import CalculationResult, PaymentLine
from salesdev.analytics.compensation.runner import calculate

__all__ = ["CalculationResult", "PaymentLine", "ShapeProblem", "calculate", "plan_shape_problems"]
