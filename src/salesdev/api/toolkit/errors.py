"""Every error leaves the API as a TMF error body with our stable code.

``{"code", "reason", "message", "status", "referenceError", "@type": "Error"}`` plus
``details: [{"location", "message"}]`` saying where the input was wrong.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.core.errors import (
    Conflict,
    ErrorDetail,
    ExternalFailure,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    RuleViolation,
    SalesdevError,
)

logger = logging.getLogger(__name__)

HTTP_STATUS: dict[type[SalesdevError], int] = {
    InvalidInput: 400,
    NotAuthenticated: 401,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    PreconditionFailed: 412,
    RuleViolation: 422,
    ExternalFailure: 502,
}

# HTTP-level failures with no domain error class keep a code derived from the status.
_HTTP_REASONS = {
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Request entity too large",
    415: "Unsupported media type",
}

_VALIDATION_SOURCES = {"body", "query", "path", "header", "cookie"}


def status_of(error: SalesdevError) -> int:
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 500


def error_body(
    *, code: str, reason: str, message: str, status: int, details: list[ErrorDetail]
) -> dict[str, Any]:
    text = message
    if details:
        text += ": " + "; ".join(str(d) for d in details)
    return {
        "code": code,
        "reason": reason,
        "message": text,
        "status": str(status),
        "referenceError": f"urn:salesdev:error:{code}",
        "@type": "Error",
        "details": [{"location": d.location, "message": d.message} for d in details],
    }


def error_response(error: SalesdevError, headers: dict[str, str] | None = None) -> Response:
    status = status_of(error)
    body = error_body(
        code=error.code,
        reason=error.reason,
        message=error.message,
        status=status,
        details=list(error.details),
    )
    return TmfJSONResponse(body, status_code=status, headers=headers)


def _domain_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SalesdevError)
    return error_response(exc)


def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = []
    for problem in exc.errors():
        location = [str(p) for p in problem.get("loc", ())]
        if location and location[0] in _VALIDATION_SOURCES:
            location = location[1:]
        details.append(ErrorDetail(".".join(location) or "body", str(problem.get("msg", ""))))
    return error_response(InvalidInput("Invalid request", details))


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 404:
        message = f"No resource at {request.url.path}"
    elif status == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    body = error_body(
        code=f"SDV-{status}",
        reason=_HTTP_REASONS.get(status, "HTTP error"),
        message=message,
        status=status,
        details=[],
    )
    return TmfJSONResponse(body, status_code=status, headers=dict(exc.headers or {}))


def _integrity_error(_request: Request, exc: Exception) -> Response:
    # A constraint the services could not check first (a race on a unique code).
    logger.info("integrity error mapped to 409: %s", type(exc).__name__)
    return error_response(Conflict("The change conflicts with existing data"))


def _stale_error(_request: Request, _exc: Exception) -> Response:
    return error_response(
        PreconditionFailed("The resource was changed by someone else; reload and try again")
    )


def _unexpected_error(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    body = error_body(
        code="SDV-500",
        reason="Internal error",
        message="An unexpected error occurred; it has been logged",
        status=500,
        details=[],
    )
    return TmfJSONResponse(body, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SalesdevError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(StaleDataError, _stale_error)
    app.add_exception_handler(Exception, _unexpected_error)
