from __future__ import annotations

import uuid
from typing import Any

from salesdev.core.errors import ErrorDetail, InvalidInput


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def parse_id(value: Any, *, location: str = "id") -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput(
            "Invalid identifier", [ErrorDetail(location, f"not a UUID: {value!r}")]
        ) from None
