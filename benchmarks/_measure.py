"""Timing helpers shared by the benchmarks: percentiles of latencies and a timed loop.

Imported by the scripts of this directory as ``_measure`` (each is run as
``.venv/bin/python benchmarks/<name>.py``, which puts this directory on the path).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 (the median), p95 and p99 of ``samples`` (ms), rounded to 0.01; zeros if none."""
    ordered = sorted(samples)
    if not ordered:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0}

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(at(0.95), 2),
        "p99": round(at(0.99), 2),
    }


def measure(call: Callable[[], Any], count: int, warmup: int = 10) -> dict[str, float]:
    """Percentiles of ``count`` timed calls (ms), after ``warmup`` untimed ones."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)
