"""Interactive API docs served from this process: no CDN.

The Swagger UI assets come from the installed ``fastapi-offline`` package. Without it,
``/docs`` says how to get them and points at ``/openapi.json``; it never loads remote code.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"
ASSETS_PACKAGE = "fastapi_offline"
_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png")


def swagger_assets() -> Path | None:
    try:
        package = importlib.import_module(ASSETS_PACKAGE)
    except ImportError:
        return None
    folder = Path(str(package.__file__)).parent / "static"
    return folder if all((folder / name).is_file() for name in _ASSETS) else None


def install_docs(app: FastAPI) -> None:
    # FastAPI's own /docs page loads Swagger UI from a CDN: replace it.
    app.router.routes[:] = [r for r in app.router.routes if not _is_default_docs(r)]
    assets = swagger_assets()
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect = f"{DOCS_URL}/oauth2-redirect"

    if assets is None:

        @app.get(DOCS_URL, include_in_schema=False)
        def docs_unavailable(request: Request) -> HTMLResponse:
            root = request.scope.get("root_path", "")
            return HTMLResponse(
                "<!doctype html><html><head><title>API docs</title></head><body>"
                "<h1>API documentation</h1><p>The interactive docs need the "
                f"<code>fastapi-offline</code> package installed on the server. The API "
                f'description is at <a href="{root}{openapi_url}">{openapi_url}</a>.</p>'
                "</body></html>"
            )

        return

    app.mount(ASSETS_URL, StaticFiles(directory=assets), name="swagger-ui-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} API",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            oauth2_redirect_url=f"{root}{oauth2_redirect}",
        )

    @app.get(oauth2_redirect, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


def _is_default_docs(route: BaseRoute) -> bool:
    return isinstance(route, Route) and route.path in (DOCS_URL, f"{DOCS_URL}/oauth2-redirect")
