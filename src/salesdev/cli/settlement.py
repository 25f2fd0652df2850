"""``salesdev compensation close|approve|lock|reopen|payout|reconcile|disputes``: the
settlement of a compensation period from the command line.

Commands act as ``cli:<operating-system user>`` (an administrator): the two-person rule
of period approval holds between operating-system users, so the user who closed a period
cannot approve it from the same account. ``payout`` is idempotent: when nothing new is
due it writes no batch and the files of the latest batch are written again.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import typer

from salesdev.cli.columns import aligned
from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import EXIT_REFUSED, reports_errors
from salesdev.cli.operator import cli_actor, operator_session
from salesdev.domains.access import Principal, Role
from salesdev.domains.settlement import (
    Reconciliation,
    export_payout,
    list_disputes,
    move_period,
    payables_csv,
    payroll_csv,
    reconcile,
    transition_dispute,
)

disputes = typer.Typer(help="Compensation disputes: list and move.", no_args_is_help=True)


def cli_principal() -> Principal:
    return Principal(kind="user", name=cli_actor(), roles=frozenset({Role.ADMIN}))


def _move(period: str, action: str, comment: str) -> None:
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            row = move_period(
                session,
                principal=cli_principal(),
                period=period,
                action=action,
                comment=comment,
                now=now,
            )
            status = row.status
    typer.echo(f"Period {period} is {status}")


PERIOD = typer.Option(..., "--period", help="The period, YYYY-MM.")


@reports_errors
def close_command(
    period: str = PERIOD,
    comment: str = typer.Option("", "--comment", help="Why (kept in the period's history)."),
) -> None:
    """Close a period: no further run or ledger version until it is reopened."""
    _move(period, "close", comment)


@reports_errors
def approve_command(
    period: str = PERIOD, comment: str = typer.Option("", "--comment", help="A comment.")
) -> None:
    """Approve a closed period (not by the user who closed it)."""
    _move(period, "approve", comment)


@reports_errors
def lock_command(
    period: str = PERIOD, comment: str = typer.Option("", "--comment", help="A comment.")
) -> None:
    """Lock an approved period: its figures are final and can be paid out."""
    _move(period, "lock", comment)


@reports_errors
def reopen_command(
    period: str = PERIOD, reason: str = typer.Option(..., "--reason", help="Why (required).")
) -> None:
    """Reopen a period to recalculate it (the next payout pays only the difference)."""
    _move(period, "reopen", reason)


@reports_errors
def payout_command(
    period: str = PERIOD,
    out: Path = typer.Option(..., "--out", help="Directory for the payroll and AP files."),
) -> None:
    """Export a locked period's amounts due as a payout batch and write its files."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        principal = cli_principal()
        with operator_session(runtime, now=now) as session:
            result = export_payout(session, principal=principal, period=period, now=now)
            if result.batch is None:
                typer.echo(f"Nothing is due for {period} and nothing was paid", err=True)
                raise typer.Exit(EXIT_REFUSED)
            batch = result.batch
            files = {
                f"payroll-{batch.period}-{batch.sequence}.csv": payroll_csv(
                    session, principal=principal, batch_id=batch.id
                ),
                f"payables-{batch.period}-{batch.sequence}.csv": payables_csv(
                    session, principal=principal, batch_id=batch.id
                ),
            }
            rows = reconcile(session, principal=principal, period=period)
            totals = ", ".join(f"{t} {c}" for c, t in sorted(batch.totals.items()))
            label = f"{batch.period}#{batch.sequence}"
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    if result.created:
        typer.echo(f"Payout batch {label}: {batch.line_count} lines, {totals}")
    else:
        typer.echo(f"Nothing new is due: batch {label} is the latest (nothing paid twice)")
    for name in files:
        typer.echo(f"Wrote {out / name}")
    _print_reconciliation(rows)


def _print_reconciliation(rows: list[Reconciliation]) -> None:
    table = [
        [
            r.currency,
            str(r.ledger_total),
            str(r.paid),
            str(r.held),
            str(r.carried),
            "yes" if r.balanced else "NO",
        ]
        for r in rows
    ]
    typer.echo(
        "\n".join(aligned(("CURRENCY", "LEDGER", "PAID", "HELD", "CARRIED", "BALANCED"), table))
    )


@reports_errors
def reconcile_command(period: str = PERIOD) -> None:
    """Show the period's reconciliation: ledger total = paid + held + carried."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            rows = reconcile(session, principal=cli_principal(), period=period)
    _print_reconciliation(list(rows))
    if not all(r.balanced for r in rows):
        raise typer.Exit(EXIT_REFUSED)


@disputes.command("list")
@reports_errors
def list_disputes_command(
    status: str | None = typer.Option(None, "--status", help="Only disputes in this status."),
    period: str | None = typer.Option(None, "--period", help="Only this period."),
) -> None:
    """List disputes, newest first."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            found = list_disputes(session, principal=cli_principal(), status=status, period=period)
            rows = [
                [
                    str(d.id),
                    d.period,
                    f"{d.component_id}/{d.product_family or '-'}/{d.basis}",
                    d.status,
                    d.raised_by,
                    d.subject[:40],
                ]
                for d in found
            ]
    typer.echo(f"{len(rows)} dispute{'' if len(rows) == 1 else 's'}")
    if rows:
        headers = ("ID", "PERIOD", "LINE", "STATUS", "RAISED BY", "SUBJECT")
        typer.echo("\n".join(aligned(headers, rows)))


@disputes.command("transition")
@reports_errors
def transition_dispute_command(
    dispute_id: str = typer.Argument(..., help="The dispute's id."),
    to: str = typer.Option(..., "--to", help="investigating, resolved or rejected."),
    comment: str = typer.Option("", "--comment", help="Required to resolve or reject."),
    amount: str | None = typer.Option(None, "--amount", help="Resolving: the adjustment."),
) -> None:
    """Move a dispute; resolving creates an adjustment that another user must approve."""
    try:
        identifier = uuid.UUID(dispute_id)
    except ValueError:
        raise typer.BadParameter("expected a dispute id (UUID)", param_hint="DISPUTE_ID") from None
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            dispute = transition_dispute(
                session,
                principal=cli_principal(),
                dispute_id=identifier,
                to_status=to,
                comment=comment,
                amount=amount,
                now=now,
            )
            status, adjustment = dispute.status, dispute.adjustment_id
    typer.echo(f"Dispute {dispute_id} is {status}")
    if adjustment:
        typer.echo(f"Adjustment {adjustment} awaits approval by another user")


def register(app: typer.Typer) -> None:
    """Add the settlement commands to ``salesdev compensation``."""
    app.command("close")(close_command)
    app.command("approve")(approve_command)
    app.command("lock")(lock_command)
    app.command("reopen")(reopen_command)
    app.command("payout")(payout_command)
    app.command("reconcile")(reconcile_command)
    app.add_typer(disputes, name="disputes")
