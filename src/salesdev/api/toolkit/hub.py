"""TMF630 hub: listeners register a callback and a query for an API's events."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.responses import Response

from salesdev.api.toolkit.http import JsonBody, json_body_reader, path_id
from salesdev.api.toolkit.openapi import error_responses, json_content, ref, register_schemas
from salesdev.api.toolkit.patching import JSON
from salesdev.api.toolkit.resource import ApiSpec
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.api.toolkit.security import ApiCall, Guard
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.models import HubSubscription
from salesdev.domains.access import Family
from salesdev.domains.notifications import get_subscription, subscribe, unsubscribe


class EventSubscriptionInput(BaseModel):
    model_config = ConfigDict(extra="forbid", title="EventSubscriptionInput")

    callback: str = Field(description="Absolute http(s) URL that receives the events")
    query: str | None = Field(
        default=None,
        description="TMF query, e.g. eventType=SalesChannelCreateEvent&status=active",
    )


EVENT_SUBSCRIPTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "callback"],
    "properties": {
        "id": {"type": "string"},
        "href": {"type": "string", "format": "uri"},
        "callback": {"type": "string", "format": "uri"},
        "query": {"type": ["string", "null"]},
        "@type": {"type": "string", "const": "EventSubscription"},
    },
}


def parse_subscription(value: Any) -> EventSubscriptionInput:
    try:
        return EventSubscriptionInput.model_validate(value)
    except ValidationError as exc:
        details = [
            ErrorDetail(".".join(str(p) for p in problem["loc"]) or "body", problem["msg"])
            for problem in exc.errors()
        ]
        raise InvalidInput("Invalid subscription", details) from None


def install_hub(app: FastAPI, guard: Guard, api: ApiSpec) -> None:
    """Listener registrations need the notifications family: read to look, write to change."""
    router = APIRouter(tags=["Hub"])
    hub_path = f"{api.base_path}/hub"
    one = {"description": "Subscription", "content": json_content(ref("EventSubscription"))}
    read_body = json_body_reader(guard.runtime.settings.max_request_bytes)
    reading = Depends(guard.requires(Family.NOTIFICATIONS, "read"))
    writing = Depends(guard.requires(Family.NOTIFICATIONS, "write"))

    def render(request: Request, subscription: HubSubscription) -> dict[str, Any]:
        base = str(request.base_url).rstrip("/")
        return {
            "id": str(subscription.id),
            "href": f"{base}{hub_path}/{subscription.id}",
            "callback": subscription.callback,
            "query": subscription.query or None,
            "@type": "EventSubscription",
        }

    @router.post(
        hub_path,
        summary="Register a listener",
        status_code=201,
        response_class=TmfJSONResponse,
        responses={201: one, **error_responses(400, 415)},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": json_content(ref("EventSubscriptionInput")),
            }
        },
    )
    def register_listener(
        request: Request, call: ApiCall = writing, body: JsonBody = Depends(read_body)
    ) -> Response:
        given = parse_subscription(body.require(JSON))
        subscription = subscribe(
            call.session,
            principal=call.principal,
            api=api.name,
            callback=given.callback,
            query=given.query or "",
            now=call.now,
        )
        created = render(request, subscription)
        return TmfJSONResponse(created, status_code=201, headers={"Location": created["href"]})

    @router.get(
        f"{hub_path}/{{id}}",
        summary="Read a listener registration",
        response_class=TmfJSONResponse,
        responses={200: one, **error_responses(404)},
    )
    def read_listener(request: Request, id: str, call: ApiCall = reading) -> Response:
        subscription_id = path_id(id, label="Hub subscription")
        found = get_subscription(
            call.session, principal=call.principal, api=api.name, subscription_id=subscription_id
        )
        return TmfJSONResponse(render(request, found))

    @router.delete(
        f"{hub_path}/{{id}}",
        summary="Unregister a listener",
        status_code=204,
        response_class=Response,
        responses={204: {"description": "Unregistered"}, **error_responses(404)},
    )
    def unregister_listener(id: str, call: ApiCall = writing) -> Response:
        subscription_id = path_id(id, label="Hub subscription")
        unsubscribe(
            call.session, principal=call.principal, api=api.name, subscription_id=subscription_id
        )
        return Response(status_code=204)

    app.include_router(router)
    register_schemas(
        app,
        {
            "EventSubscription": EVENT_SUBSCRIPTION_SCHEMA,
            "EventSubscriptionInput": EventSubscriptionInput.model_json_schema(),
        },
    )
