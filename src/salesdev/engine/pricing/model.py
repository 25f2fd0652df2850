"""The inputs and results of price resolution: plain, immutable data.

Amounts are exact ``Decimal`` values in one currency (the price list's, or the catalogue's
when no price list applies), per unit. Nothing here rounds: the domain rounds the final
price once (``core.money``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal


class Charge(StrEnum):
    """The two charges a price list entry carries."""

    RECURRING = "recurring"
    ONE_TIME = "oneTime"


CHARGES: tuple[Charge, ...] = (Charge.RECURRING, Charge.ONE_TIME)

RuleKind = Literal["discount", "surcharge"]
RuleMethod = Literal["percentage", "amount"]
AppliesTo = Literal["recurring", "oneTime", "both"]
RuleTarget = Literal["all", "family", "offerings"]
Stacking = Literal["exclusive", "stackable", "best"]

RULE_KINDS: tuple[RuleKind, ...] = ("discount", "surcharge")
RULE_METHODS: tuple[RuleMethod, ...] = ("percentage", "amount")
APPLIES_TO: tuple[AppliesTo, ...] = ("recurring", "oneTime", "both")
RULE_TARGETS: tuple[RuleTarget, ...] = ("all", "family", "offerings")
STACKING_POLICIES: tuple[Stacking, ...] = ("exclusive", "stackable", "best")

# A compiled condition: true when the rule's condition holds for a sale context.
Predicate = Callable[[Any], bool]
# Why a condition does not hold for a sale context (the failing clause, in words).
Explainer = Callable[[Any], str]

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A pricing rule ready to evaluate: its condition is a compiled predicate."""

    id: uuid.UUID
    name: str
    kind: RuleKind
    method: RuleMethod
    value: Decimal
    applies_to: AppliesTo
    target: RuleTarget
    priority: int
    stacking: Stacking
    predicate: Predicate
    explain: Explainer
    family_id: uuid.UUID | None = None
    offering_ids: frozenset[uuid.UUID] = frozenset()
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    condition_text: str = ""

    def applies_to_charge(self, charge: Charge) -> bool:
        return self.applies_to == "both" or self.applies_to == charge.value

    def delta(self, base: Decimal) -> Decimal:
        """The change this rule alone makes to a unit price ``base`` (negative = cheaper)."""
        size = base * self.value / HUNDRED if self.method == "percentage" else self.value
        return -size if self.kind == "discount" else size

    def in_window(self, at: datetime) -> bool:
        return (self.valid_from is None or self.valid_from <= at) and (
            self.valid_to is None or at < self.valid_to
        )


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A version's compiled rules, indexed by what they target (built once, reused)."""

    all: tuple[CompiledRule, ...] = ()
    by_family: Mapping[uuid.UUID, tuple[CompiledRule, ...]] = field(default_factory=dict)
    by_offering: Mapping[uuid.UUID, tuple[CompiledRule, ...]] = field(default_factory=dict)
    size: int = 0

    @classmethod
    def of(cls, rules: list[CompiledRule]) -> RuleSet:
        everyone: list[CompiledRule] = []
        families: dict[uuid.UUID, list[CompiledRule]] = {}
        offerings: dict[uuid.UUID, list[CompiledRule]] = {}
        for rule in rules:
            if rule.target == "all":
                everyone.append(rule)
            elif rule.target == "family" and rule.family_id is not None:
                families.setdefault(rule.family_id, []).append(rule)
            else:
                for offering_id in rule.offering_ids:
                    offerings.setdefault(offering_id, []).append(rule)
        return cls(
            all=_ranked(everyone),
            by_family={k: _ranked(v) for k, v in families.items()},
            by_offering={k: _ranked(v) for k, v in offerings.items()},
            size=len(rules),
        )

    def targeting(
        self, offering_id: uuid.UUID, family_id: uuid.UUID | None
    ) -> Sequence[CompiledRule]:
        """The rules that target an offering (its own, its family's and the "all" rules),
        highest priority first, then by name. Each group is sorted once, when built."""
        groups = [
            group
            for group in (
                self.by_offering.get(offering_id, ()),
                self.by_family.get(family_id, ()) if family_id is not None else (),
                self.all,
            )
            if group
        ]
        if len(groups) == 1:
            return groups[0]
        return sorted((rule for group in groups for rule in group), key=rank)


def rank(rule: CompiledRule) -> tuple[int, str]:
    """The order rules are considered and shown in: priority (highest first), then name."""
    return (-rule.priority, rule.name)


def _ranked(rules: list[CompiledRule]) -> tuple[CompiledRule, ...]:
    return tuple(sorted(rules, key=rank))


