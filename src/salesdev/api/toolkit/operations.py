"""The service calls behind a resource. Interfaces hold no business logic: every write
goes to a domain service; reads of a declared model use the shared list-query toolkit."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from salesdev.api.toolkit.listing import ServiceNames
from salesdev.core.errors import NotFound
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page, paginate
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


# What each operation offers its service function, by keyword; the function takes the ones
# its signature names (a delete that records no time takes no ``now``).
_OFFERED: dict[str, tuple[str, ...]] = {
    "get": ("principal", "entity_id"),
    "select": ("principal",),
    "list": ("principal", "query", "attributes"),
    "create": ("principal", "values", "now"),
    "update": ("principal", "entity_id", "changes", "now", "expected_version"),
    "delete": ("principal", "entity_id", "expected_version", "now"),
}


class _Call:
    """One service function, called with the keywords it names of those an operation
    offers; the entity id under the service's own name (``rule_id``).

    Checked once, when the resource is declared: a function that requires a keyword no
    caller offers fails when the app is built, not on the first request.
    """

    def __init__(
        self, function: Callable[..., Any], operation: str, key: str, bound: Mapping[str, Any]
    ) -> None:
        offered = {name: key if name == "entity_id" else name for name in _OFFERED[operation]}
        parameters = inspect.signature(function).parameters
        # An adapter that checks a value and forwards the rest (``**call``) gets them all.
        takes_all = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
        self.names = {
            ours: theirs for ours, theirs in offered.items() if takes_all or theirs in parameters
        }
        missing = [
            name
            for name, p in parameters.items()
            if p.kind is p.KEYWORD_ONLY
            and p.default is p.empty
            and name not in self.names.values()
            and name not in bound
        ]
        if missing:
            raise TypeError(f"{function.__qualname__} ({operation}) needs {missing}")
        self.function = function
        self.bound = bound
        # A statement builder that needs no session (``users_select(principal=...)``).
        self.takes_session = any(
            p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters.values()
        )

    def __call__(self, session: Session, **offered: Any) -> Any:
        given = {theirs: offered[ours] for ours, theirs in self.names.items()}
        if not self.takes_session:
            return self.function(**self.bound, **given)
        return self.function(session, **self.bound, **given)


class ServiceOperations(ResourceOperations):
    """A resource whose operations each forward to one domain service function.

    ``get``, ``update`` and ``delete`` receive the entity id as ``key`` (the service's
    name for it, e.g. ``rule_id``); ``list`` receives ``query`` (translated by ``names``
    when the service filters under its own names); ``create`` receives ``values``. Every
    function gets ``principal`` and, where its signature names them, ``now`` and
    ``expected_version``; ``bound`` adds keywords to every call (``kind="region"``).
    An operation left out is not offered (no route) or, for reads, falls back to the
    model's rows: ``select`` narrows them, else every row; such a list is ordered by
    ``default_sort`` when the client names no sort.
    """

    def __init__(
        self,
        model: Any,
        label: str,
        *,
        key: str = "entity_id",
        get: Callable[..., Any] | None = None,
        select: Callable[..., Select[Any]] | None = None,
        list: Callable[..., Page[Any]] | None = None,
        names: ServiceNames | None = None,
        default_sort: tuple[SortKey, ...] = (),
        create: Callable[..., Any] | None = None,
        update: Callable[..., Any] | None = None,
        delete: Callable[..., Any] | None = None,
        created_extras: Callable[[Session, Any], dict[str, Any]] | None = None,
        bound: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(model, label=label)
        fixed = dict(bound or {})

        def call(function: Callable[..., Any] | None, operation: str) -> _Call | None:
            return None if function is None else _Call(function, operation, key, fixed)

        self._get = call(get, "get")
        self._select = call(select, "select")
        self._list = call(list, "list")
        self._create = call(create, "create")
        self._update = call(update, "update")
        self._delete = call(delete, "delete")
        self._names = names
        self._default_sort = default_sort
        self._created_extras = created_extras
        self.can_create = create is not None
        self.can_update = update is not None
        self.can_delete = delete is not None

    def get(self, session: Session, *, principal: Principal, entity_id: uuid.UUID) -> Any:
        if self._get is None:
            return super().get(session, principal=principal, entity_id=entity_id)
        return self._get(session, principal=principal, entity_id=entity_id)

    def select(self, session: Session, *, principal: Principal) -> Select[Any]:
        if self._select is None:
            return super().select(session, principal=principal)
        result: Select[Any] = self._select(session, principal=principal)
        return result

    def list(
        self,
        session: Session,
        *,
        principal: Principal,
        query: ListQuery,
        attributes: Mapping[str, Attribute],
    ) -> Page[Any]:
        if self._list is None:
            return fetch_page(
                session,
                self.select(session, principal=principal),
                attributes=attributes,
                query=query,
                tie_breaker=self.model.id,
                default_sort=self._default_sort,
            )
        if self._names is None:
            page: Page[Any] = self._list(
                session, principal=principal, query=query, attributes=attributes
            )
            return page
        with self._names.tmf_errors():
            page = self._list(
                session,
                principal=principal,
                query=self._names.translate(query),
                attributes=attributes,
            )
            return page

    def create(
        self, session: Session, *, principal: Principal, values: Mapping[str, Any], now: datetime
    ) -> Any:
        if self._create is None:
            raise NotImplementedError
        return self._create(session, principal=principal, values=values, now=now)

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
        if self._update is None:
            raise NotImplementedError
        return self._update(
            session,
            principal=principal,
            entity_id=entity_id,
            changes=changes,
            now=now,
            expected_version=expected_version,
        )

    def delete(
        self,
        session: Session,
        *,
        principal: Principal,
        entity_id: uuid.UUID,
        expected_version: int | None,
        now: datetime,
    ) -> None:
        if self._delete is None:
            raise NotImplementedError
        self._delete(
            session,
            principal=principal,
            entity_id=entity_id,
            expected_version=expected_version,
            now=now,
        )

    def created_extras(self, session: Session, entity: Any) -> dict[str, Any]:
        if self._created_extras is None:
            return {}
        return self._created_extras(session, entity)
