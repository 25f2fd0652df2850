"""The demo logins: one user per role, each bound to data it can see."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from salesdev.analytics.events import event_files_glob
from salesdev.core.errors import Conflict
from salesdev.db.models import Outlet, Partner, SalesPerson, User
from salesdev.demo import (
    DEMO_LOGIN_NAMES,
    DEMO_PASSWORD,
    DemoSummary,
    create_demo_users,
    is_demo_loaded,
    load_demo,
)
from salesdev.demo.scales import SCALES
from salesdev.domains.access import SYSTEM, Principal, Role, scope_condition, team_ids
from salesdev.domains.identity import authenticate, create_user, principal_for
from salesdev.runtime import Runtime
from tests.conftest import T0, DemoLoader

TINY = SCALES["tiny"]


def _load(session: Session, directory: Path, *, scale: str = "tiny", seed: int = 3) -> DemoSummary:
    return load_demo(session=session, event_store_dir=directory, scale=scale, seed=seed, now=T0)


def _users(session: Session) -> dict[str, User]:
    return {user.login: user for user in session.scalars(select(User))}


def _visible(session: Session, model: Any, principal: Principal, kind: str) -> int:
    query = select(func.count()).select_from(model)
    condition = scope_condition(session, principal=principal, kind=kind)
    return session.scalar(query if condition is None else query.where(condition)) or 0


def _orders(directory: Path, column: str, ids: set[str]) -> int:
    with duckdb.connect() as connection:
        count = connection.execute(
            f"""SELECT count(*) FROM read_parquet($files, hive_partitioning = true)
                WHERE event_type = 'order' AND list_contains($ids, {column})""",
            {"files": event_files_glob(directory), "ids": sorted(ids)},
        ).fetchone()
    return int(count[0]) if count else 0


def test_the_demo_creates_one_user_per_role_bound_as_its_role_needs(
    runtime: Runtime, load_demo_copy: DemoLoader, session: Session
) -> None:
    summary = load_demo_copy(runtime, "tiny", 3)

    users = _users(session)
    assert set(users) == set(DEMO_LOGIN_NAMES.values())
    assert [(login.role, login.login) for login in summary.logins] == list(DEMO_LOGIN_NAMES.items())
    for login in summary.logins:
        user = users[login.login]
        assert user.roles == [login.role.value]
        assert (user.display_name, user.status, user.must_change_password) == (
            login.display_name, "active", False,
        )  # fmt: skip
        assert login.password == DEMO_PASSWORD
        assert login.scope_description
    unscoped = {"admin", "salesops", "channels", "products", "auditor"}
    for name in unscoped:
        user = users[name]
        assert (user.sales_person_id, user.partner_id, user.include_sub_dealers) == (
            None, None, False,
        )  # fmt: skip

    manager = session.get(SalesPerson, users["manager"].sales_person_id)
    rep = session.get(SalesPerson, users["rep"].sales_person_id)
    master_agent = session.get(Partner, users["partner"].partner_id)
    assert manager is not None and rep is not None and master_agent is not None
    assert (manager.role, manager.partner_id) == ("manager", None)
    assert users["manager"].display_name == manager.name
    assert rep.role == "rep" and users["rep"].display_name == rep.name
    # The rep reports to the manager: the two personas look at the same team.
    assert rep.manager_id == manager.id
    assert master_agent.partner_type == "master_agent"
    assert users["partner"].include_sub_dealers is True
    assert users["partner"].partner_id is not None and users["partner"].sales_person_id is None


def test_each_scoped_persona_sees_some_but_not_all_of_the_demo(
    runtime: Runtime, load_demo_copy: DemoLoader, session: Session
) -> None:
    load_demo_copy(runtime, "tiny", 3)
    events = runtime.settings.event_store_dir
    users = _users(session)
    partner, manager, rep = (principal_for(users[n]) for n in ("partner", "manager", "rep"))
    all_partners = session.scalar(select(func.count()).select_from(Partner))
    all_people = session.scalar(select(func.count()).select_from(SalesPerson))

    # The partner user sees its master agent, its dealers and their sub-dealers (3 levels).
    condition = scope_condition(session, principal=partner, kind="partner")
    assert condition is not None
    seen = list(session.scalars(select(Partner).where(condition)))
    expected = 1 + TINY.dealers_per_master_agent * (1 + TINY.sub_dealers_per_dealer)
    # A dealer still being on-boarded may sit under the persona's master agent too.
    applicants = [p for p in seen if p.status != "active"]
    assert [p.partner_type for p in applicants] in ([], ["dealer"])
    assert 1 < len(seen) == expected + len(applicants) < (all_partners or 0)
    assert {p.partner_type for p in seen} == {"master_agent", "dealer", "sub_dealer"}
    assert _visible(session, Outlet, partner, "outlet") > 0
    assert 0 < _visible(session, SalesPerson, partner, "sales_person") < (all_people or 0)
    assert _orders(events, "partner_id", {str(p.id) for p in seen}) > 0

    # The manager leads the largest selling team of the tiny demo: the call centre's
    # team leader and all of its agents.
    team = team_ids(session, principal=manager)
    assert 1 < len(team) == 1 + TINY.call_centre_agents < (all_people or 0)
    assert _visible(session, SalesPerson, manager, "sales_person") == len(team)

    # The rep sees exactly themselves, and they have sold something.
    assert _visible(session, SalesPerson, rep, "sales_person") == 1
    assert rep.sales_person_id in team
    assert _orders(events, "sales_person_id", {str(rep.sales_person_id)}) > 0


def test_every_demo_login_authenticates_with_the_demo_password_and_no_other(
    runtime: Runtime, load_demo_copy: DemoLoader, session: Session
) -> None:
    load_demo_copy(runtime, "tiny", 3)

    for role, login in DEMO_LOGIN_NAMES.items():
        outcome = authenticate(session, login=login, password=DEMO_PASSWORD, now=T0)
        assert outcome.user is not None and outcome.user.login == login
        assert principal_for(outcome.user).roles == {role}
    wrong = authenticate(session, login="admin", password="not-the-demo-password", now=T0)
    assert (wrong.user, wrong.error) == (None, "Invalid login or password.")


@pytest.mark.slow
def test_the_default_demo_personas_are_the_documented_ones(
    session: Session, tmp_path: Path
) -> None:
    # The small demo with seed 42 is what `salesdev serve --prepare-demo` loads;
    # docs/data-model.md lists these personas.
    summary = _load(session, tmp_path / "events", scale="small", seed=42)

    assert [(login.login, login.display_name, login.scope_description) for login in summary.logins] == [
        ("admin", "Demo Administrator",
         "Everything: all data, users and jobs to change, the audit trail to read."),
        ("salesops", "Demo Sales Operations",
         "All business data to read; maintains the sales organisation and runs jobs."),
        ("channels", "Demo Channel Manager",
         "All business data to read; maintains channels and partners and runs jobs."),
        ("products", "Demo Product Manager",
         "All business data to read; maintains the product catalogue and runs jobs."),
        ("manager", "Nina Auer",
         "Sales manager Nina Auer (Own retail stores, Vienna): themselves and the 10 people "
         "reporting to them."),
        ("rep", "Lukas Schwarz",
         "Sales rep Lukas Schwarz (Own retail stores, Vienna): their own record and the 29 orders "
         "they captured."),
        ("partner", "Partner desk, Alpen Telecom Distribution GmbH",
         "Partner user of Alpen Telecom Distribution GmbH: the master agent, its 3 dealers and "
         "6 sub-dealers, with 11 shops and 27 dealer staff."),
        ("auditor", "Demo Auditor",
         "Everything to read, the audit trail and users included; changes nothing."),
    ]  # fmt: skip


def test_create_demo_users_binds_the_same_personas_as_the_loader_and_refuses_a_second_run(
    runtime: Runtime, load_demo_copy: DemoLoader, session: Session
) -> None:
    summary = load_demo_copy(runtime, "tiny", 3)
    events = runtime.settings.event_store_dir
    bindings = {
        u.login: (u.sales_person_id, u.partner_id, u.include_sub_dealers)
        for u in _users(session).values()
    }
    session.execute(delete(User))

    again = create_demo_users(session, now=T0, event_store_dir=events)

    assert again == summary.logins
    assert {
        u.login: (u.sales_person_id, u.partner_id, u.include_sub_dealers)
        for u in _users(session).values()
    } == bindings
    with pytest.raises(Conflict) as error:
        create_demo_users(session, now=T0, event_store_dir=events)
    assert [d.location for d in error.value.details] == ["login"] * len(DEMO_LOGIN_NAMES)


def test_without_sales_events_the_personas_are_chosen_by_the_organisation_alone(
    runtime: Runtime, load_demo_copy: DemoLoader, session: Session
) -> None:
    load_demo_copy(runtime, "tiny", 3)
    session.execute(delete(User))

    logins = create_demo_users(session, now=T0 + timedelta(days=1))

    users = _users(session)
    manager = principal_for(users["manager"])
    rep = session.get(SalesPerson, users["rep"].sales_person_id)
    assert len(logins) == len(DEMO_LOGIN_NAMES)
    assert len(team_ids(session, principal=manager)) > 1
    assert rep is not None and rep.role == "rep" and rep.manager_id == manager.sales_person_id
    description = logins[list(DEMO_LOGIN_NAMES).index(Role.SALES_REP)].scope_description
    assert description.endswith(": their own record and their sales.")


def test_a_store_with_a_user_but_no_reference_data_is_not_a_demo_and_a_clashing_login_is_refused(
    session: Session, tmp_path: Path
) -> None:
    create_user(
        session, principal=SYSTEM, login="partner", display_name="Someone else",
        password="a-long-own-password-9", roles=["admin"], now=T0,
    )  # fmt: skip
    session.commit()
    assert not is_demo_loaded(session)

    with pytest.raises(Conflict) as error:
        _load(session, tmp_path / "events")
    assert [(d.location, d.message) for d in error.value.details] == [
        ("login", "'partner' is already taken")
    ]
    session.rollback()
    assert not is_demo_loaded(session)
    assert [(u.login, u.display_name) for u in session.scalars(select(User))] == [
        ("partner", "Someone else")
    ]
    assert not (tmp_path / "events").exists()
