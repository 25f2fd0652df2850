"""Quotas per payee and period, set one by one or imported from CSV (all rows or none).

CSV columns: ``payee_kind`` (sales_person | partner), ``payee_code``, ``period`` (YYYY-MM),
``amount``, ``currency``. A row that fails is reported with its line number and nothing is
written. Importing the same file twice gives the same quotas (a row replaces the payee's
quota for that period).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.core.money import parse_amount, parse_currency
from salesdev.core.periods import Period, require_aware
from salesdev.db.models import Partner, SalesPerson
from salesdev.db.models.compensation import Quota
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize

PAYEE_KINDS = ("sales_person", "partner")
CSV_COLUMNS = ("payee_kind", "payee_code", "period", "amount", "currency")
MAX_ROWS = 200_000

QUOTA_ATTRIBUTES: dict[str, Attribute] = {
    "payeeKind": Attribute(Quota.payee_kind),
    "payeeId": Attribute(Quota.payee_id, parse=uuid.UUID),
    "period": Attribute(Quota.period),
    "amount": Attribute(Quota.amount, parse=lambda raw: checked_amount(raw, location="amount")),
}


AMOUNT_LIMIT = Decimal(10) ** 14


def checked_amount(value: object, *, location: str) -> Decimal:
    """``parse_amount`` with a bound: a quota (or a filter value) beyond 10^14 is refused
    (``parse_amount`` itself fails on values too large to quantize)."""
    try:
        candidate = Decimal(value) if isinstance(value, str | int | Decimal) else None
    except InvalidOperation:
        candidate = None
    if candidate is not None and candidate.is_finite() and abs(candidate) >= AMOUNT_LIMIT:
        raise InvalidInput("Invalid amount", [ErrorDetail(location, "too large")])
    return parse_amount(value, location=location)


def list_quotas(session: Session, *, principal: Principal, query: ListQuery) -> Page[Quota]:
    authorize(principal, Family.COMPENSATION, "read")
    return fetch_page(
        session,
        select(Quota),
        attributes=QUOTA_ATTRIBUTES,
        query=query,
        tie_breaker=Quota.id,
        default_sort=(SortKey("period"), SortKey("payeeId")),
    )


def get_quota(session: Session, *, principal: Principal, quota_id: uuid.UUID) -> Quota:
    authorize(principal, Family.COMPENSATION, "read")
    found = session.get(Quota, quota_id)
    if found is None:
        raise NotFound(f"Quota {quota_id} does not exist")
    return found


def set_quota(
    session: Session,
    *,
    principal: Principal,
    payee_kind: str,
    payee_id: uuid.UUID,
    period: str,
    amount: object,
    currency: str,
    now: datetime,
) -> Quota:
    """Set (or replace) the payee's quota for the period."""
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    problems: list[ErrorDetail] = []
    values = _checked(session, payee_kind, payee_id, period, amount, currency, "", problems)
    if problems or values is None:
        raise InvalidInput("Invalid quota", problems)
    return _upsert(session, values, now)


@dataclass(frozen=True)
class _Values:
    payee_kind: str
    payee_id: uuid.UUID
    period: str
    amount: Decimal
    currency: str


def _checked(
    session: Session,
    payee_kind: str,
    payee_id: uuid.UUID | None,
    period: str,
    amount: object,
    currency: str,
    where: str,
    problems: list[ErrorDetail],
) -> _Values | None:
    before = len(problems)
    if payee_kind not in PAYEE_KINDS:
        problems.append(
            ErrorDetail(f"{where}payeeKind", f"expected one of {', '.join(PAYEE_KINDS)}")
        )
    elif payee_id is None or session.get(_model(payee_kind), payee_id) is None:
        problems.append(ErrorDetail(f"{where}payee", f"no {payee_kind} {payee_id or ''}".strip()))
    try:
        parsed_period = str(Period.parse(str(period), location=f"{where}period"))
    except InvalidInput as error:
        problems.extend(error.details)
        parsed_period = ""
    try:
        value = checked_amount(amount, location=f"{where}amount")
        if value <= 0:
            problems.append(ErrorDetail(f"{where}amount", f"a quota must be positive, got {value}"))
    except InvalidInput as error:
        problems.extend(error.details)
        value = Decimal(0)
    try:
        code = parse_currency(currency, location=f"{where}currency")
    except InvalidInput as error:
        problems.extend(error.details)
        code = ""
    if len(problems) > before or payee_id is None:
        return None
    return _Values(payee_kind, payee_id, parsed_period, value, code)


