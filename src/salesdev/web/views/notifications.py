"""Notification deliveries: dead letters to look at and send again."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.ids import parse_id
from salesdev.domains.access import Family, authorize
from salesdev.domains.notifications import DEAD, DELIVERY_STATUSES, list_deliveries, retry_delivery
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.flash import set_flash
from salesdev.web.protection import read_form
from salesdev.web.templating import render
from salesdev.web.urls import with_query

NOTIFICATIONS_PATH = "/admin/notifications"
PAGE_SIZE = 50


def install_notification_pages(router: APIRouter, runtime: Runtime) -> None:
    def deliveries_page(request: Request) -> Response:
        authorize(principal_of(request), Family.NOTIFICATIONS, "write")
        status = request.query_params.get("status", DEAD)
        offset_text = request.query_params.get("offset", "0") or "0"
        if not offset_text.isdigit():
            raise InvalidInput("Invalid paging", [ErrorDetail("offset", "must be 0 or more")])
        offset = int(offset_text)
        with work(runtime, request) as session:
            deliveries = list_deliveries(
                session,
                principal=principal_of(request),
                status=status or None,
                offset=offset,
                limit=PAGE_SIZE,
            )
        previous_href = (
            with_query(
                NOTIFICATIONS_PATH, {"status": status, "offset": max(offset - PAGE_SIZE, 0) or ""}
            )
            if offset
            else ""
        )
        next_href = (
            with_query(NOTIFICATIONS_PATH, {"status": status, "offset": offset + PAGE_SIZE})
            if offset + len(deliveries.items) < deliveries.total
            else ""
        )
        return render(
            request,
            "notifications.html",
            {
                "title": "Notification deliveries",
                "deliveries": deliveries.items,
                "total": deliveries.total,
                "offset": offset,
                "status": status,
                "statuses": DELIVERY_STATUSES,
                "previous_href": previous_href,
                "next_href": next_href,
            },
        )

    async def retry(request: Request, delivery_id: str) -> Response:
        await read_form(request)
        return await run_in_threadpool(_retry, request, parse_id(delivery_id))

    def _retry(request: Request, delivery_id: uuid.UUID) -> Response:
        authorize(principal_of(request), Family.NOTIFICATIONS, "write")
        with work(runtime, request) as session:
            delivery = retry_delivery(
                session,
                principal=principal_of(request),
                delivery_id=delivery_id,
                now=runtime.clock.now(),
            )
            event_type = delivery.event_type
        response = RedirectResponse(NOTIFICATIONS_PATH, status_code=303)
        set_flash(response, f"{event_type} will be sent again to its subscriber now.")
        return response

    router.add_api_route(NOTIFICATIONS_PATH, deliveries_page, methods=["GET"], name="notifications")
    router.add_api_route(
        f"{NOTIFICATIONS_PATH}/{{delivery_id}}/retry",
        retry,
        methods=["POST"],
        name="notification_retry",
    )
