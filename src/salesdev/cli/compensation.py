"""``salesdev compensation``: runs, the ledger, what-if, plans, quotas and hierarchy history.

``run`` creates the run and its job, runs the job in this process (the same handler the
server's job runner uses) and prints the outcome: exit 0 when the run succeeded, 1 when it
failed (the error is printed), 3 for a bad period. Approving plan versions is a second
person's act and is done in the console or the API, not here.
"""

from __future__ import annotations

import csv
from pathlib import Path

import typer

from salesdev.analytics.compensation_runs import what_if
from salesdev.cli.columns import aligned
from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.credit_splits import app as credit_splits_app
from salesdev.cli.errors import EXIT_UNEXPECTED, reports_errors
from salesdev.cli.operator import OPERATOR, cli_actor, operator_session
from salesdev.core.ids import parse_id
from salesdev.core.periods import Period, parse_instant
from salesdev.db.query import Filter, ListQuery
from salesdev.domains.access import SYSTEM, Principal
from salesdev.domains.compensation import (
    find_plan,
    get_run,
    import_quotas_csv,
    latest_ledger_version,
    list_ledger_entries,
    list_plans,
    list_runs,
    list_versions,
    rejected_events,
    seed_hierarchy,
)
from salesdev.jobs.compensation import submit_compensation_run
from salesdev.jobs.runner import SERVICE_KEY, InProcessJobRunner

app = typer.Typer(
    help="Compensation: run a period, read the ledger, compare plan versions.",
    no_args_is_help=True,
)
quotas = typer.Typer(help="Quotas per payee and period.", no_args_is_help=True)
app.add_typer(quotas, name="quotas")
hierarchy = typer.Typer(
    help="Effective-dated manager and partner-parent links.", no_args_is_help=True
)
app.add_typer(hierarchy, name="hierarchy")
app.add_typer(credit_splits_app, name="splits")


def _operator() -> Principal:
    return Principal(kind="system", name=cli_actor(), roles=SYSTEM.roles)


@app.command("run")
@reports_errors
def run_command(
    period: str = typer.Option(..., "--period", help="The period to calculate, YYYY-MM."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Calculate and show the result; write no ledger version."
    ),
) -> None:
    """Calculate a period as a job: every approved plan in force, its assigned payees."""
    Period.parse(period, location="--period")
    with open_runtime() as runtime:
        require_current_schema(runtime)
        runner = InProcessJobRunner(runtime, workers=1)
        runtime.services[SERVICE_KEY] = runner
        # Not recover(): a server may be running jobs of this database right now.
        runner.start(recover=False)
        try:
            with operator_session(runtime) as session:
                run = submit_compensation_run(
                    runtime, session=session, principal=_operator(), period=period, dry_run=dry_run
                )
                run_id = run.id
            runner.drain()
        finally:
            runner.stop()
        with runtime.session_factory() as session:
            run = get_run(session, principal=OPERATOR, run_id=run_id)
            kind = "Dry run" if run.dry_run else "Run"
            if run.status != "succeeded":
                typer.echo(f"{kind} {run.id} of {run.period} {run.status}: {run.error}", err=True)
                raise typer.Exit(EXIT_UNEXPECTED)
            totals = ", ".join(f"{amount} {currency}" for currency, amount in run.totals.items())
            typer.echo(f"{kind} {run.id} of {run.period} succeeded")
            written = (
                "nothing written (dry run)"
                if run.dry_run
                else f"ledger version {run.ledger_version} of {run.period}"
            )
            typer.echo(
                f"{run.line_count} lines, total {totals or '0'}; {run.event_count} events, "
                f"{run.rejected_count} rejected; {written}"
            )
            rows = [
                [p["code"], str(p["version"]), str(p["payees"]), str(p["lines"]), f"{p['total']} {p['currency']}"]
                for p in run.plans
            ]  # fmt: skip
            if rows:
                typer.echo(
                    "\n".join(aligned(("PLAN", "VERSION", "PAYEES", "LINES", "TOTAL"), rows))
                )


@app.command("runs")
@reports_errors
def runs_command(
    period: str | None = typer.Option(None, "--period", help="Only runs of this period."),
    limit: int = typer.Option(20, min=1, help="At most this many, newest first."),
) -> None:
    """List runs, newest first."""
    filters = () if period is None else (Filter("period", "eq", (period,)),)
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            page = list_runs(
                session, principal=OPERATOR, query=ListQuery(filters=filters, limit=limit)
            )
            rows = [
                [
                    str(r.id),
                    r.period,
                    "dry" if r.dry_run else "commit",
                    r.status,
                    "-" if r.ledger_version is None else str(r.ledger_version),
                    str(r.line_count),
                    ", ".join(f"{v} {k}" for k, v in r.totals.items()) or "-",
                    str(r.rejected_count),
                ]
                for r in page.items
            ]
    typer.echo(f"{len(rows)} of {page.total} runs")
    if rows:
        headers = ("ID", "PERIOD", "MODE", "STATUS", "LEDGER", "LINES", "TOTAL", "REJECTED")
        typer.echo("\n".join(aligned(headers, rows)))


