"""The service calls behind a resource. Interfaces hold no business logic: every write
goes to a domain service; reads of a declared model use the shared list-query toolkit."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import NotFound
from salesdev.db.query import Attribute, ListQuery, Page, paginate


class ResourceOperations:
    """Read operations over ``model``; subclasses add the writes they support."""

    can_create = False
    can_update = False
    can_delete = False

    def __init__(self, model: Any, *, label: str | None = None) -> None:
        self.model = model
        self.label = label or model.__name__

    def get(self, session: Session, *, entity_id: uuid.UUID) -> Any:
        entity = session.get(self.model, entity_id)
        if entity is None:
            raise NotFound(f"{self.label} {entity_id} does not exist")
        return entity

    def list(
        self, session: Session, *, query: ListQuery, attributes: Mapping[str, Attribute]
    ) -> Page[Any]:
        page, count = paginate(
            select(self.model), attributes=attributes, query=query, tie_breaker=self.model.id
        )
        return Page(
            items=list(session.scalars(page)),
            total=session.scalar(count) or 0,
            offset=query.offset,
            limit=query.limit,
        )

    def create(self, session: Session, *, values: Mapping[str, Any], now: datetime) -> Any:
        raise NotImplementedError

    def update(
        self,
        session: Session,
        *,
        entity_id: uuid.UUID,
        changes: Mapping[str, Any],
        now: datetime,
        expected_version: int | None,
    ) -> Any:
        raise NotImplementedError

    def delete(
        self, session: Session, *, entity_id: uuid.UUID, expected_version: int | None
    ) -> None:
        raise NotImplementedError
