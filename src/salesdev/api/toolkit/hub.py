"""TMF630 hub: listeners register a callback and a query for an API's events."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from salesdev.api.toolkit.http import path_id
from salesdev.api.toolkit.openapi import error_responses, json_content, ref, register_schemas
from salesdev.api.toolkit.resource import ApiSpec
from salesdev.api.toolkit.responses import TmfJSONResponse
from salesdev.db.models import HubSubscription
from salesdev.db.session import unit_of_work
from salesdev.domains.notifications import get_subscription, subscribe, unsubscribe
from salesdev.runtime import Runtime


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


def install_hub(app: FastAPI, runtime: Runtime, api: ApiSpec) -> None:
    router = APIRouter(tags=["Hub"])
    hub_path = f"{api.base_path}/hub"
    one = {"description": "Subscription", "content": json_content(ref("EventSubscription"))}

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
        responses={201: one, **error_responses(400)},
    )
    def register_listener(request: Request, body: EventSubscriptionInput) -> Response:
        with unit_of_work(runtime.session_factory) as session:
            subscription = subscribe(
                session,
                api=api.name,
                callback=body.callback,
                query=body.query or "",
                now=runtime.clock.now(),
            )
            created = render(request, subscription)
        return TmfJSONResponse(created, status_code=201, headers={"Location": created["href"]})

    @router.get(
        f"{hub_path}/{{id}}",
        summary="Read a listener registration",
        response_class=TmfJSONResponse,
        responses={200: one, **error_responses(404)},
    )
    def read_listener(request: Request, id: str) -> Response:
        subscription_id = path_id(id, label="Hub subscription")
        with unit_of_work(runtime.session_factory) as session:
            found = get_subscription(session, api=api.name, subscription_id=subscription_id)
            return TmfJSONResponse(render(request, found))

    @router.delete(
        f"{hub_path}/{{id}}",
        summary="Unregister a listener",
        status_code=204,
        response_class=Response,
        responses={204: {"description": "Unregistered"}, **error_responses(404)},
    )
    def unregister_listener(id: str) -> Response:
        subscription_id = path_id(id, label="Hub subscription")
        with unit_of_work(runtime.session_factory) as session:
            unsubscribe(session, api=api.name, subscription_id=subscription_id)
        return Response(status_code=204)

    app.include_router(router)
    register_schemas(app, {"EventSubscription": EVENT_SUBSCRIPTION_SCHEMA})
