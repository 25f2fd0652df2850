"""A partner's payout details: who is paid, into which account, in which currency, when.

Reading needs the ``payouts`` family, except that a partner user reads its own partner's
details (see ``access.py``); writing needs ``payouts`` write, with no exception. Every
change is audited by the flush hook like any other row, IBAN included.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, PreconditionFailed
from salesdev.core.money import parse_currency
from salesdev.core.periods import require_aware
from salesdev.db.models import Partner, PartnerPayout
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.partners.access import readable_payout_partner, visible_partner
from salesdev.domains.partners.iban import parse_bic, parse_iban

MAX_PAYMENT_TERMS_DAYS = 365


def get_payout_details(
    session: Session, *, principal: Principal, partner_id: uuid.UUID
) -> PartnerPayout:
    partner = readable_payout_partner(session, principal=principal, partner_id=partner_id)
    payout = _payout_of(session, partner)
    if payout is None:
        raise NotFound(f"Partner {partner.code} has no payout details")
    return payout


def set_payout_details(
    session: Session,
    *,
    principal: Principal,
    partner_id: uuid.UUID,
    payee_name: str,
    iban: str,
    tax_id: str,
    currency: str,
    payment_terms_days: int,
    now: datetime,
    bic: str | None = None,
    expected_version: int | None = None,
) -> PartnerPayout:
    """Record the partner's payout details, or replace them (``expected_version`` guards
    against overwriting someone else's change)."""
    require_aware(now, location="now")
    authorize(principal, Family.PAYOUTS, "write")
    partner = visible_partner(session, principal=principal, partner_id=partner_id)
    clean = _validate(
        {
            "payee_name": payee_name,
            "iban": iban,
            "bic": bic,
            "tax_id": tax_id,
            "currency": currency,
            "payment_terms_days": payment_terms_days,
        }
    )
    payout = _payout_of(session, partner)
    if payout is None:
        payout = PartnerPayout(partner_id=partner.id, **clean, created_at=now, updated_at=now)
        session.add(payout)
        session.flush()
        return payout
    if expected_version is not None and payout.version != expected_version:
        raise PreconditionFailed(
            f"The payout details of partner {partner.code} were changed by someone else "
            f"(version {payout.version}, you had {expected_version}); reload and try again"
        )
    changed = {key: value for key, value in clean.items() if getattr(payout, key) != value}
    for key, value in changed.items():
        setattr(payout, key, value)
    if changed:
        payout.updated_at = now
        session.flush()
    return payout


def _payout_of(session: Session, partner: Partner) -> PartnerPayout | None:
    return session.scalar(select(PartnerPayout).where(PartnerPayout.partner_id == partner.id))


def _validate(values: dict[str, Any]) -> dict[str, Any]:
    errors: list[ErrorDetail] = []
    clean: dict[str, Any] = {}
    for key, parse in _PARSERS.items():
        try:
            clean[key] = parse(values[key])
        except InvalidInput as exc:
            errors += [ErrorDetail(key, d.message) for d in exc.details] or [
                ErrorDetail(key, exc.message)
            ]
    if errors:
        raise InvalidInput("Invalid payout details", errors)
    return clean


def _text(max_length: int) -> Callable[[Any], str]:
    def parse(raw: Any) -> str:
        text = raw.strip() if isinstance(raw, str) else ""
        if not text:
            raise InvalidInput("is required")
        if len(text) > max_length:
            raise InvalidInput(f"at most {max_length} characters")
        return text

    return parse


def _optional_bic(raw: Any) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return parse_bic(raw)


def _payment_terms_days(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_PAYMENT_TERMS_DAYS:
        raise InvalidInput(
            f"expected a whole number of days from 0 to {MAX_PAYMENT_TERMS_DAYS}; got {raw!r}"
        )
    return raw


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "payee_name": _text(200),
    "iban": parse_iban,
    "bic": _optional_bic,
    "tax_id": _text(32),
    "currency": parse_currency,
    "payment_terms_days": _payment_terms_days,
}
