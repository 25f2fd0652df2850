"""Rich progress bars fed by the services' ``progress(done, total, message)`` callbacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

ProgressCallback = Callable[[int, int | None, str], None]


@contextmanager
def progress_bar(description: str) -> Iterator[ProgressCallback]:
    """The bar appears at the first update, so that work which turns out not to be
    needed leaves no empty bar behind."""
    # On stderr: stdout stays for the command's result.
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )
    task = progress.add_task(description, total=None)
    started = False

    def update(done: int, total: int | None, message: str = "") -> None:
        nonlocal started
        if not started:
            progress.start()
            started = True
        progress.update(task, completed=done, total=total, description=message or description)

    try:
        yield update
    finally:
        if started:
            progress.stop()
