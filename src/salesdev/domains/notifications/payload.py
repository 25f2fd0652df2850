"""Exact JSON for events and API bodies: ``Decimal`` is written as a JSON number with its
own digits, never through ``float``.

The outbox stores payloads in a JSON column, whose serializer knows nothing of
``Decimal``; there a Decimal is kept as ``{"$decimal": "12.50"}`` and turned back into a
number when the event is sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

_DECIMAL_KEY = "$decimal"


def encode_json(value: Any) -> bytes:
    """Serialize ``value`` (dict, list, str, int, bool, None, Decimal, datetime, date, UUID)."""
    # One pass of the C encoder, with each Decimal carried as a marked string and then
    # written back as a bare number: exact, and fast enough for large pages.
    text = json.dumps(_plain(value), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return _MARKED_NUMBER.sub(r"\1", text).encode("utf-8")


def decode_json(data: bytes | str) -> Any:
    """Parse JSON with every non-integer number as an exact ``Decimal``."""
    return json.loads(data, parse_float=Decimal)


def format_datetime(value: datetime) -> str:
    text = value.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def format_decimal(value: Decimal) -> str:
    # normalize() drops trailing zeros of the stored scale; "f" avoids exponent notation.
    return format(value.normalize(), "f")


def to_storable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {_DECIMAL_KEY: format_decimal(value)}
    if isinstance(value, Mapping):
        return {str(k): to_storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_storable(v) for v in value]
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date | UUID):
        return str(value)
    return value


def from_storable(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_DECIMAL_KEY}:
            return Decimal(value[_DECIMAL_KEY])
        return {k: from_storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_storable(v) for v in value]
    return value


# NUL never occurs in accepted text (every edge refuses it), so it can mark a number;
# the encoder writes it as the escape \u0000.
_MARK = "\x00"
_MARKED_NUMBER = re.compile(r'"\\u0000(-?[0-9.]+)\\u0000"')


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str | float):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot encode {value} as JSON")
        return f"{_MARK}{format_decimal(value)}{_MARK}"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date | UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, Sequence):
        return [_plain(item) for item in value]
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")
