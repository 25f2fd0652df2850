"""Incentive compensation, pure: the plan model, its validation and its SQL compiler.

No I/O here: :mod:`salesdev.analytics.compensation` runs the compiled stages.
"""

from salesdev.engine.compensation.compiled import (
    EVENTS_INPUT,
    QUOTA_INPUT,
    Check,
    CompiledPlan,
    Stage,
)
from salesdev.engine.compensation.compiler import compile_plan
from salesdev.engine.compensation.plan import (
    REVENUE_EVENT_TYPES,
    SALES_EVENT_TYPES,
    AnyComponent,
    BountyComponent,
    ComponentKind,
    FamilyRate,
    Plan,
    RateComponent,
    ResidualComponent,
    Tier,
    TieredComponent,
    TierMode,
)
from salesdev.engine.compensation.validation import validate_plan

__all__ = [
    "EVENTS_INPUT",
    "QUOTA_INPUT",
    "REVENUE_EVENT_TYPES",
    "SALES_EVENT_TYPES",
    "AnyComponent",
    "BountyComponent",
    "Check",
    "CompiledPlan",
    "ComponentKind",
    "FamilyRate",
    "Plan",
    "RateComponent",
    "ResidualComponent",
    "Stage",
    "Tier",
    "TierMode",
    "TieredComponent",
    "compile_plan",
    "validate_plan",
]
