"""Offer catalogue browsing: what a channel (or a partner in it) may sell on a day, paged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.models import Partner
from salesdev.domains.access import Family, authorize
from salesdev.domains.authorisation import SellableOffering, sellable_offerings
from salesdev.domains.pricing import resolve_prices
from salesdev.engine.pricing import Charge
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.choices import (
    is_partner_user,
    options,
    parse_day,
    parse_option,
    partner_names,
    text_of,
    visible_channels,
    visible_partners,
)
from salesdev.web.listing import MAX_LIMIT, PAGE_SIZES
from salesdev.web.templating import render
from salesdev.web.urls import with_query

CATALOGUE_PATH = "/channels/catalogue"
DEFAULT_LIMIT = 25


@dataclass(frozen=True)
class BrowseParams:
    channel: str
    partner: str
    day: str
    offset: int
    limit: int

    def query(self, **overrides: object) -> dict[str, object]:
        values: dict[str, object] = {
            "channel": self.channel,
            "partner": self.partner,
            "date": self.day,
            "offset": self.offset or "",
            "limit": "" if self.limit == DEFAULT_LIMIT else self.limit,
        }
        values.update(overrides)
        return values


def _int(text: str, name: str, default: int, errors: list[ErrorDetail]) -> int:
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        errors.append(ErrorDetail(name, f"expected a whole number, got {text!r}"))
        return default


def channel_price_cells(
    session: Any,
    *,
    principal: Any,
    channel_id: uuid.UUID,
    partner_id: uuid.UUID | None,
    offering_ids: list[uuid.UUID],
    at: datetime,
) -> dict[uuid.UUID, tuple[str, str]]:
    """The channel's price (price list and rules, no customer) of each offering of the page,
    as "monthly" and "one-time" texts; nothing for those who may not price a sale."""
    if not principal.can(Family.SELLING, "read"):
        return {}
    cells: dict[uuid.UUID, tuple[str, str]] = {}
    for r in resolve_prices(
        session,
        principal=principal,
        channel_id=channel_id,
        partner_id=partner_id,
        offering_ids=offering_ids,
        at=at,
    ):
        texts = []
        for charge in (Charge.RECURRING, Charge.ONE_TIME):
            found = r.charge(charge)
            texts.append(f"{found.unit_price.amount} {found.unit_price.currency}" if found else "—")
        cells[r.offering_id] = (texts[0], texts[1])
    return cells


def install_catalogue_browsing(router: APIRouter, runtime: Runtime) -> None:
    def page(request: Request) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.CHANNELS, "read")
        raw = dict(request.query_params)
        errors: list[ErrorDetail] = []
        offset = _int(text_of(raw, "offset"), "offset", 0, errors)
        limit = _int(text_of(raw, "limit"), "limit", DEFAULT_LIMIT, errors)
        if offset < 0:
            errors.append(ErrorDetail("offset", "must be 0 or more"))
        if not 1 <= limit <= MAX_LIMIT:
            errors.append(ErrorDetail("limit", f"must be between 1 and {MAX_LIMIT}"))
        day_text = text_of(raw, "date")
        at: datetime | None = parse_day(day_text, "date", errors)
        if at is None:
            at = runtime.clock.now()
        channel_text, partner_text = text_of(raw, "channel"), text_of(raw, "partner")
        with work(runtime, request) as session:
            if not channel_text and not partner_text and is_partner_user(principal):
                # A partner user starts with its own partner, in the channel it sells through.
                own = session.get(Partner, principal.partner_id) if principal.partner_id else None
                if own is not None:
                    channel_text, partner_text = str(own.channel_id), str(own.id)
            channel_id = parse_option(channel_text, "channel", errors)
            partner_id = parse_option(partner_text, "partner", errors)
            channels = visible_channels(session, principal)
            partners = (
                visible_partners(session, principal, channel_id=channel_id)
                if channel_id is not None
                else []
            )
            if partner_id is not None and partner_id not in {p.id for p in partners}:
                errors.append(
                    ErrorDetail("partner", "choose a partner that sells through this channel")
                )
            params = BrowseParams(channel_text, partner_text, day_text, offset, limit)
            items: list[SellableOffering] = []
            total = 0
            if channel_id is not None and not errors:
                found = sellable_offerings(
                    session,
                    principal=principal,
                    channel_id=channel_id,
                    partner_id=partner_id,
                    at=at,
                    offset=offset,
                    limit=limit,
                )
                items, total = found.items, found.total
            holders = partner_names(session, (i.partner_id for i in items))
            channel_prices = (
                channel_price_cells(
                    session,
                    principal=principal,
                    channel_id=channel_id,
                    partner_id=partner_id,
                    offering_ids=[i.offering_id for i in items],
                    at=at,
                )
                if channel_id is not None and items
                else {}
            )
        error = InvalidInput("Invalid catalogue request", errors) if errors else None
        field_errors: dict[str, list[str]] = {}
        for detail in errors:
            field_errors.setdefault(detail.location, []).append(detail.message)
        last = offset + len(items)
        return render(
            request,
            "catalogue_browse.html",
            {
                "title": "Catalogue browsing",
                "params": params,
                "at": at,
                "chosen_day": day_text,
                "channel_options": options(channels, blank="Choose a sales channel"),
                "partner_options": options(partners, blank="Channel-wide only"),
                "channel_chosen": channel_id is not None,
                "items": items,
                "holders": holders,
                "channel_prices": channel_prices,
                "total": total,
                "first": offset + 1 if items else 0,
                "last": last,
                "page_sizes": PAGE_SIZES,
                "field_errors": field_errors,
                "other_errors": [
                    str(d) for d in errors if d.location not in ("channel", "partner", "date")
                ],
                "error": error,
                "previous_href": with_query(
                    CATALOGUE_PATH, params.query(offset=max(offset - limit, 0) or "")
                )
                if offset > 0
                else "",
                "next_href": with_query(CATALOGUE_PATH, params.query(offset=last))
                if last < total
                else "",
            },
            status_code=400 if error else 200,
        )

    router.add_api_route(CATALOGUE_PATH, page, methods=["GET"], name="catalogue_browsing")
