"""Stored qualifications (TMF679 ProductOfferingQualification): create, list, read, change,
delete.

A qualification is answered when it is created (synchronously) and kept with its items
as JSON, so it can be read back. Scoped principals (sales reps and managers, partner
users) see only the qualifications they asked for themselves.

Audit: a qualification is an answer, up to thousands of items long; the audit trail
records that it was asked (who, channel, customer, premise, how many items, the result)
as one ``qualification.created`` event rather than a copy of every item. The row is written
with one INSERT statement for the same reason. Changes and deletions are audited in full
as usual.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, PreconditionFailed
from salesdev.core.ids import new_id
from salesdev.core.periods import require_aware
from salesdev.db.models.selling import ProductOfferingQualification
from salesdev.db.prepared import Prepared
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.db.session import flushed_connection
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.audit import record_event
from salesdev.domains.qualification.scope import may_see_all, selling_scope
from salesdev.domains.qualification.service import QualificationOutcome, qualify_offerings
from salesdev.domains.rules import sale_parties

STATES = ("acknowledged", "inProgress", "done", "terminatedWithError")
RESULTS = ("qualified", "partiallyQualified", "unqualified")
MAX_DESCRIPTION = 2000
MUTABLE = ("description", "expiration_date")


@dataclass(frozen=True)
class QualificationRequest:
    channel_id: uuid.UUID
    customer_id: uuid.UUID | None = None
    premise_id: uuid.UUID | None = None
    partner_id: uuid.UUID | None = None
    # None: the channel's whole catalogue.
    offering_ids: Sequence[uuid.UUID] | None = None
    provide_alternative: bool = False
    provide_only_available: bool = False
    provide_unavailability_reason: bool = True
    instant_sync: bool = True
    description: str = ""
    # The instant to qualify for; None: now.
    at: datetime | None = None
    expiration_date: datetime | None = None


def outcome_item(
    outcome: QualificationOutcome, memo: dict[int, list[Any]] | None = None
) -> list[Any]:
    """One stored item, compact (thousands per qualification): ``[offering id, code, name,
    qualified (1/0), reasons, alternatives, errors]`` with empty trailing lists left out;
    a reason is ``[code, label, [failing clauses], rule code or null]``, an alternative
    ``[offering id, code, name]``. :func:`item_view` reads it back."""
    item: list[Any] = [str(outcome.offering_id), outcome.code, outcome.name]
    if outcome.qualified:
        item.append(1)
        return item
    item.append(0)
    # ``memo`` (by the identity of the outcome's reason list, alive while the outcomes are):
    # offerings that fail the same way share one stored list.
    reasons = memo.get(id(outcome.reasons)) if memo is not None else None
    if reasons is None:
        reasons = [[r.code, r.label, list(r.clauses), r.rule_code] for r in outcome.reasons]
        if memo is not None:
            memo[id(outcome.reasons)] = reasons
    item.append(reasons)
    if outcome.alternatives or outcome.errors:
        item.append([[str(a.offering_id), a.code, a.name] for a in outcome.alternatives])
    if outcome.errors:
        item.append(list(outcome.errors))
    return item


@dataclass(frozen=True)
class ItemView:
    """A stored item, read back."""

    number: int
    offering_id: str
    code: str
    name: str
    qualified: bool
    reasons: list[list[Any]]
    alternatives: list[list[str]]
    errors: list[str]

    @property
    def state(self) -> str:
        return "terminatedWithError" if self.errors else "done"


def item_view(number: int, item: Sequence[Any]) -> ItemView:
    rest = [*item[4:], [], [], []]
    return ItemView(number, item[0], item[1], item[2], bool(item[3]), rest[0], rest[1], rest[2])


def overall_result(outcomes: Sequence[QualificationOutcome]) -> str:
    qualified = sum(1 for o in outcomes if o.qualified)
    if outcomes and qualified == len(outcomes):
        return "qualified"
    return "partiallyQualified" if qualified else "unqualified"


def create_qualification(
    session: Session, *, principal: Principal, request: QualificationRequest, now: datetime
) -> ProductOfferingQualification:
    """Qualify now and keep the answer. Bad input (unknown channel, customer, premise,
    offering...) raises before anything is written."""
    row = prepare_qualification(session, principal=principal, request=request, now=now)
    store_qualification(session, row)
    return row


def prepare_qualification(
    session: Session, *, principal: Principal, request: QualificationRequest, now: datetime
) -> ProductOfferingQualification:
    """The answered qualification, not stored yet (:func:`store_qualification` stores it).

    An interface may render its answer in between, so that the transaction writes (and,
    on SQLite, holds the database's write lock) only for the INSERT and the audit event.
    """
    authorize(principal, Family.SELLING, "write")
    require_aware(now, location="now")
    errors = _request_errors(request)
    if errors:
        raise InvalidInput("Invalid product offering qualification", errors)
    at = request.at or now
    # Every party named, in one read: the scope check, the sale context and the answer's
    # names find them there.
    sale_parties(
        session,
        channel_id=request.channel_id,
        partner_id=request.partner_id,
        customer_id=request.customer_id,
        premise_id=request.premise_id,
    )
    partner_id = selling_scope(
        session, principal=principal, channel_id=request.channel_id, partner_id=request.partner_id
    )
    outcomes = qualify_offerings(
        session,
        principal=principal,
        channel_id=request.channel_id,
        at=at,
        customer_id=request.customer_id,
        premise_id=request.premise_id,
        partner_id=partner_id,
        offering_ids=request.offering_ids,
        provide_alternative=request.provide_alternative,
    )
    shown = [o for o in outcomes if o.qualified] if request.provide_only_available else outcomes
    failed = any(o.errors for o in outcomes)
    return ProductOfferingQualification(
        id=new_id(),
        description=request.description,
        state="terminatedWithError" if failed else "done",
        qualification_result=overall_result(outcomes),
        channel_id=request.channel_id,
        partner_id=partner_id,
        customer_id=request.customer_id,
        premise_id=request.premise_id,
        instant_sync=request.instant_sync,
        provide_alternative=request.provide_alternative,
        provide_only_available=request.provide_only_available,
        provide_unavailability_reason=request.provide_unavailability_reason,
        qualified_at=at,
        expiration_date=request.expiration_date,
        item_count=len(outcomes),
        qualified_count=sum(1 for o in outcomes if o.qualified),
        items=_stored_items(shown),
        requested_by=principal.actor,
        created_at=now,
        updated_at=now,
        version=1,
    )


def _stored_items(outcomes: Sequence[QualificationOutcome]) -> list[list[Any]]:
    memo: dict[int, list[Any]] = {}
    return [outcome_item(o, memo) for o in outcomes]


_COLUMNS = tuple(column.key for column in ProductOfferingQualification.__table__.columns)
_INSERT = Prepared(insert(cast(Table, ProductOfferingQualification.__table__)), columns=_COLUMNS)


def store_qualification(session: Session, row: ProductOfferingQualification) -> None:
    """Store a prepared qualification: one INSERT and a summary audit event."""
    values = {name: getattr(row, name) for name in _COLUMNS}
    # One statement object for every call (its compiled form is cached); the row's values
    # are its parameters.
    _INSERT.run(flushed_connection(session), values)
    make_transient_to_detached(row)
    session.add(row)
    record_event(
        session,
        action="qualification.created",
        object_type="product_offering_qualification",
        object_id=str(row.id),
        after={
            "channel_id": str(row.channel_id),
            "partner_id": str(row.partner_id) if row.partner_id else None,
            "customer_id": str(row.customer_id) if row.customer_id else None,
            "premise_id": str(row.premise_id) if row.premise_id else None,
            "state": row.state,
            "qualification_result": row.qualification_result,
            "item_count": row.item_count,
            "qualified_count": row.qualified_count,
        },
    )


def _request_errors(request: QualificationRequest) -> list[ErrorDetail]:
    errors: list[ErrorDetail] = []
    if not isinstance(request.description, str) or len(request.description) > MAX_DESCRIPTION:
        errors.append(ErrorDetail("description", f"at most {MAX_DESCRIPTION} characters"))
    for location, value in (("at", request.at), ("expiration_date", request.expiration_date)):
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            errors.append(ErrorDetail(location, "a timezone is required"))
    if request.offering_ids is not None and not request.offering_ids:
        errors.append(ErrorDetail("offering_ids", "name at least one offering, or none at all"))
    return errors


def _visible(principal: Principal) -> Select[ProductOfferingQualification]:
    statement = select(ProductOfferingQualification)
    if not may_see_all(principal):
        statement = statement.where(ProductOfferingQualification.requested_by == principal.actor)
    return statement


def get_qualification(
    session: Session, *, principal: Principal, qualification_id: uuid.UUID
) -> ProductOfferingQualification:
    authorize(principal, Family.SELLING, "read")
    row = session.scalar(
        _visible(principal).where(ProductOfferingQualification.id == qualification_id)
    )
    if row is None:
        raise NotFound(f"Product offering qualification {qualification_id} does not exist")
    return row


def _parse_uuid(raw: str) -> uuid.UUID:
    return uuid.UUID(raw)


def _parse_time(raw: str) -> datetime:
    value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("a timezone is required")
    return value


_Q = ProductOfferingQualification
QUALIFICATION_ATTRIBUTES: dict[str, Attribute] = {
    "id": Attribute(_Q.id, parse=_parse_uuid),
    "state": Attribute(_Q.state),
    "qualificationResult": Attribute(_Q.qualification_result),
    "channelId": Attribute(_Q.channel_id, parse=_parse_uuid),
    "partnerId": Attribute(_Q.partner_id, parse=_parse_uuid),
    "customerId": Attribute(_Q.customer_id, parse=_parse_uuid),
    "premiseId": Attribute(_Q.premise_id, parse=_parse_uuid),
    "qualifiedAt": Attribute(_Q.qualified_at, parse=_parse_time),
    "createdAt": Attribute(_Q.created_at, parse=_parse_time),
    "requestedBy": Attribute(_Q.requested_by),
}


def list_qualifications(
    session: Session, *, principal: Principal, query: ListQuery
) -> Page[ProductOfferingQualification]:
    """Newest first unless sorted otherwise."""
    authorize(principal, Family.SELLING, "read")
    return fetch_page(
        session,
        _visible(principal),
        attributes=QUALIFICATION_ATTRIBUTES,
        query=query,
        tie_breaker=_Q.id,
        default_sort=(SortKey("createdAt", descending=True),),
    )


def _for_write(
    session: Session,
    principal: Principal,
    qualification_id: uuid.UUID,
    expected_version: int | None,
) -> ProductOfferingQualification:
    row = get_qualification(session, principal=principal, qualification_id=qualification_id)
    authorize(principal, Family.SELLING, "write")
    if expected_version is not None and row.version != expected_version:
        raise PreconditionFailed(
            f"Product offering qualification {row.id} was changed by someone else "
            f"(version {row.version}, you had {expected_version}); reload and try again"
        )
    return row


def update_qualification(
    session: Session,
    *,
    principal: Principal,
    qualification_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None = None,
) -> ProductOfferingQualification:
    """Only the description and the expiration date change: the answer is history."""
    row = _for_write(session, principal, qualification_id, expected_version)
    refused = [
        ErrorDetail(name, "the answer of a qualification is not changed; ask again instead")
        for name in changes
        if name not in MUTABLE
    ]
    if refused:
        raise InvalidInput("Invalid change of product offering qualification", refused)
    if "description" in changes:
        value = changes["description"]
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
            raise InvalidInput(
                "Invalid change of product offering qualification",
                [ErrorDetail("description", f"text of at most {MAX_DESCRIPTION} characters")],
            )
        row.description = value
    if "expiration_date" in changes:
        value = changes["expiration_date"]
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise InvalidInput(
                "Invalid change of product offering qualification",
                [ErrorDetail("expiration_date", "expected a date and time with a timezone")],
            )
        row.expiration_date = value
    row.updated_at = require_aware(now, location="now")
    session.flush()
    return row


def delete_qualification(
    session: Session,
    *,
    principal: Principal,
    qualification_id: uuid.UUID,
    expected_version: int | None = None,
) -> None:
    row = _for_write(session, principal, qualification_id, expected_version)
    session.delete(row)
    session.flush()
