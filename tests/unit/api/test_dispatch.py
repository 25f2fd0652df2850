"""Route dispatch with literal-prefix guards (``toolkit.routes.index_routes``): the same
answers, the same OpenAPI document, fewer route tests."""

from __future__ import annotations

import warnings

from fastapi import APIRouter, FastAPI

from salesdev.api.toolkit.routes import index_routes

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _app() -> FastAPI:
    app = FastAPI()
    first = APIRouter()
    second = APIRouter()

    @first.get("/tmf-api/a/v1/thing")
    def list_things() -> dict[str, str]:
        return {"route": "list things"}

    @first.get("/tmf-api/a/v1/thing/{thing_id}")
    def read_thing(thing_id: str) -> dict[str, str]:
        return {"route": "read thing", "id": thing_id}

    @second.post("/tmf-api/b/v1/other/{other_id}/act")
    def act(other_id: str) -> dict[str, str]:
        return {"route": "act", "id": other_id}

    @second.get("/tmf-api/b/v1/status")
    def status() -> dict[str, str]:
        return {"route": "status"}

    app.include_router(first)
    app.include_router(second)
    return app


def test_guarded_routers_answer_exactly_as_before() -> None:
    # Given the same app unguarded and guarded
    plain, indexed = _app(), _app()
    index_routes(indexed)
    calls = [
        ("GET", "/tmf-api/a/v1/thing"),
        ("GET", "/tmf-api/a/v1/thing/42"),
        ("POST", "/tmf-api/b/v1/other/7/act"),
        ("GET", "/tmf-api/b/v1/status"),
        ("GET", "/tmf-api/b/v1/other/7/act"),  # known path, wrong method: 405
        ("GET", "/tmf-api/c/v1/nothing"),  # no route: 404
        ("GET", "/tmf-api/a/v1/thing/"),  # trailing slash: redirected
    ]
    with TestClient(plain) as before, TestClient(indexed) as after:
        for method, path in calls:
            # When each call is made to both
            old = before.request(method, path, follow_redirects=False)
            new = after.request(method, path, follow_redirects=False)
            # Then the status, the location and the body are the same
            assert (new.status_code, new.headers.get("location"), new.content) == (
                old.status_code,
                old.headers.get("location"),
                old.content,
            ), (method, path)


def test_a_guarded_router_refuses_a_path_outside_its_literal_prefixes() -> None:
    app = _app()
    index_routes(app)
    first, second = app.router.routes[-2:]
    scope = {"type": "http", "method": "GET", "path": "/tmf-api/b/v1/status", "root_path": ""}
    # The first router's literal prefix is /tmf-api/a/v1/thing: no match, at once
    assert first.matches(scope)[0].name == "NONE"
    assert second.matches(scope)[0].name == "FULL"


def test_indexing_leaves_the_openapi_document_unchanged() -> None:
    app = _app()
    before = app.openapi()
    app.openapi_schema = None
    index_routes(app)
    index_routes(app)  # a second call guards nothing twice
    assert app.openapi() == before
