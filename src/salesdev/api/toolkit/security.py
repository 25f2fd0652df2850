"""Who is calling: bearer tokens on every API route, and what a refusal looks like.

A call is authenticated and authorized *before* its body or parameters are read, so a
client without the right learns nothing from validation messages. The same dependency
opens the request's one transaction: resolving the token, the work and the audit
events it causes are committed together, before the response is sent.

401 means "no valid credential" (with ``WWW-Authenticate: Bearer``); 403 means "this
principal may not do this" and is recorded as a ``permission.denied`` audit event in a
transaction of its own (the request's is rolled back). Rows outside a principal's scope
are "not found" (404), decided by the services.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import HTTPBearer, OAuth2
from sqlalchemy.orm import Session
from starlette.responses import Response

from salesdev.api.toolkit.errors import error_response
from salesdev.core.errors import NotAuthenticated, PermissionDenied, SalesdevError
from salesdev.db.session import unit_of_work
from salesdev.domains.access import Action, Family, Principal, authorize
from salesdev.domains.audit import record_event, set_audit_context
from salesdev.domains.identity import resolve_bearer_token
from salesdev.runtime import Runtime

logger = logging.getLogger(__name__)
T = TypeVar("T")

TOKEN_PATH = "/oauth2/token"  # noqa: S105  (a URL, not a secret)
VIA_API = {"via": "api"}
_STATE_PRINCIPAL = "api_principal"
_MAX_TOKEN = 512

# Declared for the OpenAPI document (so /docs offers "Authorize"); the header itself is
# read by :meth:`Guard.authenticated`, which also says precisely what is wrong with it.
bearer_scheme = HTTPBearer(
    scheme_name="bearerAuth",
    description="A personal access token (`sdv_...`) or an OAuth2 access token",
    auto_error=False,
)
client_credentials_scheme = OAuth2(
    scheme_name="oauth2ClientCredentials",
    flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl=TOKEN_PATH)),
    description="System integrations: client id and secret for a short-lived access token",
    auto_error=False,
)


@dataclass(frozen=True)
class ApiCall:
    """One authenticated request: its transaction, who is acting, and when."""

    session: Session
    principal: Principal
    now: datetime


@dataclass(frozen=True)
class Credential:
    """A well-formed bearer token not yet looked up, and what the route needs it to allow."""

    token: str
    family: Family | None
    action: Action


def _open_call(session: Session, request: Request, token: str, now: datetime) -> ApiCall:
    principal = resolve_bearer_token(session, token=token, now=now)
    if principal is None:
        raise NotAuthenticated("The access token is unknown, expired or revoked")
    set_audit_context(session, actor=principal.actor, now=now, details=dict(VIA_API))
    setattr(request.state, _STATE_PRINCIPAL, principal)
    return ApiCall(session, principal, now)


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header, or why there is none."""
    if not authorization:
        raise NotAuthenticated("Authentication required: send Authorization: Bearer <token>")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token or len(token) > _MAX_TOKEN:
        raise NotAuthenticated("Malformed Authorization header: expected Bearer <token>")
    return token


def request_credential(request: Request, family: Family | None, action: Action) -> Credential:
    """For a route that does all its work in one worker thread (:meth:`Guard.run`) and
    declares no dependencies (FastAPI's per-request dependency solving was ~7 % of the
    qualification POST's CPU under load): the header is checked here, on the event loop (401 when missing
    or malformed); the token's look-up, the permission check and the transaction happen in
    the worker thread. The same answers as :meth:`Guard.requires`. Such a route declares
    :data:`SECURITY` in its ``openapi_extra``."""
    return Credential(bearer_token(request.headers.get("authorization")), family, action)


# What FastAPI documents for a route that depends on the two schemes, for the routes that
# read the header themselves (:func:`request_credential`).
SECURITY: list[dict[str, list[str]]] = [
    {bearer_scheme.scheme_name: []},
    {client_credentials_scheme.scheme_name: []},
]


