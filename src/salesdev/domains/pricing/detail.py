"""One price list version with everything a reviewer needs: scope, validity, status,
entries, rules (in words) and what changed against the version it follows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.db.models import ProductOffering
from salesdev.db.models.pricing import PriceList, PriceListEntry, PriceListVersion, PricingRule
from salesdev.domains.access import Principal
from salesdev.domains.pricing.common import get_version
from salesdev.domains.pricing.lists import describe_scope, list_entries
from salesdev.domains.pricing.rules import list_rules, parsed_condition
from salesdev.engine.rules import SALE_VOCABULARY, describe


@dataclass(frozen=True)
class EntryLine:
    entry: PriceListEntry
    offering: ProductOffering


@dataclass(frozen=True)
class RuleLine:
    rule: PricingRule
    condition_text: str


@dataclass(frozen=True)
class EntryChange:
    offering_code: str
    change: str  # added, removed, changed
    before: tuple[Decimal | None, Decimal | None, Decimal | None] | None
    after: tuple[Decimal | None, Decimal | None, Decimal | None] | None


@dataclass(frozen=True)
class PriceListVersionDetail:
    price_list: PriceList
    version: PriceListVersion
    scope: str
    entries: tuple[EntryLine, ...]
    rules: tuple[RuleLine, ...]
    previous: PriceListVersion | None
    changes: tuple[EntryChange, ...]


def _amounts(entry: PriceListEntry) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    return (entry.recurring_amount, entry.one_time_amount, entry.unit_cost)


def price_list_version_detail(
    session: Session, *, principal: Principal, version_id: uuid.UUID
) -> PriceListVersionDetail:
    price_list, version = get_version(session, principal=principal, version_id=version_id)
    entries = list_entries(session, principal=principal, version_id=version.id)
    rules = list_rules(session, principal=principal, version_id=version.id)
    previous_id = version.copied_from_id
    previous = (
        session.get(PriceListVersion, previous_id)
        if previous_id is not None
        else session.scalar(
            select(PriceListVersion).where(
                PriceListVersion.price_list_id == price_list.id,
                PriceListVersion.number == version.number - 1,
            )
        )
    )
    changes: list[EntryChange] = []
    if previous is not None:
        before = {
            code: _amounts(e)
            for e, code in session.execute(
                select(PriceListEntry, ProductOffering.code)
                .join(ProductOffering, ProductOffering.id == PriceListEntry.product_offering_id)
                .where(PriceListEntry.version_id == previous.id)
            ).all()
        }
        after = {o.code: _amounts(e) for e, o in entries}
        for code in sorted(set(before) | set(after)):
            if code not in before:
                changes.append(EntryChange(code, "added", None, after[code]))
            elif code not in after:
                changes.append(EntryChange(code, "removed", before[code], None))
            elif before[code] != after[code]:
                changes.append(EntryChange(code, "changed", before[code], after[code]))
    return PriceListVersionDetail(
        price_list=price_list,
        version=version,
        scope=describe_scope(price_list, session),
        entries=tuple(EntryLine(e, o) for e, o in entries),
        rules=tuple(
            RuleLine(r, describe(parsed_condition(r), vocabulary=SALE_VOCABULARY)) for r in rules
        ),
        previous=previous,
        changes=tuple(changes),
    )
