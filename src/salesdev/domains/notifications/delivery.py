"""Sending due deliveries: at least once, with exponential back-off and dead letters.

Each delivery is first *claimed* in its own short transaction (a conditional UPDATE that
pushes ``next_attempt_at`` past the HTTP timeout), so no database lock is held while the
subscriber is called and two dispatchers never send the same attempt. A process that
dies mid-call leaves the claim to expire; the delivery is then sent again (subscribers
de-duplicate on ``eventId``).

After the n-th failed attempt the next one is due ``backoff_seconds * 2**(n-1)`` later;
the ``max_attempts``-th failure makes the delivery ``dead``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from salesdev.core.periods import require_aware
from salesdev.db.models import OutboxDelivery
from salesdev.db.session import unit_of_work
from salesdev.domains.notifications.outbox import DEAD, DELIVERED, PENDING
from salesdev.domains.notifications.payload import encode_json, from_storable

logger = logging.getLogger(__name__)

_MAX_ERROR = 1000


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 6
    backoff_seconds: float = 2.0
    timeout_seconds: float = 5.0
    batch_size: int = 100

    def delay_after(self, failed_attempts: int) -> timedelta:
        return timedelta(seconds=self.backoff_seconds * 2 ** (failed_attempts - 1))

    @property
    def claim(self) -> timedelta:
        # Long enough for the call to finish or time out before anyone may try again.
        return timedelta(seconds=self.timeout_seconds * 2 + 1)


@dataclass
class DeliveryReport:
    delivered: list[uuid.UUID] = field(default_factory=list)
    retrying: list[uuid.UUID] = field(default_factory=list)
    dead: list[uuid.UUID] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return len(self.delivered) + len(self.retrying) + len(self.dead)


def deliver_due(
    session_factory: sessionmaker[Session],
    *,
    now: datetime,
    client: httpx.Client,
    policy: DeliveryPolicy | None = None,
) -> DeliveryReport:
    """Attempt every pending delivery due at ``now`` (up to ``policy.batch_size``)."""
    policy = policy or DeliveryPolicy()
    require_aware(now, location="now")
    report = DeliveryReport()
    with unit_of_work(session_factory) as session:
        due = list(
            session.scalars(
                select(OutboxDelivery.id)
                .where(OutboxDelivery.status == PENDING, OutboxDelivery.next_attempt_at <= now)
                .order_by(OutboxDelivery.next_attempt_at, OutboxDelivery.id)
                .limit(policy.batch_size)
            )
        )
    for delivery_id in due:
        claimed = _claim(session_factory, delivery_id=delivery_id, now=now, policy=policy)
        if claimed is None:
            continue
        callback, body = claimed
        error = _post(client, callback=callback, body=body, timeout=policy.timeout_seconds)
        outcome = _record(
            session_factory, delivery_id=delivery_id, now=now, error=error, policy=policy
        )
        {DELIVERED: report.delivered, PENDING: report.retrying, DEAD: report.dead}[outcome].append(
            delivery_id
        )
    return report


def _claim(
    session_factory: sessionmaker[Session],
    *,
    delivery_id: uuid.UUID,
    now: datetime,
    policy: DeliveryPolicy,
) -> tuple[str, bytes] | None:
    with unit_of_work(session_factory) as session:
        claimed = session.execute(
            update(OutboxDelivery)
            .where(
                OutboxDelivery.id == delivery_id,
                OutboxDelivery.status == PENDING,
                OutboxDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + policy.claim)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            return None  # another dispatcher took it
        delivery = session.get_one(OutboxDelivery, delivery_id)
        return delivery.callback, encode_json(from_storable(delivery.payload))


def _post(client: httpx.Client, *, callback: str, body: bytes, timeout: float) -> str | None:
    """``None`` when the subscriber accepted the event (any 2xx), else why not."""
    try:
        response = client.post(
            callback,
            content=body,
            headers={"Content-Type": "application/json"},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}: {response.text[:200]}"[:_MAX_ERROR]


def _record(
    session_factory: sessionmaker[Session],
    *,
    delivery_id: uuid.UUID,
    now: datetime,
    error: str | None,
    policy: DeliveryPolicy,
) -> str:
    with unit_of_work(session_factory) as session:
        delivery = session.get_one(OutboxDelivery, delivery_id)
        delivery.attempts += 1
        if error is None:
            delivery.status = DELIVERED
            delivery.delivered_at = now
            delivery.last_error = None
        elif delivery.attempts >= policy.max_attempts:
            delivery.status = DEAD
            delivery.last_error = error
            logger.warning(
                # The callback URL may carry a subscriber's token: not logged.
                "notification delivery %s (%s) is dead after %d attempts",
                delivery.id,
                delivery.event_type,
                delivery.attempts,
            )
        else:
            delivery.last_error = error
            delivery.next_attempt_at = now + policy.delay_after(delivery.attempts)
        session.flush()
        return delivery.status
