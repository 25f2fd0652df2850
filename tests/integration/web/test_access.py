"""CSRF on every form, permissions and row scopes in the console."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from salesdev.db.models import ApiToken, AuditEvent, Partner, Region, SalesChannel, WebSession
from salesdev.db.session import unit_of_work
from salesdev.demo import DemoSummary
from salesdev.domains.access import SYSTEM
from salesdev.domains.reference import create_entity
from salesdev.runtime import Runtime
from tests.integration.web.conftest import ConsoleClient, log_in, make_user
from tests.integration.web.pages import main_text, row_codes

CSRF_PAGE = "This form has expired or did not come from this site, so nothing was changed."


def _count(runtime: Runtime, model: type) -> int:
    with runtime.session_factory() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _region(runtime: Runtime, code: str = "N") -> uuid.UUID:
    with unit_of_work(runtime.session_factory) as s:
        entity = create_entity(s, principal=SYSTEM, kind="region",
                               values={"code": code, "name": "North"}, now=runtime.clock.now())  # fmt: skip
        return uuid.UUID(str(entity.id))


def _last_action(runtime: Runtime) -> AuditEvent:
    with runtime.session_factory() as s:
        return s.scalars(select(AuditEvent).order_by(AuditEvent.sequence.desc()).limit(1)).one()


@pytest.mark.parametrize("csrf", [None, "forged-token"], ids=["missing", "wrong"])
def test_a_form_without_the_session_token_is_refused_and_changes_nothing(
    console: ConsoleClient, runtime: Runtime, csrf: str | None
) -> None:
    region = _region(runtime)
    before = {m: _count(runtime, m) for m in (Region, ApiToken, WebSession)}
    attempts: list[tuple[str, dict[str, Any]]] = [
        ("/regions/new", {"code": "S", "name": "South"}),
        (f"/regions/{region}/edit", {"code": "N", "name": "Nord", "version": "1"}),
        (f"/regions/{region}/delete", {"version": "1"}),
        ("/account/tokens", {"name": "ci", "expires_in_days": "30"}),
        ("/logout", {}),
    ]
    for url, data in attempts:
        response = console.post(url, data=data, csrf=csrf, follow_redirects=False)

        assert response.status_code == 403, url
        assert CSRF_PAGE in main_text(response.text)
        assert _last_action(runtime).action == "csrf.rejected"

    assert {m: _count(runtime, m) for m in (Region, ApiToken, WebSession)} == before
    with runtime.session_factory() as s:
        assert s.get(Region, region).name == "North"  # type: ignore[union-attr]
        assert s.scalars(select(WebSession)).one().revoked_at is None  # still logged in
    assert console.get("/regions", follow_redirects=False).status_code == 200


def test_the_login_form_needs_its_own_cookie_token(
    anonymous: ConsoleClient, runtime: Runtime
) -> None:
    make_user(runtime, "chris", ["channel_manager"])
    anonymous.get("/login")  # sets the pre-session CSRF cookie

    forged = anonymous.post(
        "/login",
        data={"login": "chris", "password": "correct horse battery", "csrf_token": "x" * 43},
        csrf=None,
        follow_redirects=False,
    )

    assert forged.status_code == 403
    assert _count(runtime, WebSession) == 0


def _client_as(app: FastAPI, runtime: Runtime, login: str, roles: list[str], **bindings: Any
               ) -> ConsoleClient:  # fmt: skip
    make_user(runtime, login, roles, **bindings)
    client = ConsoleClient(app)
    assert log_in(client, login).status_code == 303
    return client


def _nav(html: str) -> str:
    match = re.search(r'<nav id="site-nav".*?</nav>', html, re.S)
    return match.group(0) if match else ""


def test_a_sales_rep_sees_no_administration_and_is_refused_its_pages(
    app: FastAPI, runtime: Runtime, tiny_demo: DemoSummary
) -> None:
    rep_login = next(x for x in tiny_demo.logins if x.role == "sales_rep")
    client = ConsoleClient(app)
    assert log_in(client, rep_login.login, rep_login.password).status_code == 303

    nav = _nav(client.get("/").text)
    assert "Administration" not in nav and "Partners" not in nav and "Jobs" not in nav
    assert "Catalogue" in nav and "Customers" in nav
    for page in ("/admin/users", "/admin/audit", "/partners", "/jobs", "/admin"):
        response = client.get(page)
        assert response.status_code == 403, page
        assert "Permission denied" in main_text(response.text)
    denied = _last_action(runtime)
    assert (denied.action, denied.actor, denied.object_id) == (
        "permission.denied", f"user:{rep_login.login}", "/admin",
    )  # fmt: skip
    # Read-only for the rep: no New / Edit / Delete, and the write pages are refused.
    offerings = client.get("/product-offerings").text
    assert "/product-offerings/new" not in offerings
    assert client.get("/product-offerings/new").status_code == 403
    sales_people = row_codes(client.get("/sales-people").text)
    assert len(sales_people) == 1  # their own record only


def test_a_partner_user_sees_only_its_partners_and_no_other(
    app: FastAPI, runtime: Runtime, tiny_demo: DemoSummary
) -> None:
    partner_login = next(x for x in tiny_demo.logins if x.role == "partner_user")
    client = ConsoleClient(app)
    assert log_in(client, partner_login.login, partner_login.password).status_code == 303
    with runtime.session_factory() as s:
        from salesdev.db.models import User

        user = s.scalars(select(User).where(User.login == partner_login.login)).one()
        partners = list(s.scalars(select(Partner)))
    tree = {user.partner_id}
    while True:  # the master agent and its dealers and sub-dealers, at every level
        below = {p.id for p in partners if p.parent_id in tree} - tree
        if not below:
            break
        tree |= below
    mine = sorted(p.code for p in partners if p.id in tree)
    other = next(p for p in partners if p.id not in tree)

    listed = client.get("/partners", params={"limit": 200})

    assert row_codes(listed.text) == mine
    assert f"Showing 1\N{EN DASH}{len(mine)} of {len(mine)} partners." in main_text(listed.text)
    assert client.get(f"/partners/{other.id}").status_code == 404
    assert client.get(f"/partners/{user.partner_id}").status_code == 200
    assert other.name not in client.get("/outlets", params={"limit": 200}).text
    lookup = client.get("/partners/lookup", params={"q": other.code}).json()
    assert other.code not in [m["code"] for m in lookup]
    assert "Company-wide sales figures" in main_text(client.get("/").text)
    # A code outside the scope is answered exactly as a code that does not exist.
    outside = client.get("/outlets", params={"partner_id": other.code})
    missing = client.get("/outlets", params={"partner_id": "NO-SUCH-CODE"})
    assert (outside.status_code, missing.status_code) == (400, 400)
    assert f"no partner with code {other.code!r}" in main_text(outside.text)
    assert "no partner with code 'NO-SUCH-CODE'" in main_text(missing.text)


def test_a_channel_manager_edits_partners_but_not_the_catalogue(
    app: FastAPI, runtime: Runtime
) -> None:
    with unit_of_work(runtime.session_factory) as s:
        channel = create_entity(s, principal=SYSTEM, kind="sales_channel",
                                values={"code": "RET", "name": "Retail", "channel_type": "own_retail"},
                                now=runtime.clock.now())  # fmt: skip
        channel_id = channel.id
    client = _client_as(app, runtime, "chris", ["channel_manager"])

    channel_page = client.get(f"/sales-channels/{channel_id}").text
    families = client.get("/product-families").text

    assert f"/sales-channels/{channel_id}/edit" in channel_page
    assert "/product-families/new" not in families
    refused = client.post("/product-families/new", data={"code": "MOB", "name": "Mobile"})
    assert refused.status_code == 403
    assert _count(runtime, SalesChannel) == 1
    nav = _nav(client.get("/").text)
    assert "Administration" not in nav and "Jobs" in nav