def _model(kind: str) -> type[SalesPerson] | type[Partner]:
    return SalesPerson if kind == "sales_person" else Partner


def _upsert(session: Session, values: _Values, now: datetime) -> Quota:
    quota = session.scalar(
        select(Quota).where(Quota.payee_id == values.payee_id, Quota.period == values.period)
    )
    if quota is None:
        quota = Quota(
            payee_kind=values.payee_kind,
            payee_id=values.payee_id,
            period=values.period,
            amount=values.amount,
            currency=values.currency,
            created_at=now,
            updated_at=now,
        )
        session.add(quota)
    elif quota.amount != values.amount or quota.currency != values.currency:
        quota.amount = values.amount
        quota.currency = values.currency
        quota.updated_at = now
    return quota


@dataclass(frozen=True)
class QuotaImport:
    rows: int
    created_or_changed: int


def import_quotas_csv(
    session: Session, *, principal: Principal, text: str, now: datetime
) -> QuotaImport:
    """Import quotas from CSV text; every bad row is named by its line, nothing is written."""
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    if "\x00" in text:
        raise InvalidInput("Invalid quota file", [ErrorDetail("file", "contains NUL characters")])
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            "Invalid quota file",
            [ErrorDetail("line 1", f"missing column(s): {', '.join(missing)}")],
        )
    codes = _codes(session)
    problems: list[ErrorDetail] = []
    rows: list[_Values] = []
    seen: dict[tuple[uuid.UUID, str], int] = {}
    for line, row in enumerate(reader, start=2):
        if line > MAX_ROWS + 1:
            problems.append(ErrorDetail(f"line {line}", f"at most {MAX_ROWS} rows"))
            break
        where = f"line {line}: "
        kind = (row.get("payee_kind") or "").strip()
        code = (row.get("payee_code") or "").strip()
        payee_id = codes.get((kind, code))
        if kind in PAYEE_KINDS and payee_id is None:
            problems.append(ErrorDetail(f"{where}payee_code", f"no {kind} with code {code!r}"))
            continue
        values = _checked(
            session,
            kind,
            payee_id,
            (row.get("period") or "").strip(),
            (row.get("amount") or "").strip(),
            (row.get("currency") or "").strip(),
            where,
            problems,
        )
        if values is None:
            continue
        key = (values.payee_id, values.period)
        if key in seen:
            problems.append(
                ErrorDetail(
                    f"{where}payee_code", f"repeats line {seen[key]} ({code}, {values.period})"
                )
            )
            continue
        seen[key] = line
        rows.append(values)
    if problems:
        raise InvalidInput("Invalid quota file: nothing was imported", problems)
    changed = 0
    for values in rows:
        quota = _upsert(session, values, now)
        if quota in session.new or quota in session.dirty:
            changed += 1
    session.flush()
    return QuotaImport(rows=len(rows), created_or_changed=changed)


def _codes(session: Session) -> Mapping[tuple[str, str], uuid.UUID]:
    found: dict[tuple[str, str], uuid.UUID] = {}
    for code, person_id in session.execute(select(SalesPerson.code, SalesPerson.id)):
        found[("sales_person", code)] = person_id
    for code, partner_id in session.execute(select(Partner.code, Partner.id)):
        found[("partner", code)] = partner_id
    return found


def quotas_for(session: Session, *, period: Period) -> dict[uuid.UUID, Decimal]:
    return {
        payee_id: amount
        for payee_id, amount in session.execute(
            select(Quota.payee_id, Quota.amount).where(Quota.period == str(period))
        )
    }
