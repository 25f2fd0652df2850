"""Users, logins with lock-out, console sessions, API tokens and OAuth2 clients."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import Select, Table, bindparam, delete, select, update
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    Conflict,
    ErrorDetail,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
)
from salesdev.db.models import (
    ApiToken,
    LoginThrottle,
    OAuthClient,
    Partner,
    SalesPerson,
    User,
    WebSession,
)
from salesdev.db.prepared import Prepared
from salesdev.db.session import flushed_connection
from salesdev.domains.access import (
    Family,
    Principal,
    Role,
    authorize,
    parse_roles,
)
from salesdev.domains.audit import record_event
from salesdev.domains.identity.passwords import (
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
CLIENT_TOKEN_LIFETIME = timedelta(hours=1)
TOKEN_PREFIX = "sdv_"  # noqa: S105  (a recognisable prefix, not a secret)
USER_STATUSES = ("active", "disabled")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UserFields(Protocol):
    """What a principal is made of: a ``User``, or a row with the user's columns."""

    id: uuid.UUID
    login: str
    roles: list[str]
    sales_person_id: uuid.UUID | None
    partner_id: uuid.UUID | None
    include_sub_dealers: bool


def principal_for(user: UserFields, *, read_only: bool = False) -> Principal:
    return Principal(
        kind="user",
        name=user.login,
        roles=parse_roles(user.roles),
        id=user.id,
        sales_person_id=user.sales_person_id,
        partner_id=user.partner_id,
        include_sub_dealers=user.include_sub_dealers,
        read_only=read_only,
    )


# --- users -------------------------------------------------------------------------------


def _validate_roles(values: Any) -> list[str]:
    if not isinstance(values, list | tuple) or not values:
        raise InvalidInput("Invalid roles", [ErrorDetail("roles", "give at least one role")])
    unknown = [str(v) for v in values if v not in Role.__members__.values()]
    if unknown:
        raise InvalidInput(
            "Invalid roles",
            [
                ErrorDetail(
                    "roles", f"unknown role(s) {', '.join(unknown)}; known: {', '.join(Role)}"
                )
            ],
        )
    return sorted(set(values))


def _validate_bindings(
    session: Session, roles: list[str], sales_person_id: Any, partner_id: Any
) -> None:
    errors: list[ErrorDetail] = []
    if sales_person_id is not None and session.get(SalesPerson, sales_person_id) is None:
        errors.append(ErrorDetail("sales_person_id", f"no sales person with id {sales_person_id}"))
    if partner_id is not None and session.get(Partner, partner_id) is None:
        errors.append(ErrorDetail("partner_id", f"no partner with id {partner_id}"))
    if Role.PARTNER_USER in roles and partner_id is None:
        errors.append(ErrorDetail("partner_id", "a partner user must be bound to a partner"))
    if (Role.SALES_REP in roles or Role.SALES_MANAGER in roles) and sales_person_id is None:
        errors.append(
            ErrorDetail("sales_person_id", "a sales rep or manager must be bound to a sales person")
        )
    if errors:
        raise InvalidInput("Invalid user", errors)


