"""Attributes of the TMF620 representations that the toolkit does not declare: references
into another API, lists of references held in link tables, bundled offerings, terms,
unit of measure and an optional price.

List attributes render from the offering's links, read once per request (a page of
offerings in a few queries) and cached in the session's info by id and version.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from salesdev.api.toolkit.attributes import Attr, Mode, Money, render_scalar
from salesdev.api.toolkit.resource import RenderContext
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.models import ProductOffering
from salesdev.db.query import Attribute
from salesdev.domains.access import Principal
from salesdev.domains.catalog import OfferingInput, list_offering_prices, offering_inputs

_LINKS = "salesdev.api.catalog.offering_links"
_PRICES = "salesdev.api.catalog.offering_prices"
PRINCIPAL = "salesdev.api.principal"


def remember(session: Session, principal: Principal) -> None:
    # List attributes render through the catalogue services, as the caller.
    session.info[PRINCIPAL] = principal


def links(session: Session, offering: ProductOffering) -> OfferingInput:
    cache: dict[tuple[uuid.UUID, int], OfferingInput] = session.info.setdefault(_LINKS, {})
    key = (offering.id, offering.version)
    if key not in cache:
        prefetch_links(session, [offering])
    return cache[key]


def prefetch_links(session: Session, offerings: list[ProductOffering]) -> None:
    cache: dict[tuple[uuid.UUID, int], OfferingInput] = session.info.setdefault(_LINKS, {})
    found = offering_inputs(session, offerings)
    cache.update({(o.id, o.version): found[o.id] for o in offerings})


def price_refs(session: Session, offering_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    cache: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = session.info.setdefault(_PRICES, {})
    if offering_id not in cache:
        prices = list_offering_prices(
            session, principal=session.info[PRINCIPAL], offering_id=offering_id
        )
        cache[offering_id] = [(p.id, p.name) for p in prices]
    return cache[offering_id]


def forget_prices(session: Session, offering_id: uuid.UUID) -> None:
    session.info.setdefault(_PRICES, {}).pop(offering_id, None)


def _name(session: Session, model: Any, ref_id: uuid.UUID, display: str) -> str | None:
    # The session's identity map answers repeated references without a query.
    entity = session.get(model, ref_id)
    return None if entity is None else getattr(entity, display)


def _invalid(location: str, message: str) -> InvalidInput:
    return InvalidInput("Invalid value", [ErrorDetail(location, message)])


def _reference_schema(mode: Mode) -> dict[str, Any]:
    return {"$ref": "#/components/schemas/EntityRef" + ("" if mode == "read" else "_FVO")}


@dataclass(frozen=True)
class ForeignRef(Attr):
    """A reference to a resource of another API (e.g. ``productFamily``, ``channel``)."""

    name: str
    domain: str
    model: Any
    base_path: str
    resource: str
    referred_type: str
    display: str = "name"
    required: bool = False
    readonly: bool = False
    nullable: bool = True
    description: str = ""

    def ref(self, ctx: RenderContext, ref_id: uuid.UUID) -> dict[str, Any]:
        shown: dict[str, Any] = {"id": str(ref_id)}
        if self.resource:
            # Market segments have no resource of their own: no href.
            shown["href"] = f"{ctx.base_url}{self.base_path}/{self.resource}/{ref_id}"
        shown["name"] = _name(ctx.session, self.model, ref_id, self.display)
        shown["@referredType"] = self.referred_type
        return shown

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        ref_id = getattr(entity, self.domain)
        return None if ref_id is None else self.ref(ctx, ref_id)

    def parse(self, raw: Any) -> dict[str, Any]:
        if raw is None:
            return {self.domain: None}
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
            raise _invalid(self.name, 'expected a reference object such as {"id": "..."}')
        return {self.domain: raw["id"]}

    def filters(self, model: Any) -> dict[str, Attribute]:
        return {f"{self.name}.id": Attribute(getattr(model, self.domain), uuid.UUID)}

    def schema(self, mode: Mode) -> dict[str, Any]:
        return _reference_schema(mode)

    def locations(self) -> dict[str, str]:
        return {self.domain: f"{self.name}.id"}


@dataclass(frozen=True)
class RefList(Attr):
    """``[{id, href, name, @referredType}]`` held in a link table; ``[{"id": ...}]`` in.

    ``link``/``column`` are the link table and its reference column, so ``<name>.id=...``
    filters (the operations turn it into a subquery)."""

    name: str
    domain: str
    target: ForeignRef
    link: Table
    column: str
    description: str = ""
    nullable: bool = True

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        return [
            self.target.ref(ctx, ref) for ref in getattr(links(ctx.session, entity), self.domain)
        ]

    def parse(self, raw: Any) -> dict[str, Any]:
        if raw is None:
            return {self.domain: ()}
        if not isinstance(raw, list):
            raise _invalid(self.name, 'expected a list of references such as [{"id": "..."}]')
        ids = []
        for index, item in enumerate(raw):
            if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
                raise _invalid(f"{self.name}[{index}]", 'expected {"id": "..."}')
            ids.append(item["id"])
        return {self.domain: ids}

    def filters(self, model: Any) -> dict[str, Attribute]:
        return {f"{self.name}.id": Attribute(self.link.c[self.column], uuid.UUID, sortable=False)}

    def schema(self, mode: Mode) -> dict[str, Any]:
        return {"type": "array", "items": _reference_schema(mode)}

    def locations(self) -> dict[str, str]:
        return {self.domain: self.name}


@dataclass(frozen=True)
class Nested(Attr):
    """A list rendered from the offering's links by ``show``; parsed later (catalog_values)."""

    name: str
    domain: str
    show: Callable[[Any, RenderContext], list[dict[str, Any]]]
    item_schema: Mapping[str, Any]
    readonly: bool = False
    nullable: bool = True
    description: str = ""

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        return self.show(entity, ctx)

    def parse(self, raw: Any) -> dict[str, Any]:
        if raw is not None and not isinstance(raw, list):
            raise _invalid(self.name, "expected a list")
        return {self.domain: raw}

    def schema(self, mode: Mode) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": dict(self.item_schema)}
        if self.readonly:
            schema["readOnly"] = True
        if self.description:
            schema["description"] = self.description
        return schema

    def locations(self) -> dict[str, str]:
        return {self.domain: self.name}


