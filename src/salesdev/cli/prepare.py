"""``salesdev serve --prepare-demo``: everything before the server starts, as one function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from salesdev.cli.operator import operator_session
from salesdev.cli.progress import ProgressCallback
from salesdev.db.migrate import current_revision, upgrade
from salesdev.runtime import Runtime

DEMO_SCALE = "small"
DEMO_SEED = 42


@dataclass(frozen=True)
class Preparation:
    revision_before: str | None
    revision_after: str | None
    demo_loaded: bool
    # Why the demo was not loaded, when it was not.
    skipped_because: str = ""
    demo_summary: Any = None


def prepare_demo(runtime: Runtime, *, progress: ProgressCallback | None = None) -> Preparation:
    """Create the data directory, migrate to head, load the small demo into an empty database."""
    from salesdev.demo import is_demo_loaded, load_demo

    runtime.settings.data_dir.mkdir(parents=True, exist_ok=True)
    before = current_revision(runtime.engine)
    upgrade(runtime.engine)
    after = current_revision(runtime.engine)
    now = runtime.clock.now()
    with operator_session(runtime, now=now) as session:
        # Someone's own data (imported or typed in) is never mixed with the demo's.
        if is_demo_loaded(session):
            return Preparation(before, after, False, "the database already holds reference data")
        summary = load_demo(
            session=session,
            event_store_dir=runtime.settings.event_store_dir,
            scale=DEMO_SCALE,
            seed=DEMO_SEED,
            now=now,
            progress=progress,
        )
    return Preparation(before, after, True, demo_summary=summary)
