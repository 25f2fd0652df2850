"""Market segments: a small table seeded with the reference vocabulary's segments.

Ids are derived from the code (the migration seeds the same ones), so the demo and a
migrated store agree on them without reading each other.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from salesdev.db.models import MarketSegment

SEGMENT_NAMES = {
    "consumer": "Consumer",
    "small_business": "Small business",
    "enterprise": "Enterprise",
    "public_sector": "Public sector",
}
_NAMESPACE = uuid.UUID("6f1c8a52-6a0e-4b7e-9a55-3f1d2c7e8b10")


def market_segment_id(code: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, code)


def ensure_market_segments(session: Session, *, now: datetime) -> dict[str, uuid.UUID]:
    """The seeded segments, created where missing; returns every segment's id by code."""
    existing = {
        code: id_ for code, id_ in session.execute(select(MarketSegment.code, MarketSegment.id))
    }
    missing = [
        {"id": market_segment_id(code), "code": code, "name": name, "created_at": now,
         "updated_at": now, "version": 1}
        for code, name in SEGMENT_NAMES.items()
        if code not in existing
    ]  # fmt: skip
    if missing:
        # Seed data, as the migration writes it: a bulk insert, outside the per-row audit.
        session.execute(insert(MarketSegment), missing)
        existing.update({code: market_segment_id(code) for code in SEGMENT_NAMES})
    return existing
