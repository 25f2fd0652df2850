"""Raw JSON values of the TMF620 resources turned into the catalogue services' inputs.

The toolkit's attributes check JSON types only; here instants, identifiers and the
nested TMF620 structures (terms, bundled offerings) become typed values, each error
under the TMF path the client sent. The services then check the rules.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.ids import parse_id
from salesdev.core.periods import parse_instant
from salesdev.domains.catalog import BundledOfferingInput, TermInput

# Domain field -> where a client sent it.
INSTANTS = {"valid_from": "validFor.startDateTime", "valid_to": "validFor.endDateTime"}
IDS = {
    "family_id": "productFamily.id",
    "product_specification_id": "productSpecification.id",
    "catalog_id": "catalog.id",
    "parent_id": "parentId",
    "product_offering_id": "productOffering.id",
}
ID_LISTS = {
    "category_ids": "category",
    "channel_ids": "channel",
    "market_segment_ids": "marketSegment",
}


def typed_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Domain values with instants, ids and nested structures parsed; every error at once."""
    errors: list[ErrorDetail] = []
    typed: dict[str, Any] = {}
    for name, raw in values.items():
        try:
            typed[name] = _typed(name, raw)
        except InvalidInput as exc:
            errors += exc.details
    if errors:
        raise InvalidInput("Invalid values", errors)
    return typed


def require(values: Mapping[str, Any], required: Mapping[str, str], label: str) -> None:
    """``required``: domain field -> TMF location; a missing or null one is named."""
    missing = [
        ErrorDetail(location, "is required")
        for name, location in required.items()
        if values.get(name) is None
    ]
    if missing:
        raise InvalidInput(f"Invalid {label}", missing)


def _typed(name: str, raw: Any) -> Any:
    if name in INSTANTS:
        return instant(raw, INSTANTS[name])
    if name in IDS:
        return None if raw is None else parse_id(raw, location=IDS[name])
    if name in ID_LISTS:
        return tuple(
            parse_id(ref, location=f"{ID_LISTS[name]}[{index}].id")
            for index, ref in enumerate(raw or ())
        )
    if name == "terms":
        return tuple(_term(index, item) for index, item in enumerate(raw or ()))
    if name == "bundled":
        return tuple(_bundled(index, item) for index, item in enumerate(raw or ()))
    if name == "characteristics":
        return tuple(raw or ())
    return raw


def instant(raw: Any, location: str) -> datetime | None:
    if raw is None:
        return None
    try:
        return parse_instant(raw)
    except ValueError as exc:
        raise InvalidInput("Invalid date-time", [ErrorDetail(location, str(exc))]) from None


def _object(raw: Any, location: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise InvalidInput("Invalid value", [ErrorDetail(location, "expected an object")])
    return raw


def _whole(raw: Any, location: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise InvalidInput("Invalid value", [ErrorDetail(location, "expected a whole number")])
    return raw


def _text(raw: Any, location: str, *, default: str = "") -> str:
    if raw is None:
        return default
    if not isinstance(raw, str):
        raise InvalidInput("Invalid value", [ErrorDetail(location, "expected a string")])
    return raw


def _term(index: int, raw: Any) -> TermInput:
    where = f"productOfferingTerm[{index}]"
    item = _object(raw, where)
    duration = _object(item.get("duration") or {}, f"{where}.duration")
    period = _object(item.get("validFor") or {}, f"{where}.validFor")
    return TermInput(
        name=_text(item.get("name"), f"{where}.name"),
        description=_text(item.get("description"), f"{where}.description"),
        duration_amount=_whole(duration.get("amount"), f"{where}.duration.amount"),
        duration_units=duration.get("units")
        if duration.get("units") is None
        else _text(duration.get("units"), f"{where}.duration.units"),
        valid_from=instant(period.get("startDateTime"), f"{where}.validFor.startDateTime"),
        valid_to=instant(period.get("endDateTime"), f"{where}.validFor.endDateTime"),
    )


def _bundled(index: int, raw: Any) -> BundledOfferingInput:
    where = f"bundledProductOffering[{index}]"
    item = _object(raw, where)
    option_where = f"{where}.bundledProductOfferingOption"
    option = _object(item.get("bundledProductOfferingOption") or {}, option_where)
    return BundledOfferingInput(
        offering_id=parse_id(item.get("id"), location=f"{where}.id"),
        number_default=_whole(
            option.get("numberRelOfferDefault"), f"{option_where}.numberRelOfferDefault"
        ),
        number_lower_limit=_whole(
            option.get("numberRelOfferLowerLimit"), f"{option_where}.numberRelOfferLowerLimit"
        ),
        number_upper_limit=_whole(
            option.get("numberRelOfferUpperLimit"), f"{option_where}.numberRelOfferUpperLimit"
        ),
    )


def id_text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)