@app.command("rejected")
@reports_errors
def rejected_command(
    run_id: str = typer.Argument(..., help="The run's id."),
    csv_file: Path | None = typer.Option(None, "--csv", help="Write the report to this CSV file."),
) -> None:
    """The events a run rejected and why."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            rid = parse_id(run_id, location="run id")
            run = get_run(session, principal=OPERATOR, run_id=rid)
            rows = rejected_events(session, principal=OPERATOR, run_id=rid)
            table = [[r.event_id, r.event_type, r.reason, r.detail] for r in rows]
            count = run.rejected_count
    if csv_file is not None:
        with csv_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["event_id", "event_type", "reason", "detail"])
            writer.writerows(table)
        typer.echo(f"{count} rejected events written to {csv_file}")
        return
    typer.echo(f"{count} rejected events")
    if table:
        typer.echo("\n".join(aligned(("EVENT", "TYPE", "REASON", "DETAIL"), table)))


@app.command("ledger")
@reports_errors
def ledger_command(
    period: str = typer.Option(..., "--period", help="The period, YYYY-MM."),
    version: int | None = typer.Option(
        None, "--version", help="A ledger version; default: latest."
    ),
    limit: int = typer.Option(100, min=1, help="At most this many lines."),
) -> None:
    """Ledger lines of a period (its latest version by default)."""
    Period.parse(period, location="--period")
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            number = version
            if number is None:
                latest = latest_ledger_version(session, period=period)
                number = latest.number if latest is not None else 0
            filters = (
                Filter("period", "eq", (period,)),
                Filter("ledgerVersion", "eq", (str(number),)),
            )
            page = list_ledger_entries(
                session, principal=OPERATOR, query=ListQuery(filters=filters, limit=limit)
            )
            rows = [
                [e.plan_code, e.payee_kind, str(e.payee_id), e.component_id,
                 e.product_family or "-", e.basis, f"{e.amount} {e.currency}"]
                for e in page.items
            ]  # fmt: skip
    typer.echo(f"Ledger {period} version {number}: {page.total} lines")
    if rows:
        headers = ("PLAN", "KIND", "PAYEE", "COMPONENT", "FAMILY", "BASIS", "AMOUNT")
        typer.echo("\n".join(aligned(headers, rows)))


@app.command("what-if")
@reports_errors
def what_if_command(
    plan: str = typer.Option(..., "--plan", help="The plan's code."),
    version: int = typer.Option(..., "--version", help="Version A (the baseline)."),
    against: int = typer.Option(..., "--against", help="Version B (the change)."),
    period: str = typer.Option(..., "--period", help="The period, YYYY-MM."),
) -> None:
    """Compare two versions of a plan on a period's events, per payee and in total."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            found = find_plan(session, principal=OPERATOR, code=plan)
            result = what_if(
                session,
                principal=OPERATOR,
                event_store_dir=runtime.settings.event_store_dir,
                plan_id=found.id,
                version_a=version,
                version_b=against,
                period=period,
            )
    rows = [
        [c.payee_kind, c.payee_id, str(c.a), str(c.b), str(c.difference)] for c in result.payees
    ]
    if rows:
        headers = ("KIND", "PAYEE", f"V{version}", f"V{against}", "DIFFERENCE")
        typer.echo("\n".join(aligned(headers, rows)))
    typer.echo(
        f"Total {result.currency}: v{version} {result.total_a}, v{against} {result.total_b}, "
        f"difference {result.difference} ({len(rows)} payees, {result.period}); nothing written"
    )


@app.command("plans")
@reports_errors
def plans_command() -> None:
    """List plans with their versions and states."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            page = list_plans(session, principal=OPERATOR, query=ListQuery())
            rows = []
            for plan in page.items:
                versions = list_versions(session, principal=OPERATOR, plan_id=plan.id)
                states = ", ".join(
                    f"v{v.number} {v.state} from {v.effective_from}" for v in versions
                )
                rows.append([plan.code, plan.name, plan.payee_type, plan.currency, states or "-"])
    typer.echo(f"{len(rows)} plans")
    if rows:
        typer.echo("\n".join(aligned(("CODE", "NAME", "PAYEES", "CURRENCY", "VERSIONS"), rows)))


@quotas.command("import")
@reports_errors
def import_quotas_command(
    file: Path = typer.Argument(
        ...,
        help="CSV: payee_kind, payee_code, period, amount, currency.",
        exists=True,
        dir_okay=False,
    ),
) -> None:
    """Import quotas: every row is checked (errors name the line); any error, nothing written."""
    text = file.read_text(encoding="utf-8-sig")
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            result = import_quotas_csv(session, principal=OPERATOR, text=text, now=now)
    typer.echo(
        f"Imported {result.rows} quotas from {file.name}: {result.created_or_changed} new or changed."
    )


@hierarchy.command("seed")
@reports_errors
def seed_hierarchy_command(
    valid_from: str = typer.Option(
        "2000-01-01T00:00:00Z", "--from", help="When the seeded links start."
    ),
) -> None:
    """Record today's managers and partner parents as open links (those not yet recorded)."""
    try:
        start = parse_instant(valid_from)
    except ValueError as error:
        typer.echo(f"--from: {error}", err=True)
        raise typer.Exit(3) from None
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            added = seed_hierarchy(session, principal=OPERATOR, valid_from=start, now=now)
    typer.echo(f"Recorded {added} hierarchy links.")
