"""Qualification: can this customer have these offerings, here, through this channel, then?

For each offering, every check runs and every failure is a reason (code + label + the
failing clauses in words), so an agent sees at once everything that stands in the way:

=====================  ==================================================================
``NOT_SELLABLE``       the offering is marked not sellable
``LIFECYCLE``          its lifecycle status is not Active or Launched
``NOT_AVAILABLE``      the date is outside the offering's validity
``NOT_AUTHORISED``     no channel (or partner) authorisation in force at the date
``CHANNEL_NOT_ACTIVE`` the sales channel's status is not active
``PARTNER_NOT_ACTIVE`` the selling partner is on-boarding, suspended or terminated
rule's reason code     an eligibility rule in force at the date does not hold
=====================  ==================================================================

An eligibility rule whose stored condition can no longer be evaluated (the vocabulary
changed under it) does not silently pass or fail: the item carries an error and the
qualification ends ``terminatedWithError``.

Alternatives (``provide_alternative``): for an offering that does not qualify, up to
three qualified offerings of the same product family in the channel's catalogue, the
closest monthly list price first (smallest absolute difference of the recurring list
price; offerings without a recurring price last), then by code.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.periods import require_aware
from salesdev.domains.access import Family, Principal, authorize, require_customer_in_scope
from salesdev.domains.catalog import list_prices
from salesdev.domains.qualification.catalogue import (
    LIFECYCLE,
    NOT_AUTHORISED,
    NOT_AVAILABLE,
    NOT_SELLABLE,
    ChannelCatalogue,
    CompiledRule,
    Plan,
    PlanItem,
    RuleBook,
    channel_and_rules,
    load_offerings,
    plan_item,
)
from salesdev.domains.qualification.scope import selling_scope
from salesdev.domains.rules import SaleContext, build_sale_context, sale_parties
from salesdev.engine.rules import explain

MAX_ALTERNATIVES = 3
MAX_OFFERINGS = 5000


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an offering does not qualify: a stable code, a label for people, and the
    failing clauses of the rule in words (empty for the built-in checks)."""

    code: str
    label: str
    clauses: tuple[str, ...] = ()
    rule_code: str | None = None


@dataclass(frozen=True, slots=True)
class Alternative:
    offering_id: uuid.UUID
    code: str
    name: str


@dataclass(slots=True)
class QualificationOutcome:
    offering_id: uuid.UUID
    code: str
    name: str
    family_code: str
    qualified: bool
    reasons: list[Reason] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)
    # Rules that could not be evaluated for this offering (see the module docstring).
    errors: list[str] = field(default_factory=list)

    @property
    def offering_code(self) -> str:
        return self.code

    @property
    def offering_name(self) -> str:
        return self.name


def _iso_day(at: datetime) -> str:
    return at.astimezone(UTC).date().isoformat()


