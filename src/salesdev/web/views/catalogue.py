"""Catalogs with their category tree and offerings, and product specifications (read-only)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from salesdev.core.ids import parse_id
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.catalogue_read import (
    list_catalog_rows,
    list_specification_rows,
    load_catalog_view,
    load_specification_view,
)
from salesdev.web.templating import render

CATALOGS = "/catalogs"
SPECIFICATIONS = "/product-specifications"


def install_catalogue_pages(router: APIRouter, runtime: Runtime) -> None:
    def catalogs(request: Request) -> Response:
        with work(runtime, request) as session:
            rows = list_catalog_rows(session, principal=principal_of(request))
        return render(request, "catalogs.html", {"title": "Catalogs", "rows": rows})

    def catalog(request: Request, catalog_id: str) -> Response:
        with work(runtime, request) as session:
            view = load_catalog_view(
                session, principal=principal_of(request), catalog_id=parse_id(catalog_id)
            )
            return render(
                request,
                "catalog_detail.html",
                {"title": f"Catalog {view.catalog.name}", "view": view},
            )

    def specifications(request: Request) -> Response:
        with work(runtime, request) as session:
            rows = list_specification_rows(session, principal=principal_of(request))
        return render(
            request, "specifications.html", {"title": "Product specifications", "rows": rows}
        )

    def specification(request: Request, specification_id: str) -> Response:
        with work(runtime, request) as session:
            view = load_specification_view(
                session,
                principal=principal_of(request),
                specification_id=parse_id(specification_id),
            )
            return render(
                request,
                "specification_detail.html",
                {"title": f"Product specification {view.specification.name}", "view": view},
            )

    router.add_api_route(CATALOGS, catalogs, methods=["GET"], name="catalog_list")
    router.add_api_route(
        f"{CATALOGS}/{{catalog_id}}", catalog, methods=["GET"], name="catalog_detail"
    )
    router.add_api_route(SPECIFICATIONS, specifications, methods=["GET"], name="specification_list")
    router.add_api_route(
        f"{SPECIFICATIONS}/{{specification_id}}",
        specification,
        methods=["GET"],
        name="specification_detail",
    )
