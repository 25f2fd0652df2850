"""Portable column types: exact amounts on SQLite and PostgreSQL, aware timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.types import TypeDecorator, TypeEngine

from salesdev.core.money import AMOUNT_SCALE


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal with a fixed number of places.

    PostgreSQL stores ``NUMERIC(precision, scale)``. SQLite has no exact decimal (it
    would keep a float), so there the value is a scaled 64-bit integer; SQL sums and
    comparisons on the column stay exact on both.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, scale: int = AMOUNT_SCALE, precision: int = 19) -> None:
        super().__init__()
        self.scale = scale
        self.precision = precision
        self._factor = Decimal(10) ** scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("exact decimal columns refuse floats")
        value = Decimal(value)
        scaled = value * self._factor
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        if dialect.name == "sqlite":
            return int(scaled)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / self._factor).quantize(Decimal(1).scaleb(-self.scale))
        return Decimal(value)


class Amount(ExactDecimal):
    """A money amount (currency kept in its own column)."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(scale=AMOUNT_SCALE, precision=19)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps; SQLite returns naive values, read back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused; pass a timezone-aware value")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        if stored.tzinfo is None:
            return stored.replace(tzinfo=UTC)
        return stored.astimezone(UTC)