def create_user(
    session: Session,
    *,
    principal: Principal,
    login: str,
    display_name: str,
    password: str,
    roles: list[str],
    now: datetime,
    sales_person_id: uuid.UUID | None = None,
    partner_id: uuid.UUID | None = None,
    include_sub_dealers: bool = False,
    must_change_password: bool = False,
) -> User:
    authorize(principal, Family.USERS, "write")
    login = login.strip().lower()
    # Every problem at once, so a form can show them all next to their fields.
    errors: list[ErrorDetail] = []
    if not login or len(login) > 100 or not all(c.isalnum() or c in "._-@" for c in login):
        errors.append(ErrorDetail("login", "use 1-100 letters, digits, '.', '_', '-', '@'"))
    clean_roles: list[str] = []
    try:
        clean_roles = _validate_roles(roles)
    except InvalidInput as exc:
        errors += exc.details
    try:
        check_policy(password, login=login)
    except InvalidInput as exc:
        errors += exc.details
    try:
        _validate_bindings(session, clean_roles, sales_person_id, partner_id)
    except InvalidInput as exc:
        errors += exc.details
    if errors:
        raise InvalidInput("Invalid user", errors)
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise Conflict(
            f"A user with login {login!r} already exists", [ErrorDetail("login", "must be unique")]
        )
    user = User(
        login=login,
        display_name=display_name.strip() or login,
        password_hash=hash_password(password),
        roles=clean_roles,
        sales_person_id=sales_person_id,
        partner_id=partner_id,
        include_sub_dealers=include_sub_dealers,
        must_change_password=must_change_password,
        password_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    *,
    principal: Principal,
    user_id: uuid.UUID,
    changes: dict[str, Any],
    now: datetime,
    expected_version: int | None = None,
) -> User:
    authorize(principal, Family.USERS, "write")
    user = get_user(session, principal=principal, user_id=user_id)
    if expected_version is not None and user.version != expected_version:
        raise PreconditionFailed(
            f"User {user.login} was changed by someone else; reload and try again"
        )
    allowed = {
        "display_name",
        "roles",
        "sales_person_id",
        "partner_id",
        "include_sub_dealers",
        "status",
    }
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InvalidInput(
            "Invalid user", [ErrorDetail(k, "cannot be changed here") for k in unknown]
        )
    roles = _validate_roles(changes["roles"]) if "roles" in changes else list(user.roles)
    status = changes.get("status", user.status)
    if status not in USER_STATUSES:
        raise InvalidInput(
            "Invalid user", [ErrorDetail("status", f"expected one of {', '.join(USER_STATUSES)}")]
        )
    sales_person_id = changes.get("sales_person_id", user.sales_person_id)
    partner_id = changes.get("partner_id", user.partner_id)
    _validate_bindings(session, roles, sales_person_id, partner_id)
    if principal.id == user.id and (Role.ADMIN not in roles or status != "active"):
        raise InvalidInput(
            "Invalid user",
            [
                ErrorDetail(
                    "roles", "you cannot remove your own administrator role or disable yourself"
                )
            ],
        )
    user.display_name = str(changes.get("display_name", user.display_name)).strip() or user.login
    user.roles = roles
    user.status = status
    user.sales_person_id = sales_person_id
    user.partner_id = partner_id
    user.include_sub_dealers = bool(changes.get("include_sub_dealers", user.include_sub_dealers))
    user.updated_at = now
    session.flush()
    if status != "active":
        revoke_user_credentials(session, user_id=user.id, now=now)
    return user


def get_user(session: Session, *, principal: Principal, user_id: uuid.UUID) -> User:
    authorize(principal, Family.USERS, "read")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} does not exist")
    return user


def users_select(*, principal: Principal) -> Select[Any]:
    """The users the principal may list, for interfaces that page and filter themselves."""
    authorize(principal, Family.USERS, "read")
    return select(User)


def list_users(session: Session, *, principal: Principal) -> list[User]:
    authorize(principal, Family.USERS, "read")
    return list(session.scalars(select(User).order_by(User.login)))


def find_user(session: Session, *, login: str) -> User | None:
    return session.scalar(select(User).where(User.login == login.strip().lower()))


def reset_password(
    session: Session, *, principal: Principal, user_id: uuid.UUID, new_password: str, now: datetime
) -> User:
    """An administrator sets a temporary password; the user must change it at next login."""
    authorize(principal, Family.USERS, "write")
    user = get_user(session, principal=principal, user_id=user_id)
    check_policy(new_password, login=user.login)
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    user.password_changed_at = now
    user.updated_at = now
    session.execute(delete(LoginThrottle).where(LoginThrottle.login == user.login))
    revoke_user_credentials(session, user_id=user.id, now=now, tokens=False)
    record_event(session, action="password.reset", object_type="app_user", object_id=str(user.id))
    session.flush()
    return user


