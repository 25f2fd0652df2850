"""A resource declaration and what the toolkit derives from it: the representation,
parsing of create/patch bodies into domain values, filterable columns and schemas."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.api.toolkit.attributes import Attr, Mode, Money, Reference
from salesdev.api.toolkit.operations import ResourceOperations
from salesdev.core.errors import ErrorDetail, InvalidInput, SalesdevError
from salesdev.db.query import Attribute
from salesdev.domains.access import Family, Principal

# Set by the server on every representation; never written by a client.
SERVER_KEYS = ("id", "href", "@type", "@baseType", "@schemaLocation")
STATE_ATTRIBUTES = ("status", "lifecycleStatus", "state")


@dataclass
class Resource:
    name: str
    type: str
    model: Any
    attributes: tuple[Attr, ...]
    operations: ResourceOperations
    # The permission family every route of the resource checks first; None leaves the
    # decision to the service (e.g. a user's own API tokens).
    family: Family | None = None
    base_type: str | None = None
    schema_location: str | None = None
    display_attribute: str = "name"
    description: str = ""
    # When the list is answered by a domain service with its own filter names, the
    # attributes it filters and sorts on (TMF name -> the service's attribute).
    filters: Mapping[str, Attribute] | None = None
    # Who may attempt a write when a service rule grants more than the family's write
    # grant (a partner user maintains its own partner's contacts): the route lets these
    # principals through and the service decides per row. None: the family's write grant.
    writers: Callable[[Principal], bool] | None = None
    api: ApiSpec | None = field(default=None, repr=False)

    @property
    def base_type_name(self) -> str:
        return self.base_type or self.type

    @property
    def spec(self) -> ApiSpec:
        assert self.api is not None, f"resource {self.name} is not registered with an API"
        return self.api

    @property
    def path(self) -> str:
        return f"{self.spec.base_path}/{self.name}"

    def attribute(self, name: str) -> Attr | None:
        return next((a for a in self.attributes if a.name == name), None)

    @property
    def writable(self) -> tuple[Attr, ...]:
        return tuple(a for a in self.attributes if not a.readonly)

    def filter_attributes(self) -> dict[str, Attribute]:
        if self.filters is not None:
            return dict(self.filters)
        found: dict[str, Attribute] = {"id": Attribute(self.model.id, uuid.UUID)}
        for attr in self.readable:
            found.update(attr.filters(self.model))
        return found

    @property
    def readable(self) -> tuple[Attr, ...]:
        """Attributes in the representation (a write-only one, such as a password, is not)."""
        return tuple(a for a in self.attributes if not a.writeonly)

    # --- representation -------------------------------------------------------------

    def render(self, entity: Any, ctx: RenderContext) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": str(entity.id),
            "href": ctx.href(self.name, entity.id),
            "@type": self.type,
            "@baseType": self.base_type_name,
            "@schemaLocation": self.schema_location
            or f"{ctx.base_url}/openapi.json#/components/schemas/{self.type}",
        }
        for attr in self.readable:
            body[attr.name] = attr.render(entity, ctx)
        return body

    # --- input ----------------------------------------------------------------------

    def parse_create(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise InvalidInput("Invalid body", [ErrorDetail("body", "expected a JSON object")])
        errors: list[ErrorDetail] = []
        values: dict[str, Any] = {}
        for key, raw in body.items():
            attr = self.attribute(key)
            if key == "@type":
                if raw != self.type:
                    errors.append(ErrorDetail("@type", f"expected {self.type!r}"))
            elif key in ("@baseType", "@schemaLocation"):
                continue
            elif key in SERVER_KEYS or (attr is not None and attr.readonly):
                errors.append(ErrorDetail(key, "is set by the server"))
            elif attr is None:
                errors.append(ErrorDetail(key, self._unknown()))
            elif raw is None and not attr.nullable:
                errors.append(ErrorDetail(key, "must not be null"))
            else:
                errors += self._parse_into(attr, raw, values)
        errors += self._currency_errors(body)
        if errors:
            raise InvalidInput(f"Invalid {self.type}", errors)
        return values

    def parse_changes(self, before: Mapping[str, Any], after: Any) -> dict[str, Any]:
        """Domain changes between two full representations (the result of a patch)."""
        if not isinstance(after, Mapping):
            raise InvalidInput("Invalid patch", [ErrorDetail("body", "must yield a JSON object")])
        errors: list[ErrorDetail] = []
        values: dict[str, Any] = {}
        for key in sorted(set(before) | set(after)):
            if before.get(key) == after.get(key) and (key in before) == (key in after):
                continue
            attr = self.attribute(key)
            if key in SERVER_KEYS or (attr is not None and attr.readonly):
                errors.append(ErrorDetail(key, "is set by the server and cannot be changed"))
            elif attr is None:
                errors.append(ErrorDetail(key, self._unknown()))
            elif after.get(key) is None and not attr.nullable:
                errors.append(ErrorDetail(key, "cannot be removed"))
            else:
                errors += self._parse_into(attr, after.get(key), values)
        if values:
            errors += self._currency_errors(after)
        if errors:
            raise InvalidInput(f"Invalid {self.type}", errors)
        return values

    def _parse_into(self, attr: Attr, raw: Any, values: dict[str, Any]) -> list[ErrorDetail]:
        try:
            values.update(attr.parse(raw))
        except InvalidInput as exc:
            return list(exc.details)
        return []

    def _currency_errors(self, body: Mapping[str, Any]) -> list[ErrorDetail]:
        """Money attributes that share one currency column must agree on the unit."""
        by_column: dict[str, list[tuple[str, Any]]] = {}
        for attr in self.attributes:
            raw = body.get(attr.name)
            if isinstance(attr, Money) and isinstance(raw, Mapping) and "unit" in raw:
                by_column.setdefault(attr.currency, []).append((attr.name, raw["unit"]))
        errors = []
        for units in by_column.values():
            if len({unit for _, unit in units}) > 1:
                errors += [
                    ErrorDetail(f"{name}.unit", "every amount of this resource has one currency")
                    for name, _ in units
                ]
        return errors

    def _unknown(self) -> str:
        return "unknown attribute; known: " + ", ".join(a.name for a in self.writable)

    @contextmanager
    def tmf_locations(self) -> Iterator[None]:
        """Translate a service error's domain field names into this resource's attributes."""
        try:
            yield
        except SalesdevError as exc:
            if not exc.details:
                raise
            mapping: dict[str, str] = {}
            for attr in reversed(self.attributes):
                mapping.update(attr.locations())
            details = [
                ErrorDetail(mapping.get(d.location, d.location), d.message) for d in exc.details
            ]
            raise type(exc)(exc.message, details) from None

    # --- OpenAPI --------------------------------------------------------------------

    def schemas(self) -> dict[str, dict[str, Any]]:
        read: dict[str, Any] = {
            "id": {"type": "string", "format": "uuid", "readOnly": True},
            "href": {"type": "string", "format": "uri", "readOnly": True},
            "@type": {"type": "string", "const": self.type},
            "@baseType": {"type": "string", "const": self.base_type_name},
            "@schemaLocation": {"type": "string", "format": "uri"},
        }
        read.update({a.name: a.schema("read") for a in self.readable})
        schemas = {
            self.type: {
                "type": "object",
                "description": self.description or self.type,
                "properties": read,
                "required": ["id", "href", "@type"],
            }
        }
        if self.operations.can_create:
            schemas[f"{self.type}_FVO"] = self._input_schema("create")
        if self.operations.can_update:
            schemas[f"{self.type}_MVO"] = self._input_schema("update")
        return schemas

    def _input_schema(self, mode: Mode) -> dict[str, Any]:
        properties: dict[str, Any] = {"@type": {"type": "string", "const": self.type}}
        properties.update({a.name: a.schema(mode) for a in self.writable})
        schema: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        required = [a.name for a in self.writable if a.required]
        if mode == "create" and required:
            schema["required"] = required
        return schema


@dataclass
class ApiSpec:
    name: str
    base_path: str
    title: str = ""
    resources: dict[str, Resource] = field(default_factory=dict)
    # An API with events publishes them to its hub's listeners (and has a hub).
    events: bool = True

    def add(self, *resources: Resource) -> ApiSpec:
        for resource in resources:
            resource.api = self
            self.resources[resource.name] = resource
        return self


class RenderContext:
    """Per request: the base URL for hrefs and a cache of referred entities' names."""

    def __init__(self, *, api: ApiSpec, base_url: str, session: Session) -> None:
        self.api = api
        self.base_url = base_url.rstrip("/")
        self.session = session
        self._names: dict[tuple[str, uuid.UUID], str | None] = {}

    def href(self, resource: str, entity_id: uuid.UUID) -> str:
        return f"{self.base_url}{self.api.base_path}/{resource}/{entity_id}"

    def reference(self, target: str, ref_id: uuid.UUID) -> dict[str, Any]:
        resource = self.api.resources[target]
        key = (target, ref_id)
        if key not in self._names:
            self._load(resource, [ref_id])
        return {
            "id": str(ref_id),
            "href": self.href(target, ref_id),
            "name": self._names.get(key),
            "@referredType": resource.type,
        }

    def prefetch(self, resource: Resource, entities: Iterable[Any]) -> None:
        """Load the names of every entity referred to by a page in one query per target."""
        items = list(entities)
        for attr in resource.attributes:
            # A reference into another API renders without a name: nothing to load.
            if isinstance(attr, Reference) and attr.target in self.api.resources:
                ids = {getattr(e, attr.domain) for e in items} - {None}
                missing = [i for i in ids if (attr.target, i) not in self._names]
                if missing:
                    self._load(self.api.resources[attr.target], missing)

    def _load(self, resource: Resource, ids: list[uuid.UUID]) -> None:
        model = resource.model
        column = getattr(model, resource.display_attribute)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.session.execute(select(model.id, column).where(model.id.in_(chunk)))
            self._names.update({(resource.name, i): n for i, n in rows})
        for i in ids:
            self._names.setdefault((resource.name, i), None)
