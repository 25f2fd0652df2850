"""One mapping from the error hierarchy to exit codes; expected errors print no traceback."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from salesdev.cli.errors import reports_errors
from salesdev.core.errors import (
    Conflict,
    ErrorDetail,
    ExternalFailure,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RuleViolation,
    SalesdevError,
)


def _app(error: BaseException) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @reports_errors
    def fail(name: str = typer.Option("x")) -> None:
        raise error

    return app


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidInput("Invalid file", [ErrorDetail("row 3 (line 4)", "column 'tier': bad")]), 3),
        (NotFound("Job 1 not found"), 4),
        (Conflict("already loaded"), 4),
        (RuleViolation("period closed"), 4),
        (PreconditionFailed("not migrated"), 4),
        (ExternalFailure("mail server down"), 1),
        (KeyError("surprise"), 1),
    ],
)
def test_each_error_class_has_its_exit_code(error: BaseException, code: int) -> None:
    result = CliRunner().invoke(_app(error), [])

    assert result.exit_code == code
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_an_expected_error_prints_its_message_and_every_detail_on_stderr() -> None:
    error = InvalidInput(
        "regions.csv: 2 error(s)",
        [
            ErrorDetail("row 1 (line 2)", "column 'code': a value is required"),
            ErrorDetail("row 2", "x"),
        ],
    )

    result = CliRunner().invoke(_app(error), [])

    assert result.stderr == (
        "Error: regions.csv: 2 error(s)\n"
        "  - row 1 (line 2): column 'code': a value is required\n"
        "  - row 2: x\n"
    )


def test_an_unexpected_error_is_named_in_one_line() -> None:
    result = CliRunner().invoke(_app(ZeroDivisionError("division by zero")), [])

    assert result.stderr.splitlines()[0] == "Unexpected error: ZeroDivisionError: division by zero"


def test_a_wrong_command_line_is_a_usage_error() -> None:
    result = CliRunner().invoke(_app(SalesdevError("unused")), ["--nope"])

    assert result.exit_code == 2


def test_a_command_that_exits_with_its_own_code_keeps_it() -> None:
    app = typer.Typer()

    @app.command()
    @reports_errors
    def check() -> None:
        typer.echo("broken", err=True)
        raise typer.Exit(5)

    result = CliRunner().invoke(app, [])

    assert (result.exit_code, result.stderr) == (5, "broken\n")
