"""The ``channel_authorisations`` dataset: which offerings each channel or partner may sell.

Authorisations have no code: every row creates one through the authorisation service
(overlap and reference rules included), so a file is a set of grants, not updates. The
export holds every row, ended and withdrawn ones included, so that an export imports
back into a database without authorisations unchanged.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.models import ChannelAuthorisation, Partner, ProductOffering, SalesChannel
from salesdev.domains.access import SYSTEM, Family
from salesdev.domains.authorisation import (
    AUTHORISATION_STATUSES,
    authorise_offering,
    parse_prerequisites,
)
from salesdev.domains.interchange.columns import Column
from salesdev.domains.interchange.datasets import Dataset, Reference, register_dataset
from salesdev.domains.interchange.prerequisite_text import (
    PrerequisiteTextError,
    format_prerequisites,
    parse_prerequisite_text,
)
from salesdev.domains.reference import find_ids_by_code

NAME = "channel_authorisations"
_EXPORT_BATCH = 1000
_ITEM = re.compile(r"^prerequisites\[(\d+)\](?:\.(\w+))?$")

COLUMNS = (
    Column("channel_code", "str", required=True, description="code of the sales channel"),
    Column(
        "partner_code",
        "str",
        description="code of a partner selling through the channel; empty for channel-wide",
    ),
    Column("offering_code", "str", required=True, description="code of the product offering"),
    Column(
        "valid_from",
        "datetime",
        required=True,
        description="ISO 8601 date-time with a timezone (inclusive), e.g. 2026-01-01T00:00:00Z",
    ),
    Column("valid_to", "datetime", description="ISO 8601 date-time (exclusive); empty: no end"),
    Column(
        "prerequisites",
        "str",
        description="type:code items separated by ';' (type certification, course or "
        "agreement), e.g. certification:FIBRE-101;certification:TV-200",
    ),
    Column(
        "status",
        "str",
        choices=AUTHORISATION_STATUSES,
        description="active (default) or withdrawn (cancelled before it started)",
    ),
)
REFERENCES = (
    Reference("channel_code", "sales_channel", "channel_id", "sales channel"),
    Reference("partner_code", "partner", "partner_id", "partner"),
    Reference("offering_code", "product_offering", "product_offering_id", "product offering"),
)


def import_authorisation(
    session: Session,
    *,
    values: Mapping[str, Any],
    existing_id: uuid.UUID | None,
    now: datetime,
) -> uuid.UUID:
    row = authorise_offering(
        session,
        principal=SYSTEM,
        channel_id=values["channel_id"],
        partner_id=values.get("partner_id"),
        product_offering_id=values["product_offering_id"],
        valid_from=values["valid_from"],
        valid_to=values.get("valid_to"),
        # Checked before the first write (check_authorisation_rows).
        prerequisites=parse_prerequisite_text(values.get("prerequisites")),
        withdrawn=values.get("status") == "withdrawn",
        now=now,
    )
    record_id: uuid.UUID = row.id
    return record_id


def check_authorisation_rows(rows: Sequence[tuple[str, Mapping[str, Any]]]) -> list[ErrorDetail]:
    """Prerequisites that do not read, and rows of the file whose periods overlap."""
    problems: list[ErrorDetail] = []
    earlier: dict[tuple[str, str | None, str], list[tuple[str, Mapping[str, Any]]]] = {}
    for location, values in rows:
        problems += [
            ErrorDetail(location, f"column 'prerequisites': {message}")
            for message in _prerequisite_problems(values.get("prerequisites"))
        ]
        if values.get("status") == "withdrawn" or not _period_ok(values):
            continue  # a withdrawn row blocks nothing; a bad period is the service's to report
        holder = (values["channel_code"], values.get("partner_code"), values["offering_code"])
        same = earlier.setdefault(holder, [])
        clash = next((other for other in same if _overlap(values, other[1])), None)
        if clash is not None:
            problems.append(
                ErrorDetail(
                    location,
                    f"the period overlaps that of {clash[0]}: both authorise {_who(holder)} "
                    f"to sell {holder[2]}",
                )
            )
        same.append((location, values))
    return problems


def _prerequisite_problems(text: str | None) -> list[str]:
    try:
        items = parse_prerequisite_text(text)
        parse_prerequisites(items)
    except PrerequisiteTextError as error:
        return [str(error)]
    except InvalidInput as error:
        return [_item_message(detail) for detail in error.details]
    return []


def _item_message(detail: ErrorDetail) -> str:
    match = _ITEM.match(detail.location)
    if match is None:
        return detail.message
    number = int(match.group(1)) + 1
    field = f" {match.group(2)}" if match.group(2) else ""
    return f"item {number}{field}: {detail.message}"


def _period_ok(values: Mapping[str, Any]) -> bool:
    return values.get("valid_to") is None or values["valid_to"] > values["valid_from"]


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    a_to, b_to = a.get("valid_to"), b.get("valid_to")
    return (b_to is None or a["valid_from"] < b_to) and (a_to is None or b["valid_from"] < a_to)


def _who(holder: tuple[str, str | None, str]) -> str:
    channel, partner, _offering = holder
    return f"partner {partner} in {channel}" if partner else f"{channel} (channel-wide)"


def export_authorisations(session: Session) -> Iterator[dict[str, Any]]:
    """Every authorisation, by channel, holder (channel-wide first), offering and start."""
    partner = aliased(Partner)
    statement = (
        select(
            SalesChannel.code,
            partner.code,
            ProductOffering.code,
            ChannelAuthorisation.valid_from,
            ChannelAuthorisation.valid_to,
            ChannelAuthorisation.prerequisites,
            ChannelAuthorisation.status,
        )
        .join(SalesChannel, SalesChannel.id == ChannelAuthorisation.channel_id)
        .join(ProductOffering, ProductOffering.id == ChannelAuthorisation.product_offering_id)
        .outerjoin(partner, partner.id == ChannelAuthorisation.partner_id)
        .order_by(
            SalesChannel.code,
            partner.code.nulls_first(),
            ProductOffering.code,
            ChannelAuthorisation.valid_from,
            ChannelAuthorisation.id,
        )
        .execution_options(yield_per=_EXPORT_BATCH)
    )
    for (
        channel,
        partner_code,
        offering,
        valid_from,
        valid_to,
        prerequisites,
        status,
    ) in session.execute(statement):
        yield {
            "channel_code": channel,
            "partner_code": partner_code,
            "offering_code": offering,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "prerequisites": format_prerequisites(prerequisites or ()) or None,
            "status": status,
        }


def _resolve_codes(
    session: Session, *, kind: str, codes: Collection[str]
) -> Mapping[str, uuid.UUID]:
    return find_ids_by_code(session, kind=kind, codes=codes)


def _write_order(values: Mapping[str, Any]) -> int:
    # Withdrawn rows first: written while briefly active, they must not meet an active row.
    return 0 if values.get("status") == "withdrawn" else 1


def register_authorisation_dataset() -> None:
    register_dataset(
        Dataset(
            name=NAME,
            description="channel authorisations: which offerings a channel, or a partner in it, "
            "may sell and when; every row creates one (history included on export)",
            kind="channel_authorisation",
            columns=COLUMNS,
            import_row=import_authorisation,
            export_rows=export_authorisations,
            resolve_codes=_resolve_codes,
            family=Family.CHANNELS,
            references=REFERENCES,
            key_column=None,
            check_rows=check_authorisation_rows,
            write_order=_write_order,
        )
    )
