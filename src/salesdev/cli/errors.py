"""One mapping from the error hierarchy to exit codes and messages (documented in docs/cli.md)."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click
import typer

from salesdev.core.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    RuleViolation,
    SalesdevError,
)

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_USAGE = 2  # Click's own code for a wrong command line
EXIT_INVALID_INPUT = 3
EXIT_REFUSED = 4
# A check that looked for corruption or tampering found it (e.g. `salesdev audit verify`).
EXIT_INTEGRITY = 5

_EXIT_CODES: tuple[tuple[type[SalesdevError], int], ...] = (
    (InvalidInput, EXIT_INVALID_INPUT),
    (NotFound, EXIT_REFUSED),
    (Conflict, EXIT_REFUSED),
    (RuleViolation, EXIT_REFUSED),
    (PreconditionFailed, EXIT_REFUSED),
    (PermissionDenied, EXIT_REFUSED),
    (NotAuthenticated, EXIT_REFUSED),
)

P = ParamSpec("P")
R = TypeVar("R")


def exit_code_for(error: BaseException) -> int:
    for kind, code in _EXIT_CODES:
        if isinstance(error, kind):
            return code
    return EXIT_UNEXPECTED


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Expected errors: a short message on stderr and their exit code, no traceback."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (
            click.exceptions.Exit,
            click.ClickException,
            click.Abort,
            typer.Exit,
            typer.Abort,
            # Typer carries its own copy of Click: its usage errors are not Click's.
            typer.BadParameter,
        ):
            raise
        except SalesdevError as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(exit_code_for(error)) from None
        except Exception as error:
            typer.echo(f"Unexpected error: {type(error).__name__}: {error}", err=True)
            if _debugging():
                typer.echo("".join(traceback.format_exception(error)), err=True)
            else:
                typer.echo("(set SALESDEV_LOG_LEVEL=DEBUG to see the traceback)", err=True)
            raise typer.Exit(EXIT_UNEXPECTED) from None

    return run


def _debugging() -> bool:
    from salesdev.cli.context import load_settings

    try:
        return load_settings().log_level.upper() == "DEBUG"
    except Exception:
        return False
