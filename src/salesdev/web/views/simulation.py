"""Price-change simulation: a proposed price-list version over the last N months of sales.

``/pricing/simulation?version=<id>&months=6``: choose a version (a draft is the usual
case) and a number of months; the page shows revenue and margin under the current and the
proposed prices by channel and product family, with totals and a bar chart. Reading only.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import APIRouter
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from salesdev.analytics.pricing_simulation import (
    MAX_MONTHS,
    SimulationResult,
    simulate_version,
    simulation_versions,
)
from salesdev.core.errors import ErrorDetail, NotFound, RuleViolation
from salesdev.db.models import SalesChannel
from salesdev.domains.access import Family, authorize
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.charts import ChartData, Series, bar_chart
from salesdev.web.choices import text_of
from salesdev.web.format import format_amount
from salesdev.web.templating import render

SIMULATION_PATH = "/pricing/simulation"
DEFAULT_MONTHS = 6


def _chart(result: SimulationResult, channels: dict[uuid.UUID, str]) -> Markup:
    several = len({line.channel_id for line in result.lines}) > 1
    categories = tuple(
        (f"{channels.get(line.channel_id, '?')} " if several and line.channel_id else "")
        + (line.family_code or "")
        for line in result.lines
    )
    return bar_chart(
        ChartData(
            title="Revenue and margin, current and proposed",
            description=(
                f"Revenue and margin of the re-priced sales from {result.since} to "
                f"{result.until} (excluded), by product family"
            ),
            categories=categories,
            series=(
                Series("Current revenue", tuple(x.current_revenue for x in result.lines)),
                Series("Proposed revenue", tuple(x.proposed_revenue for x in result.lines)),
                Series("Current margin", tuple(x.current_margin for x in result.lines)),
                Series("Proposed margin", tuple(x.proposed_margin for x in result.lines)),
            ),
            value_label=f"Amount ({result.currency})",
            category_label="Product family",
            format_value=format_amount,
        )
    )


def install_simulation_pages(router: APIRouter, runtime: Runtime) -> None:
    def page(request: Request) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.PRICING, "read")
        raw = dict(request.query_params)
        errors: list[ErrorDetail] = []
        version_text = text_of(raw, "version")
        months_text = text_of(raw, "months") or str(DEFAULT_MONTHS)
        months = DEFAULT_MONTHS
        if not months_text.isdigit() or not 1 <= int(months_text) <= MAX_MONTHS:
            errors.append(ErrorDetail("months", f"a whole number from 1 to {MAX_MONTHS}"))
        else:
            months = int(months_text)
        version_id: uuid.UUID | None = None
        if version_text:
            try:
                version_id = uuid.UUID(version_text)
            except ValueError:
                errors.append(ErrorDetail("version", "choose a version from the list"))
        result: SimulationResult | None = None
        problem: str | None = None
        chart: Markup | None = None
        channels: dict[uuid.UUID, str] = {}
        with work(runtime, request) as session:
            versions = simulation_versions(session, principal=principal)
            if version_id is not None and not errors:
                try:
                    result = simulate_version(
                        session,
                        principal=principal,
                        version_id=version_id,
                        months=months,
                        now=runtime.clock.now(),
                        event_store_dir=runtime.settings.event_store_dir,
                    )
                except (NotFound, RuleViolation) as exc:
                    problem = exc.message
                if result is not None:
                    ids = {line.channel_id for line in result.lines if line.channel_id}
                    if ids:
                        channels = {
                            c.id: c.name
                            for c in session.query(SalesChannel).filter(SalesChannel.id.in_(ids))
                        }
                    if result.lines:
                        chart = _chart(result, channels)
        field_errors: dict[str, list[str]] = {}
        for detail in errors:
            field_errors.setdefault(detail.location, []).append(detail.message)
        return render(
            request,
            "simulation/simulate.html",
            {
                "title": "Price-change simulation",
                "version_options": [("", "Choose a price-list version")]
                + [(str(v.version_id), v.label) for v in versions],
                "version_value": version_text,
                "months": months_text,
                "result": result,
                "problem": problem,
                "chart": chart,
                "channels": channels,
                "several": len(channels) > 1,
                "field_errors": field_errors,
                "zero": Decimal(0),
            },
            status_code=400 if errors else 200,
        )

    router.add_api_route(SIMULATION_PATH, page, methods=["GET"], name="price_simulation")
