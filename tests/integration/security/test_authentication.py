"""Bearer tokens: every non-public operation needs one; expiry, revocation, read-only."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from salesdev.core.clock import FixedClock
from salesdev.db.models import AuditEvent, Region
from salesdev.runtime import Runtime
from tests.conftest import T0
from tests.integration.api.conftest import BASE, IDENTITY, TestClient, bearer, new_token
from tests.integration.security.conftest import World
from tests.integration.security.test_permission_matrix import PUBLIC, published_operations

UNAUTHENTICATED = {
    "code": "SDV-401",
    "reason": "Not authenticated",
    "status": "401",
    "referenceError": "urn:salesdev:error:SDV-401",
    "@type": "Error",
    "details": [],
}


def assert_401(response: httpx.Response, message: str | None = None) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="salesdev"'
    body = response.json()
    assert {k: v for k, v in body.items() if k != "message"} == UNAUTHENTICATED
    if message is not None:
        assert body["message"] == message


def test_every_non_public_operation_needs_a_token(anonymous: TestClient) -> None:
    operations = published_operations(anonymous)
    # At least every operation published when this sweep was written: an empty or
    # truncated document must not pass as "nothing to check".
    assert len(operations) >= 120
    for path, method in operations:
        url = path.replace("{id}", str(uuid.uuid4()))
        body = {} if method in ("POST", "PATCH", "PUT") else None
        response = anonymous.request(method, url, json=body)
        assert_401(response, "Authentication required: send Authorization: Bearer <token>")


def test_the_description_declares_bearer_and_client_credentials(anonymous: TestClient) -> None:
    document = anonymous.get("/openapi.json").json()
    assert document["components"]["securitySchemes"] == {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (`sdv_...`) or an OAuth2 access token",
        },
        "oauth2ClientCredentials": {
            "type": "oauth2",
            "flows": {"clientCredentials": {"tokenUrl": "/oauth2/token", "scopes": {}}},
            "description": "System integrations: client id and secret for a short-lived access token",
        },
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            expected = (
                None if path in PUBLIC else [{"bearerAuth": []}, {"oauth2ClientCredentials": []}]
            )
            assert operation.get("security") == expected, (method, path)


def test_public_endpoints_answer_without_a_token(anonymous: TestClient) -> None:
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get("/openapi.json").status_code == 200
    assert anonymous.get("/docs").status_code == 200


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        ("Basic YWRtaW46YWRtaW4=", "Malformed Authorization header: expected Bearer <token>"),
        ("Bearer", "Malformed Authorization header: expected Bearer <token>"),
        ("Bearer two parts", "Malformed Authorization header: expected Bearer <token>"),
        ("Bearer sdv_not-a-token", "The access token is unknown, expired or revoked"),
    ],
)
def test_malformed_and_unknown_credentials_are_401(
    anonymous: TestClient, admin_token: str, authorization: str, message: str
) -> None:
    response = anonymous.get(f"{BASE}/region", headers={"Authorization": authorization})
    assert_401(response, message)


def test_an_expired_token_is_refused_from_its_expiry_on(
    anonymous: TestClient, runtime: Runtime, world: World, clock: FixedClock
) -> None:
    token = new_token(runtime, world.users["admin"], expires_in_days=1)
    clock.at = T0 + timedelta(days=1) - timedelta(seconds=1)
    assert anonymous.get(f"{BASE}/region", headers=bearer(token)).status_code == 200
    clock.at = T0 + timedelta(days=1)
    assert_401(
        anonymous.get(f"{BASE}/region", headers=bearer(token)),
        "The access token is unknown, expired or revoked",
    )


def test_a_revoked_token_is_refused_and_the_revocation_is_audited(
    anonymous: TestClient, world: World, runtime: Runtime
) -> None:
    auth = bearer(world.tokens["sales_rep"])
    issued = anonymous.post(f"{IDENTITY}/apiToken", json={"name": "laptop"}, headers=auth)
    assert issued.status_code == 201
    laptop = issued.json()
    assert laptop["token"].startswith("sdv_")
    assert laptop["tokenPrefix"] == laptop["token"][:12]
    assert laptop["user"]["name"] == "sales-rep"
    laptop_auth = bearer(laptop["token"])
    assert anonymous.get(f"{BASE}/region", headers=laptop_auth).status_code == 200
    # Shown once: reading the token back never shows the secret again.
    again = anonymous.get(laptop["href"], headers=auth).json()
    assert (again["token"], again["revocationDate"]) == (None, None)

    assert anonymous.delete(laptop["href"], headers=auth).status_code == 204

    assert_401(anonymous.get(f"{BASE}/region", headers=laptop_auth))
    revoked = anonymous.get(laptop["href"], headers=auth).json()
    assert revoked["revocationDate"] == "2026-10-15T09:30:00Z"
    assert anonymous.get(f"{BASE}/region", headers=auth).status_code == 200
    with runtime.session_factory() as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_id == laptop["id"])
            .order_by(AuditEvent.sequence)
        ).all()
    assert actions == ["token.issued", "token.revoked"]


def test_users_see_and_revoke_only_their_own_tokens(anonymous: TestClient, world: World) -> None:
    rep, partner = bearer(world.tokens["sales_rep"]), bearer(world.tokens["partner_user"])
    mine = anonymous.post(f"{IDENTITY}/apiToken", json={"name": "mine"}, headers=rep).json()
    assert anonymous.get(mine["href"], headers=partner).status_code == 404
    assert anonymous.delete(mine["href"], headers=partner).status_code == 404
    assert anonymous.get(mine["href"], headers=rep).json()["revocationDate"] is None
    listed = anonymous.get(f"{IDENTITY}/apiToken?sort=name", headers=rep).json()
    assert [t["name"] for t in listed] == ["mine", "test"]
    foreign = anonymous.post(
        f"{IDENTITY}/apiToken",
        json={"name": "theirs", "user": {"id": str(world.users["partner_user"])}},
        headers=rep,
    )
    assert foreign.status_code == 403
    # An administrator manages anyone's tokens.
    admin = bearer(world.tokens["admin"])
    assert anonymous.delete(mine["href"], headers=admin).status_code == 204
    assert anonymous.get(mine["href"], headers=rep).json()["revocationDate"] is not None


def test_a_read_only_token_reads_but_every_write_is_403(
    anonymous: TestClient, runtime: Runtime, world: World
) -> None:
    auth = bearer(new_token(runtime, world.users["admin"], read_only=True))
    assert anonymous.get(f"{BASE}/region", headers=auth).status_code == 200
    created = anonymous.post(f"{BASE}/region", json={"code": "S", "name": "South"}, headers=auth)
    assert created.status_code == 403
    assert created.json()["message"] == "admin may not write with a read-only credential"
    patched = anonymous.patch(
        f"{BASE}/region/{world.id('region')}", json={"name": "Renamed"}, headers=auth
    )
    assert patched.status_code == 403
    # Nor can it mint itself a token that may write.
    assert (
        anonymous.post(f"{IDENTITY}/apiToken", json={"name": "x"}, headers=auth).status_code == 403
    )
    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Region)) == 1
        assert session.get_one(Region, world.ids["region"]).name == "North"


def test_a_403_is_recorded_as_permission_denied_and_changes_nothing(
    anonymous: TestClient, runtime: Runtime, world: World
) -> None:
    response = anonymous.post(
        f"{BASE}/region",
        json={"code": "S", "name": "South"},
        headers=bearer(world.tokens["partner_user"]),
    )
    assert response.status_code == 403
    assert response.json()["message"] == "partner-user may not write organisation"
    with runtime.session_factory() as session:
        denied = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "permission.denied")
        ).all()
        assert session.scalar(select(func.count()).select_from(Region)) == 1
    assert [(e.actor, e.object_type, e.object_id, e.context) for e in denied] == [
        (
            "user:partner-user",
            "http_request",
            f"POST {BASE}/region",
            {
                "via": "api",
                "method": "POST",
                "path": f"{BASE}/region",
                "reason": "partner-user may not write organisation",
            },
        )
    ]
    verification = anonymous.get(
        f"{IDENTITY}/auditVerification", headers=bearer(world.tokens["auditor"])
    ).json()
    assert verification["ok"] is True


def test_changes_through_the_api_are_audited_with_the_caller(
    anonymous: TestClient, runtime: Runtime, world: World
) -> None:
    created = anonymous.post(
        f"{BASE}/region",
        json={"code": "S", "name": "South"},
        headers=bearer(world.tokens["sales_operations"]),
    ).json()
    events = anonymous.get(
        f"{IDENTITY}/auditEvent?objectId={created['id']}",
        headers=bearer(world.tokens["auditor"]),
    ).json()
    assert [(e["actor"], e["action"], e["objectType"], e["context"]) for e in events] == [
        ("user:sales-operations", "create", "region", {"via": "api"})
    ]
