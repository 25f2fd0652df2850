"""Exact money. ``Decimal`` with a currency, never float.

Rounding policy (one, applied at a stated point): amounts are kept at full
precision through a calculation and rounded once, with ``ROUND_HALF_UP`` to the
currency's minor unit, when a payable or displayable line is produced
(:meth:`Money.rounded`). Stored amounts keep up to four decimal places
(``AMOUNT_SCALE``) so that unit prices such as 0.0125 per MB are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from salesdev.core.errors import ErrorDetail, InvalidInput

AMOUNT_SCALE = 4
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3}
_QUANTUM = Decimal(1).scaleb(-AMOUNT_SCALE)
# Stored amounts are NUMERIC(19, 4) on PostgreSQL and a 64-bit integer of ten-thousandths
# on SQLite (at most about 9.2 x 10**14): every amount below 10**14 fits both.
MAX_AMOUNT = Decimal(10) ** 14


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency, 2)


def parse_currency(value: object, *, location: str = "currency") -> str:
    if not isinstance(value, str) or len(value) != 3 or not value.isalpha() or not value.isupper():
        raise InvalidInput(
            "Invalid currency",
            [_detail(location, f"expected an ISO 4217 code like EUR, got {value!r}")],
        )
    return value


def parse_amount(value: object, *, location: str = "amount") -> Decimal:
    """Parse an exact amount from a string, int or Decimal; floats are refused."""
    if isinstance(value, bool | float):
        raise InvalidInput(
            "Invalid amount",
            [
                _detail(
                    location, f"amounts must be given as a decimal string or integer, got {value!r}"
                )
            ],
        )
    try:
        amount = Decimal(value) if isinstance(value, (str, int, Decimal)) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise InvalidInput(
            "Invalid amount", [_detail(location, f"not a decimal number: {value!r}")]
        )
    if abs(amount) >= MAX_AMOUNT:
        raise InvalidInput(
            "Invalid amount",
            [_detail(location, f"amounts must be below {MAX_AMOUNT:,} in size, got {value!r}")],
        )
    if amount != amount.quantize(_QUANTUM, rounding=ROUND_HALF_UP):
        raise InvalidInput(
            "Invalid amount",
            [_detail(location, f"at most {AMOUNT_SCALE} decimal places are kept, got {value!r}")],
        )
    return amount


def _detail(location: str, message: str) -> ErrorDetail:
    return ErrorDetail(location, message)


@dataclass(frozen=True, order=False)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")

    @classmethod
    def of(cls, amount: object, currency: str) -> Money:
        return cls(parse_amount(amount), parse_currency(currency))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidInput(
                "Currency mismatch", [_detail("currency", f"{self.currency} vs {other.currency}")]
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float):
            raise TypeError("multiply Money by a Decimal, not a float")
        return Money(self.amount * factor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def rounded(self) -> Money:
        quantum = Decimal(1).scaleb(-minor_units(self.currency))
        return Money(self.amount.quantize(quantum, rounding=ROUND_HALF_UP), self.currency)

    def to_tmf(self) -> dict[str, object]:
        """TMF ``Money`` shape: ``{"unit": "EUR", "value": 12.5}``, value as a JSON number."""
        return {"unit": self.currency, "value": self.amount}

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
