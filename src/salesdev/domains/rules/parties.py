"""The parties of a sale (channel, partner, customer, premise) as plain values, read in one
statement and kept for the rest of the transaction.

A sale's context, its selling scope and its answer's names all read the same four rows.
Loaded as ORM entities they cost more CPU than the rest of a small qualification; here they
are columns, read once per session for whichever parties are not known yet.

What was read is forgotten when the session writes (a flush, or an INSERT, UPDATE or
DELETE run with ``session.execute``), commits or rolls back, so it never outlives the state
it was read from; pending changes are flushed before a read, as the ORM's autoflush would.
A statement run on the session's connection itself is not seen; the only ones that write
these tables, the demo loader's, read no sale.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, bindparam, event, literal_column, select
from sqlalchemy.orm import ORMExecuteState, Session

from salesdev.db.models import Customer, Partner, Premise, Region, SalesChannel
from salesdev.db.prepared import Prepared
from salesdev.db.session import flushed_connection


@dataclass(frozen=True, slots=True)
class ChannelParty:
    id: uuid.UUID
    code: str
    name: str
    channel_type: str
    status: str


@dataclass(frozen=True, slots=True)
class PartnerParty:
    id: uuid.UUID
    code: str
    name: str
    partner_type: str
    tier: str
    channel_id: uuid.UUID
    status: str


@dataclass(frozen=True, slots=True)
class CustomerParty:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    segment: str
    credit_class: str
    customer_since: date | None
    age_band: str | None
    partner_id: uuid.UUID | None
    region_code: str | None


@dataclass(frozen=True, slots=True)
class PremiseParty:
    id: uuid.UUID
    code: str
    address: str
    technologies: str
    region_code: str | None


@dataclass(frozen=True, slots=True)
class SaleParties:
    """What was asked for; None where it was not asked for or does not exist."""

    channel: ChannelParty | None = None
    partner: PartnerParty | None = None
    customer: CustomerParty | None = None
    premise: PremiseParty | None = None


def sale_parties(
    session: Session,
    *,
    channel_id: uuid.UUID | None = None,
    partner_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    premise_id: uuid.UUID | None = None,
) -> SaleParties:
    """The named parties; those this session has not read since it last wrote are read in
    one statement."""
    connection = flushed_connection(session)
    known: dict[tuple[str, uuid.UUID], Any] = session.info.setdefault(_KNOWN, {})
    wanted = {
        kind: key
        for kind, key in (
            ("channel", channel_id),
            ("partner", partner_id),
            ("customer", customer_id),
            ("premise", premise_id),
        )
        if key is not None
    }
    missing = {kind: key for kind, key in wanted.items() if (kind, key) not in known}
    if missing:
        shape = tuple(kind in missing for kind in _KINDS)
        statement = _READS.get(shape)
        if statement is None:
            statement = _READS[shape] = _read(shape)
        row = statement.rows(connection, {f"{k}_id": v for k, v in missing.items()})[0]
        values = iter(row)
        for kind, present in zip(_KINDS, shape, strict=True):
            if present:
                width = _WIDTHS[kind]
                columns = [next(values) for _ in range(width)]
                found = _BUILDERS[kind](*columns) if columns[0] is not None else None
                known[(kind, missing[kind])] = found
    return SaleParties(**{kind: known[(kind, key)] for kind, key in wanted.items()})


_KINDS = ("channel", "partner", "customer", "premise")
_KNOWN = "salesdev.sale_parties"

_CHANNEL = cast(Table, SalesChannel.__table__)
_PARTNER = cast(Table, Partner.__table__)
_CUSTOMER = cast(Table, Customer.__table__)
_PREMISE = cast(Table, Premise.__table__)
_REGION = cast(Table, Region.__table__)
_CUSTOMER_REGION = _REGION.alias("customer_region")
_PREMISE_REGION = _REGION.alias("premise_region")

# The columns of each kind, in the order of its dataclass's fields (id first: None when
# the row does not exist), and the joins that bring them.
_COLUMNS: dict[str, list[Any]] = {
    "channel": [_CHANNEL.c[name] for name in ("id", "code", "name", "channel_type", "status")],
    "partner": [
        _PARTNER.c[name]
        for name in ("id", "code", "name", "partner_type", "tier", "channel_id", "status")
    ],
    "customer": [
        *(
            _CUSTOMER.c[name]
            for name in (
                "id",
                "code",
                "name",
                "kind",
                "segment",
                "credit_class",
                "customer_since",
                "age_band",
                "partner_id",
            )
        ),
        _CUSTOMER_REGION.c.code,
    ],
    "premise": [
        *(_PREMISE.c[name] for name in ("id", "code", "address", "technologies")),
        _PREMISE_REGION.c.code,
    ],
}
_WIDTHS = {kind: len(columns) for kind, columns in _COLUMNS.items()}
_BUILDERS: dict[str, Any] = {
    "channel": ChannelParty,
    "partner": PartnerParty,
    "customer": CustomerParty,
    "premise": PremiseParty,
}
_READS: dict[tuple[bool, ...], Prepared] = {}


def _read(shape: tuple[bool, ...]) -> Prepared:
    # Built once per combination of what is read; the ids are parameters. Each party is
    # outer-joined on its own id alone (a one-row anchor that always exists underneath), so
    # the row comes back whether or not each exists.
    wanted = [kind for kind, present in zip(_KINDS, shape, strict=True) if present]
    anchor = select(literal_column("1").label("anchor")).subquery("anchor")
    statement = select(*(column for kind in wanted for column in _COLUMNS[kind])).select_from(
        anchor
    )
    for kind in wanted:
        table = {
            "channel": _CHANNEL,
            "partner": _PARTNER,
            "customer": _CUSTOMER,
            "premise": _PREMISE,
        }[kind]
        statement = statement.outerjoin(table, table.c.id == bindparam(f"{kind}_id"))
        if kind == "customer":
            statement = statement.outerjoin(
                _CUSTOMER_REGION, _CUSTOMER_REGION.c.id == _CUSTOMER.c.region_id
            )
        elif kind == "premise":
            statement = statement.outerjoin(
                _PREMISE_REGION, _PREMISE_REGION.c.id == _PREMISE.c.region_id
            )
    return Prepared(statement)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_KNOWN, None)


def _forget_before_bulk_write(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        _forget(state.session)


for _moment in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _moment, _forget)
event.listen(Session, "do_orm_execute", _forget_before_bulk_write)
