""" "Which channels drive the orders": the report page over a chosen period."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.domains.access import Family, authorize
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.channel_sales import build_channel_sales, shown_percent
from salesdev.web.choices import text_of
from salesdev.web.dashboard import window_ending
from salesdev.web.templating import render

REPORT_PATH = "/channels/sales"


def _day(text: str, location: str, errors: list[ErrorDetail]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(ErrorDetail(location, f"expected a date as YYYY-MM-DD, got {text!r}"))
        return None


def install_channel_sales(router: APIRouter, runtime: Runtime) -> None:
    def page(request: Request) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.CHANNELS, "read")
        raw = dict(request.query_params)
        errors: list[ErrorDetail] = []
        default_since, default_until = window_ending(runtime.clock.now())
        since_text, until_text = text_of(raw, "since"), text_of(raw, "until")
        since = _day(since_text, "since", errors) or default_since
        until = _day(until_text, "until", errors) or default_until
        if not errors and until <= since:
            errors.append(ErrorDetail("until", "must be after the first day"))
        report = None
        if not errors and not principal.is_scoped:
            with work(runtime, request) as session:
                report = build_channel_sales(
                    session,
                    event_store_dir=runtime.settings.event_store_dir,
                    since=since,
                    until=until,
                )
        field_errors: dict[str, list[str]] = {}
        for detail in errors:
            field_errors.setdefault(detail.location, []).append(detail.message)
        return render(
            request,
            "channel_sales.html",
            {
                "title": "Which channels drive the orders",
                "since": since_text or since.isoformat(),
                "until": until_text or until.isoformat(),
                "report": report,
                "company_wide": not principal.is_scoped,
                "field_errors": field_errors,
                "error": InvalidInput("Invalid period", errors) if errors else None,
                "share": shown_percent,
            },
            status_code=400 if errors else 200,
        )

    router.add_api_route(REPORT_PATH, page, methods=["GET"], name="channel_sales")
