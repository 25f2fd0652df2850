"""Mounts the console on the application: static assets and every console page."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from starlette.staticfiles import StaticFiles

from salesdev.runtime import Runtime
from salesdev.web.routing import ConsoleRoute
from salesdev.web.views.entities import install_entity_pages
from salesdev.web.views.home import install_home
from salesdev.web.views.jobs import install_job_pages
from salesdev.web.views.sections import install_section_pages

STATIC_DIR = Path(__file__).parent / "static"


def install_console(app: FastAPI, runtime: Runtime) -> None:
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Console pages are HTML for people, not part of the published API description.
    router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
    install_home(router, runtime)
    install_job_pages(router, runtime)
    install_entity_pages(router, runtime)
    install_section_pages(router, runtime)
    app.include_router(router)
