"""An HTTP client on a bare FastAPI app with the API installed, signed in as an admin."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from salesdev.api import install_api
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.identity import create_api_token, create_user
from salesdev.runtime import Runtime
from tests.conftest import T0

BASE = "/tmf-api/salesDevelopment/v1"
IDENTITY = "/tmf-api/identity/v1"
PASSWORD = "Correct-Horse-Battery-9"

with warnings.catch_warnings():
    # Starlette warns at import that it prefers httpx2, which is not a dependency here.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def make_client(app: FastAPI, **options: Any) -> TestClient:
    return TestClient(app, **options)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_user(
    runtime: Runtime,
    login: str,
    roles: list[str],
    *,
    sales_person_id: uuid.UUID | None = None,
    partner_id: uuid.UUID | None = None,
    include_sub_dealers: bool = False,
) -> uuid.UUID:
    with unit_of_work(runtime.session_factory) as session:
        user = create_user(
            session,
            principal=SYSTEM,
            login=login,
            display_name=login,
            password=PASSWORD,
            roles=roles,
            now=T0,
            sales_person_id=sales_person_id,
            partner_id=partner_id,
            include_sub_dealers=include_sub_dealers,
        )
        return user.id


def new_token(
    runtime: Runtime,
    user_id: uuid.UUID,
    *,
    read_only: bool = False,
    expires_in_days: int | None = 90,
) -> str:
    with unit_of_work(runtime.session_factory) as session:
        token, _ = create_api_token(
            session,
            principal=SYSTEM,
            user_id=user_id,
            name="test",
            now=T0,
            read_only=read_only,
            expires_in_days=expires_in_days,
        )
        return token


def user_token(runtime: Runtime, login: str, roles: list[str], **bindings: Any) -> str:
    """A new user with ``roles`` and a personal access token of theirs."""
    return new_token(runtime, new_user(runtime, login, roles, **bindings))


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    application = FastAPI(docs_url="/docs", redoc_url=None)
    install_api(application, runtime)
    return application


@pytest.fixture
def admin_token(runtime: Runtime) -> str:
    return user_token(runtime, "admin", ["admin"])


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    with make_client(app) as test_client:
        yield test_client


@pytest.fixture
def client(app: FastAPI, admin_token: str) -> Iterator[TestClient]:
    with make_client(app, headers=bearer(admin_token)) as test_client:
        yield test_client
