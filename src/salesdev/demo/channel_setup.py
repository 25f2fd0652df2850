"""Wire the demo's channels and partners together through the domain services:
channel authorisations, partner on-boarding cases, channel agreements, partner
contacts and payout details.

Everything goes through the services (validated, versioned and audited like any
change), written by the demo channel manager and approved by the demo
administrator, so the two-person rules hold. Times are derived from the event
window and the partner's position, so a seed fixes every value (row ids are drawn
by the services).

Which offerings a channel is authorised to sell follows who buys in that channel
in the event generator (``CHANNEL_MIX`` and ``RETENTION_MIX``): a channel that
serves consumers may sell the consumer range, one that serves businesses the
business range. Every sales event therefore falls in an authorisation in force at
its time.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from salesdev.demo.calendar import Window
from salesdev.demo.catalogue import OFFERINGS, OfferingSpec
from salesdev.demo.compensation import DEALERS_PLAN
from salesdev.demo.geography import FIRST_NAMES, LAST_NAMES
from salesdev.demo.reference import (
    CHANNEL_KINDS,
    FRANCHISE,
    MASTER_AGENT,
    SEGMENTS,
    SUB_DEALER,
    WHOLESALE,
    Reference,
    Row,
)
from salesdev.demo.sales_events import CHANNEL_MIX, RETENTION_MIX
from salesdev.demo.users import DEMO_LOGIN_NAMES
from salesdev.domains.access import Principal, Role
from salesdev.domains.agreements import create_agreement, revise_agreement, transition_agreement
from salesdev.domains.authorisation import authorise_offering
from salesdev.domains.onboarding import (
    DEFAULT_CHECKLIST,
    advance_onboarding,
    approve_onboarding_request,
    check_checklist_item,
    open_onboarding_case,
)
from salesdev.domains.partners import add_partner_contact, set_payout_details

# Who writes (and requests), who approves, who keeps the payout details.
WRITER = Principal(
    kind="user",
    name=DEMO_LOGIN_NAMES[Role.CHANNEL_MANAGER],
    roles=frozenset({Role.CHANNEL_MANAGER}),
)
APPROVER = Principal(kind="user", name=DEMO_LOGIN_NAMES[Role.ADMIN], roles=frozenset({Role.ADMIN}))
PAYOUT_KEEPER = Principal(
    kind="user",
    name=DEMO_LOGIN_NAMES[Role.SALES_OPERATIONS],
    roles=frozenset({Role.SALES_OPERATIONS}),
)

FIBRE_CERTIFICATION = {
    "type": "certification",
    "code": "FIBRE-101",
    "description": "Fibre installation and sales basics",
}
# Partner channels sell fibre only with certified staff.
CERTIFIED_FIBRE_CHANNELS = frozenset({FRANCHISE, MASTER_AGENT, SUB_DEALER})
# Commission payees: the partners that receive payouts.
PAID_PARTNER_TYPES = frozenset({"master_agent", "dealer", "sub_dealer", "franchisee"})
CONTACT_PARTNER_TYPES = frozenset({"master_agent", "dealer"})

DISCOUNTS_BY_TIER = {"gold": Decimal("10"), "silver": Decimal("7.5"), "bronze": Decimal("5")}
DISCOUNT_FAMILIES = ("MOBILE_POSTPAID", "FIBRE", "DSL", "CONVERGENT")
DEVICE_DISCOUNT = Decimal("3")
# Monthly activations committed to (the target is a quarter more).
COMMITMENT_BY_TYPE = {"master_agent": 120, "dealer": 30, "franchisee": 25}
PAYMENT_TERMS_BY_TYPE = {"master_agent": 45, "wholesale_reseller": 60, "marketplace": 60}
# Fictitious Austrian banks: (bank code, BIC).
BANKS = (("12000", "BKAUATWW"), ("20111", "GIBAATWW"), ("32000", "RLNWATWW"), ("14000", "BAWAATWW"))


@dataclass(frozen=True)
class ChannelWiring:
    channel_authorisations: int
    onboarding_cases: int
    active_onboarding_cases: int
    channel_agreements: int
    active_channel_agreements: int
    partner_contacts: int
    partner_payouts: int


def wire_channels(
    session: Session, *, reference: Reference, window: Window, seed: int, now: datetime
) -> ChannelWiring:
    """Authorise, on-board, contract and contact every demo partner; flushes, never commits."""
    offering_ids = reference.offerings.ids
    channel_ids = reference.channels.ids
    authorisations = _authorise(session, window, offering_ids, channel_ids, reference.partners.rows)
    rng = np.random.default_rng([seed, 7])
    start = window.first.start
    counts = {"cases": 0, "active": 0, "agreements": 0, "contacts": 0, "payouts": 0}
    applicants = [row for row in reference.partners.rows if row["status"] != "active"]
    onboarded = [row for row in reference.partners.rows if row["status"] == "active"]
    for index, partner in enumerate(onboarded):
        # Cases opened 150 to 270 days before the window; each takes about seven weeks.
        opened = start - timedelta(days=270 - (index * 7) % 120, hours=-(9 + index % 8))
        _onboard_fully(session, partner, opened=opened, window=window)
        counts["cases"] += 1
        counts["active"] += 1
        counts["agreements"] += 1
        if partner["partner_type"] in CONTACT_PARTNER_TYPES:
            counts["contacts"] += _add_contacts(
                session, partner, rng, at=opened + timedelta(days=1)
            )
        if partner["partner_type"] in PAID_PARTNER_TYPES:
            _set_payout(session, partner, rng, at=opened + timedelta(days=4))
            counts["payouts"] += 1
    for stage, partner in enumerate(applicants):
        counts["agreements"] += _onboard_partly(session, partner, stage=stage, now=now)
        counts["cases"] += 1
        counts["contacts"] += _add_contacts(session, partner, rng, at=now - timedelta(days=40))
    return ChannelWiring(
        channel_authorisations=authorisations,
        onboarding_cases=counts["cases"],
        active_onboarding_cases=counts["active"],
        channel_agreements=counts["agreements"],
        active_channel_agreements=counts["active"],
        partner_contacts=counts["contacts"],
        partner_payouts=counts["payouts"],
    )


# --- authorisations ---------------------------------------------------------------------------


def channel_ranges() -> dict[int, tuple[bool, bool]]:
    """Per channel kind: (sells the consumer range, sells the business range), from who buys there."""
    ranges: dict[int, tuple[bool, bool]] = {}
    for kind in range(len(CHANNEL_KINDS)):
        serves = [
            CHANNEL_MIX[segment][kind] > 0 or RETENTION_MIX[segment][kind] > 0
            for segment in SEGMENTS
        ]
        ranges[kind] = (serves[0], any(serves[1:]))
    return ranges


def ranges_sold() -> dict[bool, frozenset[str]]:
    """Offering codes bought by consumers (False) and by businesses (True).

    Mirrors the generator's choice: the segment's own offerings of a family (and access
    technology, for bundles), else the other segment's, as a small business that takes
    the consumer DSL bundle for want of a business one.
    """
    technologies = ("", "fibre", "dsl", "fwa")
    groups: dict[tuple[str, bool, str], set[str]] = defaultdict(set)
    for spec in OFFERINGS:
        tech = spec.technology if spec.family == "CONVERGENT" else ""
        for business in (False, True):
            if spec.segment == "any" or spec.segment == ("business" if business else "consumer"):
                groups[(spec.family, business, tech)].add(spec.code)
    sold: dict[bool, set[str]] = {False: set(), True: set()}
    for family in {spec.family for spec in OFFERINGS}:
        for business in (False, True):
            for tech in technologies:
                for key in ((family, business, tech), (family, not business, tech),
                            ("MOBILE_POSTPAID", business, "")):  # fmt: skip
                    if key in groups:
                        sold[business] |= groups[key]
                        break
    return {business: frozenset(codes) for business, codes in sold.items()}


def authorised_kinds(spec: OfferingSpec) -> list[int]:
    """The channel kinds authorised channel-wide for an offering."""
    sold = ranges_sold()
    found = []
    for kind, (consumer, business) in channel_ranges().items():
        if (consumer and spec.code in sold[False]) or (business and spec.code in sold[True]):
            found.append(kind)
    return found


def _authorise(
    session: Session,
    window: Window,
    offering_ids: list[uuid.UUID],
    channel_ids: list[uuid.UUID],
    partners: list[Row],
) -> int:
    start = window.first.start
    launch = window.periods[window.launch_index()].start
    written = 0
    for index, spec in enumerate(OFFERINGS):
        valid_from = launch if spec.launch_month else start
        fibre = spec.technology == "fibre"
        for kind in authorised_kinds(spec):
            authorise_offering(
                session,
                principal=WRITER,
                channel_id=channel_ids[kind],
                product_offering_id=offering_ids[index],
                valid_from=valid_from,
                now=start - timedelta(days=14),
                prerequisites=[FIBRE_CERTIFICATION]
                if fibre and kind in CERTIFIED_FIBRE_CHANNELS
                else None,
            )
            written += 1
    # Gold dealers took pre-orders of the new flagships for two weeks before the launch.
    flagships = [i for i, spec in enumerate(OFFERINGS) if spec.launch_month]
    for partner in partners:
        if partner["partner_type"] != "dealer" or partner["tier"] != "gold":
            continue
        for index in flagships:
            authorise_offering(
                session,
                principal=WRITER,
                channel_id=channel_ids[MASTER_AGENT],
                partner_id=partner["id"],
                product_offering_id=offering_ids[index],
                valid_from=launch - timedelta(days=14),
                valid_to=launch,
                now=launch - timedelta(days=21),
            )
            written += 1
    # History: a wholesale trial of IoT SIMs that ran for the window's first six months.
    iot = next(i for i, spec in enumerate(OFFERINGS) if spec.code == "MP-IOT-1")
    authorise_offering(
        session,
        principal=WRITER,
        channel_id=channel_ids[WHOLESALE],
        product_offering_id=offering_ids[iot],
        valid_from=start,
        valid_to=window.periods[6].start,
        now=start - timedelta(days=14),
    )
    return written + 1


# --- on-boarding and agreements ------------------------------------------------------------


def _onboard_fully(session: Session, partner: Row, *, opened: datetime, window: Window) -> None:
    def at(days: float) -> datetime:
        return opened + timedelta(days=days)

    case = open_onboarding_case(
        session,
        principal=WRITER,
        partner_id=partner["id"],
        now=opened,
        comment="Application received",
    )
    _advance(session, case.id, "due_diligence", at(2))
    for n, (code, _, _) in enumerate(DEFAULT_CHECKLIST):
        _check(session, case.id, code, at(5 + n))
    _advance(session, case.id, "agreement_negotiation", at(10), comment="Due diligence complete")
    approve_onboarding_request(session, principal=APPROVER, case_id=case.id, now=at(11))
    agreement = create_agreement(
        session,
        principal=WRITER,
        partner_id=partner["id"],
        terms=_terms(partner, window, valid_from=window.first.start),
        now=at(12),
    )
    for status, who, day in (
        ("in_negotiation", WRITER, 20),
        ("approved", APPROVER, 30),
        ("active", APPROVER, 46),
    ):
        transition_agreement(
            session, principal=who, agreement_id=agreement.id, to_status=status, now=at(day)
        )
    _advance(session, case.id, "training", at(31), comment="Agreement approved")
    _advance(session, case.id, "active", at(45), comment="Sales staff trained")
    approve_onboarding_request(
        session, principal=APPROVER, case_id=case.id, now=at(46), comment="Cleared to sell"
    )


def _onboard_partly(session: Session, partner: Row, *, stage: int, now: datetime) -> int:
    """Applicants, one per stage: awaiting approval to leave due diligence, in due diligence
    with some items checked, negotiating an agreement (two sets of terms). Returns agreements."""
    opened = now - timedelta(days=40 - 6 * stage)
    case = open_onboarding_case(
        session,
        principal=WRITER,
        partner_id=partner["id"],
        now=opened,
        comment="Application received",
    )
    _advance(session, case.id, "due_diligence", opened + timedelta(days=2))
    codes = [code for code, _, _ in DEFAULT_CHECKLIST]
    checked = codes[:2] if stage == 1 else codes
    for n, code in enumerate(checked):
        _check(session, case.id, code, opened + timedelta(days=4 + n))
    if stage == 1:
        return 0
    _advance(session, case.id, "agreement_negotiation", opened + timedelta(days=10),
             comment="Due diligence complete")  # fmt: skip
    if stage == 0:
        return 0
    approve_onboarding_request(
        session, principal=APPROVER, case_id=case.id, now=opened + timedelta(days=11)
    )
    start = (now + timedelta(days=45)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    agreement = create_agreement(
        session,
        principal=WRITER,
        partner_id=partner["id"],
        terms={
            "name": f"{partner['name']} wholesale agreement",
            "validFor": {"startDateTime": start.isoformat(), "endDateTime": None},
            "commissionScheduleRef": DEALERS_PLAN,
            "discountAllowances": {"MOBILE_PREPAID": "12"},
            "paymentTermsDays": 30,
            "clauses": {"brand": "The reseller sells under its own brand."},
        },
        now=opened + timedelta(days=12),
        comment="First offer",
    )
    transition_agreement(session, principal=WRITER, agreement_id=agreement.id,
                         to_status="in_negotiation", now=opened + timedelta(days=13))  # fmt: skip
    revise_agreement(
        session,
        principal=WRITER,
        agreement_id=agreement.id,
        changes={"discountAllowances": {"MOBILE_PREPAID": "15"}, "paymentTermsDays": 45},
        now=opened + timedelta(days=20),
        comment="Counter-offer: a larger discount against longer payment terms",
    )
    return 1


def _advance(session: Session, case_id: uuid.UUID, state: str, now: datetime, *,
             comment: str = "") -> None:  # fmt: skip
    advance_onboarding(
        session, principal=WRITER, case_id=case_id, to_state=state, now=now, comment=comment
    )


def _check(session: Session, case_id: uuid.UUID, code: str, now: datetime) -> None:
    check_checklist_item(
        session,
        principal=WRITER,
        case_id=case_id,
        code=code,
        evidence=f"demo-evidence/{code}.pdf",
        now=now,
    )


def _terms(partner: Row, window: Window, *, valid_from: datetime) -> dict[str, Any]:
    kind = partner["partner_type"]
    discount = DISCOUNTS_BY_TIER[partner["tier"]]
    allowances = {family: str(discount) for family in DISCOUNT_FAMILIES}
    allowances["DEVICE"] = str(DEVICE_DISCOUNT)
    commitment = COMMITMENT_BY_TYPE.get(kind)
    commitments = (
        {
            str(period): {"commitment": commitment, "target": commitment + commitment // 4}
            for period in window.periods[:12]
        }
        if commitment is not None
        else {}
    )
    clauses = {"exclusivity": "The partner sells no other operator's postpaid mobile."}
    if kind == "master_agent":
        clauses["sub-dealers"] = "The master agent recruits and supervises its dealers."
    return {
        "name": f"{partner['name']} {kind.replace('_', ' ')} agreement",
        "validFor": {"startDateTime": valid_from.isoformat(), "endDateTime": None},
        # The schedule is the plan that pays the partner (its channel's assignment).
        "commissionScheduleRef": DEALERS_PLAN,
        "discountAllowances": allowances,
        "volumeCommitments": commitments,
        "paymentTermsDays": PAYMENT_TERMS_BY_TYPE.get(kind, 30),
        "clauses": clauses,
    }


# --- contacts and payout details -----------------------------------------------------------


def _add_contacts(session: Session, partner: Row, rng: np.random.Generator, *, at: datetime) -> int:
    domain = f"{partner['code'].lower()}.partners.example"
    for n, role in enumerate(("sales", "finance")):
        first = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
        last = LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]
        add_partner_contact(
            session,
            principal=WRITER,
            partner_id=partner["id"],
            name=f"{first} {last}",
            role=role,
            email=f"{_ascii(first)}.{_ascii(last)}@{domain}",
            phone=f"+43 1 {int(rng.integers(200, 999))} {int(rng.integers(1000, 9999))}",
            is_primary=n == 0,
            now=at,
        )
    return 2


def _set_payout(session: Session, partner: Row, rng: np.random.Generator, *, at: datetime) -> None:
    bank_code, bic = BANKS[int(rng.integers(len(BANKS)))]
    account = f"{int(rng.integers(10**10, 10**11)):011d}"
    set_payout_details(
        session,
        principal=PAYOUT_KEEPER,
        partner_id=partner["id"],
        payee_name=partner["name"],
        iban=austrian_iban(bank_code, account),
        bic=bic,
        tax_id=f"ATU{int(rng.integers(10**7, 10**8)):08d}",
        currency="EUR",
        payment_terms_days=PAYMENT_TERMS_BY_TYPE.get(partner["partner_type"], 30),
        now=at,
    )


def austrian_iban(bank_code: str, account: str) -> str:
    """An Austrian IBAN (AT, check digits, 5-digit bank code, 11-digit account) with valid
    ISO 13616 check digits: 98 minus the mod-97 remainder of the BBAN followed by AT00."""
    bban = f"{bank_code}{account}"
    digits = "".join(str(int(char, 36)) for char in f"{bban}AT00")
    return f"AT{98 - int(digits) % 97:02d}{bban}"


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())
