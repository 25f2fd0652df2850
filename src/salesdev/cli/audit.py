"""``salesdev audit``: verify the hash-chained audit trail and read it."""

from __future__ import annotations

from datetime import UTC

import typer

from salesdev.cli.columns import aligned
from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import EXIT_INTEGRITY, reports_errors
from salesdev.cli.operator import OPERATOR
from salesdev.db.models import AuditEvent
from salesdev.db.query import Filter, ListQuery
from salesdev.domains.audit import list_events, verify_chain

app = typer.Typer(help="The audit trail: verify its integrity, list events.", no_args_is_help=True)


@app.command("verify")
@reports_errors
def verify_command() -> None:
    """Recompute the whole hash chain; exit 5 at the first event edited, removed or reordered."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            verification = verify_chain(session)
    if verification.ok:
        typer.echo(f"audit trail intact: {verification.checked} events")
        return
    typer.echo(
        f"audit trail broken at event {verification.broken_at}: {verification.reason}", err=True
    )
    raise typer.Exit(EXIT_INTEGRITY)


@app.command("list")
@reports_errors
def list_command(
    actor: str | None = typer.Option(None, help="Only events of this actor, e.g. user:carla."),
    action: str | None = typer.Option(
        None, help="Only this action: create, update, delete, login.failed, token.issued..."
    ),
    object_type: str | None = typer.Option(
        None, "--object-type", help="Only events about this kind of object, e.g. partner."
    ),
    object_id: str | None = typer.Option(
        None, "--object-id", help="Only events about this object."
    ),
    limit: int = typer.Option(50, min=1, help="At most this many, newest first."),
) -> None:
    """List audit events, newest first."""
    wanted = {
        "actor": actor,
        "action": action,
        "objectType": object_type,
        "objectId": object_id,
    }
    query = ListQuery(
        filters=tuple(
            Filter(name, "eq", (value,)) for name, value in wanted.items() if value is not None
        ),
        limit=limit,
    )
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            page = list_events(session, principal=OPERATOR, query=query)
    typer.echo(f"{len(page.items)} of {page.total} events")
    if page.items:
        headers = ("SEQUENCE", "OCCURRED (UTC)", "ACTOR", "ACTION", "OBJECT", "CHANGED")
        typer.echo("\n".join(aligned(headers, [_row(event) for event in page.items])))


def _row(event: AuditEvent) -> list[str]:
    changed = ",".join(sorted(event.after)) if event.action == "update" and event.after else ""
    return [
        str(event.sequence),
        event.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        event.actor,
        event.action,
        f"{event.object_type} {event.object_id}",
        changed or "-",
    ]
