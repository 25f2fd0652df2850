"""The background dispatcher: a thread that sends due deliveries.

It is woken right after a transaction that wrote deliveries commits, and otherwise
polls, so retries fall due without anyone writing. Time comes from the runtime's clock.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any, Protocol

import httpx
from sqlalchemy.orm import Session, sessionmaker

from salesdev.core.settings import Settings
from salesdev.domains.notifications.delivery import DeliveryPolicy, deliver_due
from salesdev.domains.notifications.outbox import add_waker, remove_waker

logger = logging.getLogger(__name__)

SERVICE_KEY = "notifications"
DEFAULT_POLL_SECONDS = 1.0


class _Clock(Protocol):
    def now(self) -> datetime: ...


class DispatcherHost(Protocol):
    """What the dispatcher needs of the runtime (the runtime layer sits above the domains)."""

    settings: Settings
    session_factory: sessionmaker[Session]
    clock: _Clock
    services: dict[str, Any]


def policy_from(settings: Settings) -> DeliveryPolicy:
    return DeliveryPolicy(
        max_attempts=settings.notification_max_attempts,
        backoff_seconds=settings.notification_backoff_seconds,
        timeout_seconds=settings.notification_timeout_seconds,
    )


class NotificationDispatcher:
    def __init__(
        self,
        host: DispatcherHost,
        *,
        client: httpx.Client | None = None,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
    ) -> None:
        self._host = host
        self._policy = policy_from(host.settings)
        self._owns_client = client is None
        # No proxy settings from the environment: settings are the only configuration.
        self._client = client or httpx.Client(trust_env=False)
        self._poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stopping.clear()
        add_waker(self._wake.set)
        self._thread = threading.Thread(
            target=self._run, name="salesdev-notifications", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        remove_waker(self._wake.set)
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._owns_client:
            self._client.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                report = deliver_due(
                    self._host.session_factory,
                    now=self._host.clock.now(),
                    client=self._client,
                    policy=self._policy,
                )
            except Exception:
                logger.exception("notification dispatch failed; retrying at the next poll")
            else:
                if report.attempted >= self._policy.batch_size:
                    continue  # more may be due right now
            self._wake.wait(self._poll_seconds)


def start_dispatcher(
    runtime: DispatcherHost,
    *,
    client: httpx.Client | None = None,
    poll_seconds: float = DEFAULT_POLL_SECONDS,
) -> NotificationDispatcher:
    """Start the runtime's dispatcher (a second call returns the same, running, one)."""
    dispatcher = runtime.services.get(SERVICE_KEY)
    if not isinstance(dispatcher, NotificationDispatcher):
        dispatcher = NotificationDispatcher(runtime, client=client, poll_seconds=poll_seconds)
        runtime.services[SERVICE_KEY] = dispatcher
    dispatcher.start()
    return dispatcher
