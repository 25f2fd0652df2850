"""Demo age bands and installed base: what demo customers have, for the sale rules to read.

Deterministic for a seed. Consumers get an age band; every customer (not prospects)
gets zero to three single offerings installed from their ``customer_since`` (or the
offering's launch, whichever is later) at their own premise; about one in seven of
those has since been removed (``valid_to`` before ``now``). The installed base is a
starting picture for rules (``customer.products``, ``customer.product_families``); it
is not derived from the demo's sales events.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import numpy as np
from sqlalchemy import Table, bindparam, insert
from sqlalchemy.orm import Session

from salesdev.db.models import Customer
from salesdev.db.models.customers import InstalledProduct
from salesdev.demo.reference import Reference
from salesdev.domains.reference.vocabulary import SEGMENTS
from salesdev.engine.rules import AGE_BANDS

AGE_BAND_WEIGHTS = (0.10, 0.19, 0.19, 0.19, 0.17, 0.16)
PRODUCTS_PER_CUSTOMER_WEIGHTS = (0.25, 0.4, 0.25, 0.1)  # 0, 1, 2 or 3 offerings
REMOVED_SHARE = 0.15
BATCH = 5_000


def load_installed_base(
    session: Session, *, reference: Reference, seed: int, now: datetime
) -> tuple[int, int]:
    """Set consumers' age bands and insert the installed base; returns both counts."""
    rng = np.random.default_rng([seed, 61])
    parties = reference.parties
    n = parties.customers
    consumer = SEGMENTS.index("consumer")
    bands = rng.choice(len(AGE_BANDS), size=n, p=AGE_BAND_WEIGHTS)
    table = Customer.__table__
    assert isinstance(table, Table)
    updates = [
        {"_id": parties.customer_ids[i], "_band": AGE_BANDS[int(bands[i])]}
        for i in range(n)
        if int(parties.segment[i]) == consumer
    ]
    statement = (
        table.update().where(table.c.id == bindparam("_id")).values(age_band=bindparam("_band"))
    )
    for start in range(0, len(updates), BATCH):
        session.execute(statement, updates[start : start + BATCH])

    singles = [row for row in reference.offerings.rows if not row["is_bundle"]]
    counts = rng.choice(len(PRODUCTS_PER_CUSTOMER_WEIGHTS), size=n, p=PRODUCTS_PER_CUSTOMER_WEIGHTS)
    rows: list[dict[str, object]] = []
    for i in range(n):
        since = parties.customer_since[i] if i < len(parties.customer_since) else None
        if parties.is_prospect[i] or since is None or counts[i] == 0:
            continue
        joined = datetime.combine(since, time(), tzinfo=UTC)
        picks = rng.choice(len(singles), size=int(counts[i]), replace=False)
        for pick in picks:
            offering = singles[int(pick)]
            valid_from: datetime = max(joined, offering["valid_from"])
            if valid_from >= now:
                continue
            valid_to = None
            if rng.random() < REMOVED_SHARE:
                days = int(rng.integers(30, 720))
                ended = valid_from + timedelta(days=days)
                valid_to = ended if ended < now else None
            rows.append(
                {
                    "id": _uuid(rng),
                    "customer_id": parties.customer_ids[i],
                    "product_offering_id": offering["id"],
                    "premise_id": parties.premise_ids[i] if i < parties.premises else None,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
    for start in range(0, len(rows), BATCH):
        session.execute(insert(InstalledProduct), rows[start : start + BATCH])
    return len(updates), len(rows)


def _uuid(rng: np.random.Generator) -> uuid.UUID:
    return uuid.UUID(bytes=rng.bytes(16), version=4)
