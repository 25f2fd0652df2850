"""Channel authorisations (``channelAuthorisation``): which offerings a channel, or a partner
in it, may sell, and when.

History is never rewritten: there is no DELETE (405). A PATCH may only end an
authorisation (``validFor.endDateTime``) or withdraw one that has not started
(``status: withdrawn``); both go through the authorisation service.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from salesdev.api.actions import parse_instant
from salesdev.api.catalog import BASE_PATH as CATALOG_PATH
from salesdev.api.catalog_attributes import ForeignRef
from salesdev.api.toolkit import Reference, Resource, Scalar, ValidFor
from salesdev.api.toolkit.attributes import Attr, Mode
from salesdev.api.toolkit.listing import ServiceNames
from salesdev.api.toolkit.operations import ServiceOperations
from salesdev.api.toolkit.resource import RenderContext
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.ids import parse_id
from salesdev.db.models import ChannelAuthorisation, ProductOffering
from salesdev.domains.access import Family, Principal
from salesdev.domains.authorisation import (
    AUTHORISATION_ATTRIBUTES,
    AUTHORISATION_STATUSES,
    PREREQUISITE_TYPES,
    authorise_offering,
    end_authorisation,
    get_authorisation,
    list_authorisations,
    withdraw_authorisation,
)

NAMES = ServiceNames(
    {
        "channel.id": "channelId",
        "partner.id": "partnerId",
        "productOffering.id": "productOfferingId",
        "status": "status",
        "validFor.startDateTime": "validFrom",
        "validFor.endDateTime": "validTo",
    },
    AUTHORISATION_ATTRIBUTES,
)
_ONLY = (
    "an authorisation is only ended (validFor.endDateTime) or withdrawn (status); "
    "to change anything else, end it and authorise again"
)


class Prerequisites(Attr):
    """Conditions recorded as data: ``[{"type": "certification", "code": "FIBRE-101"}]``."""

    name = "prerequisites"
    description = "Conditions other capabilities enforce (type: certification, course, agreement)"

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        return list(entity.prerequisites or [])

    def parse(self, raw: Any) -> dict[str, Any]:
        # The service validates every item and says which one is wrong.
        return {"prerequisites": raw}

    def schema(self, mode: Mode) -> dict[str, Any]:
        return {
            "type": "array",
            "description": self.description,
            "items": {
                "type": "object",
                "required": ["type", "code"],
                "properties": {
                    "type": {"type": "string", "enum": list(PREREQUISITE_TYPES)},
                    "code": {"type": "string", "maxLength": 64},
                    "description": {"type": "string", "maxLength": 500},
                },
            },
        }

    def locations(self) -> dict[str, str]:
        return {"prerequisites": "prerequisites"}


def _authorise(
    session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
) -> Any:
    errors: list[ErrorDetail] = []
    ids: dict[str, uuid.UUID | None] = {}
    for domain, location in (
        ("channel_id", "channel"),
        ("product_offering_id", "productOffering"),
        ("partner_id", "partner"),
    ):
        raw = values.get(domain)
        if raw is None:
            if domain != "partner_id":
                errors.append(ErrorDetail(location, "is required"))
            ids[domain] = None
            continue
        try:
            ids[domain] = parse_id(raw, location=f"{location}.id")
        except InvalidInput as exc:
            errors += exc.details
    valid_from = _instant(values.get("valid_from"), "validFor.startDateTime", errors)
    if "valid_from" not in values or values.get("valid_from") is None:
        errors.append(ErrorDetail("validFor.startDateTime", "is required"))
    valid_to = _instant(values.get("valid_to"), "validFor.endDateTime", errors)
    if values.get("status") not in (None, "active"):
        errors.append(ErrorDetail("status", "a new authorisation is active"))
    if errors or valid_from is None:
        raise InvalidInput("Invalid ChannelAuthorisation", errors)
    channel_id, offering_id = ids["channel_id"], ids["product_offering_id"]
    assert channel_id is not None and offering_id is not None
    return authorise_offering(
        session,
        principal=principal,
        channel_id=channel_id,
        product_offering_id=offering_id,
        partner_id=ids["partner_id"],
        valid_from=valid_from,
        valid_to=valid_to,
        prerequisites=values.get("prerequisites"),
        now=now,
    )


def _change_authorisation(
    session: Session,
    *,
    principal: Principal,
    authorisation_id: uuid.UUID,
    changes: Mapping[str, Any],
    now: datetime,
    expected_version: int | None,
) -> Any:
    row = get_authorisation(session, principal=principal, authorisation_id=authorisation_id)
    changes = _real_changes(changes, row)
    if not changes:
        return row
    location = {
        "channel_id": "channel",
        "partner_id": "partner",
        "product_offering_id": "productOffering",
        "valid_from": "validFor.startDateTime",
        "prerequisites": "prerequisites",
    }
    refused = [ErrorDetail(location[k], _ONLY) for k in changes if k in location]
    if "status" in changes and "valid_to" in changes:
        refused.append(ErrorDetail("status", "withdraw or end, not both in one change"))
    elif "status" in changes and changes["status"] != "withdrawn":
        refused.append(ErrorDetail("status", "can only become withdrawn"))
    elif "valid_to" in changes and changes["valid_to"] is None:
        refused.append(ErrorDetail("validFor.endDateTime", "an end can be moved but not removed"))
    if refused:
        raise InvalidInput("Invalid change of ChannelAuthorisation", refused)
    if "status" in changes:
        return withdraw_authorisation(
            session,
            principal=principal,
            authorisation_id=authorisation_id,
            now=now,
            expected_version=expected_version,
        )
    valid_to = parse_instant(changes["valid_to"], location="validFor.endDateTime")
    return end_authorisation(
        session,
        principal=principal,
        authorisation_id=authorisation_id,
        valid_to=valid_to,
        now=now,
        expected_version=expected_version,
    )


def _real_changes(changes: Mapping[str, Any], row: ChannelAuthorisation) -> dict[str, Any]:
    """validFor arrives whole: a bound given again with its current value is no change."""
    real = dict(changes)
    for domain, location in (
        ("valid_from", "validFor.startDateTime"),
        ("valid_to", "validFor.endDateTime"),
    ):
        raw = real.get(domain)
        if raw is not None and parse_instant(raw, location=location) == getattr(row, domain):
            del real[domain]
    return real


def _instant(raw: Any, location: str, errors: list[ErrorDetail]) -> datetime | None:
    if raw is None:
        return None
    try:
        return parse_instant(raw, location=location)
    except InvalidInput as exc:
        errors += exc.details
        return None


def channel_authorisation_resource() -> Resource:
    return Resource(
        name="channelAuthorisation",
        type="ChannelAuthorisation",
        model=ChannelAuthorisation,
        operations=ServiceOperations(
            ChannelAuthorisation,
            "Channel authorisation",
            key="authorisation_id",
            get=get_authorisation,
            list=list_authorisations,
            create=_authorise,
            update=_change_authorisation,
            names=NAMES,
        ),
        family=Family.CHANNELS,
        display_attribute="id",
        filters=NAMES.published(),
        description=(
            "A channel (partner empty: channel-wide) or one of its partners may sell an "
            "offering during a half-open period. Never deleted: PATCH ends it "
            "(validFor.endDateTime) or withdraws it before it starts (status)"
        ),
        attributes=(
            Reference("channel", "channel_id", target="salesChannel", required=True),
            Reference("partner", "partner_id", target="partner"),
            ForeignRef(
                "productOffering",
                "product_offering_id",
                ProductOffering,
                CATALOG_PATH,
                "productOffering",
                "ProductOffering",
                required=True,
                nullable=False,
            ),
            ValidFor("valid_from", "valid_to", required=True),
            Prerequisites(),
            Scalar("status", "status", choices=AUTHORISATION_STATUSES, nullable=False),
            Scalar("creationDate", "created_at", "datetime", readonly=True),
            Scalar("lastUpdate", "updated_at", "datetime", readonly=True),
        ),
    )
