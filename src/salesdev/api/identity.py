"""The identity and audit API (``/tmf-api/identity/v1``): users, API tokens, the audit trail.

A separate API from Sales Development: it has no hub and publishes no events (a
listener must never receive user accounts or token metadata), and its permissions are
the ``users`` and ``audit`` families. Password hashes and token hashes never leave the
server; a new token's secret is shown once, in the answer to the POST that issued it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy.orm import Session
from starlette.responses import Response

from salesdev.api.toolkit import ApiSpec, Attr, Resource, Scalar
from salesdev.api.toolkit.attributes import Mode, Reference
from salesdev.api.toolkit.openapi import error_responses, json_content, ref, register_schemas
from salesdev.api.toolkit.operations import ServiceOperations
from salesdev.api.toolkit.resource import RenderContext
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.security import ApiCall, Guard
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.ids import parse_id
from salesdev.db.models import ApiToken, AuditEvent, User
from salesdev.domains.access import Family, Principal, Role
from salesdev.domains.audit import get_event, list_events, verify_chain
from salesdev.domains.identity import (
    api_tokens_select,
    create_api_token,
    create_user,
    get_api_token,
    get_user,
    revoke_api_token,
    update_user,
    users_select,
)
from salesdev.domains.identity.service import USER_STATUSES

API_NAME = "identity"
BASE_PATH = "/tmf-api/identity/v1"
SALES_DEVELOPMENT_PATH = "/tmf-api/salesDevelopment/v1"
_ISSUED = "salesdev.api.issued_tokens"


class StringList(Attr):
    """A list of codes, such as a user's roles."""

    def __init__(self, name: str, domain: str, *, choices: tuple[str, ...], required: bool):
        self.name = name
        self.domain = domain
        self.choices = choices
        self.required = required
        self.nullable = False

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        return sorted(getattr(entity, self.domain) or [])

    def parse(self, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise InvalidInput(
                "Invalid value", [ErrorDetail(self.name, "expected a list of codes")]
            )
        return {self.domain: list(raw)}

    def schema(self, mode: Mode) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string", "enum": list(self.choices)}}

    def locations(self) -> dict[str, str]:
        return {self.domain: self.name}


class SalesDevelopmentReference(Reference):
    """A reference to a resource of the Sales Development API (another base path)."""

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        ref_id = getattr(entity, self.domain)
        if ref_id is None:
            return None
        return {
            "id": str(ref_id),
            "href": f"{ctx.base_url}{SALES_DEVELOPMENT_PATH}/{self.target}/{ref_id}",
            "@referredType": self.target[:1].upper() + self.target[1:],
        }


class IssuedToken(Attr):
    """The token itself: only in the answer to the POST that issued it, null afterwards."""

    name = "token"
    readonly = True
    description = "The secret, shown once when the token is issued; store it now"

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        return None

    def schema(self, mode: Mode) -> dict[str, Any]:
        return {"type": ["string", "null"], "readOnly": True, "description": self.description}


def _required(values: Mapping[str, Any], *names: tuple[str, str]) -> None:
    missing = [ErrorDetail(label, "is required") for name, label in names if name not in values]
    if missing:
        raise InvalidInput("Invalid body", missing)


def _optional_id(values: Mapping[str, Any], name: str, label: str) -> uuid.UUID | None:
    raw = values.get(name)
    return None if raw is None else parse_id(raw, location=label)


# --- users ---------------------------------------------------------------------------------


def _create_user(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    _required(values, ("login", "login"), ("password", "password"), ("roles", "roles"))
    return create_user(
        session,
        principal=principal,
        login=values["login"],
        display_name=values.get("display_name") or "",
        password=values["password"],
        roles=values["roles"],
        now=now,
        sales_person_id=_optional_id(values, "sales_person_id", "salesPerson.id"),
        partner_id=_optional_id(values, "partner_id", "partner.id"),
        include_sub_dealers=bool(values.get("include_sub_dealers", False)),
        must_change_password=bool(values.get("must_change_password", False)),
    )


def _update_user(
    session: Session,
    *,
    principal: Principal,
    user_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None,
) -> Any:
    clean = dict(changes)
    for name, label in (("sales_person_id", "salesPerson.id"), ("partner_id", "partner.id")):
        if name in clean:
            clean[name] = _optional_id(clean, name, label)
    return update_user(
        session,
        principal=principal,
        user_id=user_id,
        changes=clean,
        now=now,
        expected_version=expected_version,
    )


def user_resource() -> Resource:
    return Resource(
        name="user",
        type="User",
        model=User,
        operations=ServiceOperations(
            User,
            "User",
            key="user_id",
            select=users_select,
            get=get_user,
            create=_create_user,
            update=_update_user,
        ),
        family=Family.USERS,
        display_attribute="login",
        description="A person who signs in; roles grant actions, bindings narrow rows",
        attributes=(
            Scalar("login", "login", required=True, nullable=False, max_length=100),
            Scalar("displayName", "display_name", max_length=200),
            Scalar(
                "password",
                "password",
                required=True,
                writeonly=True,
                filterable=False,
                sortable=False,
                description="Initial password (create only), checked against the password policy",
            ),
            StringList("roles", "roles", choices=tuple(Role), required=True),
            SalesDevelopmentReference("salesPerson", "sales_person_id", target="salesPerson"),
            SalesDevelopmentReference("partner", "partner_id", target="partner"),
            Scalar("includeSubDealers", "include_sub_dealers", "bool", nullable=False),
            Scalar("status", "status", choices=USER_STATUSES, nullable=False),
            Scalar("mustChangePassword", "must_change_password", "bool", nullable=False),
            Scalar("passwordChangedAt", "password_changed_at", "datetime", readonly=True),
            Scalar("creationDate", "created_at", "datetime", readonly=True),
            Scalar("lastUpdate", "updated_at", "datetime", readonly=True),
        ),
    )


# --- API tokens ----------------------------------------------------------------------------


def _create_api_token(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    _required(values, ("name", "name"))
    user_id = _optional_id(values, "user_id", "user.id") or principal.id
    if user_id is None or (principal.kind != "user" and "user_id" not in values):
        raise InvalidInput(
            "Invalid API token", [ErrorDetail("user", "say which user the token is for")]
        )
    days = values.get("expires_in_days", 90)
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)):
        raise InvalidInput(
            "Invalid API token", [ErrorDetail("expiresInDays", "expected a whole number")]
        )
    plain, token = create_api_token(
        session,
        principal=principal,
        user_id=user_id,
        name=str(values["name"]),
        now=now,
        read_only=bool(values.get("read_only", False)),
        expires_in_days=days,
    )
    session.info.setdefault(_ISSUED, {})[token.id] = plain
    return token


def _issued_token(session: Session, entity: Any) -> dict[str, Any]:
    """The secret, shown once in the answer to the POST that issued it."""
    plain = session.info.get(_ISSUED, {}).pop(entity.id, None)
    return {} if plain is None else {"token": plain}


def api_token_resource() -> Resource:
    return Resource(
        name="apiToken",
        type="ApiToken",
        model=ApiToken,
        operations=ServiceOperations(
            ApiToken,
            "API token",
            key="token_id",
            select=api_tokens_select,
            get=get_api_token,
            create=_create_api_token,
            # DELETE revokes: the token stays on record (the route has checked If-Match).
            delete=revoke_api_token,
            created_extras=_issued_token,
        ),
        # Any signed-in user may manage their own tokens: the service decides.
        family=None,
        display_attribute="name",
        description=(
            "A personal access token. DELETE revokes it (the record stays, with its "
            "revocationDate); only the SHA-256 of the secret is stored"
        ),
        attributes=(
            Scalar("name", "name", required=True, nullable=False, max_length=200),
            Reference("user", "user_id", target="user"),
            Scalar("readOnly", "read_only", "bool", nullable=False),
            Scalar(
                "expiresInDays",
                "expires_in_days",
                "int",
                writeonly=True,
                filterable=False,
                sortable=False,
                description="Lifetime in days (1-3650, default 90; null: never expires)",
            ),
            Scalar("tokenPrefix", "token_prefix", readonly=True, filterable=False),
            Scalar("creationDate", "created_at", "datetime", readonly=True),
            Scalar("expirationDate", "expires_at", "datetime", readonly=True),
            Scalar("revocationDate", "revoked_at", "datetime", readonly=True),
            Scalar("lastUsed", "last_used_at", "datetime", readonly=True),
            IssuedToken(),
        ),
    )


# --- audit trail ---------------------------------------------------------------------------


def _audit(name: str, domain: str, kind: Any = "str", **options: Any) -> Scalar:
    return Scalar(name, domain, kind, readonly=True, **options)


def audit_event_resource() -> Resource:
    return Resource(
        name="auditEvent",
        type="AuditEvent",
        model=AuditEvent,
        operations=ServiceOperations(
            # The audit service owns the filterable attributes and the default order.
            AuditEvent,
            "Audit event",
            key="event_id",
            list=list_events,
            get=get_event,
        ),
        family=Family.AUDIT,
        display_attribute="action",
        description=(
            "One recorded change or security event, hash-chained to the one before "
            "(read-only; newest first unless sorted)"
        ),
        attributes=(
            _audit("sequence", "sequence", "int"),
            _audit("occurredAt", "occurred_at", "datetime"),
            _audit("actor", "actor"),
            _audit("action", "action"),
            _audit("objectType", "object_type"),
            _audit("objectId", "object_id"),
            _audit("before", "before", "json"),
            _audit("after", "after", "json"),
            _audit("context", "context", "json"),
            _audit("previousHash", "previous_hash", filterable=False),
            _audit("hash", "hash", filterable=False),
        ),
    )


VERIFICATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["ok", "checked", "brokenAt", "reason", "@type"],
    "properties": {
        "ok": {"type": "boolean", "description": "Every link and every event's content match"},
        "checked": {"type": "integer", "description": "Events verified before the first break"},
        "brokenAt": {
            "type": ["integer", "null"],
            "description": "Sequence of the first event that does not match",
        },
        "reason": {"type": "string"},
        "@type": {"type": "string", "const": "AuditVerification"},
    },
}


def install_audit_verification(app: FastAPI, guard: Guard, api: ApiSpec) -> None:
    router = APIRouter(tags=["AuditEvent"])
    reading = Depends(guard.requires(Family.AUDIT, "read"))

    @router.get(
        f"{api.base_path}/auditVerification",
        summary="Recompute the audit trail's hash chain and report the first broken link",
        response_class=TmfJSONResponse,
        responses={
            200: {
                "description": "The verification",
                "content": json_content(ref("AuditVerification")),
            },
            **error_responses(),
        },
    )
    def verify_audit_trail(call: ApiCall = reading) -> Response:
        outcome = verify_chain(call.session)
        return TmfJSONResponse(
            {
                "ok": outcome.ok,
                "checked": outcome.checked,
                "brokenAt": outcome.broken_at,
                "reason": outcome.reason,
                "@type": "AuditVerification",
            }
        )

    app.include_router(router)
    register_schemas(app, {"AuditVerification": VERIFICATION_SCHEMA})


def identity_api() -> ApiSpec:
    return ApiSpec(API_NAME, BASE_PATH, title="Identity and audit", events=False).add(
        user_resource(), api_token_resource(), audit_event_resource()
    )