class _Evaluator:
    """Evaluates offerings for one request; what is the same for every offering (rules that
    read no offering attribute, their explanations, the built-in reasons) once."""

    def __init__(self, *, sale: SaleContext, partner_id: uuid.UUID | None,
                 premise_given: bool, at: datetime,
                 standing: Sequence[Reason] = ()) -> None:  # fmt: skip
        self.sale = sale
        # Why the seller may not sell at all (its channel or partner is not active): a
        # reason of every offering.
        self.standing = list(standing)
        self.base = sale.base
        self.partner_id = partner_id
        self.premise_given = premise_given
        self.at = at
        # Keyed by code (a str hashes once and caches it; a UUID hashes in Python each time).
        self.shared: dict[str, bool] = {}
        self.explained: dict[str, Reason] = {}
        self.results: dict[str, QualificationOutcome] = {}
        # Equal reason lists are one list (keyed by the reasons' identities): offerings that
        # fail the same way share it, and storing and rendering encode it once.
        self.interned: dict[tuple[int, ...], list[Reason]] = {}
        self.lifecycle: dict[str, Reason] = {}
        day = _iso_day(at)
        holder = "partner" if partner_id is not None else "channel"
        self.static = {
            NOT_SELLABLE: Reason(NOT_SELLABLE, "The offering is not for sale"),
            NOT_AVAILABLE: Reason(NOT_AVAILABLE, f"The offering is not offered on {day}"),
            NOT_AUTHORISED: Reason(
                NOT_AUTHORISED, f"The {holder} is not authorised to sell the offering on {day}"
            ),
        }

    def outcome(self, item: PlanItem) -> QualificationOutcome:
        info = item.info
        found = self.results.get(info.code)
        if found is not None:
            return found
        reasons: list[Reason] = self.standing.copy()
        for code in item.static:
            if code == LIFECYCLE:
                status = info.lifecycle_status
                found_reason = self.lifecycle.get(status)
                if found_reason is None:
                    found_reason = self.lifecycle[status] = Reason(
                        LIFECYCLE, f"The offering's lifecycle status is {status}"
                    )
                reasons.append(found_reason)
            else:
                reasons.append(self.static[code])
        if item.shared:
            shared = self.shared
            for rule in item.shared:
                holds = shared.get(rule.code)
                if holds is None:
                    assert rule.predicate is not None
                    holds = shared[rule.code] = rule.predicate(self.base)
                if not holds:
                    reasons.append(self._reason(rule, self.base))
        if item.own:
            context = self.sale.for_offering(info.facts)
            for rule in item.own:
                assert rule.predicate is not None
                if not rule.predicate(context):
                    reasons.append(self._reason(rule, context))
        errors = (
            [
                f"eligibility rule {rule.code} cannot be evaluated: {rule.error}"
                for rule in item.broken
            ]
            if item.broken
            else []
        )
        if reasons:
            # Every Reason here is kept alive by this evaluator's memos or by the interned
            # list itself, so an identity is never reused while the key is in use.
            reasons = self.interned.setdefault(tuple(map(id, reasons)), reasons)
        outcome = QualificationOutcome(
            offering_id=info.id,
            code=info.code,
            name=info.name,
            family_code=info.family_code,
            qualified=not reasons and not errors,
            reasons=reasons,
            errors=errors,
        )
        self.results[info.code] = outcome
        return outcome

    def _reason(self, rule: CompiledRule, context: Mapping[str, object]) -> Reason:
        memo = None if rule.reads_offering else self.explained.get(rule.code)
        if memo is not None:
            return memo
        assert rule.condition is not None
        clauses = explain(rule.condition, context).failed
        if rule.kind == "premise" and not self.premise_given:
            clauses = ("no premise was given", *clauses)
        reason = Reason(rule.reason_code, rule.label, tuple(clauses), rule.code)
        if not rule.reads_offering:
            self.explained[rule.code] = reason
        return reason


CHANNEL_NOT_ACTIVE = "CHANNEL_NOT_ACTIVE"
PARTNER_NOT_ACTIVE = "PARTNER_NOT_ACTIVE"
ACTIVE = "active"


def seller_standing(
    session: Session, *, channel_id: uuid.UUID, partner_id: uuid.UUID | None
) -> list[Reason]:
    """Why the channel (or the partner selling in it) may not sell anything now: an
    inactive channel; a partner still on-boarding, suspended or terminated. Empty when
    both are active. The parties must exist (:func:`selling_scope` checked them)."""
    parties = sale_parties(session, channel_id=channel_id, partner_id=partner_id)
    reasons = []
    channel, partner = parties.channel, parties.partner
    if channel is not None and channel.status != ACTIVE:
        reasons.append(
            Reason(
                CHANNEL_NOT_ACTIVE,
                f"The sales channel {channel.code} is {channel.status}: it sells nothing",
            )
        )
    if partner is not None and partner.status != ACTIVE:
        reasons.append(
            Reason(
                PARTNER_NOT_ACTIVE,
                f"The partner {partner.code} is {partner.status}: only an active partner sells",
            )
        )
    return reasons


