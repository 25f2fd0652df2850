"""Administration pages: users, my tokens (shown once), the audit viewer, dead letters."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import func, select

from salesdev.core.clock import FixedClock
from salesdev.db.models import ApiToken, AuditEvent, OutboxDelivery, User
from salesdev.db.session import unit_of_work
from salesdev.domains.identity import resolve_bearer_token
from salesdev.runtime import Runtime
from tests.integration.web.conftest import ConsoleClient, log_in, make_user
from tests.integration.web.pages import field_errors, main_text, table_rows


def _users(runtime: Runtime) -> list[str]:
    with runtime.session_factory() as s:
        return list(s.scalars(select(User.login).order_by(User.login)))


def test_creating_a_user_with_a_weak_password_shows_the_reasons_and_creates_nothing(
    console: ConsoleClient, runtime: Runtime
) -> None:
    response = console.post(
        "/admin/users/new",
        data={"login": "dana", "display_name": "Dana", "password": "dana123",
              "roles": ["channel_manager"]},
    )  # fmt: skip

    assert response.status_code == 400
    assert field_errors(response.text, "password") == [
        "must be at least 12 characters",
        "must not contain the login name",
    ]
    assert 'value="dana"' in response.text and "dana123" not in response.text
    assert _users(runtime) == ["root"]


def test_a_partner_user_needs_a_partner_shown_next_to_the_field(
    console: ConsoleClient, runtime: Runtime
) -> None:
    response = console.post(
        "/admin/users/new",
        data={"login": "pat", "password": "a long passphrase", "roles": ["partner_user"],
              "partner_id": "NOPE"},
    )  # fmt: skip

    assert response.status_code == 400
    assert field_errors(response.text, "partner_id") == ["no partner with code 'NOPE'"]
    assert _users(runtime) == ["root"]


def test_an_administrator_creates_edits_and_resets_a_user(
    console: ConsoleClient, runtime: Runtime, app: FastAPI
) -> None:
    created = console.post(
        "/admin/users/new",
        data={"login": "Dana", "display_name": "Dana Scully", "password": "a long passphrase",
              "roles": ["channel_manager", "auditor"], "must_change_password": "true"},
        follow_redirects=False,
    )  # fmt: skip
    assert (created.status_code, created.headers["location"]) == (303, "/admin/users")
    listing = console.get("/admin/users")
    assert "User dana created." in main_text(listing.text)
    assert table_rows(listing.text)[0][:5] == [
        "dana", "Dana Scully", "Channel manager, Auditor (read-only)", "—",
        "Active Must change password",
    ]  # fmt: skip
    with runtime.session_factory() as s:
        dana = s.scalars(select(User).where(User.login == "dana")).one()

    edit = console.get(f"/admin/users/{dana.id}/edit").text
    assert 'name="version" value="1"' in edit
    saved = console.post(
        f"/admin/users/{dana.id}/edit",
        data={"display_name": "Dana S.", "roles": ["product_manager"], "status": "disabled",
              "version": "1"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    with runtime.session_factory() as s:
        dana = s.get(User, dana.id)  # type: ignore[assignment]
        assert (dana.display_name, dana.roles, dana.status) == (
            "Dana S.",
            ["product_manager"],
            "disabled",
        )
    stale = console.post(
        f"/admin/users/{dana.id}/edit",
        data={"display_name": "Other", "roles": ["auditor"], "status": "active", "version": "1"},
    )  # fmt: skip
    assert stale.status_code == 412
    assert "changed by someone else" in main_text(stale.text)

    console.post(
        f"/admin/users/{dana.id}/edit",
        data={"display_name": "Dana S.", "roles": ["product_manager"], "status": "active",
              "version": "2"},
    )  # fmt: skip
    mismatch = console.post(
        f"/admin/users/{dana.id}/password",
        data={"password": "temporary pass 1", "confirm_password": "temporary pass 2"},
    )
    assert field_errors(mismatch.text, "confirm_password") == [
        "does not match the temporary password"
    ]
    reset = console.post(
        f"/admin/users/{dana.id}/password",
        data={"password": "temporary pass 1", "confirm_password": "temporary pass 1"},
        follow_redirects=False,
    )
    assert reset.status_code == 303
    with ConsoleClient(app) as dana_client:
        login = log_in(dana_client, "dana", "temporary pass 1")
        assert login.headers["location"] == "/account/password"


def test_an_auditor_reads_users_but_cannot_change_them(app: FastAPI, runtime: Runtime) -> None:
    make_user(runtime, "audrey", ["auditor"])
    with ConsoleClient(app) as client:
        log_in(client, "audrey")
        listing = client.get("/admin/users")

        assert listing.status_code == 200
        assert [row[0] for row in table_rows(listing.text)] == ["audrey"]
        assert "/admin/users/new" not in listing.text and "/edit" not in listing.text
        assert client.get("/admin/users/new").status_code == 403
        assert client.get("/admin/notifications").status_code == 403
        nav = re.search(r'<nav id="site-nav".*?</nav>', client.get("/").text, re.S)
        assert nav is not None
        assert "Users" in nav.group(0) and "Audit trail" in nav.group(0)
        assert "Notifications" not in nav.group(0)


def test_a_new_token_is_shown_once_and_then_only_by_its_prefix(
    console: ConsoleClient, runtime: Runtime, clock: FixedClock
) -> None:
    created = console.post(
        "/account/tokens",
        data={"name": "nightly export", "expires_in_days": "30", "read_only": "true"},
    )

    assert created.status_code == 201
    shown = re.search(r'id="issued-token" value="([^"]+)"', created.text)
    assert shown is not None
    token = shown.group(1)
    assert token.startswith("sdv_")
    assert "it is shown only this once" in main_text(created.text)
    with unit_of_work(runtime.session_factory) as s:
        stored = s.scalars(select(ApiToken)).one()
        assert (stored.name, stored.read_only, stored.expires_at) == (
            "nightly export", True, clock.now() + timedelta(days=30),
        )  # fmt: skip
        assert stored.token_hash != token
        principal = resolve_bearer_token(s, token=token, now=clock.now())
        assert principal is not None and principal.read_only
    later = console.get("/account/tokens")
    assert token not in later.text
    assert table_rows(later.text)[0][:7] == [
        "nightly export", f"{token[:12]}…", "Read-only", "2026-10-15 09:30 UTC",
        "2026-11-14 09:30 UTC", "2026-10-15 09:30 UTC", "Active",
    ]  # fmt: skip

    revoked = console.post(f"/account/tokens/{stored.id}/revoke", follow_redirects=False)

    assert revoked.status_code == 303
    assert "Revoked 2026-10-15 09:30 UTC" in main_text(console.get("/account/tokens").text)
    with runtime.session_factory() as s:
        assert resolve_bearer_token(s, token=token, now=clock.now()) is None


def test_a_token_needs_a_name_and_a_sensible_expiry(
    console: ConsoleClient, runtime: Runtime
) -> None:
    response = console.post("/account/tokens", data={"name": "ci", "expires_in_days": "0"})

    assert response.status_code == 400
    assert field_errors(response.text, "expires_in_days") == ["must be between 1 and 3650"]
    assert 'id="issued-token"' not in response.text
    with runtime.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_the_audit_viewer_filters_and_shows_each_change(
    console: ConsoleClient, runtime: Runtime, clock: FixedClock
) -> None:
    clock.at += timedelta(hours=1)
    created = console.post(
        "/regions/new", data={"code": "N", "name": "North"}, follow_redirects=False
    )
    region_id = created.headers["location"].rsplit("/", 1)[1]
    clock.at += timedelta(hours=1)
    console.post(f"/regions/{region_id}/edit", data={"code": "N", "name": "Nord", "version": "1"})

    page = console.get("/admin/audit", params={"object_type": "region"})

    rows = table_rows(page.text)
    assert [r[1:5] for r in rows] == [
        ["2026-10-15 11:30 UTC", "user:root", "update", f"region {region_id}"],
        ["2026-10-15 10:30 UTC", "user:root", "create", f"region {region_id}"],
    ]
    assert rows[0][5] == "name North → Nord via: console"
    assert "code N" in rows[1][5] and "name North" in rows[1][5]
    by_time = console.get(
        "/admin/audit",
        params={"actor": "root", "since": "2026-10-15T10:00", "until": "2026-10-15T11:30"},
    )
    assert [r[3] for r in table_rows(by_time.text)] == ["create"]
    logins = console.get("/admin/audit", params={"action": "login"})
    assert [r[2:4] for r in table_rows(logins.text)] == [["user:root", "login.succeeded"]]
    bad = console.get("/admin/audit", params={"since": "yesterday"})
    assert bad.status_code == 400


def test_verifying_the_chain_reports_every_event_checked(
    console: ConsoleClient, runtime: Runtime
) -> None:
    with runtime.session_factory() as s:
        events = s.scalar(select(func.count()).select_from(AuditEvent))

    response = console.post("/admin/audit/verify")

    assert response.status_code == 200
    assert f"The chain is intact: {events} events checked" in main_text(response.text)


def test_dead_letters_are_listed_and_sent_again(console: ConsoleClient, runtime: Runtime) -> None:
    with unit_of_work(runtime.session_factory) as s:
        dead = OutboxDelivery(
            event_id=uuid.uuid4(), event_type="PartnerCreateEvent", event_time=runtime.clock.now(),
            payload={}, callback="http://127.0.0.1:9/listener", status="dead", attempts=8,
            next_attempt_at=runtime.clock.now(), last_error="connection refused",
        )  # fmt: skip
        s.add(dead)
        s.flush()
        dead_id = dead.id

    listing = console.get("/admin/notifications")
    assert table_rows(listing.text)[0][:6] == [
        "PartnerCreateEvent", "2026-10-15 09:30 UTC", "http://127.0.0.1:9/listener",
        "Dead letter", "8", "connection refused",
    ]  # fmt: skip

    retried = console.post(f"/admin/notifications/{dead_id}/retry", follow_redirects=False)

    assert retried.status_code == 303
    with runtime.session_factory() as s:
        delivery = s.get(OutboxDelivery, dead_id)
        assert delivery is not None and (delivery.status, delivery.attempts) == ("pending", 0)
    assert "No dead letters" in main_text(console.get("/admin/notifications").text)
