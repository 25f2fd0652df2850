"""Built-in job kinds.

``demo.load``: load the demo data set (params ``scale``, ``seed``) in one transaction.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from salesdev.core.errors import Conflict, ErrorDetail, InvalidInput
from salesdev.demo import is_demo_loaded, load_demo
from salesdev.jobs.context import JobContext
from salesdev.jobs.registry import register_handler

DEMO_LOAD = "demo.load"
DEMO_SCALES = ("small", "medium", "large")


def load_demo_job(context: JobContext) -> dict[str, Any]:
    scale = context.params.get("scale", "small")
    seed = context.params.get("seed", 42)
    if scale not in DEMO_SCALES or isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidInput(
            "Invalid demo.load parameters",
            [ErrorDetail("params", f"scale one of {', '.join(DEMO_SCALES)}, seed an integer")],
        )
    runtime = context.runtime
    now = runtime.clock.now()
    with context.unit_of_work(now=now) as session:
        if is_demo_loaded(session):
            raise Conflict(
                "This database already holds reference data; the demo loads into an empty database only"
            )
        summary = load_demo(
            session=session,
            event_store_dir=runtime.settings.event_store_dir,
            scale=scale,
            seed=seed,
            now=now,
            progress=context.progress,
        )
    result: dict[str, Any] = json_safe(summary)
    return result


def json_safe(value: Any) -> Any:
    """A result as JSON can store it (job results are a JSON column)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_safe(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(item) for item in value]
    if isinstance(value, Decimal | Path | date | datetime):
        return value.isoformat() if isinstance(value, date | datetime) else str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


register_handler(DEMO_LOAD, load_demo_job)
