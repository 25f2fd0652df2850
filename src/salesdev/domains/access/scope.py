"""Row scopes: which rows of a kind a scoped principal may see at all.

Rows outside the scope are answered as "not found", never "forbidden", so that
their existence does not leak.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import Session

from salesdev.core.errors import NotFound
from salesdev.db.models import Customer, Outlet, Partner, SalesPerson
from salesdev.domains.access.permissions import Principal, Role


def partner_scope_ids(session: Session, *, principal: Principal) -> set[uuid.UUID]:
    """The principal's partner and, when allowed, its sub-dealers at every level."""
    if principal.partner_id is None:
        return set()
    if not principal.include_sub_dealers:
        return {principal.partner_id}
    return _descendants(session, Partner.__table__, "parent_id", principal.partner_id)


def team_ids(session: Session, *, principal: Principal) -> set[uuid.UUID]:
    """The principal's own sales person and everyone reporting to them, directly or not."""
    if principal.sales_person_id is None:
        return set()
    return _descendants(session, SalesPerson.__table__, "manager_id", principal.sales_person_id)


def _descendants(
    session: Session, table: Any, parent_column: str, root: uuid.UUID
) -> set[uuid.UUID]:
    tree = select(table.c.id).where(table.c.id == root).cte("tree", recursive=True)
    tree = tree.union_all(select(table.c.id).where(table.c[parent_column] == tree.c.id))
    return set(session.scalars(select(tree.c.id)))


def partner_rows_condition(
    session: Session, *, principal: Principal, column: Any
) -> ColumnElement[bool] | None:
    """For a partner user, rows whose ``column`` (a partner id) is in their partner scope;
    None for everyone else. For partner-owned records such as on-boarding cases and agreements."""
    if principal.is_scoped and Role.PARTNER_USER in principal.roles:
        condition: ColumnElement[bool] = column.in_(partner_scope_ids(session, principal=principal))
        return condition
    return None


def scope_condition(
    session: Session, *, principal: Principal, kind: str
) -> ColumnElement[bool] | None:
    """A WHERE condition limiting ``kind`` to the principal's rows, or None when unrestricted."""
    if not principal.is_scoped:
        return None
    if Role.PARTNER_USER in principal.roles:
        partners = partner_scope_ids(session, principal=principal)
        partner_conditions: dict[str, ColumnElement[bool]] = {
            "partner": Partner.id.in_(partners),
            "outlet": Outlet.partner_id.in_(partners),
            "sales_person": SalesPerson.partner_id.in_(partners),
            "customer": Customer.partner_id.in_(partners),
        }
        if kind in partner_conditions:
            return partner_conditions[kind] if partners else false()
    if kind == "sales_person":
        if Role.SALES_MANAGER in principal.roles:
            team = team_ids(session, principal=principal)
            return SalesPerson.id.in_(team) if team else false()
        if Role.SALES_REP in principal.roles:
            own = principal.sales_person_id
            return SalesPerson.id == own if own is not None else false()
    return None


def in_scope(session: Session, *, principal: Principal, kind: str, entity: Any) -> bool:
    condition = scope_condition(session, principal=principal, kind=kind)
    if condition is None:
        return True
    model = type(entity)
    return session.scalar(select(model.id).where(model.id == entity.id, condition)) is not None


def _is_partner_user(principal: Principal) -> bool:
    return principal.is_scoped and Role.PARTNER_USER in principal.roles


def customer_scope_condition(
    session: Session, *, principal: Principal
) -> ColumnElement[bool] | None:
    """For a partner user, the customers of its partner scope (``customer.partner_id``:
    acquired through or assigned to one of its partners); None for everyone else (internal
    roles sell to every customer)."""
    if not _is_partner_user(principal):
        return None
    partners = partner_scope_ids(session, principal=principal)
    return Customer.partner_id.in_(partners) if partners else false()


def require_customer_in_scope(
    session: Session, *, principal: Principal, customer_id: uuid.UUID | None
) -> None:
    """NotFound, as for a customer that does not exist, when a partner user names a
    customer outside its partner scope. No query for other principals; for a partner user
    the customer is usually already in the session (one read otherwise), and the partner
    scope costs a query only with sub-dealers."""
    if customer_id is None or not _is_partner_user(principal):
        return
    customer = session.get(Customer, customer_id)
    if customer is None or customer.partner_id is None:
        raise NotFound(f"Customer {customer_id} does not exist")
    if customer.partner_id == principal.partner_id:
        return
    if customer.partner_id not in partner_scope_ids(session, principal=principal):
        raise NotFound(f"Customer {customer_id} does not exist")
