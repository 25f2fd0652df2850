"""Load the demo operator: reference data into the relational store, 24 months of
sales events into the Parquet event store, and one demo login per role.

The session is flushed, never committed: the caller owns the transaction. Events
are written to a staging directory next to the store and moved into it only once
complete (and only once the demo logins exist), so a failure leaves no partial
event store behind.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from salesdev.analytics.events import EventStoreWriter, has_events
from salesdev.core.errors import Conflict, ErrorDetail
from salesdev.core.periods import require_aware
from salesdev.db.models import (
    Catalog,
    Category,
    Customer,
    Outlet,
    Partner,
    Premise,
    ProductFamily,
    ProductOffering,
    ProductOfferingBundleItem,
    ProductOfferingPrice,
    ProductOfferingTerm,
    ProductSpecification,
    Region,
    SalesChannel,
    SalesPerson,
    category_offering,
    product_offering_channel,
    product_offering_market_segment,
)
from salesdev.demo.calendar import MONTHS, Window
from salesdev.demo.channel_setup import wire_channels
from salesdev.demo.compensation import setup_demo_compensation, setup_demo_splits
from salesdev.demo.customer_partners import assign_customer_partners
from salesdev.demo.eligibility import load_eligibility_rules
from salesdev.demo.guidance import load_recommendation_rules
from salesdev.demo.installed_base import load_installed_base
from salesdev.demo.pricing import load_demo_pricing
from salesdev.demo.reference import Reference, build_reference, customer_rows, premise_rows
from salesdev.demo.sales_events import EventGenerator, customer_since, plan_lines
from salesdev.demo.scales import get_scale
from salesdev.demo.settlement import setup_demo_settlement
from salesdev.demo.users import DemoLogin, create_demo_users, require_demo_logins_free
from salesdev.domains.audit import record_event
from salesdev.domains.catalog import ensure_market_segments

Progress = Callable[[int, int, str], None]

REFERENCE_MODELS: tuple[type[Any], ...] = (
    Region,
    ProductFamily,
    ProductOffering,
    SalesChannel,
    Partner,
    Outlet,
    SalesPerson,
    Customer,
    Premise,
)
INSERT_BATCH = 5_000
# Progress steps before the first batch of events (benchmarks time the events from there).
REFERENCE_STEPS = 5


@dataclass(frozen=True)
class DemoSummary:
    scale: str
    seed: int
    regions: int
    product_families: int
    product_offerings: int
    bundle_items: int
    sales_channels: int
    partners: int
    outlets: int
    sales_people: int
    customers: int
    prospects: int
    premises: int
    lines: int
    events: int
    months: int
    first_month: str
    last_month: str
    events_by_type: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    catalogs: int = 0
    categories: int = 0
    product_specifications: int = 0
    product_offering_prices: int = 0
    channel_authorisations: int = 0
    onboarding_cases: int = 0
    active_onboarding_cases: int = 0
    channel_agreements: int = 0
    active_channel_agreements: int = 0
    partner_contacts: int = 0
    partner_payouts: int = 0


def is_demo_loaded(session: Session) -> bool:
    """True when any reference data (demo or not) is already in the store.

    Users alone do not count: an administrator created before the demo is loaded
    does not make the store a demo (though a clash with a demo login is refused).
    """
    return any(session.scalar(select(model.id).limit(1)) is not None for model in REFERENCE_MODELS)


def load_demo(
    *,
    session: Session,
    event_store_dir: Path,
    scale: str,
    seed: int,
    now: datetime,
    progress: Progress | None = None,
) -> DemoSummary:
    params = get_scale(scale)
    require_aware(now, location="now")
    if is_demo_loaded(session):
        raise Conflict(
            "Reference data already exists",
            [ErrorDetail("database", "the demo loads into an empty store only")],
        )
    if has_events(event_store_dir):
        raise Conflict(
            "The event store already has events",
            [ErrorDetail("event_store_dir", f"{event_store_dir} is not empty")],
        )
    require_demo_logins_free(session)
    report = progress or _ignore
    window = Window.ending_before(now)
    reference = build_reference(scale=params, seed=seed, now=now, window=window)
    lines = plan_lines(scale=params, seed=seed, window=window, reference=reference)
    reference.parties.customer_since = customer_since(
        seed=seed, window=window, reference=reference, lines=lines
    )
    generator = EventGenerator(
        scale=params, seed=seed, window=window, reference=reference, lines=lines
    )
    reference_steps = REFERENCE_STEPS
    total = reference_steps + generator.chunks + 2

    _insert_reference(
        session, reference, now=now, report=lambda done, message: report(done, total, message)
    )
    # The plans first: the channel agreements name one as their commission schedule.
    setup_demo_compensation(session, now=now, first_period=window.first, last_period=window.last)
    wiring = wire_channels(session, reference=reference, window=window, seed=seed, now=now)
    load_installed_base(session, reference=reference, seed=seed, now=now)
    load_recommendation_rules(session, valid_from=window.first.start, now=now)
    load_eligibility_rules(session, valid_from=window.first.start, now=now)
    load_demo_pricing(session, valid_from=window.first.start, now=now)
    report(reference_steps, total, "Authorisations, on-boarding, agreements and contacts")

    events_by_type: Counter[str] = Counter()
    staging = event_store_dir.parent / f".{event_store_dir.name}.demo-staging"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with EventStoreWriter(staging) as writer:
            for chunk, table in enumerate(generator.batches(), start=1):
                writer.write(table)
                types, counts = np.unique(table.column("event_type").to_numpy(zero_copy_only=False),
                                          return_counts=True)  # fmt: skip
                events_by_type.update({str(t): int(c) for t, c in zip(types, counts, strict=True)})
                report(
                    reference_steps + chunk,
                    total,
                    f"Sales events: {chunk} of {generator.chunks} batches",
                )
        # A few split orders of the last month, so its run credits them.
        setup_demo_splits(session, event_store_dir=staging, period=window.last, now=now)
        # The last complete month calculated, with an adjustment and a dispute to settle.
        setup_demo_settlement(
            session,
            event_store_dir=staging,
            data_dir=event_store_dir.parent,
            period=window.last,
            now=now,
        )
        # A partner user's customers: those its partner won (docs/security.md).
        assign_customer_partners(session, event_store_dir=staging)
        # The personas are bound to who sold most, so the logins come after the events.
        logins = create_demo_users(session, now=now, event_store_dir=staging)
        report(total - 1, total, "Demo logins")
        _publish(staging, event_store_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report(total, total, "Demo loaded")

    parties = reference.parties
    prospects = int(parties.is_prospect.sum())
    summary = DemoSummary(
        scale=params.name,
        seed=seed,
        regions=len(reference.regions),
        product_families=len(reference.families),
        product_offerings=len(reference.offerings),
        bundle_items=len(reference.bundle_items),
        sales_channels=len(reference.channels),
        partners=len(reference.partners),
        outlets=len(reference.outlets),
        sales_people=len(reference.people),
        customers=parties.customers - prospects,
        prospects=prospects,
        premises=parties.premises,
        lines=len(lines),
        events=sum(events_by_type.values()),
        months=MONTHS,
        first_month=str(window.first),
        last_month=str(window.last),
        events_by_type=dict(sorted(events_by_type.items())),
        logins=logins,
        catalogs=len(reference.catalogue.catalogs),
        categories=len(reference.catalogue.categories),
        product_specifications=len(reference.catalogue.specifications),
        product_offering_prices=len(reference.catalogue.prices),
        **asdict(wiring),
    )
    # The reference rows go in through bulk INSERTs, which bypass the per-row audit hook:
    # one summary event records what the load wrote.
    record_event(
        session,
        action="demo.loaded",
        object_type="demo",
        object_id=f"{params.name}:{seed}",
        after={k: v for k, v in asdict(summary).items() if k not in ("logins", "events_by_type")},
    )
    return summary


def _ignore(done: int, total: int, message: str) -> None:
    return None


def _insert_reference(
    session: Session, reference: Reference, *, now: datetime, report: Callable[[int, str], None]
) -> None:
    # Parents before children: regions, catalogue, channels, partners (genealogy in
    # row order), outlets, people (managers first), then customers and premises.
    session.execute(insert(Region), reference.regions.rows)
    report(1, "Regions and sales organisation")
    session.execute(insert(ProductFamily), reference.families.rows)
    catalogue = reference.catalogue
    ensure_market_segments(session, now=now)
    session.execute(insert(ProductSpecification), catalogue.specifications)
    session.execute(insert(ProductOffering), reference.offerings.rows)
    session.execute(insert(ProductOfferingBundleItem), reference.bundle_items.rows)
    session.execute(insert(SalesChannel), reference.channels.rows)
    session.execute(insert(Catalog), catalogue.catalogs)
    session.execute(insert(Category), catalogue.categories)
    session.execute(insert(category_offering), catalogue.category_offerings)
    session.execute(insert(product_offering_channel), catalogue.offering_channels)
    session.execute(insert(product_offering_market_segment), catalogue.offering_segments)
    session.execute(insert(ProductOfferingTerm), catalogue.terms)
    session.execute(insert(ProductOfferingPrice), catalogue.prices)
    session.execute(insert(Partner), reference.partners.rows)
    session.execute(insert(Outlet), reference.outlets.rows)
    session.execute(insert(SalesPerson), reference.people.rows)
    report(2, "Catalogue, channels, partners, outlets and sales people")
    for rows in customer_rows(reference, now=now, batch_size=INSERT_BATCH):
        session.execute(insert(Customer), rows)
    report(3, "Customers and prospects")
    for rows in premise_rows(reference, now=now, batch_size=INSERT_BATCH):
        session.execute(insert(Premise), rows)
    session.flush()
    report(4, "Premises")


def _publish(staging: Path, event_store_dir: Path) -> None:
    event_store_dir.mkdir(parents=True, exist_ok=True)
    for partition in sorted(staging.iterdir()):
        target = event_store_dir / partition.name
        target.mkdir(exist_ok=True)
        for file in sorted(partition.iterdir()):
            os.replace(file, target / file.name)
