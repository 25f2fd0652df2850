"""OAuth2 token endpoint: the client-credentials grant (RFC 6749 section 4.4).

The client authenticates with HTTP Basic (preferred) or with ``client_id`` and
``client_secret`` form fields (section 2.3.1), never both. Errors use the RFC's own
shape, ``{"error": "...", "error_description": "..."}``, not the TMF error body: OAuth2
client libraries read that shape.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from salesdev.api.toolkit.security import TOKEN_PATH, VIA_API
from salesdev.core.errors import NotAuthenticated
from salesdev.db.session import unit_of_work
from salesdev.domains.audit import set_audit_context
from salesdev.domains.identity import issue_client_token
from salesdev.runtime import Runtime

FORM = "application/x-www-form-urlencoded"
GRANT = "client_credentials"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_MAX_FIELD = 1000

TOKEN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["access_token", "token_type", "expires_in"],
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"type": "string", "const": "Bearer"},
        "expires_in": {"type": "integer", "description": "Seconds until the token expires"},
    },
}
OAUTH_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "string",
            "enum": ["invalid_request", "invalid_client", "unsupported_grant_type"],
        },
        "error_description": {"type": "string"},
    },
}
REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {"type": "string", "enum": [GRANT]},
        "client_id": {"type": "string", "description": "When not sent with HTTP Basic"},
        "client_secret": {"type": "string", "description": "When not sent with HTTP Basic"},
        "scope": {"type": "string", "description": "Ignored: a client's roles are fixed"},
    },
}


@dataclass
class OAuthError(Exception):
    error: str
    description: str
    status: int = 400

    def response(self) -> Response:
        headers = dict(_NO_STORE)
        if self.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="salesdev"'
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status, headers=headers)


def client_credentials(authorization: str | None, form: dict[str, list[str]]) -> tuple[str, str]:
    """(client id, secret) from HTTP Basic or the form, refusing both or neither."""
    in_form = "client_id" in form or "client_secret" in form
    if authorization:
        scheme, _, encoded = authorization.strip().partition(" ")
        if scheme.lower() != "basic":
            raise OAuthError("invalid_client", "Use HTTP Basic authentication", 401)
        if in_form:
            raise OAuthError("invalid_request", "Send the client credentials only once")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "Malformed HTTP Basic credentials", 401) from None
        raw_id, separator, raw_secret = decoded.partition(":")
        if not separator:
            raise OAuthError("invalid_client", "Malformed HTTP Basic credentials", 401)
        return unquote_plus(raw_id), unquote_plus(raw_secret)
    if not in_form:
        raise OAuthError("invalid_client", "Client authentication is required", 401)
    return _single(form, "client_id"), _single(form, "client_secret")


def _single(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name, [])
    if len(values) != 1 or not values[0] or len(values[0]) > _MAX_FIELD:
        raise OAuthError("invalid_request", f"{name} must be given exactly once")
    return values[0]


def install_token_endpoint(app: FastAPI, runtime: Runtime) -> None:
    router = APIRouter(tags=["Authentication"])

    def issue(client_id: str, client_secret: str) -> tuple[str, int] | None:
        now = runtime.clock.now()
        with unit_of_work(runtime.session_factory) as session:
            set_audit_context(
                session, actor=f"client:{client_id[:64]}", now=now, details=dict(VIA_API)
            )
            try:
                return issue_client_token(
                    session, client_id=client_id, client_secret=client_secret, now=now
                )
            except NotAuthenticated:
                # Committed on purpose: the refusal's audit event must be kept.
                return None

    @router.post(
        TOKEN_PATH,
        summary="Obtain an access token with the OAuth2 client-credentials grant",
        openapi_extra={
            "requestBody": {"required": True, "content": {FORM: {"schema": REQUEST_SCHEMA}}}
        },
        responses={
            200: {
                "description": "An access token",
                "content": {"application/json": {"schema": TOKEN_SCHEMA}},
            },
            400: {
                "description": "invalid_request or unsupported_grant_type",
                "content": {"application/json": {"schema": OAUTH_ERROR_SCHEMA}},
            },
            401: {
                "description": "invalid_client",
                "content": {"application/json": {"schema": OAUTH_ERROR_SCHEMA}},
            },
        },
    )
    async def issue_access_token(request: Request) -> Response:
        try:
            media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type != FORM:
                raise OAuthError("invalid_request", f"Content-Type must be {FORM}")
            form: dict[str, list[str]] = {}
            async with request.form() as data:
                for key, value in data.multi_items():
                    form.setdefault(key, []).append(value if isinstance(value, str) else "")
            grant = form.get("grant_type", [])
            if len(grant) != 1:
                raise OAuthError("invalid_request", "grant_type must be given exactly once")
            if grant[0] != GRANT:
                raise OAuthError("unsupported_grant_type", f"Only {GRANT} is supported")
            client_id, secret = client_credentials(request.headers.get("authorization"), form)
            issued = await run_in_threadpool(issue, client_id, secret)
            if issued is None:
                raise OAuthError("invalid_client", "Invalid client credentials", 401)
        except OAuthError as error:
            return error.response()
        token, expires_in = issued
        body = {"access_token": token, "token_type": "Bearer", "expires_in": expires_in}
        return JSONResponse(body, headers=_NO_STORE)

    app.include_router(router)
