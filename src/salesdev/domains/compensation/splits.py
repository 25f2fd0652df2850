"""Stored split credit: a payee's share of an order's credit, passed by every run to the
engine (``credit_splits``; docs/compensation-engine.md).

An import is all or nothing: every bad row is reported with its number (``row 3.share``)
and nothing is written. It replaces every split of the orders it names; the replaced rows
stay in the audit trail (every insert and delete of the table is audited).

The engine splits the credit of the order's rep (a sales person), never the selling
partner's, so a split payee must be a sales person: a partner's code is recognised and
refused with that reason rather than stored and silently ignored by the runs.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.periods import require_aware
from salesdev.db.models import Partner, SalesPerson
from salesdev.db.models.compensation import CreditSplit
from salesdev.db.query import Attribute, ListQuery, Page, SortKey, fetch_page
from salesdev.domains.access import Family, Principal, authorize
from salesdev.engine.compensation.shares import parse_share

POLICIES = ("total_100", "overlay")
SPLIT_COLUMNS = ("order_id", "payee", "share", "policy")
MAX_ROWS = 200_000
MAX_ORDER_ID = 128

CREDIT_SPLIT_ATTRIBUTES: dict[str, Attribute] = {
    "orderId": Attribute(CreditSplit.order_id),
    "payeeKind": Attribute(CreditSplit.payee_kind),
    "payeeId": Attribute(CreditSplit.payee_id, parse=uuid.UUID),
    "policy": Attribute(CreditSplit.policy),
}


@dataclass(frozen=True)
class SplitImport:
    orders: int
    rows: int
    replaced: int  # earlier splits of these orders, now removed


@dataclass(frozen=True)
class _Row:
    number: int
    order_id: str
    payee_kind: str
    payee_id: uuid.UUID
    share: Decimal
    policy: str


def list_credit_splits(
    session: Session, *, principal: Principal, query: ListQuery
) -> Page[CreditSplit]:
    authorize(principal, Family.COMPENSATION, "read")
    return fetch_page(
        session,
        select(CreditSplit),
        attributes=CREDIT_SPLIT_ATTRIBUTES,
        query=query,
        tie_breaker=CreditSplit.id,
        default_sort=(SortKey("orderId"), SortKey("payeeId")),
    )


def import_credit_splits(
    session: Session,
    *,
    principal: Principal,
    rows: Sequence[Mapping[str, object]],
    now: datetime,
) -> SplitImport:
    """Replace the splits of every order the rows name (rows: ``order_id``, ``payee`` (a
    sales person's code or id), ``share``, ``policy`` (``total_100`` when blank)).
    Rows are numbered from 1; any problem and nothing is written."""
    authorize(principal, Family.COMPENSATION, "write")
    require_aware(now, location="now")
    if len(rows) > MAX_ROWS:
        raise InvalidInput(
            "Invalid credit splits", [ErrorDetail("rows", f"at most {MAX_ROWS} rows")]
        )
    if not rows:
        raise InvalidInput("Invalid credit splits", [ErrorDetail("rows", "no rows")])
    people, partners = _payees(session)
    problems: list[ErrorDetail] = []
    checked: list[_Row] = []
    for number, raw in enumerate(rows, start=1):
        row = _checked_row(number, raw, people, partners, problems)
        if row is not None:
            checked.append(row)
    by_order: dict[str, list[_Row]] = defaultdict(list)
    for row in checked:
        by_order[row.order_id].append(row)
    for order_id, order_rows in by_order.items():
        _check_order(order_id, order_rows, problems)
    if problems:
        raise InvalidInput("Invalid credit splits: nothing was imported", problems)
    replaced = 0
    orders = sorted(by_order)
    for start in range(0, len(orders), 500):
        chunk = orders[start : start + 500]
        for old in session.scalars(select(CreditSplit).where(CreditSplit.order_id.in_(chunk))):
            session.delete(old)
            replaced += 1
    # The deletes first: the new rows may repeat (order, payee) pairs they replace.
    session.flush()
    for row in checked:
        session.add(
            CreditSplit(
                order_id=row.order_id,
                payee_kind=row.payee_kind,
                payee_id=row.payee_id,
                share=row.share,
                policy=row.policy,
                created_by=principal.actor,
                created_at=now,
                updated_at=now,
            )
        )
    session.flush()
    return SplitImport(orders=len(orders), rows=len(checked), replaced=replaced)


def _text(raw: Mapping[str, object], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    return str(value).strip()


def _checked_row(
    number: int,
    raw: Mapping[str, object],
    people: Mapping[str, uuid.UUID],
    partners: Mapping[str, uuid.UUID],
    problems: list[ErrorDetail],
) -> _Row | None:
    at = f"row {number}"
    before = len(problems)
    if not isinstance(raw, Mapping):
        problems.append(ErrorDetail(at, "expected an object with order_id, payee, share, policy"))
        return None
    if any("\x00" in _text(raw, key) for key in SPLIT_COLUMNS):
        problems.append(ErrorDetail(at, "contains NUL characters"))
        return None
    order_id = _text(raw, "order_id")
    if not order_id:
        problems.append(ErrorDetail(f"{at}.order_id", "is required"))
    elif len(order_id) > MAX_ORDER_ID:
        problems.append(ErrorDetail(f"{at}.order_id", f"at most {MAX_ORDER_ID} characters"))
    payee = _text(raw, "payee")
    payee_id = people.get(payee)
    if payee_id is None:
        try:
            candidate: uuid.UUID | None = uuid.UUID(payee)
        except ValueError:
            candidate = None
        if candidate is not None and candidate in people.values():
            payee_id = candidate
    if payee_id is None:
        if not payee:
            problems.append(ErrorDetail(f"{at}.payee", "is required"))
        elif payee in partners or _is_partner_id(payee, partners):
            problems.append(
                ErrorDetail(
                    f"{at}.payee",
                    f"{payee!r} is a partner; split credit divides the rep's credit, so a "
                    "split payee must be a sales person",
                )
            )
        else:
            problems.append(ErrorDetail(f"{at}.payee", f"no sales person with code {payee!r}"))
    share = parse_share(raw.get("share"), location=f"{at}.share", problems=problems)
    policy = _text(raw, "policy") or "total_100"
    if policy not in POLICIES:
        problems.append(
            ErrorDetail(f"{at}.policy", f"unknown policy {policy!r}; expected total_100 or overlay")
        )
    if len(problems) > before or payee_id is None or share is None:
        return None
    return _Row(number, order_id, "sales_person", payee_id, share, policy)


def _is_partner_id(text: str, partners: Mapping[str, uuid.UUID]) -> bool:
    try:
        return uuid.UUID(text) in partners.values()
    except ValueError:
        return False


def _check_order(order_id: str, rows: list[_Row], problems: list[ErrorDetail]) -> None:
    first = rows[0].number
    policies = sorted({r.policy for r in rows})
    if len(policies) > 1:
        problems.append(
            ErrorDetail(
                f"row {first}.policy",
                f"order {order_id!r} mixes policies {', '.join(policies)} "
                f"(rows {', '.join(str(r.number) for r in rows)}); one order has one policy",
            )
        )
    seen: dict[uuid.UUID, int] = {}
    for row in rows:
        if row.payee_id in seen:
            problems.append(
                ErrorDetail(
                    f"row {row.number}.payee",
                    f"the payee is already in order {order_id!r} on row {seen[row.payee_id]}",
                )
            )
        else:
            seen[row.payee_id] = row.number
    if policies == ["total_100"]:
        total = sum((r.share for r in rows), Decimal(0))
        if total != 1:
            problems.append(
                ErrorDetail(
                    f"row {first}.share",
                    f"the shares of order {order_id!r} (rows "
                    f"{', '.join(str(r.number) for r in rows)}) total "
                    f"{format(total.normalize(), 'f')}, not 1 (policy total_100; use overlay "
                    "for credit above 100 %)",
                )
            )


def _payees(session: Session) -> tuple[dict[str, uuid.UUID], dict[str, uuid.UUID]]:
    people = {code: pid for code, pid in session.execute(select(SalesPerson.code, SalesPerson.id))}
    partners = {code: pid for code, pid in session.execute(select(Partner.code, Partner.id))}
    return people, partners


def split_rows(
    session: Session, *, order_ids: Iterable[str] | None = None
) -> list[tuple[str, str, Decimal, str]]:
    """The stored splits as ``(order_id, payee_id, share, policy)``, ordered (for runs)."""
    statement = select(
        CreditSplit.order_id, CreditSplit.payee_id, CreditSplit.share, CreditSplit.policy
    ).order_by(CreditSplit.order_id, CreditSplit.payee_id)
    if order_ids is not None:
        wanted = sorted(set(order_ids))
        found: list[tuple[str, str, Decimal, str]] = []
        for start in range(0, len(wanted), 500):
            chunk = statement.where(CreditSplit.order_id.in_(wanted[start : start + 500]))
            found += [(o, str(p), s, pol) for o, p, s, pol in session.execute(chunk)]
        return sorted(found)
    return [(o, str(p), s, pol) for o, p, s, pol in session.execute(statement)]
