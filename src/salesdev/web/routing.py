"""Console routes: sign-in required, errors mapped to pages, security headers, once, here.

Every console page is added with the route class from :func:`console_route_class`, so a
new page cannot forget any of it: without a session it redirects to the login page; a
user who must change their password sees only that page; a refused permission is
recorded in the audit trail (in a transaction of its own, since the request's rolled
back) and answered with a 403 page; an error of the hierarchy becomes its page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salesdev.core.errors import (
    Conflict,
    ErrorDetail,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    RuleViolation,
    SalesdevError,
)
from salesdev.core.text import NUL_MESSAGE
from salesdev.domains.audit import record_event
from salesdev.runtime import Runtime
from salesdev.web.auth import (
    LOGIN_PATH,
    PASSWORD_PATH,
    identify,
    login_redirect,
    work,
)
from salesdev.web.protection import CsrfRejected, add_security_headers
from salesdev.web.templating import render

_log = logging.getLogger(__name__)

# Pages open without a session.
PUBLIC_PATHS = frozenset({LOGIN_PATH})
# The only pages of a user who must change their password first.
PASSWORD_CHANGE_PATHS = frozenset({PASSWORD_PATH, "/logout"})

_STATUS: tuple[tuple[type[SalesdevError], int], ...] = (
    (InvalidInput, 400),
    (NotAuthenticated, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (PreconditionFailed, 412),
    (RuleViolation, 422),
)


def status_of(error: SalesdevError) -> int:
    return next((status for cls, status in _STATUS if isinstance(error, cls)), 500)


def error_page(request: Request, error: SalesdevError) -> Response:
    status = status_of(error)
    if status >= 500:
        _log.error("console request failed: %s", error)
    return render(
        request,
        "error.html",
        {"title": error.reason, "error": error, "status": status},
        status_code=status,
    )


def page_not_found(request: Request) -> Response:
    """The console's 404 for a URL no route matches (the API answers its own paths)."""
    response = error_page(request, NotFound(f"There is no page at {request.url.path}"))
    return add_security_headers(response)


def record_refusal(runtime: Runtime, request: Request, error: PermissionDenied) -> None:
    with work(runtime, request) as session:
        record_event(
            session,
            action="csrf.rejected" if isinstance(error, CsrfRejected) else "permission.denied",
            object_type="console_page",
            object_id=request.url.path[:64],
            details={
                "via": "console",
                "method": request.method,
                "path": request.url.path,
                "reason": error.message,
            },
        )


def _refuse_nul_in_query(request: Request) -> None:
    bad = [name for name, value in request.query_params.multi_items() if "\x00" in value]
    if bad:
        raise InvalidInput("Invalid input", [ErrorDetail(name, NUL_MESSAGE) for name in bad])


def console_route_class(runtime: Runtime) -> type[APIRoute]:
    class ConsoleRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()
            public = self.path in PUBLIC_PATHS
            may_change_password = self.path in PASSWORD_CHANGE_PATHS

            async def guarded(request: Request) -> Response:
                request.state.console = None
                try:
                    if public:
                        response = await handler(request)
                    else:
                        user = await run_in_threadpool(identify, runtime, request)
                        request.state.console = user
                        if user is None:
                            response = login_redirect(request)
                        elif user.must_change_password and not may_change_password:
                            response = RedirectResponse(PASSWORD_PATH, status_code=303)
                        else:
                            _refuse_nul_in_query(request)
                            response = await handler(request)
                except PermissionDenied as error:
                    await run_in_threadpool(record_refusal, runtime, request, error)
                    response = error_page(request, error)
                except SalesdevError as error:
                    response = error_page(request, error)
                return add_security_headers(response)

            return guarded

    return ConsoleRoute
