"""The service calls behind a resource. Interfaces hold no business logic: every write
goes to a domain service; reads of a declared model use the shared list-query toolkit."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from salesdev.core.errors import NotFound
from salesdev.db.query import Attribute, ListQuery, Page, paginate
from salesdev.domains.access import Principal


class ResourceOperations:
    """Read operations over ``model``; subclasses add the writes they support.

    Every operation gets the acting principal; subclasses pass it to the services, which
    authorize and narrow rows (the route has already checked the resource family).
    """

    can_create = False
    can_update = False
    can_delete = False

    def __init__(self, model: Any, *, label: str | None = None) -> None:
        self.model = model
        self.label = label or model.__name__

    def get(self, session: Session, *, principal: Principal, entity_id: uuid.UUID) -> Any:
        entity = session.get(self.model, entity_id)
        if entity is None:
            raise NotFound(f"{self.label} {entity_id} does not exist")
        return entity

    def select(self, session: Session, *, principal: Principal) -> Select[Any]:
        """The rows ``principal`` may list, before filters and paging."""
        return select(self.model)

    def list(
        self,
        session: Session,
        *,
        principal: Principal,
        query: ListQuery,
        attributes: Mapping[str, Attribute],
    ) -> Page[Any]:
        page, count = paginate(
            self.select(session, principal=principal),
            attributes=attributes,
            query=query,
            tie_breaker=self.model.id,
        )
        return Page(
            items=list(session.scalars(page)),
            total=session.scalar(count) or 0,
            offset=query.offset,
            limit=query.limit,
        )

    def create(
        self, session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
    ) -> Any:
        raise NotImplementedError

    def update(
        self,
        session: Session,
        *,
        principal: Principal,
        entity_id: uuid.UUID,
        changes: Mapping[str, Any],
        now: datetime,
        expected_version: int | None,
    ) -> Any:
        raise NotImplementedError

    def delete(
        self,
        session: Session,
        *,
        principal: Principal,
        entity_id: uuid.UUID,
        expected_version: int | None,
        now: datetime,
    ) -> None:
        raise NotImplementedError

    def created_extras(self, session: Session, entity: Any) -> dict[str, Any]:
        """Attributes shown once, in the answer to the POST that created ``entity``."""
        return {}
