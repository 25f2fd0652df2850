"""Loading the demo operator into the relational store and the event store."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.analytics.events import event_files, event_files_glob
from salesdev.core.errors import Conflict, InvalidInput
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
    User,
)
from salesdev.demo import DemoSummary, is_demo_loaded, load_demo
from salesdev.domains.catalog import ListPrices, list_prices
from salesdev.runtime import Runtime
from tests.conftest import T0, DemoLoader

MODELS: tuple[type[Any], ...] = (
    Region, ProductFamily, ProductOffering, ProductOfferingBundleItem, SalesChannel, Partner, Outlet,
    SalesPerson, Customer, Premise,
)  # fmt: skip


def _counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in MODELS
    }


# The catalogue is part of what the seed fixes, down to the ids of prices and terms.
CATALOGUE_MODELS: tuple[type[Any], ...] = (
    Catalog, Category, ProductSpecification, ProductOfferingPrice, ProductOfferingTerm,
)  # fmt: skip


def _dump(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    dump = {}
    for model in MODELS + CATALOGUE_MODELS:
        columns = list(model.__table__.columns)
        dump[model.__tablename__] = sorted(
            tuple(row) for row in session.execute(select(*columns)).all()
        )
    # User ids are drawn by the identity service and password hashes are salted:
    # everything else about the demo logins is fixed by the seed.
    columns = [c for c in User.__table__.columns if c.name not in ("id", "password_hash")]
    dump["app_user"] = sorted(tuple(row) for row in session.execute(select(*columns)).all())
    return dump


def _digests(directory: Path) -> dict[str, str]:
    return {
        p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in event_files(directory)
    }


def _load(
    session: Session, directory: Path, *, scale: str = "tiny", seed: int = 3, now: datetime = T0
) -> DemoSummary:
    return load_demo(session=session, event_store_dir=directory, scale=scale, seed=seed, now=now)


@pytest.mark.slow
def test_the_small_demo_loads_reference_rows_and_24_months_of_events(
    session: Session, tmp_path: Path
) -> None:
    calls: list[tuple[int, int, str]] = []
    summary = load_demo(
        session=session, event_store_dir=tmp_path / "events", scale="small", seed=1, now=T0,
        progress=lambda done, total, message: calls.append((done, total, message)),
    )  # fmt: skip
    session.commit()

    counts = _counts(session)
    assert counts == {
        "region": summary.regions,
        "product_family": summary.product_families,
        "product_offering": summary.product_offerings,
        "product_offering_bundle_item": summary.bundle_items,
        "sales_channel": summary.sales_channels,
        "partner": summary.partners,
        "outlet": summary.outlets,
        "sales_person": summary.sales_people,
        "customer": summary.customers + summary.prospects,
        "premise": summary.premises,
    }
    assert (summary.customers + summary.prospects, summary.months) == (3_000, 24)
    assert (summary.first_month, summary.last_month) == ("2024-10", "2026-09")  # T0 is 2026-10-15
    assert 50_000 <= summary.events <= 150_000
    assert summary.events == sum(summary.events_by_type.values())
    assert [p.parent.name for p in event_files(tmp_path / "events")] == [
        f"month={year}-{month:02d}" for year, month in [(2024, m) for m in (10, 11, 12)]
        + [(2025, m) for m in range(1, 13)] + [(2026, m) for m in range(1, 10)]
    ]  # fmt: skip
    assert is_demo_loaded(session)
    # Progress only moves forward and ends complete.
    assert [done for done, _, _ in calls] == sorted(done for done, _, _ in calls)
    assert calls[-1][0] == calls[-1][1]

    # Every id an event carries exists in the relational store, and the rows agree.
    connection = duckdb.connect()
    events = connection.sql(
        "SELECT * FROM read_parquet($files, hive_partitioning = true)",
        params={"files": event_files_glob(tmp_path / "events")},
    ).to_arrow_table()
    assert events.num_rows == summary.events

    def ids(model: type[Any]) -> set[str]:
        return {str(i) for i in session.scalars(select(model.id))}

    def used(column: str) -> set[str]:
        return {v for v in events.column(column).unique().to_pylist() if v is not None}

    assert used("customer_id") <= ids(Customer)
    assert used("premise_id") <= ids(Premise)
    assert used("product_offering_id") <= ids(ProductOffering)
    assert used("channel_id") <= ids(SalesChannel)
    assert used("outlet_id") <= ids(Outlet)
    assert used("partner_id") <= ids(Partner)
    assert used("sales_person_id") <= ids(SalesPerson)
    assert used("region_code") <= set(session.scalars(select(Region.code)))
    families = dict(
        session.execute(select(ProductOffering.id, ProductFamily.code).join(ProductFamily)).all()
    )
    outlets = {str(o.id): o for o in session.scalars(select(Outlet))}
    partners = {str(p.id): p for p in session.scalars(select(Partner))}
    people = {str(p.id): p for p in session.scalars(select(SalesPerson))}
    customers = {str(c.id): c for c in session.scalars(select(Customer))}
    combinations = connection.execute(
        """SELECT DISTINCT channel_id, outlet_id, partner_id, sales_person_id, customer_id, product_offering_id,
                  product_family_code FROM events"""
    ).fetchall()
    for channel, outlet, partner, person, customer, offering, family in combinations:
        assert families[uuid.UUID(offering)] == family
        assert customers[customer].kind == "customer"
        if outlet is not None:
            assert str(outlets[outlet].channel_id) == channel
            assert (
                str(outlets[outlet].partner_id) if outlets[outlet].partner_id else None
            ) == partner
        if partner is not None:
            assert str(partners[partner].channel_id) == channel
        if person is not None:
            assert str(people[person].channel_id) == channel
            assert (
                str(people[person].partner_id) if people[person].partner_id else None
            ) == partner
    # Premises on events belong to the customer of the event.
    premises = {str(p.id): str(p.customer_id) for p in session.scalars(select(Premise))}
    pairs = connection.execute(
        "SELECT DISTINCT premise_id, customer_id FROM events WHERE premise_id IS NOT NULL"
    )
    assert all(premises[premise] == customer for premise, customer in pairs.fetchall())


@pytest.mark.slow
def test_the_same_seed_gives_identical_rows_and_identical_parquet_bytes(
    session: Session, tmp_path: Path
) -> None:
    _load(session, tmp_path / "a")
    first = _dump(session)
    session.rollback()
    _load(session, tmp_path / "b")
    second = _dump(session)
    session.rollback()
    _load(session, tmp_path / "c", seed=4)
    other = _dump(session)

    assert first == second
    assert len(first["app_user"]) == 8
    assert first["app_user"] != other["app_user"]  # bound to other people and partners
    first_columns = [c.name for c in Customer.__table__.columns]
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    customer_ids = {row[first_columns.index("id")] for row in first["customer"]}
    assert customer_ids.isdisjoint(row[first_columns.index("id")] for row in other["customer"])
    assert _digests(tmp_path / "a").values() != _digests(tmp_path / "c").values()


def test_every_demo_offering_has_a_list_price_in_force_from_its_start(
    runtime: Runtime, load_demo_copy: DemoLoader, session: Session
) -> None:
    load_demo_copy(runtime, "tiny", 3)
    offerings = list(session.scalars(select(ProductOffering)))

    unpriced = [
        offering.code
        for offering in offerings
        if list_prices(session, offering_ids=[offering.id], at=offering.valid_from)[offering.id]
        == ListPrices(None, None)
    ]

    assert offerings and unpriced == []
    # Prices are in the offering's own currency, and a zero price is never stored.
    for price in session.scalars(select(ProductOfferingPrice)):
        assert price.amount is not None and price.amount > 0
    currencies = dict(session.execute(select(ProductOffering.id, ProductOffering.currency)).all())
    assert all(
        price.currency == currencies[price.product_offering_id]
        for price in session.scalars(select(ProductOfferingPrice))
    )


def test_a_second_load_is_refused_and_changes_nothing(
    runtime: Runtime, load_demo_copy: DemoLoader, session: Session, tmp_path: Path
) -> None:
    load_demo_copy(runtime, "tiny", 3)
    events = runtime.settings.event_store_dir
    before, files = _counts(session), _digests(events)

    with pytest.raises(Conflict) as error:
        _load(session, tmp_path / "elsewhere")
    assert error.value.details[0].location == "database"
    session.rollback()
    assert _counts(session) == before
    assert _digests(events) == files
    assert not (tmp_path / "elsewhere").exists()


def test_an_event_store_that_already_has_events_is_refused_before_anything_is_written(
    session: Session, tmp_path: Path
) -> None:
    _load(session, tmp_path / "events")
    session.rollback()  # the database is empty again, the event store is not
    files = _digests(tmp_path / "events")

    with pytest.raises(Conflict) as error:
        _load(session, tmp_path / "events", seed=9)
    assert error.value.details[0].location == "event_store_dir"
    assert set(_counts(session).values()) == {0}
    assert _digests(tmp_path / "events") == files


@pytest.mark.parametrize(
    ("kwargs", "location"),
    [({"scale": "galactic"}, "scale"), ({"now": T0.replace(tzinfo=None)}, "now")],
)
def test_invalid_arguments_are_refused_and_nothing_is_written(
    session: Session, tmp_path: Path, kwargs: dict[str, Any], location: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        _load(session, tmp_path / "events", **kwargs)
    assert error.value.details[0].location == location
    assert set(_counts(session).values()) == {0}
    assert not (tmp_path / "events").exists()
