"""Lists answered by a domain service that names its filterable attributes its own way.

The service owns the row scope, the default order and the SQL; the API publishes TMF
names (``channel.id``, ``validFor.startDateTime``). :class:`ServiceNames` translates a
parsed query into the service's names and the service's complaints back into TMF names,
so a client only ever sees the names it can send.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.query import Attribute, Filter, ListQuery, SortKey


@dataclass(frozen=True)
class ServiceNames:
    """``tmf_to_service``: TMF attribute name -> the service's attribute name."""

    tmf_to_service: Mapping[str, str]
    service_attributes: Mapping[str, Attribute]

    def __post_init__(self) -> None:
        missing = set(self.tmf_to_service.values()) - set(self.service_attributes)
        assert not missing, f"the service does not filter on {sorted(missing)}"

    def published(self) -> dict[str, Attribute]:
        """What the resource declares (and OpenAPI lists) as filterable."""
        return {tmf: self.service_attributes[name] for tmf, name in self.tmf_to_service.items()}

    def translate(self, query: ListQuery) -> ListQuery:
        known = ", ".join(sorted(self.tmf_to_service))
        errors = [
            ErrorDetail(f.attribute, f"cannot filter on this attribute; known: {known}")
            for f in query.filters
            if f.attribute not in self.tmf_to_service
        ]
        errors += [
            ErrorDetail("sort", f"cannot sort on {key.attribute!r}; known: {known}")
            for key in query.sort
            if key.attribute not in self.tmf_to_service
            or not self.service_attributes[self.tmf_to_service[key.attribute]].sortable
        ]
        if errors:
            raise InvalidInput("Invalid query", errors)
        return replace(
            query,
            filters=tuple(
                Filter(self.tmf_to_service[f.attribute], f.operator, f.values)
                for f in query.filters
            ),
            sort=tuple(SortKey(self.tmf_to_service[k.attribute], k.descending) for k in query.sort),
        )

    @contextmanager
    def tmf_errors(self) -> Iterator[None]:
        """A filter value the service refuses is reported under the name the client sent."""
        back = {service: tmf for tmf, service in self.tmf_to_service.items()}
        try:
            yield
        except InvalidInput as exc:
            details = [
                ErrorDetail(back.get(d.location, d.location), d.message) for d in exc.details
            ]
            raise InvalidInput(exc.message, details) from None
