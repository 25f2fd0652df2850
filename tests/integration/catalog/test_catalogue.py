"""The TMF620 catalogue: prices, bundles, validation, list prices and bulk files."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import InvalidInput, PreconditionFailed, RuleViolation
from salesdev.core.money import Money
from salesdev.db.models import ProductFamily, ProductOffering, ProductOfferingPrice
from salesdev.domains.access import SYSTEM
from salesdev.domains.catalog import (
    BundledOfferingInput,
    ListPrices,
    OfferingInput,
    PriceInput,
    add_price,
    create_offering,
    list_prices,
    offering_input,
    update_offering,
)
from salesdev.domains.interchange.catalogue_datasets import (
    export_catalogue_csv,
    export_catalogue_json,
    import_catalogue_csv,
    import_catalogue_json,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 3, 1, tzinfo=UTC)


def _family(session: Session) -> uuid.UUID:
    family = ProductFamily(
        code="FIBRE", name="Fibre", line_of_business="broadband", created_at=T0, updated_at=T0
    )
    session.add(family)
    session.flush()
    return family.id


def _offering(session: Session, family: uuid.UUID, code: str, **extra: object) -> ProductOffering:
    given = OfferingInput(
        code=code, name=code.title(), family_id=family, currency="EUR", valid_from=T0, **extra
    )  # type: ignore[arg-type]
    return create_offering(session, principal=SYSTEM, offering=given, now=T0)


def _monthly(amount: object, start: datetime = T0, end: datetime | None = None) -> PriceInput:
    return PriceInput(
        name="Monthly", price_type="recurring", recurring_period_type="month", amount=amount,
        currency="EUR", valid_from=start, valid_to=end,
    )  # fmt: skip


def _count(session: Session) -> int:
    return session.scalar(select(func.count(ProductOfferingPrice.id))) or 0


def test_list_prices_follow_validity_boundaries(session: Session) -> None:
    # given a monthly price until 1 March and a new one from then, and a one-time fee
    family = _family(session)
    fibre = _offering(session, family, "FIBRE-1G")
    add_price(
        session, principal=SYSTEM, offering_id=fibre.id, price=_monthly("49.99", T0, T1), now=T0
    )
    add_price(session, principal=SYSTEM, offering_id=fibre.id, price=_monthly("54.99", T1), now=T0)
    add_price(
        session, principal=SYSTEM, offering_id=fibre.id,
        price=PriceInput(name="Fee", price_type="oneTime", amount="69", currency="EUR", valid_from=T0), now=T0,
    )  # fmt: skip
    before = datetime(2026, 2, 28, 23, 59, 59, 999999, tzinfo=UTC)
    # then the end is exclusive and the start inclusive
    assert list_prices(session, offering_ids=[fibre.id], at=before)[fibre.id] == ListPrices(
        Money(Decimal("49.9900"), "EUR"), Money(Decimal("69.0000"), "EUR")
    )
    assert list_prices(session, offering_ids=[fibre.id], at=T1)[fibre.id].recurring == Money(
        Decimal("54.9900"), "EUR"
    )
    early = datetime(2025, 12, 31, tzinfo=UTC)
    assert list_prices(session, offering_ids=[fibre.id], at=early)[fibre.id] == ListPrices(
        None, None
    )


def test_overlapping_prices_of_the_same_kind_are_refused_and_nothing_changes(
    session: Session,
) -> None:
    family = _family(session)
    fibre = _offering(session, family, "FIBRE-1G")
    add_price(
        session, principal=SYSTEM, offering_id=fibre.id, price=_monthly("49.99", T0, T1), now=T0
    )
    with pytest.raises(RuleViolation) as error:
        add_price(
            session,
            principal=SYSTEM,
            offering_id=fibre.id,
            price=_monthly("50", datetime(2026, 2, 1, tzinfo=UTC)),
            now=T0,
        )
    assert (
        error.value.message
        == "The period overlaps another recurring price (every month) of the offering"
    )
    assert error.value.details[0].location == "validFor"
    assert (
        "valid from 2026-01-01T00:00:00Z to 2026-03-01T00:00:00Z" in error.value.details[0].message
    )
    assert _count(session) == 1


@pytest.mark.parametrize(
    ("price", "location", "message"),
    [
        (_monthly(0.5), "price.value", "amounts must be given as a decimal string or integer, got 0.5"),
        (PriceInput(name="M", price_type="recurring", recurring_period_type="month", amount="5", valid_from=T0),
         "price.unit", "a price needs its currency (ISO 4217, e.g. EUR)"),
        (PriceInput(name="M", price_type="monthly", amount="5", currency="EUR", valid_from=T0),
         "priceType", "expected one of recurring, oneTime, usage, discount; got 'monthly'"),
        (PriceInput(name="M", price_type="recurring", recurring_period_type="fortnight", amount="5", currency="EUR", valid_from=T0),
         "recurringChargePeriodType", "a recurring price repeats every day, week, month or year; got 'fortnight'"),
    ],
)  # fmt: skip
def test_invalid_prices_are_refused_with_their_field(
    session: Session, price: PriceInput, location: str, message: str
) -> None:
    fibre = _offering(session, _family(session), "FIBRE-1G")
    with pytest.raises(InvalidInput) as error:
        add_price(session, principal=SYSTEM, offering_id=fibre.id, price=price, now=T0)
    assert (error.value.details[0].location, error.value.details[0].message) == (location, message)
    assert _count(session) == 0


def test_a_bundle_cycle_through_two_levels_is_refused(session: Session) -> None:
    # given OUTER contains INNER, which contains LEAF
    family = _family(session)
    leaf = _offering(session, family, "LEAF", is_bundle=True)
    inner = _offering(
        session, family, "INNER", is_bundle=True, bundled=(BundledOfferingInput(leaf.id),)
    )
    outer = _offering(
        session, family, "OUTER", is_bundle=True, bundled=(BundledOfferingInput(inner.id),)
    )
    version = leaf.version
    # when LEAF would contain OUTER
    with pytest.raises(RuleViolation) as error:
        update_offering(
            session, principal=SYSTEM, offering_id=leaf.id, now=T1,
            offering=OfferingInput(**{**offering_input(session, leaf).__dict__, "bundled": (BundledOfferingInput(outer.id),)}),
        )  # fmt: skip
    assert [(d.location, d.message) for d in error.value.details] == [
        ("bundledProductOffering[0]", "would create a cycle: LEAF -> OUTER -> INNER -> LEAF")
    ]
    assert offering_input(session, leaf).bundled == () and leaf.version == version


def test_option_limits_and_bundles_of_non_bundles_are_refused(session: Session) -> None:
    family = _family(session)
    leaf = _offering(session, family, "LEAF")
    with pytest.raises(InvalidInput) as error:
        _offering(
            session,
            family,
            "BAD",
            is_bundle=True,
            bundled=(BundledOfferingInput(leaf.id, 5, -1, 0),),
        )
    assert [(d.location, d.message) for d in error.value.details] == [
        ("bundledProductOffering[0].bundledProductOfferingOption.numberRelOfferLowerLimit", "must be 0 or more; got -1"),
        ("bundledProductOffering[0].bundledProductOfferingOption.numberRelOfferUpperLimit", "must be 1 or more; got 0"),
        ("bundledProductOffering[0].bundledProductOfferingOption",
         "the limits must satisfy lower <= default <= upper; got lower -1, default 5, upper 0"),
    ]  # fmt: skip
    with pytest.raises(InvalidInput) as error:
        _offering(session, family, "PLAIN", bundled=(BundledOfferingInput(leaf.id),))
    assert error.value.details[0].message == "only a bundle (isBundle true) holds bundled offerings"
    missing = uuid.uuid4()
    with pytest.raises(InvalidInput) as error:
        _offering(
            session, family, "GHOST", is_bundle=True, bundled=(BundledOfferingInput(missing),)
        )
    assert (error.value.details[0].location, error.value.details[0].message) == (
        "bundledProductOffering[0].id",
        f"no product offering with id {missing}",
    )
    assert session.scalar(select(func.count(ProductOffering.id))) == 1


def test_a_stale_version_is_refused(session: Session) -> None:
    leaf = _offering(session, _family(session), "LEAF")
    with pytest.raises(PreconditionFailed):
        update_offering(
            session,
            principal=SYSTEM,
            offering_id=leaf.id,
            offering=offering_input(session, leaf),
            now=T1,
            expected_version=7,
        )


def _catalogue(session: Session) -> None:
    family = _family(session)
    leaf = _offering(session, family, "FIBRE-1G")
    add_price(session, principal=SYSTEM, offering_id=leaf.id, price=_monthly("49.99"), now=T0)
    bundle = _offering(
        session, family, "HOME", is_bundle=True, bundled=(BundledOfferingInput(leaf.id, 1, 0, 2),)
    )
    add_price(session, principal=SYSTEM, offering_id=bundle.id, price=_monthly("59.9"), now=T0)


def test_json_export_imports_back_unchanged(session: Session, tmp_path: Path) -> None:
    _catalogue(session)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    export_catalogue_json(session, path=first)
    result = import_catalogue_json(session, principal=SYSTEM, path=first, now=T1)
    export_catalogue_json(session, path=second)
    assert (result.updated, result.created, result.prices) == (2, 0, 2)
    assert first.read_text() == second.read_text()
    assert '"value": 59.9' in first.read_text()


def test_csv_export_imports_back_unchanged(session: Session, tmp_path: Path) -> None:
    _catalogue(session)
    export_catalogue_csv(session, offerings_path=tmp_path / "o.csv", prices_path=tmp_path / "p.csv")
    import_catalogue_csv(
        session,
        principal=SYSTEM,
        offerings_path=tmp_path / "o.csv",
        prices_path=tmp_path / "p.csv",
        now=T1,
    )
    export_catalogue_csv(
        session, offerings_path=tmp_path / "o2.csv", prices_path=tmp_path / "p2.csv"
    )
    assert (tmp_path / "o.csv").read_text() == (tmp_path / "o2.csv").read_text()
    assert (tmp_path / "p.csv").read_text() == (tmp_path / "p2.csv").read_text()


def test_a_json_cycle_is_refused_with_the_item_and_nothing_is_imported(
    session: Session, tmp_path: Path
) -> None:
    _family(session)
    path = tmp_path / "cycle.json"
    path.write_text(
        '[{"code": "A", "name": "Fibre 1G", "isBundle": true, "currency": "EUR", "productFamily": {"id": "FIBRE"},'
        ' "validFor": {"startDateTime": "2026-01-01T00:00:00Z"}, "bundledProductOffering": [{"id": "B"}]},'
        ' {"code": "B", "name": "Box", "isBundle": true, "currency": "EUR", "productFamily": {"id": "FIBRE"},'
        ' "validFor": {"startDateTime": "2026-01-01T00:00:00Z"}, "bundledProductOffering": [{"id": "A"}]}]'
    )
    with pytest.raises(InvalidInput) as error:
        import_catalogue_json(session, principal=SYSTEM, path=path, now=T1)
    assert str(error.value.details[0]) == (
        "item 1 (productOffering 'Fibre 1G').bundledProductOffering[0]: would create a cycle: A -> B -> A"
    )
    assert session.scalar(select(func.count(ProductOffering.id))) == 0
