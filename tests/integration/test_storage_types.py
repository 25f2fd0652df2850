"""Exact money and aware timestamps survive a round trip through the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.db.migrate import pending_model_changes
from salesdev.db.models import ProductFamily, ProductOffering, ProductOfferingPrice
from tests.conftest import Database

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _family(session: Session) -> ProductFamily:
    family = ProductFamily(
        code="MOB", name="Mobile", line_of_business="mobile", created_at=T0, updated_at=T0
    )
    session.add(family)
    session.flush()
    return family


def _offering(family: ProductFamily, code: str) -> ProductOffering:
    return ProductOffering(
        code=code,
        name=code,
        family_id=family.id,
        currency="EUR",
        valid_from=T0,
        created_at=T0,
        updated_at=T0,
    )


def _one_time_price(session: Session, family: ProductFamily, code: str, amount: str) -> None:
    offering = _offering(family, code)
    session.add(offering)
    session.flush()
    session.add(
        ProductOfferingPrice(
            product_offering_id=offering.id,
            name=f"{code} one-time charge",
            price_type="oneTime",
            amount=Decimal(amount),
            currency="EUR",
            valid_from=T0,
            created_at=T0,
            updated_at=T0,
        )
    )


def test_amounts_are_exact_in_storage_and_in_sql_sums(session: Session) -> None:
    # given three prices whose float sum is not 0.3
    family = _family(session)
    for code, amount in [("A", "0.1"), ("B", "0.1"), ("C", "0.1")]:
        _one_time_price(session, family, code, amount)
    session.commit()
    # when summed by the database
    total = session.scalar(select(func.sum(ProductOfferingPrice.amount)))
    # then the sum is exact
    assert total == Decimal("0.3000")
    assert isinstance(total, Decimal)


def test_amount_with_more_than_four_places_is_refused(session: Session) -> None:
    family = _family(session)
    _one_time_price(session, family, "X", "0.00001")
    with pytest.raises(Exception, match="more than 4 decimal places"):
        session.flush()


def test_timestamps_come_back_aware_in_utc(session: Session) -> None:
    family = _family(session)
    local = datetime(2026, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    offering = _offering(family, "T")
    offering.valid_from = local
    session.add(offering)
    session.commit()
    session.expire_all()
    loaded = session.scalars(select(ProductOffering).where(ProductOffering.code == "T")).one()
    assert loaded.valid_from == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    assert loaded.valid_from.tzinfo is not None


def test_naive_timestamps_are_refused(session: Session) -> None:
    family = _family(session)
    offering = _offering(family, "N")
    offering.valid_from = datetime(2026, 3, 1)
    session.add(offering)
    with pytest.raises(Exception, match="naive"):
        session.flush()


def test_models_and_migrations_do_not_drift(database: Database) -> None:
    assert pending_model_changes(database.engine) == []