def qualify_offerings(
    session: Session,
    *,
    principal: Principal,
    channel_id: uuid.UUID,
    at: datetime,
    customer_id: uuid.UUID | None = None,
    premise_id: uuid.UUID | None = None,
    partner_id: uuid.UUID | None = None,
    offering_ids: Sequence[uuid.UUID] | None = None,
    provide_alternative: bool = False,
) -> list[QualificationOutcome]:
    """Qualify ``offering_ids`` (None: the channel's whole catalogue at ``at``, by code).

    Unknown channel, partner, customer or premise: NotFound; unknown offerings: InvalidInput
    naming each (``offering_ids[i]``). Nothing is written.
    """
    authorize(principal, Family.SELLING, "read")
    require_aware(at, location="at")
    partner_id = selling_scope(
        session, principal=principal, channel_id=channel_id, partner_id=partner_id
    )
    # A partner user qualifies only its partners' customers (no query for other roles).
    require_customer_in_scope(session, principal=principal, customer_id=customer_id)
    if offering_ids is not None and len(offering_ids) > MAX_OFFERINGS:
        raise InvalidInput(
            "Too many offerings",
            [ErrorDetail("offering_ids", f"at most {MAX_OFFERINGS} in one qualification")],
        )
    standing = seller_standing(session, channel_id=channel_id, partner_id=partner_id)
    catalogue, rules = channel_and_rules(session, channel_id)
    plan = catalogue.plan(rules, partner_id, at)
    items = _requested(session, catalogue, rules, plan, at, offering_ids)
    # The principal's right to sell in the channel was checked above; the customer's and
    # the premise's attributes are read on its behalf for this sale.
    sale = build_sale_context(
        session,
        principal=principal,
        channel_id=channel_id,
        customer_id=customer_id,
        premise_id=premise_id,
        partner_id=partner_id,
        at=at,
    )
    evaluator = _Evaluator(
        sale=sale,
        partner_id=partner_id,
        premise_given=premise_id is not None,
        at=at,
        standing=standing,
    )
    outcomes = [evaluator.outcome(item) for item in items]
    if provide_alternative and any(not o.qualified for o in outcomes):
        outcomes = _with_alternatives(session, evaluator, plan, outcomes, at)
    return outcomes


def _requested(
    session: Session,
    catalogue: ChannelCatalogue,
    rules: RuleBook,
    plan: Plan,
    at: datetime,
    offering_ids: Sequence[uuid.UUID] | None,
) -> list[PlanItem]:
    if offering_ids is None:
        return list(plan.catalogue)
    errors: list[ErrorDetail] = []
    seen: set[uuid.UUID] = set()
    for index, offering_id in enumerate(offering_ids):
        if offering_id in seen:
            errors.append(ErrorDetail(f"offering_ids[{index}]", f"{offering_id} is listed twice"))
        seen.add(offering_id)
    outside = [i for i in seen if i not in plan.by_id]
    extra = load_offerings(session, outside) if outside else {}
    for index, offering_id in enumerate(offering_ids):
        if offering_id not in plan.by_id and offering_id not in extra:
            errors.append(
                ErrorDetail(f"offering_ids[{index}]", f"no product offering with id {offering_id}")
            )
    if errors:
        raise InvalidInput("Invalid offerings to qualify", errors)
    # Offerings the channel has never been authorised for: not in the plan.
    others = {i: plan_item(info, rules, False, at) for i, info in extra.items()}
    return [plan.by_id.get(i) or others[i] for i in offering_ids]


def _with_alternatives(
    session: Session,
    evaluator: _Evaluator,
    plan: Plan,
    outcomes: list[QualificationOutcome],
    at: datetime,
) -> list[QualificationOutcome]:
    wanted_families = {o.family_code for o in outcomes if not o.qualified}
    candidates: dict[str, list[QualificationOutcome]] = {}
    for item in plan.catalogue:
        if item.info.family_code not in wanted_families:
            continue
        result = evaluator.outcome(item)
        if result.qualified:
            candidates.setdefault(item.info.family_code, []).append(result)
    unqualified = [o for o in outcomes if not o.qualified]
    priced_ids = {o.offering_id for o in unqualified} | {
        c.offering_id for found in candidates.values() for c in found
    }
    prices = list_prices(session, offering_ids=priced_ids, at=at) if priced_ids else {}

    def monthly(offering_id: uuid.UUID) -> Decimal | None:
        price = prices.get(offering_id)
        return price.recurring.amount if price is not None and price.recurring else None

    answered = []
    for outcome in outcomes:
        if outcome.qualified:
            answered.append(outcome)
            continue
        reference = monthly(outcome.offering_id)

        def distance(
            c: QualificationOutcome, reference: Decimal | None = reference
        ) -> tuple[int, Decimal, str]:
            own = monthly(c.offering_id)
            if own is None or reference is None:
                return (1, Decimal(0), c.code)
            return (0, abs(own - reference), c.code)

        ranked = sorted(
            (
                c
                for c in candidates.get(outcome.family_code, ())
                if c.offering_id != outcome.offering_id
            ),
            key=distance,
        )[:MAX_ALTERNATIVES]
        answered.append(
            QualificationOutcome(
                offering_id=outcome.offering_id,
                code=outcome.code,
                name=outcome.name,
                family_code=outcome.family_code,
                qualified=False,
                reasons=outcome.reasons,
                errors=outcome.errors,
                alternatives=[Alternative(c.offering_id, c.code, c.name) for c in ranked],
            )
        )
    return answered
