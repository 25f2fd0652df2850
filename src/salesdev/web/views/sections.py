"""Section pages: overviews of built sections, and what a section not built yet will hold."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from salesdev.core.errors import PermissionDenied
from salesdev.domains.reference import ENTITY_KINDS
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.listing import count_rows
from salesdev.web.nav import SECTIONS, Section, kind_slug
from salesdev.web.templating import render


def install_section_pages(router: APIRouter, runtime: Runtime) -> None:
    for section in SECTIONS:
        if not section.built:
            router.add_api_route(
                section.href, _not_built(section), methods=["GET"], name=f"{section.key}_planned"
            )
        elif section.pages and section.href not in {p.href for p in section.pages}:
            router.add_api_route(
                section.href,
                _overview(section, runtime),
                methods=["GET"],
                name=f"{section.key}_overview",
            )


def _not_built(section: Section) -> Callable[[Request], Response]:
    def page(request: Request) -> Response:
        return render(request, "not_built.html", {"title": section.title, "section": section})

    return page


def _overview(section: Section, runtime: Runtime) -> Callable[[Request], Response]:
    by_href = {"/" + kind_slug(k): k for k in ENTITY_KINDS.values()}

    def page(request: Request) -> Response:
        principal = principal_of(request)
        if not section.visible_to(principal):
            raise PermissionDenied(f"{principal.name} may not open {section.title}")
        mine = section.for_principal(principal)
        with work(runtime, request) as session:
            cards = [
                (
                    p,
                    count_rows(session, principal=principal, kind=by_href[p.href])
                    if p.href in by_href
                    else None,
                )
                for p in mine.pages
            ]
        return render(
            request, "section.html", {"title": section.title, "section": mine, "cards": cards}
        )

    return page
