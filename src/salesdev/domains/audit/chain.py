"""Hash chaining of audit events: pure functions, no I/O."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

GENESIS_HASH = "0" * 64


def _default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return repr(value)


def canonical(value: Any) -> str:
    """A stable JSON text: sorted keys, no spaces, exact decimals as strings."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), default=_default, ensure_ascii=False
    )


def jsonable(value: Any) -> Any:
    """The value as it will be stored in a JSON column (and read back for verification)."""
    return json.loads(canonical(value))


def event_hash(*, previous_hash: str, content: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(previous_hash.encode("ascii"))
    digest.update(canonical(content).encode("utf-8"))
    return digest.hexdigest()
