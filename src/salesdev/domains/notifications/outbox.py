"""The transactional outbox: events are written with the change, sent after it commits.

``publish_event`` adds one :class:`OutboxDelivery` per matching subscription in the
caller's transaction, so a rolled-back change leaves no event behind, and asks for the
dispatcher to be woken only once the transaction has committed.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, RuleViolation
from salesdev.core.ids import new_id
from salesdev.core.periods import require_aware
from salesdev.db.models import OutboxDelivery
from salesdev.db.session import after_commit
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.notifications.payload import format_datetime, from_storable, to_storable
from salesdev.domains.notifications.subscriptions import parse_event_query, subscriptions_of

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
DELIVERY_STATUSES = (PENDING, DELIVERED, DEAD)

_wakers: list[Callable[[], None]] = []
_wakers_lock = threading.Lock()


@dataclass(frozen=True)
class DeliveryList:
    items: list[OutboxDelivery]
    total: int


def add_waker(wake: Callable[[], None]) -> None:
    """Called after every commit that wrote deliveries (how the dispatcher is woken)."""
    with _wakers_lock:
        _wakers.append(wake)


def remove_waker(wake: Callable[[], None]) -> None:
    with _wakers_lock:
        if wake in _wakers:
            _wakers.remove(wake)


def _wake_all() -> None:
    with _wakers_lock:
        wakers = list(_wakers)
    for wake in wakers:
        wake()


def publish_event(
    session: Session,
    *,
    api: str,
    resource_type: str,
    event_type: str,
    resource: Mapping[str, Any],
    now: datetime,
) -> list[OutboxDelivery]:
    """Queue ``event_type`` about ``resource`` for every subscriber of ``api`` that wants it.

    ``resource_type`` is the resource's name in the API (``salesChannel``); it names the
    event's content: ``{"event": {"salesChannel": {...}}}``.
    """
    require_aware(now, location="now")
    deliveries: list[OutboxDelivery] = []
    payload: dict[str, Any] | None = None
    event_id = new_id()
    for subscription in subscriptions_of(session, api=api):
        wanted = parse_event_query(subscription.query).matches(
            event_type=event_type, resource_type=resource_type, resource=resource
        )
        if not wanted:
            continue
        if payload is None:
            payload = to_storable(
                {
                    "eventId": str(event_id),
                    "eventTime": format_datetime(now),
                    "eventType": event_type,
                    "event": {resource_type: dict(resource)},
                }
            )
        delivery = OutboxDelivery(
            event_id=event_id,
            event_type=event_type,
            event_time=now,
            payload=payload,
            subscription_id=subscription.id,
            callback=subscription.callback,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
        )
        session.add(delivery)
        deliveries.append(delivery)
    if deliveries:
        session.flush()
        after_commit(session, _wake_all)
    return deliveries


def get_delivery(
    session: Session, *, principal: Principal, delivery_id: uuid.UUID
) -> OutboxDelivery:
    authorize(principal, Family.NOTIFICATIONS, "read")
    delivery = session.get(OutboxDelivery, delivery_id)
    if delivery is None:
        raise NotFound(f"Notification delivery {delivery_id} does not exist")
    return delivery


def deliveries_select(*, principal: Principal) -> Select[Any]:
    """``SELECT`` of the deliveries the principal may read; interfaces add filters and paging."""
    authorize(principal, Family.NOTIFICATIONS, "read")
    return select(OutboxDelivery)


def list_deliveries(
    session: Session,
    *,
    principal: Principal,
    status: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> DeliveryList:
    """Oldest event first (the order they were due in)."""
    if status is not None and status not in DELIVERY_STATUSES:
        raise InvalidInput(
            "Invalid delivery filter",
            [ErrorDetail("status", f"expected one of {', '.join(DELIVERY_STATUSES)}")],
        )
    if offset < 0 or limit < 0:
        raise InvalidInput("Invalid page", [ErrorDetail("offset", "offset and limit >= 0")])
    query = deliveries_select(principal=principal)
    if status is not None:
        query = query.where(OutboxDelivery.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(OutboxDelivery.event_time, OutboxDelivery.id).offset(offset).limit(limit)
    )
    return DeliveryList(items=list(items), total=total)


def retry_delivery(
    session: Session, *, principal: Principal, delivery_id: uuid.UUID, now: datetime
) -> OutboxDelivery:
    """Give a dead letter a fresh series of attempts, starting now."""
    authorize(principal, Family.NOTIFICATIONS, "write")
    delivery = get_delivery(session, principal=principal, delivery_id=delivery_id)
    if delivery.status == DELIVERED:
        raise RuleViolation(
            f"Notification delivery {delivery_id} was already delivered and is not sent again",
            [ErrorDetail("status", "only a dead or pending delivery can be retried")],
        )
    delivery.status = PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = require_aware(now, location="now")
    session.flush()
    after_commit(session, _wake_all)
    return delivery


def stored_event(delivery: OutboxDelivery) -> dict[str, Any]:
    """The event body exactly as it is sent (amounts back as Decimal)."""
    event: dict[str, Any] = from_storable(delivery.payload)
    return event