@dataclass(frozen=True, slots=True)
class GuardRail:
    """The limits in force for one offering in one channel (all optional)."""

    id: uuid.UUID
    floor_amounts: Mapping[Charge, Decimal] = field(default_factory=dict)
    floor_percent: Decimal | None = None
    max_discount_percent: Decimal | None = None
    min_margin_percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PricingInput:
    """One offering to price: its base charges (per unit), unit cost and sale context."""

    offering_id: uuid.UUID
    family_id: uuid.UUID | None
    base: Mapping[Charge, Decimal | None]
    at: datetime
    context: Any = None
    unit_cost: Decimal | None = None
    guard_rail: GuardRail | None = None


AlterationKind = Literal["rule", "guardRail"]


@dataclass(frozen=True, slots=True)
class Alteration:
    """A change to a charge: an applied rule, or a guard-rail correction."""

    kind: AlterationKind
    name: str
    amount: Decimal
    reason: str
    rule_id: uuid.UUID | None = None
    percentage: Decimal | None = None
    priority: int | None = None
    stacking: str | None = None
    rule_kind: str | None = None
    guard_rail_id: uuid.UUID | None = None


NotAppliedReason = Literal["condition", "window", "exclusive", "best", "noCharge"]


class NotApplied:
    """A rule that targets the offering but did not change the charge, and why.

    A failed condition is explained (which clause, with the actual value) only when
    ``detail`` is read: resolution stays fast with hundreds of rules that do not apply,
    and the explanation is the same whenever it is asked for (the context is kept).
    """

    __slots__ = ("_context", "_detail", "_explain", "charge", "name", "reason", "rule_id")

    def __init__(
        self,
        rule_id: uuid.UUID,
        name: str,
        reason: NotAppliedReason,
        detail: str | None,
        charge: Charge | None = None,
        *,
        explain: Explainer | None = None,
        context: Any = None,
    ) -> None:
        self.rule_id = rule_id
        self.name = name
        self.reason = reason
        self.charge = charge
        self._detail = detail
        self._explain = explain
        self._context = context

    @property
    def detail(self) -> str:
        if self._detail is None:
            explained = self._explain(self._context) if self._explain is not None else ""
            self._detail = f"condition failed: {explained}"
            self._explain = self._context = None
        return self._detail

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NotApplied):
            return NotImplemented
        return (self.rule_id, self.name, self.reason, self.charge, self.detail) == (
            other.rule_id,
            other.name,
            other.reason,
            other.charge,
            other.detail,
        )

    def __hash__(self) -> int:
        return hash((self.rule_id, self.reason, self.charge))

    def __repr__(self) -> str:
        return f"NotApplied({self.name!r}, {self.reason!r}, {self.detail!r})"


LostRule = tuple[CompiledRule, NotAppliedReason, str | None]


class ChargeResult:
    """One charge priced: its base, its final unit price and how it got there.

    ``not_applied`` (rules that lost to the stacking policies) is built when first read.
    """

    __slots__ = ("_lost", "_not_applied", "alterations", "base", "charge", "price")

    def __init__(
        self,
        charge: Charge,
        base: Decimal,
        price: Decimal,
        alterations: tuple[Alteration, ...],
        lost: Sequence[LostRule] = (),
    ) -> None:
        self.charge = charge
        self.base = base
        self.price = price
        self.alterations = alterations
        self._lost = lost
        self._not_applied: tuple[NotApplied, ...] | None = None

    @property
    def not_applied(self) -> tuple[NotApplied, ...]:
        if self._not_applied is None:
            self._not_applied = tuple(
                NotApplied(rule.id, rule.name, reason, detail, self.charge)
                for rule, reason, detail in self._lost
            )
        return self._not_applied

    @property
    def rule_total(self) -> Decimal:
        return sum((a.amount for a in self.alterations if a.kind == "rule"), Decimal(0))


class Resolution:
    """The priced charges of one offering and the rules not applied to any of them
    (outside their window, condition false, or only for a charge the offering lacks);
    ``not_applied`` is built when first read, the explanations when each is read."""

    __slots__ = ("_context", "_not_applied", "_refused", "charges", "offering_id")

    def __init__(
        self,
        offering_id: uuid.UUID,
        charges: tuple[ChargeResult, ...],
        refused: Sequence[LostRule] = (),
        context: Any = None,
    ) -> None:
        self.offering_id = offering_id
        self.charges = charges
        self._refused = refused
        self._context = context
        self._not_applied: tuple[NotApplied, ...] | None = None

    @property
    def not_applied(self) -> tuple[NotApplied, ...]:
        if self._not_applied is None:
            found = []
            for rule, reason, detail in self._refused:
                if reason == "condition":
                    found.append(
                        NotApplied(
                            rule.id,
                            rule.name,
                            reason,
                            None,
                            explain=rule.explain,
                            context=self._context,
                        )
                    )
                else:
                    found.append(NotApplied(rule.id, rule.name, reason, detail))
            self._not_applied = tuple(found)
            self._refused = ()
        return self._not_applied

    def charge(self, charge: Charge) -> ChargeResult | None:
        return next((c for c in self.charges if c.charge is charge), None)
