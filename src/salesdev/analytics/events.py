"""The sales-event store: its Parquet schema and its directory layout.

Sales events (orders, activations, churn, charges, payments) are bulk facts: they
live in Parquet files read set-based by DuckDB, never in the relational store.

Layout (hive partitioning by calendar month of ``event_time`` in UTC)::

    <event_store_dir>/month=YYYY-MM/part-NNNNN.parquet

Amount sign convention: positive for value created (an order, a charge, a
payment, monthly recurring revenue gained), negative for value reversed (a
cancellation reverses its order, a deactivation loses its line's monthly
recurring charge), zero for events that move no money (port-in, suspension,
resumption). docs/data-model.md gives the meaning of every column and event type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from salesdev.core.money import AMOUNT_SCALE

EVENT_TYPES: Final[tuple[str, ...]] = (
    "order",
    "activation",
    "port_in",
    "upgrade",
    "renewal",
    "cancellation",
    "suspension",
    "resumption",
    "deactivation",
    "recurring_charge",
    "payment",
)

# Event types whose amounts make up revenue: one-time order charges net of their
# cancellations, plus billed monthly recurring charges.
REVENUE_EVENT_TYPES: Final[tuple[str, ...]] = ("order", "cancellation", "recurring_charge")

AMOUNT_PRECISION: Final[int] = 18
AMOUNT_TYPE: Final = pa.decimal128(AMOUNT_PRECISION, AMOUNT_SCALE)
EVENT_TIME_TYPE: Final = pa.timestamp("us", tz="UTC")

EVENT_SCHEMA: Final[pa.Schema] = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("event_type", pa.string(), nullable=False),
        pa.field("event_time", EVENT_TIME_TYPE, nullable=False),
        pa.field("line_id", pa.string(), nullable=False),
        pa.field("order_id", pa.string(), nullable=True),
        pa.field("customer_id", pa.string(), nullable=False),
        pa.field("premise_id", pa.string(), nullable=True),
        pa.field("product_offering_id", pa.string(), nullable=False),
        pa.field("product_family_code", pa.string(), nullable=False),
        pa.field("channel_id", pa.string(), nullable=False),
        pa.field("outlet_id", pa.string(), nullable=True),
        pa.field("partner_id", pa.string(), nullable=True),
        pa.field("sales_person_id", pa.string(), nullable=True),
        pa.field("region_code", pa.string(), nullable=False),
        pa.field("quantity", pa.int32(), nullable=False),
        pa.field("amount", AMOUNT_TYPE, nullable=False),
        pa.field("currency", pa.string(), nullable=False),
    ]
)

PARTITION_KEY: Final[str] = "month"


def month_partition_dir(event_store_dir: Path, *, year: int, month: int) -> Path:
    return event_store_dir / f"{PARTITION_KEY}={year:04d}-{month:02d}"


def part_file_name(part: int) -> str:
    return f"part-{part:05d}.parquet"


def event_files_glob(event_store_dir: Path) -> str:
    """The glob DuckDB reads with ``read_parquet(glob, hive_partitioning=true)``."""
    return f"{event_store_dir.as_posix()}/**/*.parquet"


def event_files(event_store_dir: Path) -> list[Path]:
    if not event_store_dir.is_dir():
        return []
    # Same set of files as event_files_glob() matches.
    return sorted(path for path in event_store_dir.rglob("*.parquet") if path.is_file())


def has_events(event_store_dir: Path) -> bool:
    return bool(event_files(event_store_dir))


class EventStoreWriter:
    """Appends event tables to the month partitions of a store directory.

    One Parquet file per month, kept open while writing: each ``write`` adds a
    row group to the files of the months it touches, so memory holds one batch
    at a time whatever the total size. Call ``close`` (or use ``with``) to finish
    the files; ``rows_by_month`` then tells what was written.
    """

    def __init__(self, event_store_dir: Path, *, compression: str = "zstd") -> None:
        self.event_store_dir = event_store_dir
        self.compression = compression
        self.rows_by_month: dict[str, int] = {}
        self._writers: dict[str, pq.ParquetWriter] = {}

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        table = table.select(EVENT_SCHEMA.names).cast(EVENT_SCHEMA)
        times = table.column("event_time").combine_chunks().cast(pa.int64()).to_numpy()
        months = times.astype("datetime64[us]").astype("datetime64[M]")
        # Tables usually arrive sorted by time: contiguous slices, no copy.
        if bool(np.all(months[1:] >= months[:-1])):
            boundaries = np.flatnonzero(months[1:] != months[:-1]) + 1
            starts = [0, *boundaries.tolist()]
            ends = [*boundaries.tolist(), len(months)]
            for start, end in zip(starts, ends, strict=True):
                self._append(str(months[start]), table.slice(start, end - start))
            return
        for month in np.unique(months):
            self._append(str(month), table.filter(pa.array(months == month)))

    def _append(self, month: str, table: pa.Table) -> None:
        writer = self._writers.get(month)
        if writer is None:
            directory = self.event_store_dir / f"{PARTITION_KEY}={month}"
            directory.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(
                directory / part_file_name(0), EVENT_SCHEMA, compression=self.compression
            )
            self._writers[month] = writer
        writer.write_table(table)
        self.rows_by_month[month] = self.rows_by_month.get(month, 0) + table.num_rows

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def __enter__(self) -> EventStoreWriter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
