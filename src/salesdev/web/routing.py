"""Console routes map the error hierarchy to pages once, here, not in every view."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from salesdev.core.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    RuleViolation,
    SalesdevError,
)
from salesdev.web.templating import render

_log = logging.getLogger(__name__)

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


class ConsoleRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except SalesdevError as error:
                return error_page(request, error)

        return guarded
