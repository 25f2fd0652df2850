"""What the channel and partner pages offer to choose from, and how their inputs are read.

Options list only the rows the signed-in principal may read (names must not leak);
a partner user is offered its own partners and the channels they sell through.
Dates typed in a form are days in UTC: a day means its first instant, midnight UTC.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, SalesdevError
from salesdev.db.models import Partner, ProductFamily, ProductOffering, SalesChannel
from salesdev.domains.access import Family, Principal, Role, partner_scope_ids
from salesdev.domains.reference import find_visible_ids_by_code, scoped_select

Option = tuple[str, str]


@dataclass(frozen=True)
class Named:
    id: uuid.UUID
    code: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"


def is_partner_user(principal: Principal) -> bool:
    return principal.is_scoped and Role.PARTNER_USER in principal.roles


def own_partner_ids(session: Session, principal: Principal) -> set[uuid.UUID] | None:
    """The partners a partner user is limited to; None for everyone else."""
    if not is_partner_user(principal):
        return None
    return partner_scope_ids(session, principal=principal)


def visible_channels(session: Session, principal: Principal) -> list[Named]:
    partners = own_partner_ids(session, principal)
    statement = scoped_select(session, principal=principal, kind="sales_channel")
    if partners is not None:
        statement = statement.where(
            SalesChannel.id.in_(select(Partner.channel_id).where(Partner.id.in_(partners)))
        )
    rows = session.scalars(statement.order_by(SalesChannel.name, SalesChannel.code))
    return [Named(c.id, c.code, c.name) for c in rows]


def visible_partners(
    session: Session, principal: Principal, *, channel_id: uuid.UUID | None = None
) -> list[Named]:
    if not principal.can(Family.PARTNERS, "read"):
        return []
    statement = scoped_select(session, principal=principal, kind="partner")
    if channel_id is not None:
        statement = statement.where(Partner.channel_id == channel_id)
    rows = session.scalars(statement.order_by(Partner.name, Partner.code))
    return [Named(p.id, p.code, p.name) for p in rows]


def options(items: Iterable[Named], *, blank: str | None = "—") -> list[Option]:
    head: list[Option] = [("", blank)] if blank is not None else []
    return head + [(str(item.id), item.label) for item in items]


def names_by_id(
    session: Session, model: Any, ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, Named]:
    """Code and name of each id, in one query (ids the caller already may see)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(model.id, model.code, model.name).where(model.id.in_(wanted)))
    return {id_: Named(id_, code, name) for id_, code, name in rows}


def channel_names(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Named]:
    return names_by_id(session, SalesChannel, ids)


def partner_names(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Named]:
    return names_by_id(session, Partner, ids)


def offering_names(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Named]:
    return names_by_id(session, ProductOffering, ids)


def family_codes(session: Session) -> list[Named]:
    rows = session.execute(
        select(ProductFamily.id, ProductFamily.code, ProductFamily.name).order_by(
            ProductFamily.code
        )
    )
    return [Named(id_, code, name) for id_, code, name in rows]


# --- reading inputs ---------------------------------------------------------------------------


def text_of(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def parse_day(text: str, location: str, errors: list[ErrorDetail]) -> datetime | None:
    """``YYYY-MM-DD`` as midnight UTC of that day; None when empty (or wrong: error added)."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors.append(ErrorDetail(location, f"expected a date as YYYY-MM-DD, got {text!r}"))
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def day_text(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).date().isoformat()


def parse_option(text: str, location: str, errors: list[ErrorDetail]) -> uuid.UUID | None:
    """The id chosen in a select; a tampered value is an error, not a crash."""
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        errors.append(ErrorDetail(location, "choose one of the options"))
        return None


def resolve_code(
    session: Session,
    principal: Principal,
    *,
    kind: str,
    code: str,
    location: str,
    label: str,
    errors: list[ErrorDetail],
) -> uuid.UUID | None:
    """A code typed by the user, among the rows they may read (others are "no ... with code")."""
    if not code:
        return None
    found = find_visible_ids_by_code(session, principal=principal, kind=kind, codes=[code])
    if code not in found:
        errors.append(ErrorDetail(location, f"no {label} with code {code!r}"))
        return None
    return found[code]


def code_of(session: Session, model: Any, id_: uuid.UUID | None) -> str:
    if id_ is None:
        return ""
    return session.scalar(select(model.code).where(model.id == id_)) or ""


def raise_if(errors: list[ErrorDetail], message: str) -> None:
    if errors:
        raise InvalidInput(message, errors)


def errors_by_field(
    error: Exception | None, fields: Iterable[str], *, aliases: Mapping[str, str] | None = None
) -> tuple[dict[str, list[str]], list[str]]:
    """Each detail of ``error`` next to its field; the message and the others above the form."""
    if error is None:
        return {}, []
    if not isinstance(error, SalesdevError):
        return {}, [str(error)]
    known = set(fields)
    mapping = dict(aliases or {})
    by_field: dict[str, list[str]] = {}
    general = [error.message]
    for detail in error.details:
        name = mapping.get(detail.location, detail.location)
        if name in known:
            by_field.setdefault(name, []).append(detail.message)
        else:
            general.append(str(detail))
    return by_field, general
