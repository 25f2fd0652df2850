"""Catalogs, categories, specifications, offering terms and references, usage and discount
prices, stale writes and who may write: each refusal is a clear error and changes nothing."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    Conflict,
    InvalidInput,
    PermissionDenied,
    PreconditionFailed,
    RuleViolation,
)
from salesdev.db.models import (
    Catalog,
    Category,
    ProductOffering,
    ProductOfferingPrice,
    ProductOfferingTerm,
    ProductSpecification,
)
from salesdev.domains.access import SYSTEM, Principal, Role
from salesdev.domains.catalog import (
    CatalogInput,
    CategoryInput,
    OfferingInput,
    PriceInput,
    SpecificationInput,
    TermInput,
    add_price,
    create_catalog,
    create_category,
    create_offering,
    create_specification,
    ensure_market_segments,
    get_price,
    list_offering_prices,
    offering_input,
    update_catalog,
    update_category,
    update_offering,
    update_price,
)
from tests.integration.authorisation import builders as b

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 3, 1, tzinfo=UTC)
PRODUCT_MANAGER = b.user("pat", Role.PRODUCT_MANAGER)


def _count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _details(error: pytest.ExceptionInfo[Any]) -> list[tuple[str, str]]:
    return [(d.location, d.message) for d in error.value.details]


def _catalog(session: Session, name: str = "Consumer") -> Catalog:
    return create_catalog(
        session, principal=SYSTEM, catalog=CatalogInput(name=name, valid_from=T0), now=T0
    )


def _offering(session: Session, code: str = "FIBRE-1G", **extra: Any) -> ProductOffering:
    family = b.family(session)
    given = OfferingInput(
        code=code, name="Fibre 1G", family_id=family.id, currency="EUR", valid_from=T0, **extra
    )
    return create_offering(session, principal=SYSTEM, offering=given, now=T0)


# --- catalogs, categories, specifications ----------------------------------------------


def test_an_invalid_catalog_names_every_wrong_field_and_is_not_written(session: Session) -> None:
    given = CatalogInput(
        name=" ",
        valid_from=T1,
        valid_to=T0,
        lifecycle_status="Live",
        catalog_type="x" * 65,
    )

    with pytest.raises(InvalidInput) as error:
        create_catalog(session, principal=SYSTEM, catalog=given, now=T0)

    assert error.value.message == "Invalid catalog"
    assert _details(error) == [
        ("name", "is required"),
        (
            "lifecycleStatus",
            "expected one of In study, In design, In test, Active, Launched, Retired, "
            "Obsolete, Rejected; got 'Live'",
        ),
        ("validFor.endDateTime", "must be after startDateTime"),
        ("catalogType", "at most 64 characters"),
    ]
    assert _count(session, Catalog) == 0


def test_two_catalogs_cannot_share_a_name(session: Session) -> None:
    _catalog(session)

    with pytest.raises(Conflict) as error:
        _catalog(session)

    assert error.value.message == "A catalog named 'Consumer' already exists"
    assert _details(error) == [("name", "must be unique")]
    assert _count(session, Catalog) == 1


def test_a_naive_validity_start_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInput) as error:
        create_catalog(
            session,
            principal=SYSTEM,
            catalog=CatalogInput(name="Consumer", valid_from=datetime(2026, 1, 1)),
            now=T0,
        )

    assert _details(error) == [("validFor.startDateTime", "a timezone is required")]
    assert _count(session, Catalog) == 0


def test_a_stale_catalog_write_is_refused_and_nothing_changes(session: Session) -> None:
    catalog = _catalog(session)
    update_catalog(
        session,
        principal=SYSTEM,
        catalog_id=catalog.id,
        catalog=CatalogInput(name="Consumer", valid_from=T0, description="Retail"),
        now=T1,
        expected_version=1,
    )

    with pytest.raises(PreconditionFailed) as error:
        update_catalog(
            session,
            principal=SYSTEM,
            catalog_id=catalog.id,
            catalog=CatalogInput(name="Consumer", valid_from=T0, description="Stale"),
            now=T1,
            expected_version=1,
        )

    assert error.value.message == (
        "Catalog 'Consumer' was changed by someone else (version 2, you had 1); "
        "reload and try again"
    )
    assert (catalog.description, catalog.version) == ("Retail", 2)


def test_categories_are_unique_in_their_catalog_and_refer_to_what_exists(
    session: Session,
) -> None:
    consumer, business = _catalog(session), _catalog(session, "Business")
    category = CategoryInput(name="Broadband", valid_from=T0, catalog_id=consumer.id)
    create_category(session, principal=SYSTEM, category=category, now=T0)
    # The same name in another catalog is another category.
    create_category(
        session, principal=SYSTEM, category=replace(category, catalog_id=business.id), now=T0
    )

    with pytest.raises(Conflict) as conflict:
        create_category(session, principal=SYSTEM, category=category, now=T0)
    missing_catalog, missing_parent = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(InvalidInput) as invalid:
        create_category(
            session,
            principal=SYSTEM,
            category=CategoryInput(
                name="TV", valid_from=T0, catalog_id=missing_catalog, parent_id=missing_parent
            ),
            now=T0,
        )

    assert conflict.value.message == "The catalog already has a category named 'Broadband'"
    assert invalid.value.message == "Invalid category"
    assert _details(invalid) == [
        ("catalog.id", f"no catalog with id {missing_catalog}"),
        ("parentId", f"no category with id {missing_parent}"),
    ]
    assert _count(session, Category) == 2


def test_a_category_cannot_move_under_its_own_subcategory(session: Session) -> None:
    catalog = _catalog(session)
    top = create_category(
        session,
        principal=SYSTEM,
        category=CategoryInput(name="Broadband", valid_from=T0, catalog_id=catalog.id),
        now=T0,
    )
    sub = create_category(
        session,
        principal=SYSTEM,
        category=CategoryInput(name="Fibre", valid_from=T0, parent_id=top.id),
        now=T0,
    )
    assert (top.is_root, sub.is_root) == (True, False)

    with pytest.raises(InvalidInput) as error:
        update_category(
            session,
            principal=SYSTEM,
            category_id=top.id,
            category=CategoryInput(
                name="Broadband", valid_from=T0, catalog_id=catalog.id, parent_id=sub.id
            ),
            now=T1,
        )

    assert _details(error) == [
        ("parentId", "cannot be the category itself or one of its subcategories")
    ]
    assert (top.parent_id, top.version) == (None, 1)


def test_a_specification_needs_a_unique_number_and_named_characteristics(
    session: Session,
) -> None:
    given = SpecificationInput(
        name="Fibre access",
        product_number="SPEC-FIBRE",
        valid_from=T0,
        characteristics=({"name": "Download speed", "valueType": "number"},),
    )
    create_specification(session, principal=SYSTEM, specification=given, now=T0)

    with pytest.raises(Conflict) as conflict:
        create_specification(session, principal=SYSTEM, specification=given, now=T0)
    with pytest.raises(InvalidInput) as invalid:
        create_specification(
            session,
            principal=SYSTEM,
            specification=replace(
                given, product_number="", characteristics=({"valueType": "number"},)
            ),
            now=T0,
        )

    assert conflict.value.message == (
        "A product specification with number 'SPEC-FIBRE' already exists"
    )
    assert _details(invalid) == [
        ("productNumber", "is required"),
        ("productSpecCharacteristic[0].name", "is required"),
    ]
    assert _count(session, ProductSpecification) == 1


# --- offerings: terms, channels, market segments ---------------------------------------


def test_offering_terms_channels_and_segments_are_stored_and_read_back(session: Session) -> None:
    dealers = b.channel(session, "DEALERS")
    segments = ensure_market_segments(session, now=T0)
    term = TermInput("24-month commitment", duration_amount=24, duration_units="month")

    offering = _offering(
        session,
        terms=(term,),
        channel_ids=(dealers.id,),
        market_segment_ids=(segments["consumer"], segments["small_business"]),
    )

    stored = offering_input(session, offering)
    assert stored.terms == (term,)
    assert stored.channel_ids == (dealers.id,)
    assert sorted(stored.market_segment_ids) == sorted(
        [segments["consumer"], segments["small_business"]]
    )


def test_invalid_terms_are_refused_with_their_index(session: Session) -> None:
    terms = (
        TermInput("", duration_amount=0, duration_units="month"),
        TermInput("Minimum", duration_amount=12),
        TermInput("Notice", duration_amount=1, duration_units="fortnight"),
    )

    with pytest.raises(InvalidInput) as error:
        _offering(session, terms=terms)

    assert error.value.message == "Invalid product offering 'FIBRE-1G'"
    assert _details(error) == [
        ("productOfferingTerm[0].name", "is required"),
        ("productOfferingTerm[0].duration.amount", "must be 1 or more; got 0"),
        ("productOfferingTerm[1].duration", "give both amount and units, or neither"),
        (
            "productOfferingTerm[2].duration.units",
            "expected one of day, week, month, year; got 'fortnight'",
        ),
    ]
    assert (_count(session, ProductOffering), _count(session, ProductOfferingTerm)) == (0, 0)


def test_channels_and_segments_must_exist_and_be_listed_once(session: Session) -> None:
    dealers = b.channel(session, "DEALERS")
    ghost_channel, ghost_segment = uuid.uuid4(), uuid.uuid4()

    with pytest.raises(InvalidInput) as error:
        _offering(
            session,
            channel_ids=(dealers.id, ghost_channel, dealers.id),
            market_segment_ids=(ghost_segment,),
        )

    assert _details(error) == [
        ("channel[1].id", f"no sales channel with id {ghost_channel}"),
        ("channel[2].id", f"{dealers.id} is listed more than once"),
        ("marketSegment[0].id", f"no market segment with id {ghost_segment}"),
    ]
    assert _count(session, ProductOffering) == 0


def test_a_duplicate_offering_code_is_a_conflict(session: Session) -> None:
    offering = _offering(session)
    given = replace(offering_input(session, offering), name="Another")

    with pytest.raises(Conflict) as error:
        create_offering(session, principal=SYSTEM, offering=given, now=T0)

    assert error.value.message == "A product offering with code 'FIBRE-1G' already exists"
    assert _count(session, ProductOffering) == 1


def test_a_stale_offering_write_is_refused_and_nothing_changes(session: Session) -> None:
    offering = _offering(session)
    update_offering(
        session,
        principal=SYSTEM,
        offering_id=offering.id,
        offering=replace(offering_input(session, offering), name="Fibre 1 Gbit/s"),
        now=T1,
        expected_version=1,
    )

    with pytest.raises(PreconditionFailed) as error:
        update_offering(
            session,
            principal=SYSTEM,
            offering_id=offering.id,
            offering=replace(offering_input(session, offering), name="Stale"),
            now=T1,
            expected_version=1,
        )

    assert error.value.message == (
        "Product offering FIBRE-1G was changed by someone else (version 2, you had 1); "
        "reload and try again"
    )
    assert (offering.name, offering.version) == ("Fibre 1 Gbit/s", 2)


# --- prices ----------------------------------------------------------------------------


def _usage(**extra: Any) -> PriceInput:
    values: dict[str, Any] = {
        "name": "Data",
        "price_type": "usage",
        "amount": "0.0125",
        "currency": "EUR",
        "unit_amount": "1",
        "units": "GB",
        "valid_from": T0,
        **extra,
    }
    return PriceInput(**values)


def test_amounts_are_stored_exactly(session: Session) -> None:
    offering = _offering(session)
    add_price(session, principal=SYSTEM, offering_id=offering.id, price=_usage(), now=T0)
    session.commit()
    session.expire_all()

    (stored,) = list_offering_prices(session, principal=SYSTEM, offering_id=offering.id)

    assert (stored.amount, stored.unit_amount, stored.units) == (
        Decimal("0.0125"),
        Decimal("1"),
        "GB",
    )
    assert isinstance(stored.amount, Decimal)


def test_usage_prices_per_different_units_may_run_together(session: Session) -> None:
    offering = _offering(session)
    add_price(session, principal=SYSTEM, offering_id=offering.id, price=_usage(), now=T0)
    add_price(
        session,
        principal=SYSTEM,
        offering_id=offering.id,
        price=_usage(name="SMS", units="message", amount="0.09"),
        now=T0,
    )

    with pytest.raises(RuleViolation) as error:
        add_price(
            session,
            principal=SYSTEM,
            offering_id=offering.id,
            price=_usage(amount="0.01", valid_from=T1),
            now=T0,
        )

    assert error.value.message == (
        "The period overlaps another usage price (per GB) of the offering"
    )
    assert _count(session, ProductOfferingPrice) == 2


@pytest.mark.parametrize(
    ("price", "details"),
    [
        (
            _usage(unit_amount=None, units=None),
            [("unitOfMeasure", "a usage price is per a positive amount of a unit, e.g. 1 GB")],
        ),
        (
            _usage(unit_amount="0"),
            [("unitOfMeasure", "a usage price is per a positive amount of a unit, e.g. 1 GB")],
        ),
        (
            _usage(recurring_period_type="month"),
            [("recurringChargePeriodType", "only a recurring price has a period, not a usage price")],
        ),
        (
            PriceInput(name="Fee", price_type="oneTime", amount="10", currency="EUR",
                       units="GB", valid_from=T0),
            [("unitOfMeasure", "only a usage price has a unit of measure")],
        ),
        (
            PriceInput(name="Promo", price_type="discount", amount="5", currency="EUR",
                       percentage="10", valid_from=T0),
            [("price", "a discount has either an amount or a percentage")],
        ),
        (
            PriceInput(name="Promo", price_type="discount", valid_from=T0),
            [("price", "a discount has either an amount or a percentage")],
        ),
        (
            PriceInput(name="Promo", price_type="discount", percentage="120", valid_from=T0),
            [("percentage", "must be more than 0 and at most 100; got 120")],
        ),
        (
            PriceInput(name="Fee", price_type="oneTime", amount="10", currency="EUR",
                       percentage="10", valid_from=T0),
            [("percentage", "only a discount has a percentage")],
        ),
        (
            PriceInput(name="Fee", price_type="oneTime", amount="abc", currency="EUR",
                       valid_from=T0),
            [("price.value", "not a decimal number: 'abc'")],
        ),
        (
            PriceInput(name="", price_type="oneTime", amount="10", currency="EUR",
                       valid_from=T1, valid_to=T0),
            [("name", "is required"), ("validFor.endDateTime", "must be after startDateTime")],
        ),
    ],
)  # fmt: skip
def test_invalid_usage_and_discount_prices_are_refused(
    session: Session, price: PriceInput, details: list[tuple[str, str]]
) -> None:
    offering = _offering(session)

    with pytest.raises(InvalidInput) as error:
        add_price(session, principal=SYSTEM, offering_id=offering.id, price=price, now=T0)

    assert error.value.message == "Invalid product offering price"
    assert _details(error) == details
    assert _count(session, ProductOfferingPrice) == 0


def test_a_discount_by_percentage_then_one_by_amount(session: Session) -> None:
    offering = _offering(session)
    by_percentage = add_price(
        session,
        principal=SYSTEM,
        offering_id=offering.id,
        price=PriceInput(
            name="Launch", price_type="discount", percentage="12.5", valid_from=T0, valid_to=T1
        ),
        now=T0,
    )
    by_amount = add_price(
        session,
        principal=SYSTEM,
        offering_id=offering.id,
        price=PriceInput(
            name="Loyalty", price_type="discount", amount="5", currency="EUR", valid_from=T1
        ),
        now=T0,
    )

    assert (by_percentage.percentage, by_percentage.amount) == (Decimal("12.5"), None)
    assert (by_amount.amount, by_amount.currency, by_amount.percentage) == (
        Decimal("5"),
        "EUR",
        None,
    )


def test_a_stale_price_write_is_refused_and_nothing_changes(session: Session) -> None:
    offering = _offering(session)
    price = add_price(session, principal=SYSTEM, offering_id=offering.id, price=_usage(), now=T0)
    update_price(
        session,
        principal=SYSTEM,
        price_id=price.id,
        price=_usage(amount="0.02"),
        now=T1,
        expected_version=1,
    )

    with pytest.raises(PreconditionFailed) as error:
        update_price(
            session,
            principal=SYSTEM,
            price_id=price.id,
            price=_usage(amount="0.03"),
            now=T1,
            expected_version=1,
        )

    assert error.value.message == (
        "Product offering price 'Data' was changed by someone else (version 2, you had 1); "
        "reload and try again"
    )
    assert get_price(session, principal=SYSTEM, price_id=price.id).amount == Decimal("0.02")


# --- who may write -----------------------------------------------------------------------


def _partner_user(session: Session) -> Principal:
    dealers = b.channel(session, "DEALERS")
    acme = b.partner(session, "ACME", dealers.id)
    return b.user("paula", Role.PARTNER_USER, partner_id=acme.id)


def test_a_partner_user_cannot_write_the_catalogue(session: Session) -> None:
    partner_user = _partner_user(session)
    offering = _offering(session)
    writes = [
        lambda: create_catalog(
            session,
            principal=partner_user,
            catalog=CatalogInput(name="Mine", valid_from=T0),
            now=T0,
        ),
        lambda: create_offering(
            session,
            principal=partner_user,
            offering=replace(offering_input(session, offering), code="MINE"),
            now=T0,
        ),
        lambda: update_offering(
            session,
            principal=partner_user,
            offering_id=offering.id,
            offering=replace(offering_input(session, offering), name="Cheap"),
            now=T1,
        ),
        lambda: add_price(
            session, principal=partner_user, offering_id=offering.id, price=_usage(), now=T0
        ),
    ]

    for write in writes:
        with pytest.raises(PermissionDenied) as error:
            write()
        assert error.value.message == "paula may not write catalog"

    assert (offering.name, offering.version) == ("Fibre 1G", 1)
    assert (_count(session, Catalog), _count(session, ProductOffering)) == (0, 1)
    assert _count(session, ProductOfferingPrice) == 0


def test_a_partner_user_reads_prices_and_a_product_manager_writes_them(
    session: Session,
) -> None:
    partner_user = _partner_user(session)
    offering = _offering(session)
    add_price(session, principal=PRODUCT_MANAGER, offering_id=offering.id, price=_usage(), now=T0)

    prices = list_offering_prices(session, principal=partner_user, offering_id=offering.id)

    assert [(p.name, p.amount) for p in prices] == [("Data", Decimal("0.0125"))]
