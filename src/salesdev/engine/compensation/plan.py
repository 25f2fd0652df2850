"""The compensation plan model: a plan and its components, as immutable values.

Money (bounty amounts, caps, floors) and rates are ``Decimal``, never float.
Rates are fractions of the measured amount (``0.05`` pays 5 %); tier bounds are
fractions of attainment (``1.0`` is 100 % of quota). Construction checks types
only; :func:`salesdev.engine.compensation.validation.validate_plan` checks the
business rules (contiguous tiers, no negative rate, cap above floor, known
product families) and names the offending item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final

from salesdev.core.periods import Period

# The sales-event vocabulary (docs/data-model.md). The engine does not import the
# event store (a layer above it); a test keeps both lists equal.
SALES_EVENT_TYPES: Final[tuple[str, ...]] = (
    "order",
    "activation",
    "port_in",
    "upgrade",
    "renewal",
    "cancellation",
    "suspension",
    "resumption",
    "deactivation",
    "recurring_charge",
    "payment",
)

# Billed revenue: one-time order charges net of their cancellations, plus billed
# monthly recurring charges. What rate and tiered components measure by default.
REVENUE_EVENT_TYPES: Final[tuple[str, ...]] = ("order", "cancellation", "recurring_charge")
BOUNTY_EVENT_TYPES: Final[tuple[str, ...]] = ("activation",)
SPIFF_EVENT_TYPES: Final[tuple[str, ...]] = ("order",)

# Rates and attainment bounds keep up to six decimal places (0.000125 = 1.25 bp).
RATE_SCALE: Final[int] = 6


class ComponentKind(StrEnum):
    RATE = "rate"
    TIERED = "tiered"
    BOUNTY = "bounty"
    RESIDUAL = "residual"
    SPIFF = "spiff"
    MANAGER_OVERRIDE = "manager_override"
    DEALER_OVERRIDE = "dealer_override"


class SplitPolicy(StrEnum):
    """How the credit shares of one order must add up (``credit_splits``)."""

    TOTAL_100 = "total_100"  # the shares of an order total exactly 1
    OVERLAY = "overlay"  # shares may total more than 1 (overlay credit, e.g. specialists)


class Relation(StrEnum):
    """Edges of the effective-dated ``hierarchy``: whom credit rolls up to."""

    MANAGER = "manager"  # sales person -> their manager (a sales person)
    PARTNER = "partner"  # partner -> its parent in the genealogy (agent, master agent)


class TierMode(StrEnum):
    MARGINAL = "marginal"  # each slice of the measure at its own tier's rate
    RETROACTIVE = "retroactive"  # the whole measure at the rate of the tier reached


@dataclass(frozen=True)
class FamilyRate:
    product_family: str
    rate: Decimal


@dataclass(frozen=True)
class LevelRate:
    """A rate for one level of the roll-up: 1 is the level right above the direct payee."""

    level: int
    rate: Decimal


@dataclass(frozen=True)
class Tier:
    """Attainment range ``[lower, upper)``; ``upper`` None means no upper bound.

    A measure exactly on a bound belongs to the tier that starts there.
    """

    lower: Decimal
    upper: Decimal | None
    rate: Decimal


@dataclass(frozen=True, kw_only=True)
class Component:
    """What every component has: an id unique in the plan and its event filters.

    Empty ``product_families`` means every family; empty ``event_types`` means
    the kind's default event types. ``cap`` limits what the component pays one
    payee in one period, over all its lines (a ``cap`` line takes off the excess).
    """

    id: str
    product_families: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    cap: Decimal | None = None

    @property
    def kind(self) -> ComponentKind:
        raise NotImplementedError

    def default_event_types(self) -> tuple[str, ...]:
        return REVENUE_EVENT_TYPES

    def measured_event_types(self) -> tuple[str, ...]:
        return self.event_types or self.default_event_types()


@dataclass(frozen=True, kw_only=True)
class RateComponent(Component):
    """Commission = rate x credited revenue, at the rate of each event's product family.

    Families without a rate are paid ``default_rate``, or nothing when it is None.
    """

    rates: tuple[FamilyRate, ...] = ()
    default_rate: Decimal | None = None

    @property
    def kind(self) -> ComponentKind:
        return ComponentKind.RATE


@dataclass(frozen=True, kw_only=True)
class TieredComponent(Component):
    """Tiers on attainment (credited measure / quota) for the period.

    ``threshold`` is a gate: below that attainment the component pays nothing
    (floor included). ``cap`` and ``floor`` bound the amount per payee and period.
    """

    tiers: tuple[Tier, ...]
    mode: TierMode
    threshold: Decimal | None = None
    cap: Decimal | None = None
    floor: Decimal | None = None

    @property
    def kind(self) -> ComponentKind:
        return ComponentKind.TIERED


@dataclass(frozen=True, kw_only=True)
class BountyComponent(Component):
    """A fixed ``amount`` per event (activation, port-in), clawed back on early churn.

    The bounty is clawed back when the line is deactivated before
    ``chargeback_days`` days of service; days while suspended do not count.
    """

    amount: Decimal
    chargeback_days: int

    @property
    def kind(self) -> ComponentKind:
        return ComponentKind.BOUNTY

    def default_event_types(self) -> tuple[str, ...]:
        return BOUNTY_EVENT_TYPES


@dataclass(frozen=True, kw_only=True)
class ResidualComponent(Component):
    """``rate`` x the monthly recurring charges billed in the ``months`` calendar months
    after the activation month, while the line stays (no charge after a deactivation)."""

    rate: Decimal
    months: int

    @property
    def kind(self) -> ComponentKind:
        return ComponentKind.RESIDUAL

    def default_event_types(self) -> tuple[str, ...]:
        return ("recurring_charge",)


@dataclass(frozen=True, kw_only=True)
class SpiffComponent(Component):
    """A short incentive on some products in a date window ``[window_start, window_end)`` (UTC).

    Pays ``amount`` per unit sold (the events' ``quantity``) or ``rate`` x credited
    revenue: exactly one of them. ``offering_ids`` narrows it to product offerings
    (empty: every offering of the ``product_families`` filter).
    """

    window_start: date
    window_end: date
    amount: Decimal | None = None
    rate: Decimal | None = None
    offering_ids: tuple[str, ...] = ()

    @property
    def kind(self) -> ComponentKind:
        return ComponentKind.SPIFF

    def default_event_types(self) -> tuple[str, ...]:
        return SPIFF_EVENT_TYPES


@dataclass(frozen=True, kw_only=True)
class OverrideComponent(Component):
    """A rate on the revenue credited to the payees below a payee in the roll-up.

    ``level_rates`` give a rate per level (1: right above the direct payee);
    ``default_rate`` pays every other level, at any depth (None: nothing).
    """

    level_rates: tuple[LevelRate, ...] = ()
    default_rate: Decimal | None = None

    @property
    def relation(self) -> Relation:
        raise NotImplementedError

    def rate_for(self, level: int) -> Decimal | None:
        for level_rate in self.level_rates:
            if level_rate.level == level:
                return level_rate.rate
        return self.default_rate


@dataclass(frozen=True, kw_only=True)
class ManagerOverrideComponent(OverrideComponent):
    """Managers earn a rate on their team's credited revenue, through the sales hierarchy."""

    @property
    def kind(self) -> ComponentKind:
        return ComponentKind.MANAGER_OVERRIDE

    @property
    def relation(self) -> Relation:
        return Relation.MANAGER


@dataclass(frozen=True, kw_only=True)
class DealerOverrideComponent(OverrideComponent):
    """Each partner above the selling dealer earns its level's rate on the dealer's revenue.

    Level 1 is the selling dealer's parent (e.g. the agent of a sub-dealer), level 2
    the parent's parent (the master agent), and so on.
    """

    @property
    def kind(self) -> ComponentKind:
        return ComponentKind.DEALER_OVERRIDE

    @property
    def relation(self) -> Relation:
        return Relation.PARTNER


AnyComponent = (
    RateComponent
    | TieredComponent
    | BountyComponent
    | ResidualComponent
    | SpiffComponent
    | ManagerOverrideComponent
    | DealerOverrideComponent
)


@dataclass(frozen=True, kw_only=True)
class Plan:
    """A compensation plan version, in one currency.

    ``period`` is the first period this version applies to; it applies to that
    period and later ones (versioning and assignment come with the plan store).
    ``cap`` limits what the whole plan pays one payee in one period (after the
    components' own caps; a ``plan_cap`` line takes off the excess).
    """

    id: str
    version: int
    currency: str
    period: Period
    components: tuple[AnyComponent, ...]
    cap: Decimal | None = None

    def component(self, component_id: str) -> AnyComponent:
        for component in self.components:
            if component.id == component_id:
                return component
        raise KeyError(component_id)
