"""The one place every console form passes through on its way in, and the headers every
console response goes out with.

CSRF: a signed-in form carries the session's CSRF token (the ``form_guard`` macro of
``_macros.html``); the login form, before any session exists, carries the token of a
short-lived cookie (double submit). A form without the right token is refused with 403
before any view reads it, so nothing changes.
"""

from __future__ import annotations

import secrets

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from salesdev.core.errors import ErrorDetail, InvalidInput, PermissionDenied
from salesdev.core.text import NUL_MESSAGE
from salesdev.web.auth import CSRF_FIELD, LOGIN_CSRF_COOKIE, current_user

SECURITY_HEADERS: dict[str, str] = {
    # No inline script or style anywhere in the console: everything comes from /static.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class CsrfRejected(PermissionDenied):
    """A state-changing form without the token of this session (or of this login form)."""


CSRF_MESSAGE = (
    "This form has expired or did not come from this site, so nothing was changed. "
    "Go back, reload the page and try again."
)


def expected_csrf_token(request: Request) -> str:
    user = current_user(request)
    if user is not None:
        return user.csrf_token
    return request.cookies.get(LOGIN_CSRF_COOKIE, "")


async def read_form(request: Request) -> FormData:
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = expected_csrf_token(request)
    if (
        not isinstance(sent, str)
        or not expected
        or not secrets.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))
    ):
        raise CsrfRejected(CSRF_MESSAGE)
    bad_text = [
        name for name, value in form.multi_items() if isinstance(value, str) and "\x00" in value
    ]
    if bad_text:
        raise InvalidInput("Invalid input", [ErrorDetail(name, NUL_MESSAGE) for name in bad_text])
    return form


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if "cache-control" not in response.headers:
        # Console pages show data of the signed-in user: never keep them in shared caches.
        response.headers["Cache-Control"] = "no-store"
    return response


class SecuredStaticFiles(StaticFiles):
    """The console's static assets, served with the same security headers as its pages."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode("latin-1") not in present:
                        headers.append((name.lower().encode("latin-1"), value.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, send_with_headers)
