"""Which partner each demo customer belongs to: the partner that sold its first line.

``customer.partner_id`` is a partner user's customer scope (``docs/security.md``). In the
demo it follows the sales events: the partner of the customer's earliest ``order`` when a
partner sold it; customers first won by the CSP's own channels have none.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import cast

import duckdb
from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm import Session

from salesdev.analytics.events import event_files_glob, has_events
from salesdev.db.models import Customer

_FIRST_PARTNER = """
    SELECT customer_id, arg_min(partner_id, event_time)
    FROM read_parquet($files, hive_partitioning = true, hive_types = {'month': 'VARCHAR'})
    WHERE event_type = 'order'
    GROUP BY customer_id
    HAVING arg_min(partner_id, event_time) IS NOT NULL
"""


def assign_customer_partners(session: Session, *, event_store_dir: Path) -> int:
    """Set each customer's partner from the events (one set-based read, one bulk update);
    the number of customers that belong to a partner."""
    if not has_events(event_store_dir):
        return 0
    connection = duckdb.connect()
    try:
        rows = connection.execute(
            _FIRST_PARTNER, {"files": event_files_glob(event_store_dir)}
        ).fetchall()
    finally:
        connection.close()
    if not rows:
        return 0
    table = cast(Table, Customer.__table__)  # a Core executemany: one statement, many rows
    session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(partner_id=bindparam("b_partner")),
        [{"b_id": uuid.UUID(str(c)), "b_partner": uuid.UUID(str(p))} for c, p in rows],
    )
    return len(rows)
