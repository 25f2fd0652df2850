"""``salesdev compensation splits``: import and list stored split credit.

``import FILE.csv`` (columns ``order_id, payee, share, policy``; ``payee`` is a sales
person's code) replaces the splits of every order the file names; any bad row (named by
its line) and nothing is written (exit 3). ``list`` prints the stored splits.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import typer

from salesdev.cli.columns import aligned
from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.operator import OPERATOR, operator_session
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.models import SalesPerson
from salesdev.db.query import Filter, ListQuery
from salesdev.domains.compensation.splits import (
    SPLIT_COLUMNS,
    import_credit_splits,
    list_credit_splits,
)

app = typer.Typer(
    help="Split credit: an order's credit shared between sales people.", no_args_is_help=True
)

REQUIRED_COLUMNS = ("order_id", "payee", "share")


@app.command("import")
@reports_errors
def import_command(
    file: Path = typer.Argument(
        ..., help="CSV: order_id, payee, share, policy.", exists=True, dir_okay=False
    ),
) -> None:
    """Replace the splits of the file's orders (errors name the line; any error, nothing written)."""
    text = file.read_text(encoding="utf-8-sig")
    rows = _rows(text)
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            try:
                result = import_credit_splits(session, principal=OPERATOR, rows=rows, now=now)
            except InvalidInput as error:
                raise InvalidInput(error.message, [_as_line(d) for d in error.details]) from None
    typer.echo(
        f"Imported {result.rows} splits of {result.orders} orders from {file.name}: "
        f"{result.replaced} earlier splits replaced."
    )


def _rows(text: str) -> list[dict[str, object]]:
    if "\x00" in text:
        raise InvalidInput("Invalid split file", [ErrorDetail("file", "contains NUL characters")])
    reader = csv.DictReader(io.StringIO(text))
    fields = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in fields]
    unknown = [c for c in fields if c not in SPLIT_COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(ErrorDetail("line 1", f"missing column(s): {', '.join(missing)}"))
        if unknown:
            problems.append(ErrorDetail("line 1", f"unknown column(s): {', '.join(unknown)}"))
        raise InvalidInput("Invalid split file", problems)
    return [dict(row) for row in reader]


def _as_line(detail: ErrorDetail) -> ErrorDetail:
    """``row N.field`` (the service's numbering) as the file's ``line N+1: field``."""
    location = detail.location
    if location.startswith("row "):
        number, _, field = location[4:].partition(".")
        if number.isdigit():
            line = f"line {int(number) + 1}"
            return ErrorDetail(f"{line}: {field}" if field else line, detail.message)
    return detail


@app.command("list")
@reports_errors
def list_command(
    order: str | None = typer.Option(None, "--order", help="Only this order's splits."),
    limit: int = typer.Option(1000, "--limit", min=1, max=10000, help="At most this many rows."),
) -> None:
    """The stored splits, by order."""
    filters = (Filter("orderId", "eq", (order,)),) if order else ()
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            page = list_credit_splits(
                session, principal=OPERATOR, query=ListQuery(filters=filters, limit=limit)
            )
            codes = dict(session.query(SalesPerson.id, SalesPerson.code).all())
            rows = [
                [
                    s.order_id,
                    codes.get(s.payee_id, str(s.payee_id)),
                    format(s.share, "f"),
                    s.policy,
                    s.created_by,
                ]
                for s in page.items
            ]
    typer.echo(f"{len(rows)} splits")
    if rows:
        typer.echo("\n".join(aligned(("ORDER", "PAYEE", "SHARE", "POLICY", "BY"), rows)))
