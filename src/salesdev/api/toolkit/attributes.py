"""Declared attributes of a resource: how each is rendered (TMF camelCase), parsed back into
domain values (snake_case), filtered/sorted (a column), described (JSON schema) and how a
domain error location maps back to the TMF attribute."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.money import parse_amount
from salesdev.db.query import Attribute
from salesdev.domains.notifications import format_datetime

if TYPE_CHECKING:
    from salesdev.api.toolkit.resource import RenderContext

ScalarType = Literal["str", "int", "bool", "decimal", "date", "datetime", "tags", "json", "uuid"]
Mode = Literal["read", "create", "update"]


class Attr:
    """One top-level attribute of a TMF representation."""

    name: str
    readonly: bool = False
    writeonly: bool = False
    required: bool = False
    nullable: bool = True
    description: str = ""

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        raise NotImplementedError

    def parse(self, raw: Any) -> dict[str, Any]:
        """Domain values for a raw JSON value (type checks only; the service validates)."""
        raise NotImplementedError

    def filters(self, model: Any) -> dict[str, Attribute]:
        return {}

    def schema(self, mode: Mode) -> dict[str, Any]:
        raise NotImplementedError

    def locations(self) -> dict[str, str]:
        """Domain field name -> TMF location, to translate service errors."""
        return {}

    def domain_names(self) -> tuple[str, ...]:
        return tuple(self.locations())


def _reject(location: str, message: str) -> InvalidInput:
    return InvalidInput("Invalid value", [ErrorDetail(location, message)])


@dataclass(frozen=True)
class Scalar(Attr):
    name: str
    domain: str
    type: ScalarType = "str"
    required: bool = False
    readonly: bool = False
    nullable: bool = True
    filterable: bool = True
    sortable: bool = True
    choices: tuple[str, ...] | None = None
    max_length: int | None = None
    description: str = ""
    writeonly: bool = False

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        return render_scalar(self.type, getattr(entity, self.domain))

    def parse(self, raw: Any) -> dict[str, Any]:
        if raw is not None:
            problem = _type_problem(self.type, raw)
            if problem:
                raise _reject(self.name, problem)
        return {self.domain: raw}

    def filters(self, model: Any) -> dict[str, Attribute]:
        if not self.filterable or self.type in ("tags", "json"):
            return {}
        column = getattr(model, self.domain)
        return {self.name: Attribute(column, FILTER_PARSERS[self.type], sortable=self.sortable)}

    def schema(self, mode: Mode) -> dict[str, Any]:
        schema = dict(_SCHEMAS[self.type])
        if self.choices:
            if self.type == "tags":
                schema["items"] = {"type": "string", "enum": list(self.choices)}
            else:
                schema["enum"] = list(self.choices)
        if self.max_length:
            schema["maxLength"] = self.max_length
        if self.readonly:
            schema["readOnly"] = True
        if self.writeonly:
            schema["writeOnly"] = True
        if self.description:
            schema["description"] = self.description
        return schema

    def locations(self) -> dict[str, str]:
        return {self.domain: self.name}


@dataclass(frozen=True)
class Reference(Attr):
    """``{id, href, name, @referredType}`` out; ``{"id": ...}`` in."""

    name: str
    domain: str
    target: str
    required: bool = False
    readonly: bool = False
    nullable: bool = True
    description: str = ""

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        ref_id = getattr(entity, self.domain)
        return None if ref_id is None else ctx.reference(self.target, ref_id)

    def parse(self, raw: Any) -> dict[str, Any]:
        if raw is None:
            return {self.domain: None}
        if not isinstance(raw, Mapping) or "id" not in raw:
            raise _reject(self.name, 'expected a reference object such as {"id": "..."}')
        if not isinstance(raw["id"], str):
            raise _reject(f"{self.name}.id", "expected a string")
        return {self.domain: raw["id"]}

    def filters(self, model: Any) -> dict[str, Attribute]:
        return {f"{self.name}.id": Attribute(getattr(model, self.domain), _parse_uuid)}

    def schema(self, mode: Mode) -> dict[str, Any]:
        if mode == "read":
            return {"$ref": "#/components/schemas/EntityRef"}
        return {"$ref": "#/components/schemas/EntityRef_FVO"}

    def locations(self) -> dict[str, str]:
        return {self.domain: self.name}


@dataclass(frozen=True)
class Money(Attr):
    """TMF Money ``{"unit": "EUR", "value": 12.5}``; the value is exact (string or number)."""

    name: str
    amount: str
    currency: str
    required: bool = False
    readonly: bool = False
    nullable: bool = False
    description: str = ""

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        return {"unit": getattr(entity, self.currency), "value": getattr(entity, self.amount)}

    def parse(self, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise _reject(self.name, 'expected {"unit": "EUR", "value": "12.50"}')
        values: dict[str, Any] = {}
        if "value" in raw:
            value = raw["value"]
            if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
                raise _reject(f"{self.name}.value", "expected a decimal number or string")
            values[self.amount] = value
        if "unit" in raw:
            values[self.currency] = raw["unit"]
        return values

    def filters(self, model: Any) -> dict[str, Attribute]:
        return {
            f"{self.name}.value": Attribute(getattr(model, self.amount), _parse_decimal),
            f"{self.name}.unit": Attribute(getattr(model, self.currency)),
        }

    def schema(self, mode: Mode) -> dict[str, Any]:
        return {"$ref": "#/components/schemas/Money"}

    def locations(self) -> dict[str, str]:
        return {self.amount: f"{self.name}.value", self.currency: f"{self.name}.unit"}


@dataclass(frozen=True)
class ValidFor(Attr):
    """TMF TimePeriod over half-open ``valid_from`` / ``valid_to`` columns."""

    start: str
    end: str
    name: str = "validFor"
    required: bool = False
    readonly: bool = False
    nullable: bool = False
    description: str = "Half-open: startDateTime inclusive, endDateTime exclusive"

    def render(self, entity: Any, ctx: RenderContext) -> Any:
        return {
            "startDateTime": render_scalar("datetime", getattr(entity, self.start)),
            "endDateTime": render_scalar("datetime", getattr(entity, self.end)),
        }

    def parse(self, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise _reject(self.name, 'expected {"startDateTime": ..., "endDateTime": ...}')
        values: dict[str, Any] = {}
        for key, domain in (("startDateTime", self.start), ("endDateTime", self.end)):
            if key in raw:
                if raw[key] is not None and not isinstance(raw[key], str):
                    raise _reject(f"{self.name}.{key}", "expected an ISO 8601 date-time")
                values[domain] = raw[key]
        return values

    def filters(self, model: Any) -> dict[str, Attribute]:
        return {
            f"{self.name}.startDateTime": Attribute(getattr(model, self.start), _parse_datetime),
            f"{self.name}.endDateTime": Attribute(getattr(model, self.end), _parse_datetime),
        }

    def schema(self, mode: Mode) -> dict[str, Any]:
        return {"$ref": "#/components/schemas/TimePeriod"}

    def locations(self) -> dict[str, str]:
        return {self.start: f"{self.name}.startDateTime", self.end: f"{self.name}.endDateTime"}


def render_scalar(kind: ScalarType, value: Any) -> Any:
    if value is None:
        return [] if kind == "tags" else None
    if kind == "datetime":
        return format_datetime(value)
    if kind == "date":
        return value.isoformat()
    if kind == "tags":
        return [t for t in str(value).split(",") if t]
    if kind == "uuid":
        return str(value)
    return value


def _type_problem(kind: ScalarType, raw: Any) -> str | None:
    ok: dict[ScalarType, Callable[[Any], bool]] = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "decimal": lambda v: isinstance(v, str | int | Decimal) and not isinstance(v, bool),
        "date": lambda v: isinstance(v, str),
        "datetime": lambda v: isinstance(v, str),
        "uuid": lambda v: isinstance(v, str),
        "tags": lambda v: isinstance(v, list) and all(isinstance(t, str) for t in v),
        "json": lambda v: True,
    }
    expected = {
        "str": "a string",
        "int": "a whole number",
        "bool": "true or false",
        "decimal": "a decimal number or string",
        "date": "a date YYYY-MM-DD",
        "datetime": "an ISO 8601 date-time",
        "uuid": "an identifier",
        "tags": "a list of strings",
        "json": "JSON",
    }
    return None if ok[kind](raw) else f"expected {expected[kind]}"


def _parse_uuid(raw: str) -> uuid.UUID:
    return uuid.UUID(raw)


def _parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise ValueError(f"expected true or false, got {raw!r}")


def _parse_decimal(raw: str) -> Decimal:
    return parse_amount(raw, location="value")


def _parse_datetime(raw: str) -> datetime:
    """A filter bound: an ISO date-time with a timezone, or a date (midnight UTC)."""
    text = raw.strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"a timezone is required, e.g. {text}Z")
    return value


FILTER_PARSERS: Mapping[ScalarType, Callable[[str], Any]] = {
    "str": str,
    "int": int,
    "bool": _parse_bool,
    "decimal": _parse_decimal,
    "date": date.fromisoformat,
    "datetime": _parse_datetime,
    "uuid": _parse_uuid,
}

_SCHEMAS: Mapping[ScalarType, Mapping[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "bool": {"type": "boolean"},
    "decimal": {"type": ["number", "string"], "description": "exact decimal"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "uuid": {"type": "string", "format": "uuid"},
    "tags": {"type": "array", "items": {"type": "string"}},
    "json": {"type": "object"},
}
