"""The home dashboard: real figures from the event store and the reference data."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.dashboard import build_dashboard
from salesdev.web.templating import render


def install_home(router: APIRouter, runtime: Runtime) -> None:
    def home(request: Request) -> Response:
        with work(runtime, request) as session:
            board = build_dashboard(
                session,
                principal=principal_of(request),
                event_store_dir=runtime.settings.event_store_dir,
                now=runtime.clock.now(),
            )
        return render(request, "home.html", {"title": "Dashboard", "board": board})

    router.add_api_route("/", home, methods=["GET"], name="home")
