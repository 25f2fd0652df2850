"""Jinja2 environment and page rendering for the console."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

import salesdev
from salesdev.domains.access import Family
from salesdev.web.auth import current_user
from salesdev.web.flash import clear_flash, read_flash
from salesdev.web.format import (
    format_amount,
    format_count,
    format_datetime,
    format_value,
    humanize,
)
from salesdev.web.nav import sections_for

PRODUCT_NAME = "salesdev"
TEMPLATES_DIR = Path(__file__).parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html", "svg"], default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters.update(
    amount=format_amount,
    count=format_count,
    datetime=format_datetime,
    value=format_value,
    humanize=humanize,
)
env.globals.update(product_name=PRODUCT_NAME, version=salesdev.__version__)


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    flash = read_flash(request)
    me = current_user(request)
    values: dict[str, Any] = {
        "request": request,
        "path": request.url.path,
        "me": me,
        # The navigation shows only what the signed-in user may open; nothing before login.
        "sections": sections_for(me.principal) if me and not me.must_change_password else (),
        "csrf_token": me.csrf_token if me else "",
        "can": (lambda family, action="read": me.principal.can(Family(family), action))
        if me
        else (lambda family, action="read": False),
        "flash": flash,
    }
    values.update(context)
    page = env.get_template(template).render(**values)
    response = HTMLResponse(page, status_code=status_code)
    if flash is not None:
        clear_flash(response)
    return response