@dataclass(frozen=True)
class Quantity(Attr):
    """TMF Quantity ``{"amount": 1, "units": "GB"}`` (a usage price's unit of measure)."""

    name: str
    amount: str
    units: str
    nullable: bool = True
    description: str = ""

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        amount, units = getattr(entity, self.amount), getattr(entity, self.units)
        return None if amount is None and units is None else {"amount": amount, "units": units}

    def parse(self, raw: Any) -> dict[str, Any]:
        if raw is None:
            return {self.amount: None, self.units: None}
        if not isinstance(raw, Mapping):
            raise _invalid(self.name, 'expected {"amount": 1, "units": "GB"}')
        return {self.amount: raw.get("amount"), self.units: raw.get("units")}

    def schema(self, mode: Mode) -> dict[str, Any]:
        return {
            "type": ["object", "null"],
            "properties": {
                "amount": {"type": ["number", "string"]},
                "units": {"type": "string", "maxLength": 32},
            },
        }

    def locations(self) -> dict[str, str]:
        return {self.amount: f"{self.name}.amount", self.units: f"{self.name}.units"}


@dataclass(frozen=True)
class OptionalMoney(Money):
    """Money that may be absent (a percentage discount has no amount): null, not nulls."""

    nullable: bool = True

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        if getattr(entity, self.amount) is None:
            return None
        return super().render(entity, ctx)

    def parse(self, raw: Any) -> dict[str, Any]:
        if raw is None:
            return {self.amount: None, self.currency: None}
        return super().parse(raw)


def period(start: Any, end: Any) -> dict[str, Any]:
    return {
        "startDateTime": render_scalar("datetime", start),
        "endDateTime": render_scalar("datetime", end),
    }
