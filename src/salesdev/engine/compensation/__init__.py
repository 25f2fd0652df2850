"""Incentive compensation, pure: the plan model, its validation and its SQL compiler.

No I/O here: :mod:`salesdev.analytics.compensation` runs the compiled stages.
"""

from salesdev.engine.compensation.codec import plan_from_json, plan_to_json
from salesdev.engine.compensation.compiled import (
    EVENTS_INPUT,
    HIERARCHY_INPUT,
    PAYEE_INPUT,
    QUOTA_INPUT,
    SPLIT_INPUT,
    Check,
    CompiledPlan,
    CreditOptions,
    Stage,
)
from salesdev.engine.compensation.compiler import compile_plan
from salesdev.engine.compensation.plan import (
    REVENUE_EVENT_TYPES,
    SALES_EVENT_TYPES,
    AnyComponent,
    BountyComponent,
    ComponentKind,
    DealerOverrideComponent,
    FamilyRate,
    LevelRate,
    ManagerOverrideComponent,
    OverrideComponent,
    Plan,
    RateComponent,
    Relation,
    ResidualComponent,
    SpiffComponent,
    SplitPolicy,
    Tier,
    TieredComponent,
    TierMode,
)
from salesdev.engine.compensation.validation import validate_plan

__all__ = [
    "EVENTS_INPUT",
    "HIERARCHY_INPUT",
    "PAYEE_INPUT",
    "QUOTA_INPUT",
    "REVENUE_EVENT_TYPES",
    "SALES_EVENT_TYPES",
    "SPLIT_INPUT",
    "AnyComponent",
    "BountyComponent",
    "Check",
    "CompiledPlan",
    "ComponentKind",
    "CreditOptions",
    "DealerOverrideComponent",
    "FamilyRate",
    "LevelRate",
    "ManagerOverrideComponent",
    "OverrideComponent",
    "Plan",
    "RateComponent",
    "Relation",
    "ResidualComponent",
    "SpiffComponent",
    "SplitPolicy",
    "Stage",
    "Tier",
    "TierMode",
    "TieredComponent",
    "compile_plan",
    "plan_from_json",
    "plan_to_json",
    "validate_plan",
]
