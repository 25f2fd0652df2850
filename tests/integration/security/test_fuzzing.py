"""Property-based fuzzing of the published API with schemathesis (runs in `make test`).

Every operation of /openapi.json gets generated requests: with an administrator's token
none may end in a server error (15 examples each); without a token every one of them is
a 401 (5 examples each, ~1,100 requests, a third of them with a generated bearer header:
the answer does not depend on the parameters or the body, what matters is that every
operation is tried). Examples are bounded and derandomized, so a run is quick and
repeatable.

Without a token, the only storage a request uses is the look-up of whatever bearer
token schemathesis generated, by its digest: one statement whose parameter is a hex
digest whatever the token (unknown tokens are also refused on both backends in
test_authentication.py). So that test runs on SQLite only, not again in the PostgreSQL
step (~35 s there): its app is over a SQLite database and it takes no ``database``.

(The operations are walked here rather than with ``schemathesis.pytest.from_fixture``,
whose lazy loader does not run under pytest 9.)
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import Case

from salesdev.core.clock import FixedClock
from salesdev.core.settings import Settings
from salesdev.runtime import Runtime
from salesdev.server import create_app
from tests.integration.api.conftest import bearer
from tests.integration.security.test_permission_matrix import PUBLIC

FUZZ = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
FUZZ_WITHOUT_A_TOKEN = settings(FUZZ, max_examples=5)


def published_operation_count(app: FastAPI, *, public: bool) -> int:
    """How many operations /openapi.json publishes (without the public ones unless asked)."""
    paths = app.openapi()["paths"]
    return sum(
        len(operations) for path, operations in paths.items() if public or path not in PUBLIC
    )


def fuzz_every_operation(
    app: FastAPI, check: Callable[[Case], None], *, public: bool, budget: settings = FUZZ
) -> int:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    fuzzed = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not public and operation.path in PUBLIC:
            continue

        @budget
        @given(case=operation.as_strategy())
        def run(case: Case) -> None:
            check(case)

        run()
        fuzzed += 1
    return fuzzed


@pytest.fixture
def served_app(runtime: Runtime) -> FastAPI:
    """The app as served (API, console and the guards in front of them)."""
    return create_app(runtime, background=False)


@pytest.fixture
def served_app_on_sqlite(
    _sqlite_template: Path, tmp_path: Path, clock: FixedClock
) -> Iterator[FastAPI]:
    """The app as served, over a SQLite database whatever backend the run is testing."""
    path = tmp_path / "salesdev.db"
    shutil.copyfile(_sqlite_template, path)
    settings = Settings(
        environment="test", data_dir=tmp_path / "var", database_url=f"sqlite:///{path}"
    )
    runtime = Runtime.from_settings(settings, clock=clock)
    try:
        yield create_app(runtime, background=False)
    finally:
        runtime.close()


@pytest.mark.slow
def test_no_generated_request_causes_a_server_error(served_app: FastAPI, admin_token: str) -> None:
    def check(case: Case) -> None:
        response = case.call(headers=bearer(admin_token))
        assert response.status_code < 500, (case.method, case.formatted_path, response.text)

    fuzzed = fuzz_every_operation(served_app, check, public=True)
    assert fuzzed == published_operation_count(served_app, public=True)
    assert fuzzed >= 123


@pytest.mark.slow
def test_without_a_token_every_operation_is_401(served_app_on_sqlite: FastAPI) -> None:
    def check(case: Case) -> None:
        response = case.call()
        assert response.status_code == 401, (case.method, case.formatted_path, response.text)
        assert response.json()["code"] == "SDV-401"

    fuzzed = fuzz_every_operation(
        served_app_on_sqlite, check, public=False, budget=FUZZ_WITHOUT_A_TOKEN
    )
    assert fuzzed == published_operation_count(served_app_on_sqlite, public=False)
    assert fuzzed >= 120
