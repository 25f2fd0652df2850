"""Product offerings with their TMF620 attributes: specification, categories, channels,
market segments, terms and bundled offerings with option limits.

Writes replace the whole offering (the interfaces merge a patch into
:func:`offering_input` first), so the rules are checked on what will be stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from salesdev.core.errors import Conflict, ErrorDetail, InvalidInput, NotFound, RuleViolation
from salesdev.core.money import parse_currency
from salesdev.core.periods import require_aware
from salesdev.db.models import (
    Category,
    MarketSegment,
    ProductFamily,
    ProductOffering,
    ProductOfferingBundleItem,
    ProductOfferingTerm,
    ProductSpecification,
    SalesChannel,
    category_offering,
    product_offering_channel,
    product_offering_market_segment,
)
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.catalog.bundles import BundledOfferingInput, find_cycle, option_limit_errors
from salesdev.domains.catalog.common import (
    check_lifecycle,
    check_text,
    check_validity,
    check_version,
)
from salesdev.domains.catalog.vocabulary import DURATION_UNITS


@dataclass(frozen=True)
class TermInput:
    """A productOfferingTerm, e.g. ``TermInput("24-month commitment", duration_amount=24,
    duration_units="month")``."""

    name: str
    description: str = ""
    duration_amount: int | None = None
    duration_units: str | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None


@dataclass(frozen=True)
class OfferingInput:
    code: str
    name: str
    family_id: uuid.UUID
    currency: str
    valid_from: datetime
    valid_to: datetime | None = None
    description: str = ""
    is_bundle: bool = False
    is_sellable: bool = True
    lifecycle_status: str = "Active"
    status_reason: str = ""
    version_label: str = "1.0"
    product_specification_id: uuid.UUID | None = None
    category_ids: tuple[uuid.UUID, ...] = ()
    channel_ids: tuple[uuid.UUID, ...] = ()
    market_segment_ids: tuple[uuid.UUID, ...] = ()
    terms: tuple[TermInput, ...] = ()
    bundled: tuple[BundledOfferingInput, ...] = field(default=())


_SCALARS = (
    "code",
    "name",
    "family_id",
    "currency",
    "valid_from",
    "valid_to",
    "description",
    "is_bundle",
    "is_sellable",
    "lifecycle_status",
    "status_reason",
    "version_label",
    "product_specification_id",
)


def create_offering(
    session: Session,
    *,
    principal: Principal,
    offering: OfferingInput,
    now: datetime,
    offering_id: uuid.UUID | None = None,
) -> ProductOffering:
    """``offering_id`` lets a bulk import give the id its other rows already refer to."""
    authorize(principal, Family.CATALOG, "write")
    require_aware(now, location="now")
    offering_id = offering_id or uuid.uuid4()
    check_offering(session, offering=offering, offering_id=offering_id, pending=None)
    row = ProductOffering(
        id=offering_id,
        created_at=now,
        updated_at=now,
        **{name: getattr(offering, name) for name in _SCALARS},
    )
    session.add(row)
    session.flush()
    _write_links(session, row.id, offering)
    return row


def update_offering(
    session: Session,
    *,
    principal: Principal,
    offering_id: uuid.UUID,
    offering: OfferingInput,
    now: datetime,
    expected_version: int | None = None,
) -> ProductOffering:
    row = get_offering(session, principal=principal, offering_id=offering_id)
    authorize(principal, Family.CATALOG, "write")
    require_aware(now, location="now")
    check_version(f"Product offering {row.code}", row, expected_version)
    check_offering(session, offering=offering, offering_id=row.id, pending=None)
    current = offering_input(session, row)
    changed = {
        name: getattr(offering, name)
        for name in _SCALARS
        if getattr(row, name) != getattr(offering, name)
    }
    links_changed = _links(current) != _links(offering)
    if changed or links_changed:
        for name, value in changed.items():
            setattr(row, name, value)
        # A change of links alone changes the offering too: its version moves on.
        row.updated_at = now
        session.flush()
    if links_changed:
        _clear_links(session, row.id)
        _write_links(session, row.id, offering)
    return row


def get_offering(
    session: Session, *, principal: Principal, offering_id: uuid.UUID
) -> ProductOffering:
    authorize(principal, Family.CATALOG, "read")
    row = session.get(ProductOffering, offering_id)
    if row is None:
        raise NotFound(f"Product offering {offering_id} does not exist")
    return row


def offering_input(session: Session, row: ProductOffering) -> OfferingInput:
    """The stored offering in the shape writes take (for a patch to be merged into)."""
    return offering_inputs(session, [row])[row.id]


def offering_inputs(
    session: Session, rows: Sequence[ProductOffering]
) -> dict[uuid.UUID, OfferingInput]:
    """Many offerings in the shape writes take, with a few queries for all of them."""
    ids = [row.id for row in rows]
    links = _read_links(session, ids)
    return {
        row.id: OfferingInput(
            **{name: getattr(row, name) for name in _SCALARS},
            category_ids=tuple(links["categories"].get(row.id, ())),
            channel_ids=tuple(links["channels"].get(row.id, ())),
            market_segment_ids=tuple(links["segments"].get(row.id, ())),
            terms=tuple(links["terms"].get(row.id, ())),
            bundled=tuple(links["bundled"].get(row.id, ())),
        )
        for row in rows
    }


def check_offering(
    session: Session,
    *,
    offering: OfferingInput,
    offering_id: uuid.UUID,
    pending: Mapping[uuid.UUID, Sequence[uuid.UUID]] | None,
    known_offering_ids: frozenset[uuid.UUID] = frozenset(),
    known_codes: Mapping[uuid.UUID, str] | None = None,
) -> None:
    """Every rule on one offering; InvalidInput for fields, RuleViolation for a cycle.

    ``pending`` and ``known_offering_ids`` let a bulk import check offerings against each
    other before any is written.
    """
    errors: list[ErrorDetail] = []
    check_text("code", offering.code, errors, max_length=48, required=True)
    check_text("name", offering.name, errors, max_length=200, required=True)
    check_text("statusReason", offering.status_reason, errors, max_length=200)
    check_text("version", offering.version_label, errors, max_length=32)
    check_lifecycle(offering.lifecycle_status, errors)
    check_validity(offering.valid_from, offering.valid_to, errors)
    try:
        parse_currency(offering.currency)
    except InvalidInput as error:
        errors += error.details
    _check_exists(
        session, ProductFamily, [offering.family_id], "productFamily", "product family", errors
    )
    if offering.product_specification_id is not None:
        _check_exists(
            session,
            ProductSpecification,
            [offering.product_specification_id],
            "productSpecification",
            "product specification",
            errors,
        )
    _check_exists(
        session, Category, offering.category_ids, "category", "category", errors, indexed=True
    )
    _check_exists(
        session,
        SalesChannel,
        offering.channel_ids,
        "channel",
        "sales channel",
        errors,
        indexed=True,
    )
    _check_exists(
        session,
        MarketSegment,
        offering.market_segment_ids,
        "marketSegment",
        "market segment",
        errors,
        indexed=True,
    )
    for index, term in enumerate(offering.terms):
        errors += _term_errors(index, term)
    errors += _bundle_errors(session, offering, offering_id, known_offering_ids)
    if errors:
        raise InvalidInput(f"Invalid product offering {offering.code!r}", errors)
    code_owner = session.scalar(
        select(ProductOffering.id).where(ProductOffering.code == offering.code)
    )
    if code_owner is not None and code_owner != offering_id:
        raise Conflict(
            f"A product offering with code {offering.code!r} already exists",
            [ErrorDetail("code", "must be unique")],
        )
    cycles = find_cycle(
        session,
        bundle_id=offering_id,
        component_ids=[item.offering_id for item in offering.bundled],
        pending=pending,
    )
    if cycles:
        codes = {
            **(known_codes or {}),
            **_codes(
                session,
                {node for path in cycles.values() for node in path},
                offering_id,
                offering.code,
            ),
        }
        raise RuleViolation(
            f"Product offering {offering.code!r} would contain itself",
            [
                ErrorDetail(
                    f"bundledProductOffering[{index}]",
                    "would create a cycle: "
                    + " -> ".join(codes.get(node, str(node)) for node in path),
                )
                for index, path in sorted(cycles.items())
            ],
        )


def _codes(
    session: Session, ids: set[uuid.UUID], own_id: uuid.UUID, own_code: str
) -> dict[uuid.UUID, str]:
    statement = select(ProductOffering.id, ProductOffering.code).where(
        ProductOffering.id.in_(list(ids))
    )
    found = {id_: code for id_, code in session.execute(statement)}
    found[own_id] = own_code
    return found


def _check_exists(
    session: Session,
    model: Any,
    ids: Sequence[uuid.UUID],
    location: str,
    label: str,
    errors: list[ErrorDetail],
    *,
    indexed: bool = False,
) -> None:
    if not ids:
        return
    found = set(session.scalars(select(model.id).where(model.id.in_(list(set(ids))))))
    seen: set[uuid.UUID] = set()
    for index, ref in enumerate(ids):
        where = f"{location}[{index}].id" if indexed else f"{location}.id"
        if ref not in found:
            errors.append(ErrorDetail(where, f"no {label} with id {ref}"))
        elif ref in seen:
            errors.append(ErrorDetail(where, f"{ref} is listed more than once"))
        seen.add(ref)


def _term_errors(index: int, term: TermInput) -> list[ErrorDetail]:
    where = f"productOfferingTerm[{index}]"
    errors: list[ErrorDetail] = []
    check_text(f"{where}.name", term.name, errors, max_length=200, required=True)
    if (term.duration_amount is None) != (term.duration_units is None):
        errors.append(ErrorDetail(f"{where}.duration", "give both amount and units, or neither"))
    if term.duration_amount is not None and term.duration_amount < 1:
        errors.append(
            ErrorDetail(
                f"{where}.duration.amount", f"must be 1 or more; got {term.duration_amount}"
            )
        )
    if term.duration_units is not None and term.duration_units not in DURATION_UNITS:
        errors.append(
            ErrorDetail(
                f"{where}.duration.units",
                f"expected one of {', '.join(DURATION_UNITS)}; got {term.duration_units!r}",
            )
        )
    validity: list[ErrorDetail] = []
    check_validity(term.valid_from, term.valid_to, validity)
    errors += [ErrorDetail(f"{where}.{d.location}", d.message) for d in validity]
    return errors


def _bundle_errors(
    session: Session,
    offering: OfferingInput,
    offering_id: uuid.UUID,
    known: frozenset[uuid.UUID],
) -> list[ErrorDetail]:
    if not offering.bundled:
        return []
    if not offering.is_bundle:
        return [
            ErrorDetail(
                "bundledProductOffering",
                "only a bundle (isBundle true) holds bundled offerings",
            )
        ]
    errors: list[ErrorDetail] = []
    ids = [item.offering_id for item in offering.bundled]
    stored = set(session.scalars(select(ProductOffering.id).where(ProductOffering.id.in_(ids))))
    seen: set[uuid.UUID] = set()
    for index, item in enumerate(offering.bundled):
        if item.offering_id == offering_id:
            errors.append(
                ErrorDetail(f"bundledProductOffering[{index}]", "a bundle cannot contain itself")
            )
        elif item.offering_id not in stored and item.offering_id not in known:
            errors.append(
                ErrorDetail(
                    f"bundledProductOffering[{index}].id",
                    f"no product offering with id {item.offering_id}",
                )
            )
        elif item.offering_id in seen:
            errors.append(
                ErrorDetail(
                    f"bundledProductOffering[{index}].id",
                    f"{item.offering_id} is listed more than once",
                )
            )
        seen.add(item.offering_id)
        errors += option_limit_errors(index, item)
    return errors


def _links(offering: OfferingInput) -> tuple[Any, ...]:
    return (
        sorted(offering.category_ids),
        sorted(offering.channel_ids),
        sorted(offering.market_segment_ids),
        offering.terms,
        tuple((b.offering_id, b.limits()) for b in offering.bundled),
    )


def _clear_links(session: Session, offering_id: uuid.UUID) -> None:
    session.execute(
        delete(category_offering).where(category_offering.c.product_offering_id == offering_id)
    )
    session.execute(
        delete(product_offering_channel).where(
            product_offering_channel.c.product_offering_id == offering_id
        )
    )
    session.execute(
        delete(product_offering_market_segment).where(
            product_offering_market_segment.c.product_offering_id == offering_id
        )
    )
    for model, column in (
        (ProductOfferingTerm, ProductOfferingTerm.product_offering_id),
        (ProductOfferingBundleItem, ProductOfferingBundleItem.bundle_id),
    ):
        for row in session.scalars(select(model).where(column == offering_id)):
            session.delete(row)
    session.flush()


def _write_links(session: Session, offering_id: uuid.UUID, offering: OfferingInput) -> None:
    if offering.category_ids:
        session.execute(
            insert(category_offering),
            [{"category_id": c, "product_offering_id": offering_id} for c in offering.category_ids],
        )
    if offering.channel_ids:
        session.execute(
            insert(product_offering_channel),
            [{"channel_id": c, "product_offering_id": offering_id} for c in offering.channel_ids],
        )
    if offering.market_segment_ids:
        session.execute(
            insert(product_offering_market_segment),
            [
                {"market_segment_id": s, "product_offering_id": offering_id}
                for s in offering.market_segment_ids
            ],
        )
    for position, term in enumerate(offering.terms):
        session.add(
            ProductOfferingTerm(
                product_offering_id=offering_id,
                position=position,
                name=term.name,
                description=term.description,
                duration_amount=term.duration_amount,
                duration_units=term.duration_units,
                valid_from=term.valid_from,
                valid_to=term.valid_to,
            )
        )
    for position, item in enumerate(offering.bundled):
        lower, default, upper = item.limits()
        session.add(
            ProductOfferingBundleItem(
                bundle_id=offering_id,
                component_id=item.offering_id,
                position=position,
                number_default=default,
                number_lower_limit=lower,
                number_upper_limit=upper,
            )
        )
    session.flush()


def _read_links(session: Session, ids: list[uuid.UUID]) -> dict[str, dict[uuid.UUID, list[Any]]]:
    links: dict[str, dict[uuid.UUID, list[Any]]] = {
        name: {} for name in ("categories", "channels", "segments", "terms", "bundled")
    }
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for table, column, name in (
            (category_offering, category_offering.c.category_id, "categories"),
            (product_offering_channel, product_offering_channel.c.channel_id, "channels"),
            (
                product_offering_market_segment,
                product_offering_market_segment.c.market_segment_id,
                "segments",
            ),
        ):
            rows = session.execute(
                select(table.c.product_offering_id, column)
                .where(table.c.product_offering_id.in_(chunk))
                .order_by(table.c.product_offering_id, column)
            )
            for offering_id, ref in rows:
                links[name].setdefault(offering_id, []).append(ref)
        term = ProductOfferingTerm
        for row in session.scalars(
            select(term)
            .where(term.product_offering_id.in_(chunk))
            .order_by(term.product_offering_id, term.position)
        ):
            links["terms"].setdefault(row.product_offering_id, []).append(
                TermInput(
                    name=row.name,
                    description=row.description,
                    duration_amount=row.duration_amount,
                    duration_units=row.duration_units,
                    valid_from=row.valid_from,
                    valid_to=row.valid_to,
                )
            )
        item = ProductOfferingBundleItem
        for component in session.scalars(
            select(item).where(item.bundle_id.in_(chunk)).order_by(item.bundle_id, item.position)
        ):
            links["bundled"].setdefault(component.bundle_id, []).append(
                BundledOfferingInput(
                    offering_id=component.component_id,
                    number_default=component.number_default,
                    number_lower_limit=component.number_lower_limit,
                    number_upper_limit=component.number_upper_limit,
                )
            )
    return links
