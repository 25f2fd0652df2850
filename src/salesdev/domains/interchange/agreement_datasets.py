"""The ``channel_agreements`` dataset: export only, one row per agreement with the terms of
its current version flattened into columns.

Agreements are negotiated, versioned and approved by people (approval by someone other
than the terms' author), so they are made in the console or the API, not loaded from files.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from salesdev.db.models import ChannelAgreement, ChannelAgreementVersion, Partner, SalesChannel
from salesdev.domains.access import Family
from salesdev.domains.interchange.columns import Column
from salesdev.domains.interchange.datasets import Dataset, register_dataset
from salesdev.domains.reference import find_ids_by_code

NAME = "channel_agreements"
_EXPORT_BATCH = 1000

COLUMNS = (
    Column("partner_code", "str", description="the partner party (empty for a channel's)"),
    Column("channel_code", "str", description="the channel party (empty for a partner's)"),
    Column("name", "str", description="the agreement's name"),
    Column("status", "str", description="draft, in_negotiation, approved, active, expired..."),
    Column("version", "int", description="number of the current version"),
    Column("valid_from", "datetime", description="start of validity (inclusive)"),
    Column("valid_to", "datetime", description="end of validity (exclusive); empty: no end"),
    Column("commission_schedule_ref", "str", description="code of the commission schedule"),
    Column(
        "discount_allowances",
        "str",
        description="maximum discount per product family, e.g. FIBRE=10;MOBILE=7.5 (percent)",
    ),
    Column(
        "volume_commitments",
        "str",
        description="commitment/target per month, e.g. 2027-01=100/150;2027-02=120/180",
    ),
    Column("payment_terms_days", "int", description="payment terms in days"),
    Column("clauses", "str", description="free-text clauses as a JSON object {key: text}"),
    Column("terms_author", "str", description="who wrote the terms in force"),
)


def export_agreements(session: Session) -> Iterator[dict[str, Any]]:
    """Every agreement, by party code then start, with its current version's terms."""
    version = ChannelAgreementVersion
    statement = (
        select(
            Partner.code,
            SalesChannel.code,
            ChannelAgreement.status,
            ChannelAgreement.latest_version,
            ChannelAgreement.terms_author,
            version.snapshot,
        )
        .join(
            version,
            and_(
                version.agreement_id == ChannelAgreement.id,
                version.number == ChannelAgreement.latest_version,
            ),
        )
        .outerjoin(Partner, Partner.id == ChannelAgreement.partner_id)
        .outerjoin(SalesChannel, SalesChannel.id == ChannelAgreement.channel_id)
        .order_by(
            Partner.code.nulls_last(),
            SalesChannel.code.nulls_last(),
            ChannelAgreement.valid_from,
            ChannelAgreement.id,
        )
        .execution_options(yield_per=_EXPORT_BATCH)
    )
    for partner, channel, status, number, author, snapshot in session.execute(statement):
        yield {
            "partner_code": partner,
            "channel_code": channel,
            "status": status,
            "version": number,
            "terms_author": author,
            **flatten_terms(snapshot),
        }


def flatten_terms(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """A version's canonical terms as cells (see ``salesdev.domains.agreements.terms``)."""
    valid_for = snapshot.get("validFor") or {}
    commitments = snapshot.get("volumeCommitments") or {}
    clauses = snapshot.get("clauses") or {}
    return {
        "name": snapshot.get("name"),
        "valid_from": _instant(valid_for.get("startDateTime")),
        "valid_to": _instant(valid_for.get("endDateTime")),
        "commission_schedule_ref": snapshot.get("commissionScheduleRef"),
        "discount_allowances": ";".join(
            f"{family}={percent}"
            for family, percent in (snapshot.get("discountAllowances") or {}).items()
        )
        or None,
        "volume_commitments": ";".join(
            f"{period}={entry['commitment']}/{entry['target']}"
            for period, entry in commitments.items()
        )
        or None,
        "payment_terms_days": snapshot.get("paymentTermsDays"),
        "clauses": json.dumps(clauses, ensure_ascii=False, sort_keys=True) if clauses else None,
    }


def _instant(text: str | None) -> datetime | None:
    # Snapshots hold instants as ISO 8601 in UTC with a "Z".
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def _resolve_codes(
    session: Session, *, kind: str, codes: Collection[str]
) -> Mapping[str, uuid.UUID]:
    return find_ids_by_code(session, kind=kind, codes=codes)


def register_agreement_dataset() -> None:
    register_dataset(
        Dataset(
            name=NAME,
            description="channel agreements (export only): the current version's terms, "
            "status and version number of every agreement",
            kind="channel_agreement",
            columns=COLUMNS,
            import_row=None,
            export_rows=export_agreements,
            resolve_codes=_resolve_codes,
            family=Family.PARTNERS,
            key_column=None,
            import_refusal="agreements are negotiated, versioned and approved in the console "
            "or the API, not loaded from files",
        )
    )
