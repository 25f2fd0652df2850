"""Platform resources of an API: jobs (read-only) and notification deliveries (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.responses import Response

from salesdev.api.toolkit import ApiSpec, Attr, Resource, Scalar
from salesdev.api.toolkit.http import path_id
from salesdev.api.toolkit.openapi import error_responses, json_content, ref
from salesdev.api.toolkit.operations import ServiceOperations
from salesdev.api.toolkit.resource import RenderContext
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.security import ApiCall, Guard
from salesdev.db.models import Job, OutboxDelivery
from salesdev.domains.access import Family
from salesdev.domains.jobs import get_job, jobs_select
from salesdev.domains.notifications import (
    deliveries_select,
    get_delivery,
    retry_delivery,
    stored_event,
)


class EventPayload(Attr):
    """The event as it is (or was) sent to the subscriber."""

    name = "event"
    readonly = True

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        return stored_event(entity)

    def schema(self, mode: Any) -> dict[str, Any]:
        return {"type": "object", "readOnly": True}


def _read(name: str, domain: str, kind: Any = "str", **options: Any) -> Scalar:
    return Scalar(name, domain, kind, readonly=True, **options)


def job_resource() -> Resource:
    return Resource(
        name="job",
        type="Job",
        model=Job,
        operations=ServiceOperations(Job, "Job", key="job_id", select=jobs_select, get=get_job),
        family=Family.JOBS,
        display_attribute="kind",
        description="Long work with persisted state: queued -> running -> succeeded | failed",
        attributes=(
            _read("kind", "kind"),
            _read("status", "status", choices=("queued", "running", "succeeded", "failed")),
            _read("message", "message", sortable=False),
            _read("error", "error", filterable=False),
            _read("params", "params", "json"),
            _read("result", "result", "json"),
            _read("progressDone", "progress_done", "int"),
            _read("progressTotal", "progress_total", "int"),
            _read("requestedBy", "requested_by"),
            _read("startedAt", "started_at", "datetime"),
            _read("finishedAt", "finished_at", "datetime"),
            _read("creationDate", "created_at", "datetime"),
            _read("lastUpdate", "updated_at", "datetime"),
        ),
    )


def notification_delivery_resource() -> Resource:
    return Resource(
        name="notificationDelivery",
        type="NotificationDelivery",
        model=OutboxDelivery,
        operations=ServiceOperations(
            OutboxDelivery,
            "Notification delivery",
            key="delivery_id",
            select=deliveries_select,
            get=get_delivery,
        ),
        family=Family.NOTIFICATIONS,
        display_attribute="event_type",
        description="One event to one subscriber: pending -> delivered, or dead after the last attempt",
        attributes=(
            _read("eventId", "event_id", "uuid"),
            _read("eventType", "event_type"),
            _read("eventTime", "event_time", "datetime"),
            _read("subscriptionId", "subscription_id", "uuid"),
            _read("callback", "callback", filterable=False, sortable=False),
            _read("status", "status", choices=("pending", "delivered", "dead")),
            _read("attempts", "attempts", "int"),
            _read("nextAttemptAt", "next_attempt_at", "datetime"),
            _read("lastError", "last_error", filterable=False),
            _read("deliveredAt", "delivered_at", "datetime"),
            EventPayload(),
        ),
    )


def install_delivery_retry(app: FastAPI, guard: Guard, api: ApiSpec) -> None:
    resource = api.resources["notificationDelivery"]
    router = APIRouter(tags=[resource.type])
    writing = Depends(guard.requires(Family.NOTIFICATIONS, "write"))

    @router.post(
        f"{resource.path}/{{id}}/retry",
        summary="Send a dead (or pending) delivery again, starting now",
        response_class=TmfJSONResponse,
        responses={
            200: {"description": "Pending again", "content": json_content(ref(resource.type))},
            **error_responses(404, 422),
        },
    )
    def retry_notification_delivery(request: Request, id: str, call: ApiCall = writing) -> Response:
        delivery_id = path_id(id, label="Notification delivery")
        delivery = retry_delivery(
            call.session, principal=call.principal, delivery_id=delivery_id, now=call.now
        )
        ctx = RenderContext(api=api, base_url=str(request.base_url), session=call.session)
        return TmfJSONResponse(resource.render(delivery, ctx))

    app.include_router(router)
