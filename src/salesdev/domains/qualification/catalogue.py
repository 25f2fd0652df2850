"""What qualification needs, loaded and compiled once and kept in memory.

- A channel's catalogue: every offering the channel (or a partner in it) has an active
  authorisation for, with its authorisation periods and the offering's facts.
- The rule book: every eligibility rule, its condition compiled into a predicate
  (``engine.rules.compile_predicate``), indexed by offering, by family and "all".

Both are kept per database engine and thrown away whenever the rules generation token
(``domains.eligibility.generation``) differs from the one they were built under: any
change to a rule, an authorisation, an offering or a family gives the token a new value
in the same transaction, and each request reads the token (one primary-key read) first.
Until the database has a token (nothing watched has changed since it was made), nothing is
cached and every request loads afresh.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput
from salesdev.db.models import ChannelAuthorisation, ProductFamily, ProductOffering
from salesdev.db.models.selling import EligibilityRule
from salesdev.domains.authorisation import SELLABLE_LIFECYCLE_STATUSES
from salesdev.domains.eligibility import attributes_of, current_token, reads_premise
from salesdev.domains.rules import load_offering_facts
from salesdev.engine.rules import (
    SALE_VOCABULARY,
    Condition,
    compile_predicate,
    parse_condition,
)


@dataclass(frozen=True, slots=True)
class OfferingInfo:
    id: uuid.UUID
    code: str
    name: str
    family_id: uuid.UUID
    family_code: str
    family_name: str
    is_bundle: bool
    is_sellable: bool
    lifecycle_status: str
    valid_from: datetime
    valid_to: datetime | None
    # The offering's attributes for rule contexts (``domains.rules.OfferingFacts``).
    facts: Any


@dataclass(frozen=True, slots=True)
class Grant:
    """An active authorisation period; ``partner_id`` None means channel-wide."""

    partner_id: uuid.UUID | None
    valid_from: datetime
    valid_to: datetime | None

    def holds(self, partner_id: uuid.UUID | None, at: datetime) -> bool:
        return (
            (self.partner_id is None or self.partner_id == partner_id)
            and self.valid_from <= at
            and (self.valid_to is None or at < self.valid_to)
        )


@dataclass
class ChannelCatalogue:
    channel_id: uuid.UUID
    offerings: dict[uuid.UUID, OfferingInfo]
    grants: dict[uuid.UUID, tuple[Grant, ...]]
    # Offering ids by code: the order of a whole-catalogue answer.
    order: tuple[uuid.UUID, ...]
    # Plans by (partner, interval between validity boundaries): see ``plan``.
    plans: dict[tuple[uuid.UUID | None, int], Plan] = field(default_factory=dict)
    boundaries: list[datetime] | None = None

    def authorised(
        self, offering_id: uuid.UUID, partner_id: uuid.UUID | None, at: datetime
    ) -> bool:
        return any(g.holds(partner_id, at) for g in self.grants.get(offering_id, ()))

    def plan(self, rules: RuleBook, partner_id: uuid.UUID | None, at: datetime) -> Plan:
        """What does not depend on the customer, for every offering of the channel at ``at``.

        Every validity in play (authorisations, offerings, rules) is half-open between two
        boundary instants, so between two consecutive boundaries none of it changes: a plan
        is computed once per interval (and partner) and reused.
        """
        if self.boundaries is None:
            instants: set[datetime] = set()
            for grants in self.grants.values():
                for grant in grants:
                    instants.add(grant.valid_from)
                    if grant.valid_to is not None:
                        instants.add(grant.valid_to)
            for info in self.offerings.values():
                instants.add(info.valid_from)
                if info.valid_to is not None:
                    instants.add(info.valid_to)
            for rule in rules.every():
                instants.add(rule.valid_from)
                if rule.valid_to is not None:
                    instants.add(rule.valid_to)
            self.boundaries = sorted(instants)
        key = (partner_id, bisect_right(self.boundaries, at))
        found = self.plans.get(key)
        if found is None:
            found = build_plan(self, rules, partner_id, at, list(self.offerings.values()))
            if len(self.plans) >= MAX_PLANS:
                self.plans.clear()
            self.plans[key] = found
        return found


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    applies_to: str
    offering_id: uuid.UUID | None
    family_id: uuid.UUID | None
    reason_code: str
    label: str
    valid_from: datetime
    valid_to: datetime | None
    condition: Condition | None
    predicate: Callable[[Mapping[str, object]], bool] | None
    # The same explanation for every offering when the condition reads no offering.*.
    reads_offering: bool
    reads_premise: bool
    # Why a stored condition can no longer be evaluated (the vocabulary changed), or None.
    error: str | None

    def in_force(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)


@dataclass
class RuleBook:
    by_offering: dict[uuid.UUID, list[CompiledRule]]
    by_family: dict[uuid.UUID, list[CompiledRule]]
    universal: list[CompiledRule]
    count: int
    _memo: dict[tuple[uuid.UUID, uuid.UUID], tuple[CompiledRule, ...]] = field(default_factory=dict)

    def every(self) -> list[CompiledRule]:
        found = list(self.universal)
        for rules in (*self.by_family.values(), *self.by_offering.values()):
            found.extend(rules)
        return found

    def applicable(self, offering: OfferingInfo) -> tuple[CompiledRule, ...]:
        """Rules for every offering, then the family's, then the offering's own (by code)."""
        key = (offering.id, offering.family_id)
        found = self._memo.get(key)
        if found is None:
            found = (
                *self.universal,
                *self.by_family.get(offering.family_id, ()),
                *self.by_offering.get(offering.id, ()),
            )
            self._memo[key] = found
        return found


def compile_rule(row: EligibilityRule) -> CompiledRule:
    condition: Condition | None = None
    error = None
    try:
        condition = parse_condition(row.condition, vocabulary=SALE_VOCABULARY)
    except InvalidInput as exc:
        error = "; ".join(f"{d.location}: {d.message}" for d in exc.details) or exc.message
    names = attributes_of(condition) if condition is not None else set()
    return CompiledRule(
        id=row.id,
        code=row.code,
        name=row.name,
        kind=row.kind,
        applies_to=row.applies_to,
        offering_id=row.product_offering_id,
        family_id=row.product_family_id,
        reason_code=row.reason_code,
        label=row.label,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        condition=condition,
        predicate=compile_predicate(condition) if condition is not None else None,
        reads_offering=any(n.startswith("offering.") for n in names),
        reads_premise=condition is not None and reads_premise(condition),
        error=error,
    )


def load_rule_book(session: Session) -> RuleBook:
    book = RuleBook(by_offering={}, by_family={}, universal=[], count=0)
    rows = session.scalars(select(EligibilityRule).order_by(EligibilityRule.code))
    for row in rows:
        rule = compile_rule(row)
        book.count += 1
        if rule.applies_to == "offering" and rule.offering_id is not None:
            book.by_offering.setdefault(rule.offering_id, []).append(rule)
        elif rule.applies_to == "family" and rule.family_id is not None:
            book.by_family.setdefault(rule.family_id, []).append(rule)
        else:
            book.universal.append(rule)
    return book


_OFFERING_COLUMNS = (
    ProductOffering.id,
    ProductOffering.code,
    ProductOffering.name,
    ProductOffering.family_id,
    ProductFamily.code,
    ProductFamily.name,
    ProductOffering.is_bundle,
    ProductOffering.is_sellable,
    ProductOffering.lifecycle_status,
    ProductOffering.valid_from,
    ProductOffering.valid_to,
)


def load_offerings(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, OfferingInfo]:
    """The facts of the offerings with these ids that exist (in chunks of 500 ids)."""
    found: dict[uuid.UUID, OfferingInfo] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        rows = session.execute(
            select(*_OFFERING_COLUMNS)
            .join(ProductFamily, ProductFamily.id == ProductOffering.family_id)
            .where(ProductOffering.id.in_(chunk))
        ).all()
        facts = load_offering_facts(session, [row[0] for row in rows]) if rows else {}
        for row in rows:
            found[row[0]] = OfferingInfo(*row, facts=facts[row[0]])
    return found


def load_channel(session: Session, channel_id: uuid.UUID) -> ChannelCatalogue:
    auth = ChannelAuthorisation
    rows = session.execute(
        select(auth.product_offering_id, auth.partner_id, auth.valid_from, auth.valid_to).where(
            auth.channel_id == channel_id, auth.status == "active"
        )
    ).all()
    grants: dict[uuid.UUID, list[Grant]] = {}
    for offering_id, partner_id, valid_from, valid_to in rows:
        grants.setdefault(offering_id, []).append(Grant(partner_id, valid_from, valid_to))
    offerings = load_offerings(session, list(grants))
    order = tuple(sorted(offerings, key=lambda i: offerings[i].code))
    return ChannelCatalogue(
        channel_id=channel_id,
        offerings=offerings,
        grants={k: tuple(v) for k, v in grants.items()},
        order=order,
    )


# Static failures of an offering (the label is made per request: it names the day).
NOT_SELLABLE, LIFECYCLE, NOT_AVAILABLE, NOT_AUTHORISED = (
    "NOT_SELLABLE",
    "LIFECYCLE",
    "NOT_AVAILABLE",
    "NOT_AUTHORISED",
)
MAX_PLANS = 64


@dataclass(frozen=True, slots=True)
class PlanItem:
    info: OfferingInfo
    authorised: bool
    # Codes of the checks that fail whatever the customer (see the service's table).
    static: tuple[str, ...]
    # Rules in force that read no offering attribute: one answer per request for all.
    shared: tuple[CompiledRule, ...]
    # Rules in force that read the offering's attributes: evaluated per offering.
    own: tuple[CompiledRule, ...]
    # Rules in force that cannot be evaluated.
    broken: tuple[CompiledRule, ...]


@dataclass(frozen=True)
class Plan:
    # Authorised offerings in catalogue order (the whole-catalogue answer).
    catalogue: tuple[PlanItem, ...]
    by_id: dict[uuid.UUID, PlanItem]


def plan_item(info: OfferingInfo, rules: RuleBook, authorised: bool, at: datetime) -> PlanItem:
    static: list[str] = []
    if not info.is_sellable:
        static.append(NOT_SELLABLE)
    if info.lifecycle_status not in SELLABLE_LIFECYCLE_STATUSES:
        static.append(LIFECYCLE)
    if not (info.valid_from <= at and (info.valid_to is None or at < info.valid_to)):
        static.append(NOT_AVAILABLE)
    if not authorised:
        static.append(NOT_AUTHORISED)
    in_force = [r for r in rules.applicable(info) if r.in_force(at)]
    return PlanItem(
        info=info,
        authorised=authorised,
        static=tuple(static),
        shared=tuple(r for r in in_force if r.predicate is not None and not r.reads_offering),
        own=tuple(r for r in in_force if r.predicate is not None and r.reads_offering),
        broken=tuple(r for r in in_force if r.predicate is None),
    )


def build_plan(
    catalogue: ChannelCatalogue,
    rules: RuleBook,
    partner_id: uuid.UUID | None,
    at: datetime,
    infos: Sequence[OfferingInfo],
) -> Plan:
    by_id = {
        info.id: plan_item(info, rules, catalogue.authorised(info.id, partner_id, at), at)
        for info in infos
    }
    ordered = tuple(by_id[i] for i in catalogue.order if by_id[i].authorised)
    return Plan(catalogue=ordered, by_id=by_id)


@dataclass
class _EngineCache:
    token: str | None = None
    rules: RuleBook | None = None
    channels: dict[uuid.UUID, ChannelCatalogue] = field(default_factory=dict)


_CACHES: weakref.WeakKeyDictionary[Engine, _EngineCache] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
# How many loads (channel or rules) happened: tests and benchmarks read it.
LOADS = {"channel": 0, "rules": 0}


def _engine_cache(session: Session) -> tuple[_EngineCache, str | None]:
    token = current_token(session)
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    with _LOCK:
        cache = _CACHES.get(engine)
        if cache is None or cache.token != token:
            cache = _EngineCache(token=token)
            _CACHES[engine] = cache
    return cache, token


def channel_and_rules(session: Session, channel_id: uuid.UUID) -> tuple[ChannelCatalogue, RuleBook]:
    """The channel's catalogue and the rule book, from memory when still current."""
    cache, token = _engine_cache(session)
    channel = cache.channels.get(channel_id)
    rules = cache.rules
    if channel is None:
        channel = load_channel(session, channel_id)
        LOADS["channel"] += 1
    if rules is None:
        rules = load_rule_book(session)
        LOADS["rules"] += 1
    if token is not None:
        with _LOCK:
            if cache.token == token:
                cache.channels[channel_id] = channel
                cache.rules = rules
    return channel, rules


def forget_all() -> None:
    """Drop every cached copy (tests use it to measure a cold start)."""
    with _LOCK:
        _CACHES.clear()
