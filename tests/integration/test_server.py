"""App-wide guards: security headers, request size limit, production settings."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from salesdev.core.errors import InvalidInput
from salesdev.core.settings import DEFAULT_SECRET_KEY, Settings
from salesdev.domains.access import SYSTEM
from salesdev.domains.identity import create_api_token, create_user
from salesdev.runtime import Runtime
from salesdev.server import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's import-time note about httpx2
    from fastapi.testclient import TestClient


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    runtime.settings.max_request_bytes = 1024
    with TestClient(create_app(runtime, background=False)) as test_client:
        yield test_client


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for response in (client.get("/healthz"), client.get("/no/such/page")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers


def test_a_body_over_the_limit_is_refused_before_anything_reads_it(client: TestClient) -> None:
    response = client.post(
        "/tmf-api/salesDevelopment/v1/region",
        content=b"x" * 2048,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "SDV-413"
    assert response.json()["@type"] == "Error"


def _admin_token(runtime: Runtime) -> str:
    with runtime.session_factory() as session:
        admin = create_user(
            session,
            principal=SYSTEM,
            login="root",
            display_name="Root",
            password="Plenty-Long-Pass-1",
            roles=["admin"],
            now=runtime.clock.now(),
        )
        token, _ = create_api_token(
            session, principal=SYSTEM, user_id=admin.id, name="t", now=runtime.clock.now()
        )
        session.commit()
    return token


def test_a_streamed_body_over_the_limit_is_refused_too(
    client: TestClient, runtime: Runtime
) -> None:
    # given an authenticated caller, so that the request gets as far as reading its body
    admin_token = _admin_token(runtime)

    def chunks() -> Iterator[bytes]:
        for _ in range(4):
            yield b"y" * 512

    response = client.post(
        "/tmf-api/salesDevelopment/v1/region",
        content=chunks(),
        headers={"content-type": "application/json", "authorization": f"Bearer {admin_token}"},
    )
    assert response.status_code == 413


def test_production_refuses_the_development_secret(runtime: Runtime) -> None:
    runtime.settings = Settings(environment="production", secret_key=DEFAULT_SECRET_KEY)
    with pytest.raises(InvalidInput) as caught:
        create_app(runtime, background=False)
    assert [(d.location, d.message) for d in caught.value.details] == [
        ("SALESDEV_SECRET_KEY", "set a random secret of at least 32 characters")
    ]


def test_production_with_a_real_secret_sends_hsts(runtime: Runtime) -> None:
    runtime.settings = Settings(
        environment="production", secret_key="s" * 40, database_url=runtime.settings.database_url
    )
    with TestClient(create_app(runtime, background=False)) as test_client:
        assert (
            test_client.get("/healthz").headers["strict-transport-security"].startswith("max-age=")
        )


def test_an_unknown_page_is_a_console_page_and_an_unknown_api_path_a_tmf_error(
    client: TestClient,
) -> None:
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "There is no page at /no/such/page" in page.text

    api = client.get("/tmf-api/salesDevelopment/v1/noSuchResource")
    assert api.status_code == 404
    assert api.json()["@type"] == "Error"


def test_text_with_a_nul_character_is_refused_naming_where_it_was(
    client: TestClient, runtime: Runtime
) -> None:
    token = _admin_token(runtime)
    body = client.post(
        "/tmf-api/salesDevelopment/v1/region",
        content=b'{"code": "N\\u0000", "name": "North"}',
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    assert body.status_code == 400
    assert body.json()["details"] == [{"location": "code", "message": "contains a NUL character"}]
    query = client.get(
        "/tmf-api/salesDevelopment/v1/region?code=%00", headers={"authorization": f"Bearer {token}"}
    )
    assert query.status_code == 400
    assert query.json()["details"] == [{"location": "code", "message": "contains a NUL character"}]