def change_password(
    session: Session, *, user_id: uuid.UUID, current_password: str, new_password: str, now: datetime
) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} does not exist")
    if not verify_password(user.password_hash, current_password):
        raise InvalidInput(
            "Password not changed", [ErrorDetail("current_password", "is not correct")]
        )
    if current_password == new_password:
        raise InvalidInput(
            "Password not changed",
            [ErrorDetail("new_password", "must differ from the current one")],
        )
    check_policy(new_password, login=user.login, location="new_password")
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.password_changed_at = now
    user.updated_at = now
    record_event(session, action="password.changed", object_type="app_user", object_id=str(user.id))
    session.flush()
    return user


def revoke_user_credentials(
    session: Session, *, user_id: uuid.UUID, now: datetime, tokens: bool = True
) -> None:
    for web_session in session.scalars(
        select(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    ):
        web_session.revoked_at = now
    if tokens:
        for token in session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        ):
            token.revoked_at = now
    session.flush()


# --- login with throttling ---------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a login attempt. Failures are results, not exceptions, so that the
    entrypoint commits the failure count and the audit event before answering."""

    user: User | None
    error: str = ""
    locked_until: datetime | None = None


def authenticate(
    session: Session, *, login: str, password: str, now: datetime, source: str = ""
) -> LoginOutcome:
    name = login.strip().lower()[:100]
    throttle = session.get(LoginThrottle, name)
    details = {"source": source} if source else None
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        record_event(
            session,
            action="login.refused_locked",
            object_type="login",
            object_id=name,
            actor=f"user:{name}",
            details=details,
        )
        return LoginOutcome(
            None, "Too many failed attempts. Try again later.", throttle.locked_until
        )
    user = find_user(session, login=name)
    valid = verify_password(user.password_hash if user else None, password)
    if user is not None and valid and user.status == "active":
        if throttle is not None:
            session.delete(throttle)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        record_event(
            session,
            action="login.succeeded",
            object_type="app_user",
            object_id=str(user.id),
            actor=f"user:{name}",
            details=details,
        )
        session.flush()
        return LoginOutcome(user)
    throttle = _count_failure(session, throttle, name, now)
    record_event(
        session,
        action="login.failed",
        object_type="login",
        object_id=name,
        actor=f"user:{name}",
        details=details,
    )
    if throttle.locked_until is not None and throttle.locked_until > now:
        record_event(
            session,
            action="login.locked_out",
            object_type="login",
            object_id=name,
            actor=f"user:{name}",
            after={"locked_until": throttle.locked_until},
            details=details,
        )
        return LoginOutcome(
            None, "Too many failed attempts. Try again later.", throttle.locked_until
        )
    return LoginOutcome(None, "Invalid login or password.")


def _count_failure(
    session: Session, throttle: LoginThrottle | None, name: str, now: datetime
) -> LoginThrottle:
    if throttle is None:
        throttle = LoginThrottle(login=name, failures=0, first_failure_at=now)
        session.add(throttle)
    if throttle.first_failure_at is None or now - throttle.first_failure_at > FAILURE_WINDOW:
        throttle.failures = 0
        throttle.first_failure_at = now
    throttle.failures += 1
    if throttle.failures >= MAX_FAILURES:
        throttle.locked_until = now + LOCKOUT
        throttle.failures = 0
        throttle.first_failure_at = None
    session.flush()
    return throttle


# --- console sessions ---------------------------------------------------------------------


def start_web_session(session: Session, *, user: User, now: datetime) -> tuple[str, WebSession]:
    token = secrets.token_urlsafe(32)
    web_session = WebSession(
        user_id=user.id,
        token_hash=_digest(token),
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(web_session)
    session.flush()
    return token, web_session


def resolve_web_session(
    session: Session, *, token: str, now: datetime
) -> tuple[Principal, WebSession, User] | None:
    web_session = session.scalar(select(WebSession).where(WebSession.token_hash == _digest(token)))
    if web_session is None or web_session.revoked_at is not None or web_session.expires_at <= now:
        return None
    user = session.get(User, web_session.user_id)
    if user is None or user.status != "active":
        return None
    return principal_for(user), web_session, user


def end_web_session(session: Session, *, token: str, now: datetime) -> None:
    web_session = session.scalar(select(WebSession).where(WebSession.token_hash == _digest(token)))
    if web_session is not None and web_session.revoked_at is None:
        web_session.revoked_at = now
        record_event(
            session, action="logout", object_type="app_user", object_id=str(web_session.user_id)
        )
        session.flush()


# --- API tokens ----------------------------------------------------------------------------


def create_api_token(
    session: Session,
    *,
    principal: Principal,
    user_id: uuid.UUID,
    name: str,
    now: datetime,
    read_only: bool = False,
    expires_in_days: int | None = 90,
) -> tuple[str, ApiToken]:
    """Issue a personal access token; the plain token is returned once and never stored."""
    if principal.read_only:
        # A read-only credential must not be able to mint itself a read-write one.
        raise PermissionDenied(
            f"{principal.name} may not create tokens with a read-only credential"
        )
    if principal.id != user_id:
        authorize(principal, Family.USERS, "write")
    user = session.get(User, user_id)
    if user is None or user.status != "active":
        raise NotFound(f"User {user_id} does not exist or is disabled")
    if not name.strip():
        raise InvalidInput("Invalid token", [ErrorDetail("name", "is required")])
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise InvalidInput(
            "Invalid token", [ErrorDetail("expires_in_days", "must be between 1 and 3650")]
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    api_token = ApiToken(
        name=name.strip()[:200],
        user_id=user.id,
        token_prefix=token[:12],
        token_hash=_digest(token),
        read_only=read_only,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(api_token)
    session.flush()
    record_event(
        session,
        action="token.issued",
        object_type="api_token",
        object_id=str(api_token.id),
        after={
            "user": user.login,
            "name": api_token.name,
            "read_only": read_only,
            "expires_at": api_token.expires_at,
        },
    )
    return token, api_token


def api_tokens_select(*, principal: Principal) -> Select[Any]:
    """Personal access tokens: one's own, or everyone's for those who may read users."""
    personal = select(ApiToken).where(ApiToken.user_id.is_not(None))
    if principal.can(Family.USERS, "read"):
        return personal
    return personal.where(ApiToken.user_id == principal.id)


def get_api_token(session: Session, *, principal: Principal, token_id: uuid.UUID) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id is None:
        raise NotFound(f"API token {token_id} does not exist")
    if token.user_id != principal.id and not principal.can(Family.USERS, "read"):
        raise NotFound(f"API token {token_id} does not exist")
    return token


def list_api_tokens(
    session: Session, *, principal: Principal, user_id: uuid.UUID
) -> list[ApiToken]:
    if principal.id != user_id:
        authorize(principal, Family.USERS, "read")
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at)
        )
    )


def revoke_api_token(
    session: Session, *, principal: Principal, token_id: uuid.UUID, now: datetime
) -> ApiToken:
    api_token = session.get(ApiToken, token_id)
    if api_token is None or (
        api_token.user_id != principal.id and not principal.can(Family.USERS, "write")
    ):
        raise NotFound(f"Token {token_id} does not exist")
    if api_token.revoked_at is None:
        api_token.revoked_at = now
        record_event(
            session, action="token.revoked", object_type="api_token", object_id=str(api_token.id)
        )
        session.flush()
    return api_token


_TOKENS = cast(Table, ApiToken.__table__)
_USERS = cast(Table, User.__table__)
_CLIENTS = cast(Table, OAuthClient.__table__)
# Built once and run without the ORM: every API request runs it, and building the statement
# and loading three entities cost more CPU than running it. User columns keep their names
# (``principal_for`` reads them from the row); the others are labelled.
_TOKEN_WITH_HOLDER = Prepared(
    select(
        _TOKENS.c.id.label("token_id"),
        _TOKENS.c.user_id.label("token_user_id"),
        _TOKENS.c.read_only.label("token_read_only"),
        _TOKENS.c.expires_at,
        _TOKENS.c.revoked_at,
        _TOKENS.c.last_used_at,
        _USERS.c.id,
        _USERS.c.login,
        _USERS.c.roles,
        _USERS.c.sales_person_id,
        _USERS.c.partner_id,
        _USERS.c.include_sub_dealers,
        _USERS.c.status,
        _CLIENTS.c.id.label("client_key"),
        _CLIENTS.c.client_id,
        _CLIENTS.c.roles.label("client_roles"),
        _CLIENTS.c.read_only.label("client_read_only"),
        _CLIENTS.c.status.label("client_status"),
    )
    .select_from(_TOKENS)
    .outerjoin(_USERS, _USERS.c.id == _TOKENS.c.user_id)
    .outerjoin(_CLIENTS, _CLIENTS.c.id == _TOKENS.c.oauth_client_id)
    .where(_TOKENS.c.token_hash == bindparam("token_hash"))
)
_TOKEN_USED = Prepared(
    update(_TOKENS)
    .where(_TOKENS.c.id == bindparam("token_id"))
    .values(last_used_at=bindparam("now"))
)


def resolve_bearer_token(session: Session, *, token: str, now: datetime) -> Principal | None:
    # One statement per request: the token with its user or client, read fresh every
    # time (nothing cached), so a revocation or a disabled account counts at once.
    connection = flushed_connection(session)
    found = _TOKEN_WITH_HOLDER.first(connection, {"token_hash": _digest(token)})
    if found is None:
        return None
    if found.revoked_at is not None:
        return None
    if found.expires_at is not None and found.expires_at <= now:
        return None
    if found.token_user_id is not None:
        if found.id is None or found.status != "active":
            return None
        principal = principal_for(found, read_only=found.token_read_only)
    else:
        if found.client_key is None or found.client_status != "active":
            return None
        principal = Principal(
            kind="client",
            name=found.client_id,
            roles=parse_roles(found.client_roles),
            id=found.client_key,
            read_only=found.client_read_only or found.token_read_only,
        )
    # Recording every use would write on every request; once a minute is enough to see activity.
    if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
        _TOKEN_USED.run(connection, {"token_id": found.token_id, "now": now})
    return principal


# --- OAuth2 client credentials ---------------------------------------------------------------


def create_oauth_client(
    session: Session,
    *,
    principal: Principal,
    client_id: str,
    name: str,
    roles: list[str],
    now: datetime,
    read_only: bool = False,
) -> tuple[str, OAuthClient]:
    authorize(principal, Family.USERS, "write")
    clean_roles = _validate_roles(roles)
    if not client_id or not all(c.isalnum() or c in "._-" for c in client_id):
        raise InvalidInput(
            "Invalid client", [ErrorDetail("client_id", "use letters, digits, '.', '_', '-'")]
        )
    if session.scalar(select(OAuthClient.id).where(OAuthClient.client_id == client_id)) is not None:
        raise Conflict(
            f"A client {client_id!r} already exists", [ErrorDetail("client_id", "must be unique")]
        )
    secret = secrets.token_urlsafe(32)
    client = OAuthClient(
        client_id=client_id,
        name=name or client_id,
        secret_hash=hash_password(secret),
        roles=clean_roles,
        read_only=read_only,
        created_at=now,
        updated_at=now,
    )
    session.add(client)
    session.flush()
    return secret, client


def issue_client_token(
    session: Session, *, client_id: str, client_secret: str, now: datetime
) -> tuple[str, int]:
    """The client-credentials grant: a short-lived bearer token for a system integration."""
    client = session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
    valid = verify_password(client.secret_hash if client else None, client_secret)
    if client is None or not valid or client.status != "active":
        record_event(
            session,
            action="oauth.token_refused",
            object_type="oauth_client",
            object_id=client_id[:64],
            actor=f"client:{client_id[:64]}",
        )
        raise NotAuthenticated("Invalid client credentials")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            name=f"client credentials for {client.client_id}",
            oauth_client_id=client.id,
            token_prefix=token[:12],
            token_hash=_digest(token),
            read_only=client.read_only,
            created_at=now,
            expires_at=now + CLIENT_TOKEN_LIFETIME,
        )
    )
    record_event(
        session,
        action="token.issued",
        object_type="oauth_client",
        object_id=str(client.id),
        actor=f"client:{client.client_id}",
    )
    session.flush()
    return token, int(CLIENT_TOKEN_LIFETIME.total_seconds())
