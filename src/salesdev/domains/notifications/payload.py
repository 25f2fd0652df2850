"""Exact JSON for events and API bodies: ``Decimal`` is written as a JSON number with its
own digits, never through ``float``.

The outbox stores payloads in a JSON column, whose serializer knows nothing of
``Decimal``; there a Decimal is kept as ``{"$decimal": "12.50"}`` and turned back into a
number when the event is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

_DECIMAL_KEY = "$decimal"


def encode_json(value: Any) -> bytes:
    """Serialize ``value`` (dict, list, str, int, bool, None, Decimal, datetime, date, UUID)."""
    parts: list[str] = []
    _encode(value, parts)
    return "".join(parts).encode("utf-8")


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


def _encode(value: Any, out: list[str]) -> None:
    if value is None or isinstance(value, bool | int | str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot encode {value} as JSON")
        out.append(format_decimal(value))
    elif isinstance(value, float):
        # Only values that arrived as floats (free-form JSON such as job results); money is
        # always Decimal by the time it gets here.
        out.append(json.dumps(value, allow_nan=False))
    elif isinstance(value, datetime):
        out.append(json.dumps(format_datetime(value)))
    elif isinstance(value, date | UUID):
        out.append(json.dumps(str(value)))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _encode(item, out)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as JSON")
