"""The home dashboard: real figures from the event store and the reference data."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from salesdev.db.session import unit_of_work
from salesdev.runtime import Runtime
from salesdev.web.dashboard import build_dashboard
from salesdev.web.templating import render


def install_home(router: APIRouter, runtime: Runtime) -> None:
    def home(request: Request) -> Response:
        with unit_of_work(runtime.session_factory) as session:
            board = build_dashboard(
                session,
                event_store_dir=runtime.settings.event_store_dir,
                now=runtime.clock.now(),
            )
        return render(request, "home.html", {"title": "Dashboard", "board": board})

    router.add_api_route("/", home, methods=["GET"], name="home")
