"""Benchmark: the demo generator against a per-row Python baseline, in the same run.

    .venv/bin/python benchmarks/demo_generator.py [--scale large] [--baseline-rows 200000]

Loads the demo at the chosen scale into a temporary SQLite database and event
store, then generates a sample of events of the same shape the straightforward
way (one Python dict per event, then Parquet) and prints the ratio of event rows
per second. Peak RSS is the process's high-water mark after the generator run
(before the baseline). The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from salesdev.analytics.events import EVENT_SCHEMA, EVENT_TYPES
from salesdev.db.migrate import upgrade
from salesdev.db.session import make_engine, make_session_factory
from salesdev.demo import SCALES, load_demo
from salesdev.demo.loader import REFERENCE_STEPS

NOW = datetime(2026, 10, 15, 9, 30, tzinfo=UTC)


def run_generator(scale: str, seed: int, workdir: Path) -> dict[str, float | int]:
    engine = make_engine(f"sqlite:///{workdir / 'bench.db'}")
    upgrade(engine)
    factory = make_session_factory(engine)
    marks: dict[str, float] = {}

    def progress(done: int, total: int, message: str) -> None:
        if done == REFERENCE_STEPS:  # reference data inserted and flushed; events start
            marks["reference_done"] = time.perf_counter()
        if done == total - 2:  # the last batch of events is written; the demo logins follow
            marks["events_done"] = time.perf_counter()
        print(f"  [{done}/{total}] {message}", file=sys.stderr)

    started = time.perf_counter()
    with factory() as session:
        summary = load_demo(
            session=session, event_store_dir=workdir / "events", scale=scale, seed=seed, now=NOW,
            progress=progress,
        )  # fmt: skip
        session.commit()
    finished = time.perf_counter()
    engine.dispose()
    events_seconds = marks["events_done"] - marks["reference_done"]
    return {
        "events": summary.events,
        "lines": summary.lines,
        "customers": summary.customers + summary.prospects,
        "total_seconds": round(finished - started, 2),
        "reference_seconds": round(marks["reference_done"] - started, 2),
        "events_seconds": round(events_seconds, 2),
        "events_per_second": round(summary.events / events_seconds),
        "logins_and_publish_seconds": round(finished - marks["events_done"], 2),
        "store_bytes": sum(p.stat().st_size for p in (workdir / "events").rglob("*.parquet")),
    }


def run_baseline(rows: int, seed: int, workdir: Path) -> dict[str, float | int]:
    """The straightforward way: a loop that builds one dict per event."""
    rnd = random.Random(seed)
    customers = [str(uuid.UUID(int=rnd.getrandbits(128), version=4)) for _ in range(20_000)]
    offerings = [str(uuid.UUID(int=rnd.getrandbits(128), version=4)) for _ in range(90)]
    channels = [str(uuid.UUID(int=rnd.getrandbits(128), version=4)) for _ in range(9)]
    people = [str(uuid.UUID(int=rnd.getrandbits(128), version=4)) for _ in range(300)]
    start = datetime(2024, 10, 1, tzinfo=UTC)
    started = time.perf_counter()
    writer = pq.ParquetWriter(workdir / "baseline.parquet", EVENT_SCHEMA, compression="zstd")
    batch: list[dict[str, object]] = []
    for i in range(rows):
        event_type = rnd.choice(EVENT_TYPES)
        amount = Decimal(rnd.randrange(0, 100_000)).scaleb(-2)
        batch.append(
            {
                "event_id": f"EV{i + 1:08d}",
                "event_type": event_type,
                "event_time": start + timedelta(seconds=rnd.randrange(0, 730 * 86_400)),
                "line_id": f"LN{rnd.randrange(1, 500_000):08d}",
                "order_id": f"OR{i + 1:08d}" if event_type == "order" else None,
                "customer_id": rnd.choice(customers),
                "premise_id": rnd.choice(customers) if rnd.random() < 0.4 else None,
                "product_offering_id": rnd.choice(offerings),
                "product_family_code": "MOBILE_POSTPAID",
                "channel_id": rnd.choice(channels),
                "outlet_id": rnd.choice(people) if rnd.random() < 0.6 else None,
                "partner_id": rnd.choice(people) if rnd.random() < 0.3 else None,
                "sales_person_id": rnd.choice(people) if rnd.random() < 0.7 else None,
                "region_code": "AT-9",
                "quantity": 1,
                "amount": -amount if event_type in ("cancellation", "deactivation") else amount,
                "currency": "EUR",
            }
        )
        if len(batch) == 50_000:
            writer.write_table(pa.Table.from_pylist(batch, schema=EVENT_SCHEMA))
            batch = []
    if batch:
        writer.write_table(pa.Table.from_pylist(batch, schema=EVENT_SCHEMA))
    writer.close()
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="large", choices=sorted(SCALES))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--baseline-rows", type=int, default=200_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="salesdev-bench-") as tmp:
        workdir = Path(tmp)
        print(f"Generating the {args.scale} demo in {workdir} ...", file=sys.stderr)
        generator = run_generator(args.scale, args.seed, workdir)
        peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(
            f"Baseline: {args.baseline_rows} events, one Python dict per row ...", file=sys.stderr
        )
        baseline = run_baseline(args.baseline_rows, args.seed, workdir)

    ratio = round(generator["events_per_second"] / baseline["rows_per_second"], 1)
    print(
        f"demo generator ({args.scale}): {generator['events']:,} events in {generator['events_seconds']} s "
        f"= {generator['events_per_second']:,} events/s; reference rows {generator['reference_seconds']} s; "
        f"total {generator['total_seconds']} s; peak RSS {peak_rss_mb} MB"
    )
    print(f"per-row baseline: {baseline['rows_per_second']:,} events/s; speed-up x{ratio}")
    print(
        json.dumps(
            {
                "benchmark": "demo_generator",
                "scale": args.scale,
                "seed": args.seed,
                **generator,
                "peak_rss_mb": peak_rss_mb,
                "baseline_rows": baseline["rows"],
                "baseline_rows_per_second": baseline["rows_per_second"],
                "speedup": ratio,
            }
        )
    )


if __name__ == "__main__":
    main()
