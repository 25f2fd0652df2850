"""Section pages: overviews of built sections, and what a section not built yet will hold."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from salesdev.db.session import unit_of_work
from salesdev.domains.reference import ENTITY_KINDS
from salesdev.runtime import Runtime
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
        with unit_of_work(runtime.session_factory) as session:
            cards = [
                (p, count_rows(session, kind=by_href[p.href]) if p.href in by_href else None)
                for p in section.pages
            ]
        return render(
            request, "section.html", {"title": section.title, "section": section, "cards": cards}
        )

    return page
