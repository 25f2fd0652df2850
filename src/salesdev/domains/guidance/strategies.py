"""Ranking strategies for guided selling, behind one seam.

A :class:`RecommendationStrategy` receives the customer's sale context and the offerings
that qualified and were priced (:class:`Candidate`), and returns them ranked, each with a
score and the reasons for it. Strategies are registered by name (:data:`STRATEGIES`);
``recommend(..., strategy=name)`` picks one.

``rules`` (the one built now) is a rules-based next best offer: an offering's score is the
sum of the weights of the recommendation rules in force that target it (or its family) and
whose condition holds for this sale. Ties are broken by the margin (final recurring price
minus unit cost, or final one-time price minus unit cost for offerings without a recurring
charge; higher first, unknown margin last), then by the higher final monthly charge (the
recurring revenue the sale brings; a device without one comes after the plans), then the
lower final one-time charge (an easier first bill), then the offering code. Offerings no rule speaks for score
zero and still appear (after positive scores, before negative ones).

The propensity models of the prospecting capability plug in as another strategy: a class
with ``name``/``description`` and a ``rank`` that scores each candidate with the model
(the candidate's ``context`` holds every customer, premise, channel and offering attribute
the model may need), returns the model's explanation as reasons, and is registered with
:func:`register_strategy`. Nothing else changes: the API, console and CLI take the name.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.models.guidance import RecommendationRule
from salesdev.domains.guidance.rules import rules_in_force
from salesdev.engine.rules import Predicate, compile_predicate, parse_condition


@dataclass(frozen=True)
class PriceStep:
    """One alteration of the price (a discount, a surcharge, a guard-rail cap), as applied."""

    name: str
    description: str
    amount: Decimal  # signed change of the price it applies to
    price_type: str  # recurring or oneTime


@dataclass(frozen=True)
class OfferPrice:
    """An offering's price for this sale: list, final, what changed it, and its unit cost."""

    currency: str
    list_recurring: Decimal
    list_one_time: Decimal
    final_recurring: Decimal
    final_one_time: Decimal
    steps: tuple[PriceStep, ...] = ()
    unit_cost: Decimal | None = None
    source: str = ""

    @property
    def margin(self) -> Decimal | None:
        if self.unit_cost is None:
            return None
        charge = self.final_recurring if self.final_recurring else self.final_one_time
        return charge - self.unit_cost


@dataclass(frozen=True)
class Candidate:
    """A qualified offering, priced, with the sale context its rules are evaluated on."""

    offering_id: uuid.UUID
    code: str
    name: str
    family_id: uuid.UUID | None
    family_code: str
    price: OfferPrice | None
    context: Mapping[str, object]


@dataclass(frozen=True)
class Reason:
    """Why an offering is ranked where it is; ``rule`` and ``weight`` when a rule said so."""

    text: str
    rule: str | None = None
    weight: Decimal | None = None


@dataclass(frozen=True)
class RankedOffer:
    candidate: Candidate
    score: Decimal
    reasons: tuple[Reason, ...]


class RecommendationStrategy(Protocol):
    """Ranks qualified, priced offerings for one sale."""

    name: str
    description: str

    def rank(
        self,
        session: Session,
        *,
        customer: Mapping[str, object],
        candidates: Sequence[Candidate],
        at: datetime,
    ) -> list[RankedOffer]:
        """Every candidate once, best first, each with its score and reasons."""
        ...


_NO_RULE = Reason("Qualified and priced for this customer; no recommendation rule applies")


def tie_break_key(offer: RankedOffer) -> tuple[object, ...]:
    """Score (high first), margin (high first, unknown last), the higher monthly charge, the
    lower one-time charge, then the code."""
    price = offer.candidate.price
    margin = price.margin if price is not None else None
    return (
        -offer.score,
        margin is None,
        -(margin or Decimal(0)),
        -(price.final_recurring if price is not None else Decimal(0)),
        price.final_one_time if price is not None else Decimal(0),
        offer.candidate.code,
    )


@dataclass(frozen=True)
class WeightedRule:
    """A recommendation rule ready to evaluate: its target, weight, reason and predicate."""

    name: str
    score: Decimal
    reason: str
    predicate: Predicate
    offering_id: uuid.UUID | None = None
    family_id: uuid.UUID | None = None


def rank_by_rules(
    rules: Sequence[WeightedRule], candidates: Sequence[Candidate]
) -> list[RankedOffer]:
    """Every candidate scored by the sum of its matching rules' weights, best first."""
    by_offering: dict[uuid.UUID, list[WeightedRule]] = {}
    by_family: dict[uuid.UUID, list[WeightedRule]] = {}
    for rule in rules:
        if rule.offering_id is not None:
            by_offering.setdefault(rule.offering_id, []).append(rule)
        elif rule.family_id is not None:
            by_family.setdefault(rule.family_id, []).append(rule)
    ranked = []
    for candidate in candidates:
        targeting = by_offering.get(candidate.offering_id, []) + (
            by_family.get(candidate.family_id, []) if candidate.family_id else []
        )
        matched = sorted(
            (r for r in targeting if r.predicate(candidate.context)),
            key=lambda r: (-r.score, r.name),
        )
        score = sum((r.score for r in matched), Decimal(0))
        reasons = tuple(Reason(r.reason, r.name, r.score) for r in matched) or (_NO_RULE,)
        ranked.append(RankedOffer(candidate, score, reasons))
    ranked.sort(key=tie_break_key)
    return ranked


class RulesStrategy:
    """Rules-based next best offer: sum of the weights of the matching recommendation rules."""

    name = "rules"
    description = (
        "Sum of the weights of the recommendation rules that match the sale; "
        "ties by margin, then price"
    )

    def __init__(self) -> None:
        # Compiled predicates by (rule id, row version): a changed rule gets a new version,
        # so a stale compilation is never used; the cache is dropped when it grows large.
        self._compiled: dict[tuple[uuid.UUID, int], Predicate] = {}

    def _compile(self, rule: RecommendationRule) -> WeightedRule:
        key = (rule.id, rule.version)
        predicate = self._compiled.get(key)
        if predicate is None:
            if len(self._compiled) > 10_000:
                self._compiled.clear()
            predicate = compile_predicate(parse_condition(rule.condition))
            self._compiled[key] = predicate
        return WeightedRule(
            rule.name, rule.score, rule.reason, predicate, rule.product_offering_id, rule.family_id
        )

    def rank(
        self,
        session: Session,
        *,
        customer: Mapping[str, object],
        candidates: Sequence[Candidate],
        at: datetime,
    ) -> list[RankedOffer]:
        rules = [self._compile(rule) for rule in rules_in_force(session, at=at)]
        return rank_by_rules(rules, candidates)


STRATEGIES: dict[str, RecommendationStrategy] = {}


def register_strategy(strategy: RecommendationStrategy) -> None:
    STRATEGIES[strategy.name] = strategy


def get_strategy(name: str) -> RecommendationStrategy:
    strategy = STRATEGIES.get(name)
    if strategy is None:
        raise InvalidInput(
            "Unknown recommendation strategy",
            [
                ErrorDetail(
                    "strategy", f"expected one of {', '.join(sorted(STRATEGIES))}; got {name!r}"
                )
            ],
        )
    return strategy


register_strategy(RulesStrategy())
