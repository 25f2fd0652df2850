"""Whose statements a principal sees: their own, their team's (sales manager), all (sales ops).

A rep sees their own sales person's statements; a partner user their partner's (and its
staff's) statements; a sales manager their team's. Rows outside are "not found".
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from salesdev.db.models import SalesPerson
from salesdev.domains.access import Principal, Role, partner_scope_ids, team_ids


def visible_payees(session: Session, *, principal: Principal) -> dict[str, set[uuid.UUID]] | None:
    """Payee ids by kind the principal may see, or None when unrestricted."""
    if not principal.is_scoped:
        return None
    people: set[uuid.UUID] = set()
    partners: set[uuid.UUID] = set()
    if Role.SALES_REP in principal.roles and principal.sales_person_id is not None:
        people.add(principal.sales_person_id)
    if Role.SALES_MANAGER in principal.roles:
        people |= team_ids(session, principal=principal)
    if Role.PARTNER_USER in principal.roles:
        partners |= partner_scope_ids(session, principal=principal)
        if partners:
            people |= set(
                session.scalars(select(SalesPerson.id).where(SalesPerson.partner_id.in_(partners)))
            )
    return {"sales_person": people, "partner": partners}


def payee_condition(
    session: Session, *, principal: Principal, kind_column: Any, id_column: Any
) -> ColumnElement[bool] | None:
    visible = visible_payees(session, principal=principal)
    if visible is None:
        return None
    parts = [and_(kind_column == kind, id_column.in_(ids)) for kind, ids in visible.items() if ids]
    return or_(*parts) if parts else false()


def can_see(session: Session, *, principal: Principal, kind: str, payee_id: uuid.UUID) -> bool:
    visible = visible_payees(session, principal=principal)
    return visible is None or payee_id in visible.get(kind, set())
