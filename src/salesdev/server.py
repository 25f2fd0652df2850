"""The ASGI application: the TMF-style REST API and the web console in one process."""

from __future__ import annotations

import gc
import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

import salesdev
from salesdev.api import install_api
from salesdev.api.toolkit.routes import index_routes
from salesdev.domains.notifications import start_dispatcher
from salesdev.guards import RequestSizeLimit, SecurityHeaders
from salesdev.jobs import start_job_runner
from salesdev.runtime import Runtime
from salesdev.web import install_console, page_not_found

# Paths that belong to the API: their errors are TMF JSON bodies; every other unknown
# URL is a person in a browser, who gets the console's page.
API_PREFIXES = ("/tmf-api/", "/oauth2/", "/openapi.json", "/docs", "/healthz", "/readyz")


def create_app(runtime: Runtime, *, background: bool = True) -> FastAPI:
    """Build the app. ``background=False`` (tests) starts neither the job runner nor the
    notification dispatcher; tests drive them explicitly.

    Refuses to build in production with settings that are only safe for development.
    """
    runtime.settings.check_production_ready()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if background:
            start_job_runner(runtime)
            start_dispatcher(runtime)
            # What is alive after start-up lives as long as the process: keeping it out of
            # the cyclic collector's full passes removes pauses of tens of milliseconds.
            gc.collect()
            gc.freeze()
        yield
        runtime.close()

    app = FastAPI(
        title="salesdev",
        version=salesdev.__version__,
        description="Sales Development for communications service providers (eTOM 1.1.5).",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    install_api(app, runtime)
    install_console(app, runtime)
    _answer_unknown_pages_in_their_interface(app)
    index_routes(app)  # the console's routers too (the API's are done by install_api)
    settings = runtime.settings
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders, https_only=settings.environment == "production")
    return app


def _answer_unknown_pages_in_their_interface(app: FastAPI) -> None:
    api_handler = app.exception_handlers[StarletteHTTPException]

    async def http_error(request: Request, exc: Exception) -> Response:
        path = request.url.path
        if (
            isinstance(exc, StarletteHTTPException)
            and exc.status_code == 404
            and not path.startswith(API_PREFIXES)
        ):
            return page_not_found(request)
        response = api_handler(request, exc)
        if inspect.isawaitable(response):
            response = await response
        return response

    app.add_exception_handler(StarletteHTTPException, http_error)
