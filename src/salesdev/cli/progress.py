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
def progress_bar(description: str, *, transient: bool = False) -> Iterator[ProgressCallback]:
    """The bar appears at the first update, so that work which turns out not to be
    needed leaves no empty bar behind. A ``transient`` bar is erased when done, and never
    written where stderr is not a terminal (a command whose errors scripts read)."""
    # On stderr: stdout stays for the command's result.
    console = Console(stderr=True)
    if transient and not console.is_terminal:
        yield _ignore
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=transient,
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


def _ignore(done: int, total: int | None, message: str = "") -> None:
    pass
