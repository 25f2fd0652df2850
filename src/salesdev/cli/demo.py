"""``salesdev demo``: the demo data set."""

from __future__ import annotations

import dataclasses
from enum import StrEnum

import typer

from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.operator import operator_session
from salesdev.cli.progress import progress_bar
from salesdev.core.errors import Conflict

app = typer.Typer(help="Demo data: a realistic CSP to explore and test with.", no_args_is_help=True)


class Scale(StrEnum):
    small = "small"
    medium = "medium"
    large = "large"


@app.command("load")
@reports_errors
def load_command(
    scale: Scale = typer.Option(Scale.small, help="How much data to generate."),
    seed: int = typer.Option(42, help="Same seed, same data."),
) -> None:
    """Load the demo data set into an empty database, in one transaction."""
    from salesdev.demo import DEMO_PASSWORD, is_demo_loaded, load_demo

    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            if is_demo_loaded(session):
                raise Conflict(
                    "This database already holds reference data; the demo loads into an empty database only"
                )
            with progress_bar(f"Loading the {scale.value} demo") as progress:
                summary = load_demo(
                    session=session,
                    event_store_dir=runtime.settings.event_store_dir,
                    scale=scale.value,
                    seed=seed,
                    now=now,
                    progress=progress,
                )
    typer.echo(f"Loaded the {scale.value} demo data set (seed {seed}).")
    for name, value in dataclasses.asdict(summary).items():
        if name != "logins":
            typer.echo(f"  {name}: {value}")
    typer.echo(f"Demo logins (password {DEMO_PASSWORD!r}):")
    for login in summary.logins:
        typer.echo(f"  {login.login:<10} {login.role.value:<17} {login.scope_description}")
