"""Console fixtures: the console on a FastAPI app over the test database.

``console`` is a browser-like client signed in as an administrator: like the console's
own forms, its POSTs carry the session's CSRF token (pass ``csrf=None`` to leave it out,
or ``csrf="..."`` to send another). ``anonymous`` is the same app with no session.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from salesdev.db.session import unit_of_work
from salesdev.demo import DemoSummary
from salesdev.domains.access import SYSTEM
from salesdev.domains.identity import create_user
from salesdev.runtime import Runtime
from salesdev.web import install_console
from tests.conftest import DemoLoader

with warnings.catch_warnings():
    # Starlette warns once, at import, that it prefers httpx2 to httpx; the client works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

DEMO_SEED = 7
PASSWORD = "correct horse battery"
_KEEP = object()
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class ConsoleClient(TestClient):
    """A TestClient whose form posts carry the CSRF token of its session, as pages do."""

    csrf_token: str = ""

    def post(self, url: Any, *args: Any, csrf: Any = _KEEP, **kwargs: Any) -> Any:  # type: ignore[override]
        token = self.csrf_token if csrf is _KEEP else csrf
        data = dict(kwargs.pop("data", None) or {})
        if token is not None and "csrf_token" not in data:
            data["csrf_token"] = token
        return super().post(url, *args, data=data, **kwargs)


def make_user(
    runtime: Runtime,
    login: str,
    roles: list[str],
    *,
    password: str = PASSWORD,
    **bindings: Any,
) -> None:
    with unit_of_work(runtime.session_factory) as session:
        create_user(
            session,
            principal=SYSTEM,
            login=login,
            display_name=login.capitalize(),
            password=password,
            roles=roles,
            now=runtime.clock.now(),
            **bindings,
        )


def log_in(client: ConsoleClient, login: str, password: str = PASSWORD) -> Any:
    """Log in through the login form, as a person would; keeps the session's CSRF token."""
    page = client.get("/login")
    match = _CSRF_FIELD.search(page.text)
    assert match, "the login form carries a CSRF token"
    response = client.post(
        "/login",
        data={"login": login, "password": password, "csrf_token": match.group(1)},
        csrf=None,
        follow_redirects=False,
    )
    if response.status_code == 303:
        home = client.get(response.headers["location"])
        found = _CSRF_FIELD.search(home.text)
        client.csrf_token = found.group(1) if found else ""
    return response


def console_app(runtime: Runtime) -> FastAPI:
    app = FastAPI()
    install_console(app, runtime)
    return app


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    return console_app(runtime)


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[ConsoleClient]:
    with ConsoleClient(app) as client:
        yield client


@pytest.fixture
def console(app: FastAPI, runtime: Runtime) -> Iterator[ConsoleClient]:
    make_user(runtime, "root", ["admin"])
    with ConsoleClient(app) as client:
        assert log_in(client, "root").status_code == 303
        yield client


@pytest.fixture
def tiny_demo(runtime: Runtime, load_demo_copy: DemoLoader) -> DemoSummary:
    return load_demo_copy(runtime, "tiny", DEMO_SEED)
