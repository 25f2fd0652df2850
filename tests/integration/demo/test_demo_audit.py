"""The demo load is in the audit trail: one summary event for the bulk rows, one per login,
one per row written through the services."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.db.models import AuditEvent
from salesdev.demo import load_demo
from salesdev.domains.audit import set_audit_context, verify_chain
from tests.conftest import T0


def test_the_bulk_load_is_recorded_as_one_summary_event(session: Session, tmp_path: Path) -> None:
    set_audit_context(session, actor="cli:operator", now=T0)
    summary = load_demo(
        session=session, event_store_dir=tmp_path / "events", scale="tiny", seed=3, now=T0
    )
    session.commit()

    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.sequence)))
    # The wiring of channels and partners goes through the services, so each row it
    # writes is audited; then the logins, then the summary of the bulk rows.
    assert [e.action for e in events[-9:]] == ["create"] * 8 + ["demo.loaded"]
    assert {e.object_type for e in events[-9:-1]} == {"app_user"}
    wired = Counter(e.object_type for e in events[:-9] if e.action == "create")
    assert wired["channel_authorisation"] == summary.channel_authorisations
    assert wired["onboarding_case"] == summary.onboarding_cases
    assert wired["channel_agreement"] == summary.channel_agreements
    assert wired["partner_contact"] == summary.partner_contacts
    assert wired["partner_payout"] == summary.partner_payouts
    assert {e.actor for e in events} == {"cli:operator"}
    loaded = events[-1]
    assert (loaded.actor, loaded.object_type, loaded.object_id) == (
        "cli:operator",
        "demo",
        "tiny:3",
    )
    assert loaded.after is not None
    assert (loaded.after["partners"], loaded.after["events"]) == (summary.partners, summary.events)
    assert verify_chain(session).ok
