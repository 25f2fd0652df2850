"""An HTTP client on a bare FastAPI app with the API installed."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from salesdev.api import install_api
from salesdev.runtime import Runtime

BASE = "/tmf-api/salesDevelopment/v1"

with warnings.catch_warnings():
    # Starlette warns at import that it prefers httpx2, which is not a dependency here.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def make_client(app: FastAPI, **options: Any) -> TestClient:
    return TestClient(app, **options)


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    application = FastAPI(docs_url="/docs", redoc_url=None)
    install_api(application, runtime)
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with make_client(app) as test_client:
        yield test_client
