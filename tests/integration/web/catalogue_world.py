"""A small TMF620 catalogue for the catalogue pages, written through the catalogue services.

The "Consumer" catalog has a "Broadband" category with a "Fibre" subcategory. FIBRE-1G
(specification SPEC-FIBRE, 24-month commitment, channel DEALERS, consumer segment) cost
49.99 a month until 1 March 2026 and 54.99 from then, plus 19.00 once; MOB-10 costs
15.50 a month; the DUO bundle (19.99 a month) holds one FIBRE-1G and 0 to 4 MOB-10, one by
default; the OUTER bundle holds DUO.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.catalog import (
    BundledOfferingInput,
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
)
from salesdev.runtime import Runtime
from tests.integration.authorisation import builders as b

JAN = datetime(2026, 1, 1, tzinfo=UTC)
MAR = datetime(2026, 3, 1, tzinfo=UTC)
SETUP = datetime(2025, 12, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Catalogue:
    catalog: uuid.UUID
    broadband: uuid.UUID
    fibre_category: uuid.UUID
    specification: uuid.UUID
    offerings: dict[str, uuid.UUID]


def _offering(session: Session, code: str, family: uuid.UUID, **extra: object) -> uuid.UUID:
    given = OfferingInput(
        code=code, name=f"Offering {code}", family_id=family, currency="EUR", valid_from=JAN,
        **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    return create_offering(session, principal=SYSTEM, offering=given, now=SETUP).id


def _price(
    session: Session,
    offering: uuid.UUID,
    name: str,
    amount: str,
    *,
    monthly: bool = True,
    start: datetime = JAN,
    end: datetime | None = None,
) -> None:
    price = PriceInput(
        name=name, price_type="recurring" if monthly else "oneTime", valid_from=start,
        valid_to=end, amount=amount, currency="EUR",
        recurring_period_type="month" if monthly else None,
    )  # fmt: skip
    add_price(session, principal=SYSTEM, offering_id=offering, price=price, now=SETUP)


def build_catalogue(runtime: Runtime) -> Catalogue:
    with unit_of_work(runtime.session_factory) as s:
        family = b.family(s, "FIBRE").id
        # Seeded by the migration; a test database emptied between tests may lack them.
        consumer = ensure_market_segments(s, now=SETUP)["consumer"]
        dealers = b.channel(s, "DEALERS").id
        catalog = create_catalog(s, principal=SYSTEM, now=SETUP, catalog=CatalogInput(
            name="Consumer", valid_from=JAN, catalog_type="retail")).id  # fmt: skip
        broadband = create_category(s, principal=SYSTEM, now=SETUP, category=CategoryInput(
            name="Broadband", valid_from=JAN, catalog_id=catalog)).id  # fmt: skip
        fibre = create_category(s, principal=SYSTEM, now=SETUP, category=CategoryInput(
            name="Fibre", valid_from=JAN, catalog_id=catalog, parent_id=broadband)).id  # fmt: skip
        spec = create_specification(s, principal=SYSTEM, now=SETUP, specification=SpecificationInput(
            name="Fibre access", product_number="SPEC-FIBRE", valid_from=JAN,
            characteristics=({"name": "downloadSpeed", "value": "1 Gbit/s"},))).id  # fmt: skip
        fibre_1g = _offering(
            s, "FIBRE-1G", family, product_specification_id=spec, category_ids=(fibre,),
            channel_ids=(dealers,), market_segment_ids=(consumer,),
            terms=(TermInput("24-month commitment", duration_amount=24, duration_units="month"),),
        )  # fmt: skip
        _price(s, fibre_1g, "Monthly", "49.99", end=MAR)
        _price(s, fibre_1g, "Monthly 2026", "54.99", start=MAR)
        _price(s, fibre_1g, "Installation", "19", monthly=False)
        mob_10 = _offering(s, "MOB-10", family, category_ids=(broadband,))
        _price(s, mob_10, "Monthly", "15.50")
        duo = _offering(
            s, "DUO", family, is_bundle=True, category_ids=(broadband,),
            bundled=(BundledOfferingInput(fibre_1g),
                     BundledOfferingInput(mob_10, number_default=1, number_lower_limit=0,
                                          number_upper_limit=4)),
        )  # fmt: skip
        _price(s, duo, "Monthly", "19.99")
        outer = _offering(s, "OUTER", family, is_bundle=True,
                          bundled=(BundledOfferingInput(duo),))  # fmt: skip
        offerings = {"FIBRE-1G": fibre_1g, "MOB-10": mob_10, "DUO": duo, "OUTER": outer}
        return Catalogue(catalog, broadband, fibre, spec, offerings)
