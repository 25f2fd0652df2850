"""Demo logins: one user per role, each bound to data it can see in the demo.

Bindings are chosen from the loaded demo by fixed rules (largest team, most
orders, ties broken by code), so the same seed binds the same personas. The
sales manager's rep is in the manager's team, so the two personas tell one story.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.analytics.events import event_files_glob, has_events
from salesdev.core.errors import Conflict, ErrorDetail, PreconditionFailed
from salesdev.db.models import Outlet, Partner, Region, SalesChannel, SalesPerson, User
from salesdev.domains.access import SYSTEM, Principal, Role, scope_condition
from salesdev.domains.identity import create_user, principal_for

# One shared password, printed in the docs and by the loader: the demo is for exploring,
# never for production data. It passes the policy and contains none of the logins.
DEMO_PASSWORD = "salesdev-demo-2026"  # noqa: S105

DEMO_LOGIN_NAMES: dict[Role, str] = {
    Role.ADMIN: "admin",
    Role.SALES_OPERATIONS: "salesops",
    Role.CHANNEL_MANAGER: "channels",
    Role.PRODUCT_MANAGER: "products",
    Role.SALES_MANAGER: "manager",
    Role.SALES_REP: "rep",
    Role.PARTNER_USER: "partner",
    Role.AUDITOR: "auditor",
}

_UNSCOPED: dict[Role, tuple[str, str]] = {
    Role.ADMIN: (
        "Demo Administrator",
        "Everything: all data, users and jobs to change, the audit trail to read.",
    ),
    Role.SALES_OPERATIONS: (
        "Demo Sales Operations",
        "All business data to read; maintains the sales organisation and runs jobs.",
    ),
    Role.CHANNEL_MANAGER: (
        "Demo Channel Manager",
        "All business data to read; maintains channels and partners and runs jobs.",
    ),
    Role.PRODUCT_MANAGER: (
        "Demo Product Manager",
        "All business data to read; maintains the product catalogue and runs jobs.",
    ),
    Role.AUDITOR: (
        "Demo Auditor",
        "Everything to read, the audit trail and users included; changes nothing.",
    ),
}


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    login: str
    password: str
    display_name: str
    scope_description: str


@dataclass(frozen=True)
class _Person:
    id: uuid.UUID
    code: str
    name: str
    role: str
    manager_id: uuid.UUID | None
    partner_id: uuid.UUID | None


def require_demo_logins_free(session: Session) -> None:
    """Refuse (Conflict) when any demo login name is already taken in this store."""
    names = list(DEMO_LOGIN_NAMES.values())
    taken = sorted(session.scalars(select(User.login).where(User.login.in_(names))))
    if taken:
        raise Conflict(
            "The demo logins already exist",
            [ErrorDetail("login", f"{login!r} is already taken") for login in taken],
        )


def create_demo_users(
    session: Session, *, now: datetime, event_store_dir: Path | None = None
) -> list[DemoLogin]:
    """Create the demo logins (in ``Role`` order) over a loaded demo; flushes, never commits.

    ``event_store_dir`` holds the demo's sales events: the rep and the partner are
    chosen among those who sold most. Without it they are chosen by structure alone.
    """
    require_demo_logins_free(session)
    orders = _orders_by_seller(event_store_dir)
    people = [
        _Person(p.id, p.code, p.name, p.role, p.manager_id, p.partner_id)
        for p in session.scalars(select(SalesPerson).order_by(SalesPerson.code))
    ]
    manager = _pick_manager(people, orders)
    rep = _pick_rep(_team(people, manager.id), orders)
    master_agent = _pick_master_agent(session, orders)

    logins: list[DemoLogin] = []
    for role in Role:
        login = DEMO_LOGIN_NAMES[role]
        sales_person = {Role.SALES_MANAGER: manager, Role.SALES_REP: rep}.get(role)
        partner = master_agent if role is Role.PARTNER_USER else None
        if sales_person is not None:
            display_name = sales_person.name
        elif partner is not None:
            display_name = f"Partner desk, {partner.name}"
        else:
            display_name = _UNSCOPED[role][0]
        user = create_user(
            session,
            principal=SYSTEM,
            login=login,
            display_name=display_name,
            password=DEMO_PASSWORD,
            roles=[role.value],
            now=now,
            sales_person_id=sales_person.id if sales_person else None,
            partner_id=partner.id if partner else None,
            include_sub_dealers=partner is not None,
        )
        description = (
            _UNSCOPED[role][1]
            if role in _UNSCOPED
            else _describe_scope(session, principal_for(user), orders)
        )
        logins.append(DemoLogin(role, login, DEMO_PASSWORD, display_name, description))
    return logins


# --- choosing the personas ------------------------------------------------------------------


@dataclass
class _Orders:
    """Order events per sales person and per partner (ids as in the event store)."""

    by_person: Counter[uuid.UUID]
    by_partner: Counter[uuid.UUID]


def _orders_by_seller(event_store_dir: Path | None) -> _Orders:
    orders = _Orders(Counter(), Counter())
    if event_store_dir is None or not has_events(event_store_dir):
        return orders
    with duckdb.connect() as connection:
        rows = connection.execute(
            """SELECT sales_person_id, partner_id, count(*)
               FROM read_parquet($files, hive_partitioning = true)
               WHERE event_type = 'order'
               GROUP BY ALL""",
            {"files": event_files_glob(event_store_dir)},
        ).fetchall()
    for person, partner, count in rows:
        if person is not None:
            orders.by_person[uuid.UUID(person)] += count
        if partner is not None:
            orders.by_partner[uuid.UUID(partner)] += count
    return orders


def _team(people: list[_Person], root: uuid.UUID) -> list[_Person]:
    """``root`` and everyone reporting to them, at every level, in code order."""
    members = {root}
    reports: dict[uuid.UUID, list[_Person]] = {}
    for person in people:
        if person.manager_id is not None:
            reports.setdefault(person.manager_id, []).append(person)
    pending = [root]
    while pending:
        for person in reports.get(pending.pop(), []):
            members.add(person.id)
            pending.append(person.id)
    return [person for person in people if person.id in members]


def _pick_manager(people: list[_Person], orders: _Orders) -> _Person:
    """The CSP's own manager whose team has the most selling reps, then the largest team."""
    candidates = [p for p in people if p.role == "manager" and p.partner_id is None]
    if not candidates:
        raise PreconditionFailed("The demo has no sales manager to bind the manager login to")

    def weight(manager: _Person) -> tuple[int, int]:
        team = _team(people, manager.id)
        selling = sum(1 for p in team if p.role == "rep" and orders.by_person[p.id] > 0)
        return selling, len(team)

    # max() keeps the first of equal weights: people are in code order.
    return max(candidates, key=weight)


