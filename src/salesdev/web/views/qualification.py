"""The "Qualify" page: pick a channel, a customer and a premise, and see every offering of the
channel's catalogue (or only those named) qualified or not, with every reason and, when
asked, alternatives. Reading only (GET): nothing is stored (the API's POST keeps a record).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.db.models import ProductOffering
from salesdev.domains.access import Family, authorize
from salesdev.domains.qualification import QualificationOutcome, qualify_offerings
from salesdev.domains.rules import resolve_sale_codes
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.choices import parse_day, text_of, visible_channels
from salesdev.web.templating import render

PATH = "/pricing/qualification"
_FIELDS = ("channel", "partner", "customer", "premise", "on", "offerings", "alternatives")
_CODE_FIELDS = {
    "channel_code": "channel",
    "customer_code": "customer",
    "premise_code": "premise",
    "partner_code": "partner",
}


def install_qualification_pages(router: APIRouter, runtime: Runtime) -> None:
    def page(request: Request) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.SELLING, "read")
        raw = dict(request.query_params)
        values = {name: text_of(raw, name) for name in _FIELDS}
        asked = bool(values["channel"])
        errors: list[ErrorDetail] = []
        problem = ""
        outcomes: list[QualificationOutcome] = []
        now = runtime.clock.now()
        at = parse_day(values["on"], "on", errors) or now
        with work(runtime, request) as session:
            channels = visible_channels(session, principal)
            if asked:
                try:
                    codes = resolve_sale_codes(
                        session,
                        channel_code=values["channel"],
                        customer_code=values["customer"] or None,
                        premise_code=values["premise"] or None,
                        partner_code=values["partner"] or None,
                    )
                except InvalidInput as exc:
                    errors += [
                        ErrorDetail(_CODE_FIELDS.get(d.location, d.location), d.message)
                        for d in exc.details
                    ]
                    codes = None
                offering_ids = _offerings(session, values["offerings"], errors)
                if codes is not None and not errors:
                    try:
                        outcomes = qualify_offerings(
                            session,
                            principal=principal,
                            channel_id=codes.channel_id,
                            customer_id=codes.customer_id,
                            premise_id=codes.premise_id,
                            partner_id=codes.partner_id,
                            offering_ids=offering_ids,
                            at=at,
                            provide_alternative=values["alternatives"] == "yes",
                        )
                    except (InvalidInput, NotFound) as exc:
                        problem = exc.message
        field_errors: dict[str, list[str]] = {}
        for detail in errors:
            field_errors.setdefault(detail.location, []).append(detail.message)
        qualified = sum(1 for o in outcomes if o.qualified)
        return render(
            request,
            "qualification/qualify.html",
            {
                "title": "Qualify offerings",
                "values": values,
                "asked": asked and not errors and not problem,
                "channel_options": [("", "Choose a sales channel")]
                + [(c.code, c.label) for c in channels],
                "outcomes": outcomes,
                "qualified": qualified,
                "at": at,
                "problem": problem,
                "field_errors": field_errors,
            },
            status_code=400 if errors else (404 if problem else 200),
        )

    router.add_api_route(PATH, page, methods=["GET"], name="qualification")


def _offerings(session: Any, text: str, errors: list[ErrorDetail]) -> list[Any] | None:
    codes = [c for c in re.split(r"[\s,;]+", text) if c]
    if not codes:
        return None
    rows = session.execute(
        select(ProductOffering.code, ProductOffering.id).where(ProductOffering.code.in_(codes))
    )
    found = {code: id_ for code, id_ in rows}
    missing = [c for c in codes if c not in found]
    if missing:
        errors.append(ErrorDetail("offerings", "no offering has the code " + ", ".join(missing)))
        return None
    return [found[c] for c in dict.fromkeys(codes)]
