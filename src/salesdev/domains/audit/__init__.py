"""The tamper-evident audit trail."""

from salesdev.domains.audit.service import (
    Verification,
    get_event,
    list_events,
    record_event,
    set_audit_context,
    verify_chain,
)

__all__ = [
    "Verification",
    "get_event",
    "list_events",
    "record_event",
    "set_audit_context",
    "verify_chain",
]