def _pick_rep(team: list[_Person], orders: _Orders) -> _Person:
    reps = [p for p in team if p.role == "rep"]
    if not reps:
        raise PreconditionFailed("The demo manager has no rep to bind the rep login to")
    return max(reps, key=lambda rep: orders.by_person[rep.id])


def _pick_master_agent(session: Session, orders: _Orders) -> Partner:
    """The master agent whose dealer tree sold most, then the largest tree."""
    partners = list(session.scalars(select(Partner).order_by(Partner.code)))
    children: dict[uuid.UUID, list[uuid.UUID]] = {}
    for partner in partners:
        if partner.parent_id is not None:
            children.setdefault(partner.parent_id, []).append(partner.id)

    def tree(root: uuid.UUID) -> list[uuid.UUID]:
        ids, pending = [root], [root]
        while pending:
            below = children.get(pending.pop(), [])
            ids.extend(below)
            pending.extend(below)
        return ids

    agents = [p for p in partners if p.partner_type == "master_agent"]
    if not agents:
        raise PreconditionFailed("The demo has no master agent to bind the partner login to")
    return max(
        agents,
        key=lambda agent: (sum(orders.by_partner[i] for i in tree(agent.id)), len(tree(agent.id))),
    )


# --- describing what a persona sees ---------------------------------------------------------


def _describe_scope(session: Session, principal: Principal, orders: _Orders) -> str:
    if Role.PARTNER_USER in principal.roles:
        return _describe_partner_scope(session, principal)
    person = session.get(SalesPerson, principal.sales_person_id)
    assert person is not None  # create_user checked the binding
    where = _where(session, person)
    if Role.SALES_MANAGER in principal.roles:
        team = _count(session, SalesPerson, principal, "sales_person")
        return (
            f"Sales manager {person.name} ({where}): themselves and the "
            f"{team - 1} people reporting to them."
        )
    captured = orders.by_person[person.id]
    sales = f"the {captured} orders they captured" if captured else "their sales"
    return f"Sales rep {person.name} ({where}): their own record and {sales}."


def _describe_partner_scope(session: Session, principal: Principal) -> str:
    query = select(Partner.partner_type)
    condition = scope_condition(session, principal=principal, kind="partner")
    types = Counter(session.scalars(query if condition is None else query.where(condition)))
    root = session.get(Partner, principal.partner_id)
    assert root is not None  # create_user checked the binding
    outlets = _count(session, Outlet, principal, "outlet")
    staff = _count(session, SalesPerson, principal, "sales_person")
    return (
        f"Partner user of {root.name}: the master agent, its {types['dealer']} dealers and "
        f"{types['sub_dealer']} sub-dealers, with {outlets} shops and {staff} dealer staff."
    )


def _count(session: Session, model: type[Outlet | SalesPerson], principal: Principal,
           kind: str) -> int:  # fmt: skip
    condition = scope_condition(session, principal=principal, kind=kind)
    query = select(func.count()).select_from(model)
    return session.scalar(query if condition is None else query.where(condition)) or 0


def _where(session: Session, person: SalesPerson) -> str:
    channel = session.get(SalesChannel, person.channel_id) if person.channel_id else None
    region = session.get(Region, person.region_id) if person.region_id else None
    return ", ".join(row.name for row in (channel, region) if row is not None)


def existing_demo_logins(session: Session) -> list[tuple[Role, str, str]]:
    """(role, login, display name) of the demo users present, in role order, for start-up banners."""
    users = {
        user.login: user
        for user in session.scalars(select(User).where(User.login.in_(DEMO_LOGIN_NAMES.values())))
    }
    return [
        (role, login, users[login].display_name)
        for role, login in DEMO_LOGIN_NAMES.items()
        if login in users and users[login].status == "active"
    ]
