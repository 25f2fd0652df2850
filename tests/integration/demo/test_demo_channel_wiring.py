"""The demo wires channels, partners, authorisations, on-boarding and agreements together."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.analytics.events import event_files_glob
from salesdev.db.models import (
    ChannelAgreement,
    ChannelAgreementVersion,
    ChannelAuthorisation,
    OnboardingCase,
    OnboardingChecklistItem,
    OnboardingHistoryEntry,
    Partner,
    PartnerContact,
    PartnerPayout,
    ProductOffering,
    SalesChannel,
)
from salesdev.db.models.compensation import CompensationPlan
from salesdev.demo import DemoSummary, load_demo
from salesdev.demo.calendar import Window
from salesdev.domains.partners import parse_iban
from salesdev.runtime import Runtime
from tests.conftest import T0, DemoLoader


@pytest.fixture
def loaded(
    runtime: Runtime, load_demo_copy: DemoLoader, session: Session
) -> tuple[Session, DemoSummary, Path]:
    """The tiny demo (seed 3), loaded once per test process and copied for each test."""
    summary = load_demo_copy(runtime, "tiny", 3)
    return session, summary, runtime.settings.event_store_dir


def _count(session: Session, model: Any, *conditions: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def test_every_sales_event_is_for_an_offering_its_channel_is_authorised_to_sell_at_that_time(
    loaded: tuple[Session, DemoSummary, Path],
) -> None:
    session, summary, events = loaded
    periods: dict[tuple[str, str], list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for row in session.scalars(
        select(ChannelAuthorisation).where(
            ChannelAuthorisation.status == "active", ChannelAuthorisation.partner_id.is_(None)
        )
    ):
        periods[(str(row.channel_id), str(row.product_offering_id))].append(
            (_utc(row.valid_from), _utc(row.valid_to) if row.valid_to else None)
        )
    rows = (
        duckdb.connect()
        .execute(
            """SELECT channel_id, product_offering_id, event_time, count(*)
               FROM read_parquet($files, hive_partitioning = true)
               GROUP BY ALL""",
            {"files": event_files_glob(events)},
        )
        .fetchall()
    )
    checked: Counter[str] = Counter()
    unauthorised: Counter[str] = Counter()
    for channel, offering, at, count in rows:
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
        checked[channel] += count
        if not any(
            start <= at and (end is None or at < end) for start, end in periods[(channel, offering)]
        ):
            unauthorised[channel] += count

    assert sum(checked.values()) == summary.events
    assert len(checked) == 9  # every channel sold something
    assert unauthorised == Counter()


def test_the_channel_ranges_follow_the_channel_types(
    loaded: tuple[Session, DemoSummary, Path],
) -> None:
    session, _, _ = loaded
    codes = dict(session.execute(select(SalesChannel.id, SalesChannel.code)).all())
    offerings = dict(session.execute(select(ProductOffering.id, ProductOffering.code)).all())
    channel_wide: dict[str, set[str]] = defaultdict(set)
    for row in session.scalars(
        select(ChannelAuthorisation).where(ChannelAuthorisation.partner_id.is_(None))
    ):
        if row.valid_to is None:
            channel_wide[codes[row.channel_id]].add(offerings[row.product_offering_id])

    assert "MP-B-FLEET" in channel_wide["B2B_FIELD"]
    assert "FB-300" not in channel_wide["B2B_FIELD"]  # B2B field sales sells no consumer range
    assert "MP-B-FLEET" not in channel_wide["WHOLESALE"]  # resellers serve consumers only
    assert "PP-START-5" in channel_wide["WHOLESALE"]
    assert {"FB-300", "MP-M-30", "DV-NOVA16"} <= channel_wide["RETAIL"]
    fibre = session.scalar(
        select(ChannelAuthorisation)
        .join(SalesChannel, SalesChannel.id == ChannelAuthorisation.channel_id)
        .join(ProductOffering, ProductOffering.id == ChannelAuthorisation.product_offering_id)
        .where(SalesChannel.code == "FRANCHISE", ProductOffering.code == "FB-300")
    )
    assert fibre is not None
    assert [p["code"] for p in fibre.prerequisites] == ["FIBRE-101"]
    window = Window.ending_before(T0)
    assert _utc(fibre.valid_from) == window.first.start
    # History: one channel-wide authorisation ended, and the gold dealers' pre-orders.
    ended = session.scalars(
        select(ChannelAuthorisation).where(ChannelAuthorisation.valid_to.is_not(None))
    ).all()
    assert any(row.partner_id is None for row in ended)
    assert all(_utc(row.valid_to) <= T0 for row in ended if row.valid_to is not None)


def test_every_selling_partner_went_through_on_boarding_before_the_event_window(
    loaded: tuple[Session, DemoSummary, Path],
) -> None:
    session, summary, _ = loaded
    window_start = Window.ending_before(T0).first.start
    partners = session.scalars(select(Partner)).all()
    cases = {case.partner_id: case for case in session.scalars(select(OnboardingCase))}
    assert set(cases) == {p.id for p in partners}
    assert summary.onboarding_cases == len(partners) == summary.partners
    active = [p for p in partners if cases[p.id].state == "active"]
    assert summary.active_onboarding_cases == len(active) == len(partners) - 3
    assert all(p.status == "active" for p in active)
    for partner in active:
        history = session.scalars(
            select(OnboardingHistoryEntry)
            .where(OnboardingHistoryEntry.case_id == cases[partner.id].id)
            .order_by(OnboardingHistoryEntry.sequence)
        ).all()
        assert [(h.event, h.to_state) for h in history] == [
            ("opened", "application"),
            ("transitioned", "due_diligence"),
            ("requested", "agreement_negotiation"),
            ("approved", "agreement_negotiation"),
            ("transitioned", "training"),
            ("requested", "active"),
            ("approved", "active"),
        ]
        times = [_utc(h.occurred_at) for h in history]
        assert times == sorted(times) and times[-1] < window_start
        assert {h.actor for h in history if h.event == "approved"} == {"user:admin"}
        assert {h.requested_by for h in history if h.event == "approved"} == {"user:channels"}


def test_three_applicants_are_in_progress_and_not_yet_allowed_to_sell(
    loaded: tuple[Session, DemoSummary, Path],
) -> None:
    session, _, _ = loaded
    rows = session.execute(
        select(Partner.partner_type, Partner.status, OnboardingCase)
        .join(OnboardingCase, OnboardingCase.partner_id == Partner.id)
        .where(OnboardingCase.state != "active")
        .order_by(Partner.code)
    ).all()
    assert [(kind, status, case.state, case.requested_state) for kind, status, case in rows] == [
        ("dealer", "onboarding", "due_diligence", "agreement_negotiation"),
        ("franchisee", "onboarding", "due_diligence", None),
        ("wholesale_reseller", "onboarding", "agreement_negotiation", None),
    ]
    franchisee_case = rows[1][2]
    checked = session.scalars(
        select(OnboardingChecklistItem.code)
        .where(
            OnboardingChecklistItem.case_id == franchisee_case.id,
            OnboardingChecklistItem.checked_by.is_not(None),
        )
        .order_by(OnboardingChecklistItem.position)
    ).all()
    assert checked == ["company_registration", "credit_check"]


def test_agreements_are_active_for_on_boarded_partners_and_one_is_in_negotiation(
    loaded: tuple[Session, DemoSummary, Path],
) -> None:
    session, summary, _ = loaded
    statuses = Counter(session.scalars(select(ChannelAgreement.status)))
    assert statuses == {
        "active": summary.active_onboarding_cases,
        "in_negotiation": 1,
    }
    assert summary.channel_agreements == summary.active_channel_agreements + 1
    master = session.scalar(
        select(ChannelAgreement)
        .join(Partner, Partner.id == ChannelAgreement.partner_id)
        .where(Partner.partner_type == "master_agent")
        .order_by(Partner.code)
    )
    assert master is not None
    # The schedule resolves to the demo plan that pays the partners of its channel.
    assert master.commission_schedule_ref == "DEALER-STD"
    assert {a.commission_schedule_ref for a in session.scalars(select(ChannelAgreement))} == {
        "DEALER-STD"
    }
    payee_type = select(CompensationPlan.payee_type).where(CompensationPlan.code == "DEALER-STD")
    assert session.scalar(payee_type) == "partner"
    versions = session.scalars(
        select(ChannelAgreementVersion)
        .where(ChannelAgreementVersion.agreement_id == master.id)
        .order_by(ChannelAgreementVersion.number)
    ).all()
    assert [(v.status, v.author) for v in versions] == [
        ("draft", "user:channels"),
        ("in_negotiation", "user:channels"),
        ("approved", "user:admin"),
        ("active", "user:admin"),
    ]
    terms = versions[-1].snapshot
    assert terms["discountAllowances"] == {
        "CONVERGENT": "10", "DEVICE": "3", "DSL": "10", "FIBRE": "10", "MOBILE_POSTPAID": "10",
    }  # fmt: skip
    assert len(terms["volumeCommitments"]) == 12
    assert terms["volumeCommitments"]["2024-10"] == {"commitment": 120, "target": 150}

    negotiating = session.scalar(
        select(ChannelAgreement).where(ChannelAgreement.status == "in_negotiation")
    )
    assert negotiating is not None
    snapshots = session.scalars(
        select(ChannelAgreementVersion.snapshot)
        .where(ChannelAgreementVersion.agreement_id == negotiating.id)
        .order_by(ChannelAgreementVersion.number)
    ).all()
    assert [s["discountAllowances"] for s in snapshots] == [
        {"MOBILE_PREPAID": "12"},
        {"MOBILE_PREPAID": "12"},
        {"MOBILE_PREPAID": "15"},
    ]


def test_master_agents_and_dealers_have_contacts_and_payees_have_valid_ibans(
    loaded: tuple[Session, DemoSummary, Path],
) -> None:
    session, summary, _ = loaded
    contacts = session.execute(
        select(Partner.partner_type, PartnerContact.role, PartnerContact.is_primary).join(
            PartnerContact, PartnerContact.partner_id == Partner.id
        )
    ).all()
    assert len(contacts) == summary.partner_contacts
    kinds = Counter(kind for kind, _, _ in contacts)
    masters = _count(session, Partner, Partner.partner_type == "master_agent")
    dealers = _count(session, Partner, Partner.partner_type == "dealer")
    # Two each (sales, primary; finance), applicants included.
    assert kinds == {"master_agent": 2 * masters, "dealer": 2 * dealers, "franchisee": 2,
                     "wholesale_reseller": 2}  # fmt: skip
    assert Counter((role, primary) for _, role, primary in contacts) == {
        ("sales", True): len(contacts) // 2,
        ("finance", False): len(contacts) // 2,
    }
    payouts = session.scalars(select(PartnerPayout)).all()
    assert len(payouts) == summary.partner_payouts
    payees = _count(
        session,
        Partner,
        Partner.partner_type.in_(("master_agent", "dealer", "sub_dealer", "franchisee")),
        Partner.status == "active",
    )
    assert len(payouts) == payees
    assert all(parse_iban(p.iban) == p.iban and p.iban.startswith("AT") for p in payouts)
    assert len({p.iban for p in payouts}) == len(payouts)


@pytest.mark.slow
def test_the_same_seed_wires_the_same_terms(session: Session, tmp_path: Path) -> None:
    def wired() -> list[tuple[object, ...]]:
        load_demo(session=session, event_store_dir=tmp_path / uuid.uuid4().hex, scale="tiny",
                  seed=3, now=T0)  # fmt: skip
        rows = [
            (p.code, a.status, a.commission_schedule_ref, a.valid_from, a.terms_author)
            for p, a in session.execute(
                select(Partner, ChannelAgreement).join(
                    ChannelAgreement, ChannelAgreement.partner_id == Partner.id
                )
            ).all()
        ] + [
            (p.code, c.name, c.email)
            for p, c in session.execute(
                select(Partner, PartnerContact).join(
                    PartnerContact, PartnerContact.partner_id == Partner.id
                )
            ).all()
        ]
        session.rollback()
        return sorted(rows, key=repr)

    assert wired() == wired()


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
