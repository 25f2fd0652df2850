"""Logging in and out of the console: sessions, lock-out, safe redirects, forced password change."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import select
from starlette.requests import Request

from salesdev.core.clock import FixedClock
from salesdev.db.models import AuditEvent, User, WebSession
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.identity import reset_password
from salesdev.runtime import Runtime
from salesdev.web.auth import SESSION_COOKIE, cookie_secure, safe_next
from salesdev.web.routing import PUBLIC_PATHS
from tests.integration.web.conftest import PASSWORD, ConsoleClient, log_in, make_user
from tests.integration.web.pages import field_errors, main_text


def _actions(runtime: Runtime) -> list[str]:
    with runtime.session_factory() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.sequence)))


def test_login_starts_a_session_and_lands_on_the_page_first_asked_for(
    anonymous: ConsoleClient, runtime: Runtime
) -> None:
    make_user(runtime, "chris", ["channel_manager"])

    asked = anonymous.get("/partners?tier=gold", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/login?next=%2Fpartners%3Ftier%3Dgold"
    form = anonymous.get(asked.headers["location"])
    assert 'name="next" value="/partners?tier=gold"' in form.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None

    response = anonymous.post(
        "/login",
        data={"login": "Chris", "password": PASSWORD, "csrf_token": token.group(1),
              "next": "/partners?tier=gold"},
        csrf=None,
        follow_redirects=False,
    )  # fmt: skip

    assert response.status_code == 303
    assert response.headers["location"] == "/partners?tier=gold"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http outside production
    with runtime.session_factory() as s:
        web_session = s.scalars(select(WebSession)).one()
    # The cookie holds the random token only; the store keeps its hash, never the token.
    value = anonymous.cookies[SESSION_COOKIE]
    assert len(value) >= 40 and web_session.token_hash != value
    header = anonymous.get("/partners").text
    assert "Chris" in header and "Channel manager" in header
    assert _actions(runtime)[-1] == "login.succeeded"


def test_session_cookie_is_secure_over_https(app: FastAPI, runtime: Runtime) -> None:
    make_user(runtime, "chris", ["channel_manager"])
    with ConsoleClient(app, base_url="https://testserver") as client:
        response = log_in(client, "chris")

    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_cookies_are_secure_in_production_even_behind_a_plain_http_proxy(
    runtime: Runtime,
) -> None:
    request = Request({"type": "http", "scheme": "http", "path": "/login", "headers": [],
                       "server": ("salesdev.internal", 80), "query_string": b""})  # fmt: skip
    assert cookie_secure(runtime, request) is False
    runtime.settings.environment = "production"
    assert cookie_secure(runtime, request) is True


@pytest.mark.parametrize(
    ("login", "password"),
    [("chris", "wrong password!!"), ("nobody", PASSWORD)],
    ids=["wrong-password", "unknown-login"],
)
def test_a_failed_login_says_the_same_thing_whatever_was_wrong(
    anonymous: ConsoleClient, runtime: Runtime, login: str, password: str
) -> None:
    make_user(runtime, "chris", ["channel_manager"])

    response = log_in(anonymous, login, password)

    assert response.status_code == 401
    assert "Invalid login or password." in main_text(response.text)
    assert f'value="{login}"' in response.text  # the login is kept, the password is not
    assert password not in response.text
    assert SESSION_COOKIE not in anonymous.cookies
    assert _actions(runtime)[-1] == "login.failed"  # committed, though the login failed


def test_five_failures_lock_the_login_even_with_the_right_password(
    anonymous: ConsoleClient, runtime: Runtime
) -> None:
    make_user(runtime, "chris", ["channel_manager"])
    for _ in range(4):
        assert log_in(anonymous, "chris", "wrong password!!").status_code == 401

    fifth = log_in(anonymous, "chris", "wrong password!!")
    right = log_in(anonymous, "chris", PASSWORD)

    for response in (fifth, right):
        assert response.status_code == 429
        page = main_text(response.text)
        assert "Too many failed attempts. Try again later." in page
        assert "This login is locked until 2026-10-15 09:45 UTC" in page
    assert SESSION_COOKIE not in anonymous.cookies
    assert _actions(runtime)[-3:] == ["login.failed", "login.locked_out", "login.refused_locked"]


def test_the_lock_ends_after_fifteen_minutes(
    anonymous: ConsoleClient, runtime: Runtime, clock: FixedClock
) -> None:
    make_user(runtime, "chris", ["channel_manager"])
    for _ in range(5):
        log_in(anonymous, "chris", "wrong password!!")

    clock.at += timedelta(minutes=15)

    assert log_in(anonymous, "chris", PASSWORD).status_code == 303


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/x", "javascript:alert(1)",
     "/\x0d\x0aSet-Cookie:x", "partners", "/logout"],
)  # fmt: skip
def test_only_same_site_paths_are_followed_after_login(target: str) -> None:
    assert safe_next(target) == "/"


def test_same_site_paths_are_kept_for_after_login() -> None:
    assert safe_next("/partners/1?tier=gold") == "/partners/1?tier=gold"


def test_an_offsite_next_lands_on_the_dashboard(anonymous: ConsoleClient, runtime: Runtime) -> None:
    make_user(runtime, "chris", ["channel_manager"])
    form = anonymous.get("/login", params={"next": "//evil.example/"})
    assert 'name="next" value="/"' in form.text


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every page route, also those of included routers (FastAPI nests them)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(_api_routes(route.original_router.routes))
    return found


def test_every_console_page_but_login_requires_a_session(
    app: FastAPI, anonymous: ConsoleClient
) -> None:
    routes = _api_routes(app.routes)
    assert len(routes) > 90  # every kind's pages, the dashboard, jobs, account and admin pages
    checked = 0
    for route in routes:
        path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path)
        for method in route.methods:
            response = anonymous.request(method, path, follow_redirects=False)
            if route.path in PUBLIC_PATHS:
                assert response.status_code != 303 or method == "GET", (method, route.path)
                continue
            assert response.status_code == 303, (method, route.path)
            assert response.headers["location"].startswith("/login"), (method, route.path)
            checked += 1
    assert checked == sum(len(r.methods) for r in routes if r.path not in PUBLIC_PATHS)


def test_logging_out_ends_the_session(console: ConsoleClient, runtime: Runtime) -> None:
    token = console.cookies[SESSION_COOKIE]

    response = console.post("/logout", follow_redirects=False)

    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert "You have logged out." in main_text(console.get("/login").text)
    # The old cookie no longer opens anything, even if it was kept.
    console.cookies.set(SESSION_COOKIE, token)
    assert console.get("/", follow_redirects=False).headers["location"] == "/login"
    with runtime.session_factory() as s:
        assert s.scalars(select(WebSession)).one().revoked_at == runtime.clock.now()


def test_after_a_reset_the_user_must_change_the_password_before_anything_else(
    anonymous: ConsoleClient, runtime: Runtime
) -> None:
    make_user(runtime, "chris", ["channel_manager"])
    with unit_of_work(runtime.session_factory) as s:
        user = s.scalars(select(User).where(User.login == "chris")).one()
        reset_password(s, principal=SYSTEM, user_id=user.id, new_password="temporary pass 1",
                       now=runtime.clock.now())  # fmt: skip

    login = log_in(anonymous, "chris", "temporary pass 1")
    assert login.headers["location"] == "/account/password"
    for page in ("/", "/partners", "/account/tokens"):
        blocked = anonymous.get(page, follow_redirects=False)
        assert (blocked.status_code, blocked.headers["location"]) == (303, "/account/password")
    form = anonymous.get("/account/password")
    assert "Choose a new password to continue." in main_text(form.text)
    assert 'aria-label="Main"' not in form.text  # no navigation until it is changed

    mismatch = anonymous.post(
        "/account/password",
        data={"current_password": "temporary pass 1", "new_password": "my own secret 42",
              "confirm_password": "my own secret 43"},
    )  # fmt: skip
    assert mismatch.status_code == 400
    assert field_errors(mismatch.text, "confirm_password") == ["does not match the new password"]
    weak = anonymous.post(
        "/account/password",
        data={"current_password": "temporary pass 1", "new_password": "short",
              "confirm_password": "short"},
    )  # fmt: skip
    assert field_errors(weak.text, "new_password") == ["must be at least 12 characters"]

    changed = anonymous.post(
        "/account/password",
        data={"current_password": "temporary pass 1", "new_password": "my own secret 42",
              "confirm_password": "my own secret 42"},
        follow_redirects=False,
    )  # fmt: skip

    assert (changed.status_code, changed.headers["location"]) == (303, "/")
    assert anonymous.get("/partners", follow_redirects=False).status_code == 200
    with runtime.session_factory() as s:
        assert (
            s.scalars(select(User).where(User.login == "chris")).one().must_change_password is False
        )


def test_console_responses_carry_the_security_headers(
    console: ConsoleClient, anonymous: ConsoleClient
) -> None:
    for response in (
        console.get("/"),
        console.get("/partners/not-an-id"),
        anonymous.get("/login"),
        anonymous.get("/partners", follow_redirects=False),
        console.get("/static/console.css"),
    ):
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
    html = console.get("/").text
    assert "<script>" not in html and "<style" not in html and " style=" not in html
