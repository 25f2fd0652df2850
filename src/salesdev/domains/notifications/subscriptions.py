"""Hub subscriptions (TMF630 "register listener"): who receives which events of an API.

A subscription's ``query`` is a TMF query string: ``eventType=A,B`` selects event types,
any other ``path=value`` compares an attribute of the resource in the event (dotted
paths such as ``channel.id``; a leading ``event.<resourceName>.`` is allowed). Several
values separated by commas mean OR; several parameters mean AND. Only equality is
supported: an operator such as ``status.gt`` is refused when subscribing, not ignored.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.core.periods import require_aware
from salesdev.db.models import HubSubscription
from salesdev.db.prepared import Prepared
from salesdev.db.session import flushed_connection
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.notifications.payload import format_decimal

_MAX_CALLBACK = 2000
_MAX_QUERY = 2000
_OPERATOR_SUFFIXES = ("gt", "gte", "lt", "lte", "ne", "eq", "contains", "like")
EVENT_TYPE = "eventType"


@dataclass(frozen=True)
class EventQuery:
    """A parsed subscription query."""

    event_types: frozenset[str] | None
    attributes: tuple[tuple[tuple[str, ...], frozenset[str]], ...]

    def matches(self, *, event_type: str, resource_type: str, resource: Mapping[str, Any]) -> bool:
        if self.event_types is not None and event_type not in self.event_types:
            return False
        for path, accepted in self.attributes:
            relative = _relative_path(path, resource_type)
            if _text(_lookup(resource, relative)) not in accepted:
                return False
        return True


def parse_event_query(query: str) -> EventQuery:
    errors: list[ErrorDetail] = []
    event_types: set[str] | None = None
    attributes: list[tuple[tuple[str, ...], frozenset[str]]] = []
    for key, raw in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        values = frozenset(v.strip() for v in raw.split(",") if v.strip())
        if not key or any(not part for part in key.split(".")) or any(c in key for c in "<>!"):
            errors.append(ErrorDetail(f"query.{key}", "not an attribute path"))
        elif key.split(".")[-1] in _OPERATOR_SUFFIXES:
            errors.append(
                ErrorDetail(f"query.{key}", "only equality (attribute=value) is supported")
            )
        elif not values:
            errors.append(ErrorDetail(f"query.{key}", "a value is required"))
        elif key == EVENT_TYPE:
            event_types = (event_types or set()) | set(values)
        else:
            attributes.append((tuple(key.split(".")), values))
    if errors:
        raise InvalidInput("Invalid subscription query", errors)
    return EventQuery(
        event_types=frozenset(event_types) if event_types is not None else None,
        attributes=tuple(attributes),
    )


def subscribe(
    session: Session, *, principal: Principal, api: str, callback: str, query: str, now: datetime
) -> HubSubscription:
    authorize(principal, Family.NOTIFICATIONS, "write")
    query = (query or "").strip()
    errors = _callback_errors(callback)
    if len(query) > _MAX_QUERY:
        errors.append(ErrorDetail("query", f"at most {_MAX_QUERY} characters"))
    if errors:
        raise InvalidInput("Invalid subscription", errors)
    parse_event_query(query)
    subscription = HubSubscription(
        api=api, callback=callback, query=query, created_at=require_aware(now, location="now")
    )
    session.add(subscription)
    session.flush()
    return subscription


def get_subscription(
    session: Session, *, principal: Principal, api: str, subscription_id: uuid.UUID
) -> HubSubscription:
    authorize(principal, Family.NOTIFICATIONS, "read")
    subscription = session.get(HubSubscription, subscription_id)
    if subscription is None or subscription.api != api:
        raise NotFound(f"Hub subscription {subscription_id} does not exist")
    return subscription


def unsubscribe(
    session: Session, *, principal: Principal, api: str, subscription_id: uuid.UUID
) -> None:
    """Remove the listener. Deliveries already in the outbox keep their callback and go on."""
    authorize(principal, Family.NOTIFICATIONS, "write")
    found = get_subscription(session, principal=principal, api=api, subscription_id=subscription_id)
    session.delete(found)
    session.flush()


_SUBSCRIPTIONS = cast(Table, HubSubscription.__table__)
# Built once: the qualification hot path asks on every request.
_ANY_SUBSCRIPTION = Prepared(
    select(_SUBSCRIPTIONS.c.id).where(_SUBSCRIPTIONS.c.api == bindparam("api")).limit(1)
)


def has_subscriptions(session: Session, *, api: str) -> bool:
    """Whether anyone listens to ``api``'s events (one indexed look-up, no rows loaded)."""
    return _ANY_SUBSCRIPTION.first(flushed_connection(session), {"api": api}) is not None


def subscriptions_of(session: Session, *, api: str) -> list[HubSubscription]:
    return list(
        session.scalars(
            select(HubSubscription).where(HubSubscription.api == api).order_by(HubSubscription.id)
        )
    )


def _callback_errors(callback: str) -> list[ErrorDetail]:
    if not isinstance(callback, str) or not callback:
        return [ErrorDetail("callback", "is required")]
    if len(callback) > _MAX_CALLBACK:
        return [ErrorDetail("callback", f"at most {_MAX_CALLBACK} characters")]
    try:
        parts = urlsplit(callback)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return [ErrorDetail("callback", f"expected an absolute http(s) URL, got {callback!r}")]
    return []


def _relative_path(path: tuple[str, ...], resource_type: str) -> tuple[str, ...]:
    if len(path) > 2 and path[0] == "event" and path[1] == resource_type:
        return path[2:]
    return path


def _lookup(resource: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    current: Any = resource
    for part in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current


def _text(value: Any) -> str | None:
    """How an attribute value is compared with the query's text."""
    if value is None or isinstance(value, Mapping | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_decimal(value)
    return str(value)
