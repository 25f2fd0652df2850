"""Effective-dated hierarchy history: sales people's managers and partners' parents.

Seeded from the current ``manager_id`` / ``parent_id`` (:func:`seed_hierarchy`). A change
(:func:`record_parent`) ends the open link and adds a new one from the given instant;
history is never rewritten. The reference service calls :func:`follow_parent_change`
in the same transaction whenever a sales person's manager or a partner's parent partner
is set or changed (console, API, CLI, import), so the history follows the reference data.
:func:`hierarchy_table` gives the links that overlap a
period, in the shape the engine's roll-up reads (payee_id, parent_id, relation,
valid_from, valid_to).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, RuleViolation
from salesdev.core.periods import Period, parse_instant, require_aware
from salesdev.db.models import Partner, SalesPerson
from salesdev.db.models.compensation import HierarchyLink
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize

RELATIONS = ("manager", "partner")
# The reference entity kind whose parent field each relation follows.
RELATION_OF_KIND = {"sales_person": "manager", "partner": "partner"}

LINK_ATTRIBUTES: dict[str, Attribute] = {
    "relation": Attribute(HierarchyLink.relation),
    "payeeId": Attribute(HierarchyLink.payee_id, parse=uuid.UUID),
    "parentId": Attribute(HierarchyLink.parent_id, parse=uuid.UUID),
    "validFrom": Attribute(HierarchyLink.valid_from, parse=parse_instant),
}


def list_links(session: Session, *, principal: Principal, query: ListQuery) -> Page[HierarchyLink]:
    authorize(principal, Family.COMPENSATION, "read")
    return fetch_page(
        session,
        select(HierarchyLink),
        attributes=LINK_ATTRIBUTES,
        query=query,
        tie_breaker=HierarchyLink.id,
        default_sort=(SortKey("payeeId"), SortKey("validFrom")),
    )


def seed_hierarchy(
    session: Session, *, principal: Principal, valid_from: datetime, now: datetime
) -> int:
    """One open link per current manager / parent not yet recorded; returns how many."""
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(valid_from, location="validFrom")
    require_aware(now, location="now")
    open_links = {
        (relation, payee)
        for relation, payee in session.execute(
            select(HierarchyLink.relation, HierarchyLink.payee_id).where(
                HierarchyLink.valid_to.is_(None)
            )
        )
    }
    added = 0
    current: list[tuple[str, uuid.UUID, uuid.UUID | None]] = [
        ("manager", person_id, manager_id)
        for person_id, manager_id in session.execute(select(SalesPerson.id, SalesPerson.manager_id))
    ] + [
        ("partner", partner_id, parent_id)
        for partner_id, parent_id in session.execute(select(Partner.id, Partner.parent_id))
    ]
    for relation, payee_id, parent_id in current:
        if parent_id is None or (relation, payee_id) in open_links:
            continue
        session.add(
            HierarchyLink(
                relation=relation,
                payee_id=payee_id,
                parent_id=parent_id,
                valid_from=valid_from,
                valid_to=None,
                created_at=now,
                updated_at=now,
            )
        )
        added += 1
    session.flush()
    return added


def record_parent(
    session: Session,
    *,
    principal: Principal,
    relation: str,
    payee_id: uuid.UUID,
    parent_id: uuid.UUID | None,
    valid_from: datetime,
    now: datetime,
) -> HierarchyLink | None:
    """From ``valid_from`` on, ``payee_id``'s manager (or parent partner) is ``parent_id``
    (None: none). The open link ends at ``valid_from``; earlier links stay as they were."""
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(valid_from, location="validFrom")
    require_aware(now, location="now")
    if relation not in RELATIONS:
        raise InvalidInput(
            "Invalid hierarchy link", [ErrorDetail("relation", "expected manager or partner")]
        )
    model = SalesPerson if relation == "manager" else Partner
    for location, value in (("payee", payee_id), ("parent", parent_id)):
        if value is not None and session.get(model, value) is None:
            raise InvalidInput(
                "Invalid hierarchy link", [ErrorDetail(location, f"no such {model.__name__}")]
            )
    if parent_id == payee_id:
        raise InvalidInput("Invalid hierarchy link", [ErrorDetail("parent", "cannot be itself")])
    current = session.scalar(
        select(HierarchyLink).where(
            HierarchyLink.relation == relation,
            HierarchyLink.payee_id == payee_id,
            HierarchyLink.valid_to.is_(None),
        )
    )
    if current is not None:
        if current.valid_from >= valid_from:
            raise RuleViolation(
                "History is never rewritten: the current link starts later",
                [ErrorDetail("validFrom", f"must be after {current.valid_from.isoformat()}")],
            )
        if current.parent_id == parent_id:
            return current
        current.valid_to = valid_from
        current.updated_at = now
    if parent_id is None:
        session.flush()
        return None
    link = HierarchyLink(
        relation=relation,
        payee_id=payee_id,
        parent_id=parent_id,
        valid_from=valid_from,
        valid_to=None,
        created_at=now,
        updated_at=now,
    )
    session.add(link)
    session.flush()
    return link


def follow_parent_change(
    session: Session,
    *,
    kind: str,
    payee_id: uuid.UUID,
    old_parent_id: uuid.UUID | None,
    new_parent_id: uuid.UUID | None,
    known_since: datetime,
    effective_from: datetime,
    now: datetime,
) -> None:
    """Record that a reference entity's parent changed from ``effective_from`` on.

    Called by the reference service, which has authorized the reference write: the history
    is a consequence of that write, not a separate compensation change, so no compensation
    permission is asked for. ``kind`` is a reference entity kind; kinds without a payee
    hierarchy are ignored. When the payee has no history yet and had a parent, that parent
    is first recorded from ``known_since`` (when the row was created), so a run for a period
    before the change still rolls up to the old parent. A second change at the same instant
    replaces the first (it never held). An ``effective_from`` before the latest recorded
    change is refused: history is never rewritten.
    """
    relation = RELATION_OF_KIND.get(kind)
    if relation is None or old_parent_id == new_parent_id:
        return
    require_aware(effective_from, location="effective_from")
    links = session.scalars(
        select(HierarchyLink)
        .where(HierarchyLink.relation == relation, HierarchyLink.payee_id == payee_id)
        .order_by(HierarchyLink.valid_from)
    ).all()
    current = next((link for link in links if link.valid_to is None), None)
    latest_start = max((link.valid_from for link in links), default=None)
    if latest_start is not None and latest_start > effective_from:
        raise RuleViolation(
            "History is never rewritten: the hierarchy changed later than the effective date",
            [
                ErrorDetail(
                    "effective_from",
                    f"must not be before the latest recorded change {latest_start.isoformat()}",
                )
            ],
        )
    if not links and old_parent_id is not None and known_since < effective_from:
        session.add(
            HierarchyLink(
                relation=relation,
                payee_id=payee_id,
                parent_id=old_parent_id,
                valid_from=known_since,
                valid_to=effective_from,
                created_at=now,
                updated_at=now,
            )
        )
    if current is not None:
        if current.valid_from == effective_from:
            # Changed twice at the same instant: the first value never held.
            if new_parent_id is None:
                session.delete(current)
            else:
                current.parent_id = new_parent_id
                current.updated_at = now
            session.flush()
            return
        current.valid_to = effective_from
        current.updated_at = now
    if new_parent_id is not None:
        session.add(
            HierarchyLink(
                relation=relation,
                payee_id=payee_id,
                parent_id=new_parent_id,
                valid_from=effective_from,
                valid_to=None,
                created_at=now,
                updated_at=now,
            )
        )
    session.flush()


def hierarchy_rows(session: Session, *, period: Period) -> list[dict[str, Any]]:
    """Links overlapping ``period``, as the engine's hierarchy input rows."""
    links = session.scalars(
        select(HierarchyLink)
        .where(
            HierarchyLink.valid_from < period.end,
            or_(HierarchyLink.valid_to.is_(None), HierarchyLink.valid_to > period.start),
        )
        .order_by(HierarchyLink.relation, HierarchyLink.payee_id, HierarchyLink.valid_from)
    ).all()
    return [
        {
            "payee_id": str(link.payee_id),
            "parent_id": str(link.parent_id),
            "relation": link.relation,
            "valid_from": link.valid_from,
            "valid_to": link.valid_to,
        }
        for link in links
    ]
