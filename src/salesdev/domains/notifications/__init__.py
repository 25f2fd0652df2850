"""TMF hub/listener notifications through a transactional outbox."""

from salesdev.domains.notifications.delivery import DeliveryPolicy, DeliveryReport, deliver_due
from salesdev.domains.notifications.dispatcher import (
    NotificationDispatcher,
    policy_from,
    start_dispatcher,
)
from salesdev.domains.notifications.outbox import (
    DEAD,
    DELIVERED,
    DELIVERY_STATUSES,
    PENDING,
    DeliveryList,
    deliveries_select,
    get_delivery,
    list_deliveries,
    publish_event,
    retry_delivery,
    stored_event,
)
from salesdev.domains.notifications.payload import (
    decode_json,
    encode_json,
    format_datetime,
    format_decimal,
)
from salesdev.domains.notifications.subscriptions import (
    EventQuery,
    get_subscription,
    parse_event_query,
    subscribe,
    unsubscribe,
)

__all__ = [
    "DEAD",
    "DELIVERED",
    "DELIVERY_STATUSES",
    "PENDING",
    "DeliveryList",
    "DeliveryPolicy",
    "DeliveryReport",
    "EventQuery",
    "NotificationDispatcher",
    "decode_json",
    "deliver_due",
    "deliveries_select",
    "encode_json",
    "format_datetime",
    "format_decimal",
    "get_delivery",
    "get_subscription",
    "list_deliveries",
    "parse_event_query",
    "policy_from",
    "publish_event",
    "retry_delivery",
    "start_dispatcher",
    "stored_event",
    "subscribe",
    "unsubscribe",
]
