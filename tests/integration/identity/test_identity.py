"""Logins, lock-out, sessions, tokens and OAuth2 clients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import Conflict, InvalidInput, NotAuthenticated, PermissionDenied
from salesdev.db.models import AuditEvent, User
from salesdev.domains.access import SYSTEM, Family, Role
from salesdev.domains.identity import (
    authenticate,
    change_password,
    create_api_token,
    create_oauth_client,
    create_user,
    end_web_session,
    issue_client_token,
    principal_for,
    reset_password,
    resolve_bearer_token,
    resolve_web_session,
    revoke_api_token,
    start_web_session,
)

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
PASSWORD = "Tarifa-Fibra-2026"


def _user(session: Session, login: str = "carla", roles: list[str] | None = None) -> User:
    return create_user(
        session,
        principal=SYSTEM,
        login=login,
        display_name="Carla Channel",
        password=PASSWORD,
        roles=roles or ["channel_manager"],
        now=NOW,
    )


def _actions(session: Session) -> list[str]:
    return [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.sequence))]


def test_password_policy_names_every_problem(session: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_user(
            session,
            principal=SYSTEM,
            login="bob",
            display_name="Bob",
            password="bob",
            roles=["auditor"],
            now=NOW,
        )
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("password", "must be at least 12 characters"),
        ("password", "must not contain the login name"),
        ("password", "is too easy to guess"),
    ]
    assert session.scalar(select(User.id)) is None


def test_passwords_are_stored_as_argon2id_hashes(session: Session) -> None:
    user = _user(session)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_logins_are_unique_and_roles_known(session: Session) -> None:
    _user(session)
    with pytest.raises(Conflict):
        _user(session)
    with pytest.raises(InvalidInput, match="Invalid user"):
        _user(session, "other", roles=["emperor"])


def test_a_partner_user_must_be_bound_to_a_partner(session: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        _user(session, "pat", roles=["partner_user"])
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("partner_id", "a partner user must be bound to a partner")
    ]


def test_only_administrators_create_users(session: Session) -> None:
    manager = principal_for(_user(session))
    with pytest.raises(PermissionDenied, match="carla may not write users"):
        create_user(
            session,
            principal=manager,
            login="x",
            display_name="X",
            password=PASSWORD,
            roles=["auditor"],
            now=NOW,
        )


def test_a_correct_login_succeeds_and_is_audited(session: Session) -> None:
    _user(session)
    outcome = authenticate(session, login="Carla", password=PASSWORD, now=NOW)
    assert outcome.user is not None and outcome.user.login == "carla"
    assert _actions(session)[-1] == "login.succeeded"


def test_five_failures_lock_the_login_for_fifteen_minutes(session: Session) -> None:
    _user(session)
    for minute in range(4):
        outcome = authenticate(
            session, login="carla", password="wrong", now=NOW + timedelta(minutes=minute)
        )
        assert (outcome.user, outcome.error) == (None, "Invalid login or password.")
    fifth = authenticate(session, login="carla", password="wrong", now=NOW + timedelta(minutes=4))
    assert fifth.locked_until == NOW + timedelta(minutes=19)
    # even the right password is refused while locked
    locked = authenticate(
        session, login="carla", password=PASSWORD, now=NOW + timedelta(minutes=18)
    )
    assert (locked.user, locked.error) == (None, "Too many failed attempts. Try again later.")
    after = authenticate(session, login="carla", password=PASSWORD, now=NOW + timedelta(minutes=19))
    assert after.user is not None
    assert _actions(session)[1:] == [
        "login.failed",
        "login.failed",
        "login.failed",
        "login.failed",
        "login.failed",
        "login.locked_out",
        "login.refused_locked",
        "login.succeeded",
    ]


def test_unknown_logins_are_throttled_alike(session: Session) -> None:
    outcomes = [authenticate(session, login="ghost", password="x", now=NOW) for _ in range(5)]
    assert [o.error for o in outcomes] == ["Invalid login or password."] * 4 + [
        "Too many failed attempts. Try again later."
    ]


def test_a_disabled_user_cannot_log_in(session: Session) -> None:
    user = _user(session)
    user.status = "disabled"
    assert authenticate(session, login="carla", password=PASSWORD, now=NOW).user is None


def test_web_sessions_expire_and_end_on_logout(session: Session) -> None:
    user = _user(session)
    token, _ = start_web_session(session, user=user, now=NOW)
    resolved = resolve_web_session(session, token=token, now=NOW + timedelta(hours=1))
    assert resolved is not None and resolved[0].roles == frozenset({Role.CHANNEL_MANAGER})
    assert resolve_web_session(session, token=token, now=NOW + timedelta(hours=12)) is None
    end_web_session(session, token=token, now=NOW + timedelta(minutes=5))
    assert resolve_web_session(session, token=token, now=NOW + timedelta(minutes=6)) is None
    assert resolve_web_session(session, token="forged", now=NOW) is None


def test_tokens_are_shown_once_stored_hashed_expire_and_can_be_revoked(session: Session) -> None:
    user = _user(session)
    token, stored = create_api_token(
        session,
        principal=principal_for(user),
        user_id=user.id,
        name="etl",
        now=NOW,
        expires_in_days=30,
    )
    assert token.startswith("sdv_") and token not in stored.token_hash
    assert stored.token_prefix == token[:12]
    principal = resolve_bearer_token(session, token=token, now=NOW + timedelta(days=29))
    assert principal is not None and principal.name == "carla"
    assert resolve_bearer_token(session, token=token, now=NOW + timedelta(days=30)) is None
    revoke_api_token(
        session, principal=principal_for(user), token_id=stored.id, now=NOW + timedelta(days=1)
    )
    assert resolve_bearer_token(session, token=token, now=NOW + timedelta(days=2)) is None
    assert _actions(session)[-2:] == ["token.issued", "token.revoked"]


def test_read_only_tokens_cannot_write(session: Session) -> None:
    user = _user(session)
    token, _ = create_api_token(
        session,
        principal=principal_for(user),
        user_id=user.id,
        name="report",
        now=NOW,
        read_only=True,
    )
    principal = resolve_bearer_token(session, token=token, now=NOW)
    assert principal is not None
    assert principal.can(Family.CHANNELS, "read")
    assert not principal.can(Family.CHANNELS, "write")


def test_a_password_reset_forces_a_change_and_ends_sessions(session: Session) -> None:
    user = _user(session)
    token, _ = start_web_session(session, user=user, now=NOW)
    reset_password(
        session, principal=SYSTEM, user_id=user.id, new_password="Temporary-Pass-99", now=NOW
    )
    assert user.must_change_password
    assert resolve_web_session(session, token=token, now=NOW) is None
    with pytest.raises(InvalidInput, match="Password not changed"):
        change_password(
            session,
            user_id=user.id,
            current_password="nope",
            new_password="Brand-New-Pass-77",
            now=NOW,
        )
    change_password(
        session,
        user_id=user.id,
        current_password="Temporary-Pass-99",
        new_password="Brand-New-Pass-77",
        now=NOW,
    )
    assert not user.must_change_password
    assert (
        authenticate(session, login="carla", password="Brand-New-Pass-77", now=NOW).user is not None
    )


def test_client_credentials_give_a_short_lived_token(session: Session) -> None:
    secret, client = create_oauth_client(
        session,
        principal=SYSTEM,
        client_id="billing",
        name="Billing",
        roles=["sales_operations"],
        now=NOW,
    )
    token, expires_in = issue_client_token(
        session, client_id="billing", client_secret=secret, now=NOW
    )
    assert expires_in == 3600
    principal = resolve_bearer_token(session, token=token, now=NOW + timedelta(minutes=59))
    assert principal is not None and (principal.kind, principal.name) == ("client", "billing")
    assert resolve_bearer_token(session, token=token, now=NOW + timedelta(hours=1)) is None
    with pytest.raises(NotAuthenticated):
        issue_client_token(session, client_id="billing", client_secret="wrong", now=NOW)
    assert client.secret_hash.startswith("$argon2id$")


def test_every_problem_of_a_new_user_is_reported_at_once(session: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_user(
            session,
            principal=SYSTEM,
            login="bad login!",
            display_name="X",
            password="short",
            roles=["partner_user"],
            now=NOW,
        )
    assert caught.value.message == "Invalid user"
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("login", "use 1-100 letters, digits, '.', '_', '-', '@'"),
        ("password", "must be at least 12 characters"),
        ("partner_id", "a partner user must be bound to a partner"),
    ]
    assert session.scalar(select(User.id)) is None


def test_a_read_only_credential_cannot_mint_a_token(session: Session) -> None:
    user = _user(session)
    with pytest.raises(PermissionDenied, match="read-only credential"):
        create_api_token(
            session,
            principal=principal_for(user, read_only=True),
            user_id=user.id,
            name="x",
            now=NOW,
        )
