"""Shared parsing and lookups of the settlement services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.core.money import parse_amount
from salesdev.core.periods import Period
from salesdev.db.models import Partner, SalesPerson

PAYEE_KINDS = ("sales_person", "partner")
REASON_LENGTH = 2000


@dataclass(frozen=True)
class Payee:
    kind: str
    id: uuid.UUID
    code: str
    name: str


def parse_period(value: object, *, location: str = "period") -> str:
    if isinstance(value, Period):
        return str(value)
    return str(Period.parse(str(value), location=location))


def parse_payee_kind(value: object, *, location: str = "payee_kind") -> str:
    if value not in PAYEE_KINDS:
        raise InvalidInput(
            "Invalid payee kind",
            [ErrorDetail(location, f"expected one of {', '.join(PAYEE_KINDS)}; got {value!r}")],
        )
    return str(value)


def parse_reason(value: object, *, location: str = "reason", required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise InvalidInput("Invalid text", [ErrorDetail(location, "expected text")])
    if "\x00" in text:
        raise InvalidInput("Invalid text", [ErrorDetail(location, "must not contain NUL")])
    if required and not text:
        raise InvalidInput("A reason is required", [ErrorDetail(location, "is required")])
    if len(text) > REASON_LENGTH:
        raise InvalidInput(
            "Text too long", [ErrorDetail(location, f"at most {REASON_LENGTH} characters")]
        )
    return text


def parse_money(value: object, *, location: str = "amount", nonzero: bool = True) -> Decimal:
    if isinstance(value, float):
        raise InvalidInput(
            "Invalid amount", [ErrorDetail(location, "expected a decimal string, not a float")]
        )
    amount = parse_amount(value, location=location)
    if nonzero and amount == 0:
        raise InvalidInput("Invalid amount", [ErrorDetail(location, "must not be zero")])
    return amount


def parse_component(value: object, *, location: str = "component_id") -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64 or "\x00" in value:
        raise InvalidInput(
            "Invalid component", [ErrorDetail(location, "expected a component id (1-64 chars)")]
        )
    return value


def find_payee(session: Session, kind: str, payee_id: uuid.UUID) -> Payee:
    """The payee by kind and id; NotFound when it does not exist."""
    row: Any
    if kind == "sales_person":
        row = session.get(SalesPerson, payee_id)
    else:
        row = session.get(Partner, payee_id)
    if row is None:
        raise NotFound(f"No {kind.replace('_', ' ')} {payee_id}")
    return Payee(kind, row.id, row.code, row.name)


def payee_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, Payee]:
    found: dict[uuid.UUID, Payee] = {}
    if not ids:
        return found
    for sp in session.execute(
        select(SalesPerson.id, SalesPerson.code, SalesPerson.name).where(SalesPerson.id.in_(ids))
    ):
        found[sp.id] = Payee("sales_person", sp.id, sp.code, sp.name)
    for pa in session.execute(
        select(Partner.id, Partner.code, Partner.name).where(Partner.id.in_(ids))
    ):
        found[pa.id] = Payee("partner", pa.id, pa.code, pa.name)
    return found


def payee_by_code(session: Session, code: str, *, location: str = "payee") -> Payee:
    """A sales person or partner by its code (as people type it in forms and the CLI)."""
    text = code.strip()
    person = session.scalar(select(SalesPerson).where(SalesPerson.code == text))
    if person is not None:
        return Payee("sales_person", person.id, person.code, person.name)
    partner = session.scalar(select(Partner).where(Partner.code == text))
    if partner is not None:
        return Payee("partner", partner.id, partner.code, partner.name)
    raise InvalidInput(
        "Unknown payee", [ErrorDetail(location, f"no sales person or partner with code {text!r}")]
    )