class Guard:
    """The dependencies every API route starts with."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def authenticated(
        self,
        request: Request,
        _bearer: object = Depends(bearer_scheme),
        _oauth2: object = Depends(client_credentials_scheme),
    ) -> Iterator[ApiCall]:
        token = bearer_token(request.headers.get("authorization"))
        now = self.runtime.clock.now()
        with unit_of_work(self.runtime.session_factory) as session:
            yield _open_call(session, request, token, now)

    def run(self, request: Request, credential: Credential, work: Callable[[ApiCall], T]) -> T:
        """``work`` for an authenticated, permitted call, in its transaction, in this
        (worker) thread; committed when ``work`` returns, rolled back when it raises."""
        now = self.runtime.clock.now()
        with unit_of_work(self.runtime.session_factory) as session:
            call = _open_call(session, request, credential.token, now)
            _permit(call, credential.family, credential.action, credential.action)
            return work(call)

    def requires(
        self, family: Family | None, action: Action
    ) -> Callable[..., Coroutine[Any, Any, ApiCall]]:
        """A dependency: an authenticated call whose principal may ``action`` on ``family``.

        ``family=None`` leaves the decision to the service (a user's own API tokens).
        Writes with a read-only credential are refused whatever the family.
        """
        return self._dependency(family, action, action)

    def requires_row_write(
        self, family: Family | None
    ) -> Callable[..., Coroutine[Any, Any, ApiCall]]:
        """For a write to one row: the family must be readable now; the route looks the
        row up (404 outside the principal's scope) and then calls :func:`permit_write`.
        So a row one cannot see is "not found" whether one may write or not."""
        return self._dependency(family, "read", "write")

    def requires_writers(
        self, family: Family | None, writers: Callable[[Principal], bool]
    ) -> Callable[..., Coroutine[Any, Any, ApiCall]]:
        """For writes a service rule extends beyond the family's write grant: the family
        must be readable and ``writers`` must admit the principal; the service then
        decides per row (404 outside the scope, 403 without the right to that row)."""
        authenticated = Depends(self.authenticated, scope="function")

        async def permitted(call: ApiCall = authenticated) -> ApiCall:
            _permit(call, family, "read", "write")
            if family is not None and not writers(call.principal):
                authorize(call.principal, family, "write")
            return call

        return permitted

    def _dependency(
        self, family: Family | None, action: Action, intent: Action
    ) -> Callable[..., Coroutine[Any, Any, ApiCall]]:
        # The transaction ends before the response is sent ("function" scope), so a
        # client never sees a success that was not committed.
        authenticated = Depends(self.authenticated, scope="function")

        # Coroutines, though they do no I/O: FastAPI runs a plain function in a worker
        # thread, and the hop there and back cost more than the checks themselves.
        async def permitted(call: ApiCall = authenticated) -> ApiCall:
            _permit(call, family, action, intent)
            return call

        return permitted


def _permit(call: ApiCall, family: Family | None, action: Action, intent: Action) -> None:
    if intent == "write" and call.principal.read_only:
        raise PermissionDenied(f"{call.principal.name} may not write with a read-only credential")
    if family is not None:
        authorize(call.principal, family, action)


def permit_write(call: ApiCall, family: Family | None) -> None:
    if family is not None:
        authorize(call.principal, family, "write")


def install_security(app: FastAPI, runtime: Runtime) -> Guard:
    """Error answers for 401 and 403 (with the audit event); returns the route guard."""

    def not_authenticated(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SalesdevError)
        return error_response(exc, headers={"WWW-Authenticate": 'Bearer realm="salesdev"'})

    def permission_denied(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SalesdevError)
        principal = getattr(request.state, _STATE_PRINCIPAL, None)
        if isinstance(principal, Principal):
            record_denial(runtime, principal=principal, request=request, reason=exc.message)
        return error_response(exc)

    app.add_exception_handler(NotAuthenticated, not_authenticated)
    app.add_exception_handler(PermissionDenied, permission_denied)
    return Guard(runtime)


def record_denial(runtime: Runtime, *, principal: Principal, request: Request, reason: str) -> None:
    """The refusal is kept even though the request's own transaction was rolled back."""
    method, path = request.method, request.url.path
    try:
        with unit_of_work(runtime.session_factory) as session:
            set_audit_context(
                session, actor=principal.actor, now=runtime.clock.now(), details=dict(VIA_API)
            )
            record_event(
                session,
                action="permission.denied",
                object_type="http_request",
                object_id=f"{method} {path}"[:64],
                details={**VIA_API, "method": method, "path": path, "reason": reason},
            )
    except Exception:
        # The client still gets its 403; losing the record is logged, not hidden.
        logger.exception("could not record permission.denied for %s %s", method, path)
