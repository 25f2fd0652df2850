"""Users through the identity API: created with a policy-checked password, never shown."""

from __future__ import annotations

from sqlalchemy import select

from salesdev.db.models import AuditEvent, User
from salesdev.runtime import Runtime
from tests.integration.api.conftest import IDENTITY, TestClient

USERS = f"{IDENTITY}/user"


def test_an_admin_creates_a_user_whose_password_is_never_shown(
    client: TestClient, runtime: Runtime
) -> None:
    created = client.post(
        USERS,
        json={
            "login": "Ana",
            "displayName": "Ana Lopes",
            "password": "a long passphrase 42",
            "roles": ["auditor"],
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert {k: body[k] for k in ("login", "displayName", "roles", "status")} == {
        "login": "ana",
        "displayName": "Ana Lopes",
        "roles": ["auditor"],
        "status": "active",
    }
    assert "password" not in body and "passwordHash" not in body
    read = client.get(body["href"])
    assert "argon2" not in read.text and "a long passphrase" not in read.text
    with runtime.session_factory() as session:
        user = session.scalars(select(User).where(User.login == "ana")).one()
        assert user.password_hash.startswith("$argon2id$")
        (audited,) = session.scalars(
            select(AuditEvent.after).where(AuditEvent.object_id == body["id"])
        ).all()
    assert audited is not None and audited["password_hash"] == "***"


def test_a_weak_password_or_an_unknown_role_is_400_and_creates_nothing(
    client: TestClient,
) -> None:
    weak = client.post(USERS, json={"login": "bo", "password": "short", "roles": ["auditor"]})
    assert weak.status_code == 400
    assert {d["location"] for d in weak.json()["details"]} == {"password"}
    role = client.post(
        USERS, json={"login": "bo", "password": "a long passphrase 42", "roles": ["king"]}
    )
    assert role.status_code == 400
    assert [d["location"] for d in role.json()["details"]] == ["roles"]
    missing = client.post(USERS, json={"login": "bo"})
    assert [d["location"] for d in missing.json()["details"]] == ["password", "roles"]
    assert [u["login"] for u in client.get(USERS).json()] == ["admin"]


def test_patching_roles_and_status_and_refusing_the_rest(client: TestClient) -> None:
    user = client.post(
        USERS, json={"login": "cy", "password": "a long passphrase 42", "roles": ["auditor"]}
    ).json()
    patched = client.patch(user["href"], json={"roles": ["auditor", "admin"], "status": "disabled"})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["roles"], patched.json()["status"]) == (["admin", "auditor"], "disabled")
    for change in ({"login": "other"}, {"password": "a new passphrase 99"}):
        refused = client.patch(user["href"], json=change)
        assert refused.status_code == 400, change
    assert client.get(user["href"]).json()["login"] == "cy"


def test_audit_events_cannot_be_written(client: TestClient) -> None:
    events = client.get(f"{IDENTITY}/auditEvent?sort=sequence").json()
    assert events[0]["sequence"] == 1
    for method in ("POST", "PATCH", "DELETE", "PUT"):
        target = f"{IDENTITY}/auditEvent" if method == "POST" else events[0]["href"]
        assert client.request(method, target, json={}).status_code == 405, method
