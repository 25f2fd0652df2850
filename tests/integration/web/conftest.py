"""Console fixtures: the console on a FastAPI app over the test database."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from salesdev.db.session import unit_of_work
from salesdev.demo import DemoSummary, load_demo
from salesdev.runtime import Runtime
from salesdev.web import install_console

with warnings.catch_warnings():
    # Starlette warns once, at import, that it prefers httpx2 to httpx; the client works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

DEMO_SEED = 7


@pytest.fixture
def console(runtime: Runtime) -> Iterator[TestClient]:
    app = FastAPI()
    install_console(app, runtime)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def tiny_demo(runtime: Runtime) -> DemoSummary:
    with unit_of_work(runtime.session_factory) as session:
        return load_demo(
            session=session,
            event_store_dir=runtime.settings.event_store_dir,
            scale="tiny",
            seed=DEMO_SEED,
            now=runtime.clock.now(),
        )
