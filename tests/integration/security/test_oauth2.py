"""The OAuth2 client-credentials grant, end to end (RFC 6749 section 4.4)."""

from __future__ import annotations

import base64
from datetime import timedelta

from sqlalchemy import select

from salesdev.core.clock import FixedClock
from salesdev.db.models import AuditEvent
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.identity import create_oauth_client
from salesdev.runtime import Runtime
from tests.conftest import T0
from tests.integration.api.conftest import BASE, TestClient, bearer

TOKEN = "/oauth2/token"
GRANT = {"grant_type": "client_credentials"}


def register_client(runtime: Runtime, roles: list[str], *, read_only: bool = False) -> str:
    with unit_of_work(runtime.session_factory) as session:
        secret, _ = create_oauth_client(
            session,
            principal=SYSTEM,
            client_id="crm",
            name="CRM",
            roles=roles,
            now=T0,
            read_only=read_only,
        )
        return secret


def basic(client_id: str, secret: str) -> dict[str, str]:
    pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def test_a_client_gets_a_token_with_basic_auth_and_uses_it_until_it_expires(
    anonymous: TestClient, runtime: Runtime, clock: FixedClock
) -> None:
    secret = register_client(runtime, ["channel_manager"])
    answer = anonymous.post(TOKEN, data=GRANT, headers=basic("crm", secret))
    assert answer.status_code == 200
    body = answer.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    assert answer.headers["Cache-Control"] == "no-store"

    auth = bearer(body["access_token"])
    created = anonymous.post(
        f"{BASE}/salesChannel",
        json={"code": "WEB", "name": "Web", "channelType": "online"},
        headers=auth,
    )
    assert created.status_code == 201
    # The client's roles apply: a channel manager may not write the organisation.
    denied = anonymous.post(f"{BASE}/region", json={"code": "N", "name": "N"}, headers=auth)
    assert (denied.status_code, denied.json()["message"]) == (
        403,
        "crm may not write organisation",
    )
    with runtime.session_factory() as session:
        actors = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.object_type == "sales_channel")
        ).all()
    assert actors == ["client:crm"]

    clock.at = T0 + timedelta(seconds=3600)
    assert anonymous.get(f"{BASE}/salesChannel", headers=auth).status_code == 401


def test_credentials_in_the_form_are_accepted_too(anonymous: TestClient, runtime: Runtime) -> None:
    secret = register_client(runtime, ["auditor"], read_only=True)
    answer = anonymous.post(TOKEN, data={**GRANT, "client_id": "crm", "client_secret": secret})
    assert answer.status_code == 200
    auth = bearer(answer.json()["access_token"])
    assert anonymous.get(f"{BASE}/region", headers=auth).status_code == 200
    assert anonymous.post(f"{BASE}/region", json={}, headers=auth).status_code == 403


def test_a_wrong_secret_is_invalid_client_and_is_audited(
    anonymous: TestClient, runtime: Runtime
) -> None:
    register_client(runtime, ["admin"])
    answer = anonymous.post(TOKEN, data=GRANT, headers=basic("crm", "wrong"))
    assert answer.status_code == 401
    assert answer.json() == {
        "error": "invalid_client",
        "error_description": "Invalid client credentials",
    }
    assert answer.headers["WWW-Authenticate"] == 'Basic realm="salesdev"'
    with runtime.session_factory() as session:
        refused = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.action == "oauth.token_refused")
        ).all()
    assert refused == ["client:crm"]


def test_malformed_token_requests_get_rfc_6749_errors(
    anonymous: TestClient, runtime: Runtime
) -> None:
    secret = register_client(runtime, ["admin"])
    cases = [
        (
            anonymous.post(TOKEN, data={"grant_type": "password"}, headers=basic("crm", secret)),
            400,
            "unsupported_grant_type",
        ),
        (anonymous.post(TOKEN, data={}, headers=basic("crm", secret)), 400, "invalid_request"),
        (anonymous.post(TOKEN, json=GRANT, headers=basic("crm", secret)), 400, "invalid_request"),
        (anonymous.post(TOKEN, data=GRANT), 401, "invalid_client"),
        (
            anonymous.post(TOKEN, data=GRANT, headers={"Authorization": "Basic !!"}),
            401,
            "invalid_client",
        ),
        (
            anonymous.post(
                TOKEN,
                data={**GRANT, "client_id": "crm", "client_secret": secret},
                headers=basic("crm", secret),
            ),
            400,
            "invalid_request",
        ),
    ]
    assert [(r.status_code, r.json()["error"]) for r, _, _ in cases] == [
        (status, error) for _, status, error in cases
    ]
