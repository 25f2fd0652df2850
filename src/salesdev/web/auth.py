"""Who is using the console: the session cookie, the signed-in user, and where to send them.

The cookie holds the random session token only; the server keeps its hash, the user and
the CSRF token (see ``salesdev.domains.identity``). Every console transaction carries the
signed-in user as the audit actor, so every change it flushes is recorded under their name.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salesdev.db.session import unit_of_work
from salesdev.domains.access import ROLE_LABELS, Principal, Role
from salesdev.domains.audit import set_audit_context
from salesdev.domains.identity import resolve_web_session
from salesdev.runtime import Runtime

SESSION_COOKIE = "salesdev_session"
LOGIN_CSRF_COOKIE = "salesdev_login_csrf"
CSRF_FIELD = "csrf_token"
LOGIN_PATH = "/login"
PASSWORD_PATH = "/account/password"  # noqa: S105 - a page, not a secret
ANONYMOUS = "anonymous"
CONSOLE_DETAILS = {"via": "console"}


@dataclass(frozen=True)
class ConsoleUser:
    """The signed-in user of one request (``request.state.console``)."""

    principal: Principal
    login: str
    display_name: str
    csrf_token: str
    must_change_password: bool
    session_token: str

    @property
    def role_labels(self) -> list[str]:
        return [ROLE_LABELS[role] for role in Role if role in self.principal.roles]


def current_user(request: Request) -> ConsoleUser | None:
    user = getattr(request.state, "console", None)
    return user if isinstance(user, ConsoleUser) else None


def signed_in(request: Request) -> ConsoleUser:
    """The signed-in user of a guarded console page (the route guard made sure there is one)."""
    user = current_user(request)
    if user is None:  # pragma: no cover - the guard redirects before any view runs
        raise RuntimeError("console view reached without a session")
    return user


def principal_of(request: Request) -> Principal:
    return signed_in(request).principal


def identify(runtime: Runtime, request: Request) -> ConsoleUser | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    with unit_of_work(runtime.session_factory) as session:
        found = resolve_web_session(session, token=token, now=runtime.clock.now())
        if found is None:
            return None
        principal, web_session, user = found
        return ConsoleUser(
            principal=principal,
            login=user.login,
            display_name=user.display_name,
            csrf_token=web_session.csrf_token,
            must_change_password=user.must_change_password,
            session_token=token,
        )


def actor_of(request: Request) -> str:
    user = current_user(request)
    return user.principal.actor if user else ANONYMOUS


@contextmanager
def work(runtime: Runtime, request: Request) -> Iterator[Session]:
    """A console transaction whose changes are audited under the signed-in user."""
    with unit_of_work(runtime.session_factory) as session:
        set_audit_context(
            session, actor=actor_of(request), now=runtime.clock.now(), details=CONSOLE_DETAILS
        )
        yield session


# --- cookies ------------------------------------------------------------------------------


def cookie_secure(runtime: Runtime, request: Request) -> bool:
    # Behind a TLS-terminating proxy the request looks like http: production always says Secure.
    return request.url.scheme == "https" or runtime.settings.environment == "production"


def set_session_cookie(
    response: Response,
    runtime: Runtime,
    request: Request,
    *,
    token: str,
    expires_at: datetime,
    now: datetime,
) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max(int((expires_at - now).total_seconds()), 0),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(runtime, request),
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def login_csrf_token(request: Request) -> tuple[str, bool]:
    """The pre-session CSRF token of the login form, and whether it is new (cookie to set)."""
    existing = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if len(existing) >= 32:
        return existing, False
    return secrets.token_urlsafe(32), True


def set_login_csrf_cookie(
    response: Response, runtime: Runtime, request: Request, token: str
) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=cookie_secure(runtime, request),
        path=LOGIN_PATH,
    )


def clear_login_csrf_cookie(response: Response) -> None:
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN_PATH)


# --- where to go --------------------------------------------------------------------------


def safe_next(target: str | None) -> str:
    """A same-site relative path to return to after login; anything else goes home.

    Refuses absolute URLs, scheme-relative ``//host`` and ``/\\host`` (which browsers read
    as another host), and control characters: no open redirect.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ord(ch) < 0x20 or ch == "\\" for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    if parts.path in (LOGIN_PATH, "/logout"):
        return "/"
    return target


def login_redirect(request: Request) -> RedirectResponse:
    """Send an anonymous visitor to the login page, remembering the page they asked for."""
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    location = LOGIN_PATH
    if request.method in ("GET", "HEAD") and target != "/":
        location += "?" + urlencode({"next": target})
    return RedirectResponse(location, status_code=303)
