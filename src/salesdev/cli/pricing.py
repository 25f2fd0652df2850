"""``salesdev pricing``: channel price lists on the command line.

- ``lists``: every price list with its scope and latest version;
- ``versions LIST``: the versions of a list (by id or name);
- ``import-entries FILE --version V``: entries of a draft version from CSV
  (``offering,recurring,one_time,unit_cost``), all or nothing, errors by line;
- ``submit V`` / ``approve V`` / ``reject V --comment ...``: the approval workflow. The
  command line acts as ``system:cli:<login>``, so a version imported by one operating-system
  user must be approved by another (or in the console);
- ``resolve --channel C --offering O [--customer X] [--partner P] [--premise Q] [--date D]
  [--quantity N]``: the price with every rule applied or not, and why.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import typer
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from salesdev.cli.columns import aligned, when
from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.operator import cli_actor, operator_session
from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.core.periods import parse_instant
from salesdev.db.models import SalesChannel
from salesdev.db.models.pricing import PriceList
from salesdev.db.query import ListQuery
from salesdev.domains.access import Principal, Role
from salesdev.domains.pricing import (
    describe_scope,
    import_entries_csv,
    list_price_lists,
    list_versions,
    resolve_prices,
    transition_version,
)
from salesdev.domains.rules import resolve_sale_codes

app = typer.Typer(
    help="Channel price lists: list, versions, import entries, approve, resolve a price.",
    no_args_is_help=True,
)


def _principal() -> Principal:
    """The operator, named after the operating-system user (four eyes between operators)."""
    return Principal(kind="system", name=cli_actor(), roles=frozenset({Role.ADMIN}))


def _version_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise InvalidInput(
            "Invalid version", [ErrorDetail("VERSION", f"expected a version id, got {raw!r}")]
        ) from None


def _price_list(session: Session, raw: str) -> PriceList:
    try:
        found = session.get(PriceList, uuid.UUID(raw))
    except ValueError:
        found = session.scalar(select(PriceList).where(or_(PriceList.name == raw)))
    if found is None:
        raise NotFound(f"No price list {raw!r} (give its id or name)")
    return found


@app.command("lists")
@reports_errors
def lists_command() -> None:
    """Every price list: name, scope, currency, latest version number and id."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            page = list_price_lists(session, principal=_principal(), query=ListQuery())
            rows = [
                [p.name, describe_scope(p, session), p.currency, str(p.latest_number), str(p.id)]
                for p in page.items
            ]
    typer.echo(f"{len(rows)} price list{'' if len(rows) == 1 else 's'}")
    if rows:
        typer.echo("\n".join(aligned(("NAME", "SCOPE", "CURRENCY", "LATEST", "ID"), rows)))


@app.command("versions")
@reports_errors
def versions_command(
    price_list: str = typer.Argument(..., help="The price list's id or name."),
) -> None:
    """The versions of a price list, oldest first."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            found = _price_list(session, price_list)
            versions = list_versions(session, principal=_principal(), price_list_id=found.id)
            rows = [
                [
                    str(v.number),
                    v.status,
                    when(v.valid_from),
                    when(v.valid_to) if v.valid_to else "open-ended",
                    v.author,
                    v.decided_by or "-",
                    str(v.id),
                ]
                for v in versions
            ]
    typer.echo(f"{found.name}: {len(rows)} version{'' if len(rows) == 1 else 's'}")
    if rows:
        headers = ("N", "STATUS", "FROM", "TO", "AUTHOR", "DECIDED BY", "ID")
        typer.echo("\n".join(aligned(headers, rows)))


@app.command("import-entries")
@reports_errors
def import_entries_command(
    file: Path = typer.Argument(..., help="CSV: offering,recurring,one_time,unit_cost."),
    version: str = typer.Option(..., "--version", help="The draft version's id."),
) -> None:
    """Add or replace the entries of a draft version from CSV; all or nothing."""
    text = file.read_text(encoding="utf-8")
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            written = import_entries_csv(
                session,
                principal=_principal(),
                version_id=_version_id(version),
                text=text,
                now=now,
            )
    typer.echo(f"Imported {len(written)} entr{'y' if len(written) == 1 else 'ies'}")


def _move(version: str, action: str, comment: str) -> None:
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            moved = transition_version(
                session,
                principal=_principal(),
                version_id=_version_id(version),
                action=action,
                comment=comment,
                now=now,
            )
            status = moved.status
    typer.echo(f"Version {version} is {status}")


@app.command("submit")
@reports_errors
def submit_command(version: str = typer.Argument(..., help="The version's id.")) -> None:
    """Submit a draft version for approval."""
    _move(version, "submit", "")


@app.command("approve")
@reports_errors
def approve_command(
    version: str = typer.Argument(..., help="The version's id."),
    comment: str = typer.Option("", "--comment", help="Kept with the version."),
) -> None:
    """Approve a submitted version (not one you authored)."""
    _move(version, "approve", comment)


@app.command("reject")
@reports_errors
def reject_command(
    version: str = typer.Argument(..., help="The version's id."),
    comment: str = typer.Option(..., "--comment", help="Why (required)."),
) -> None:
    """Send a submitted version back to draft."""
    _move(version, "reject", comment)


@app.command("resolve")
@reports_errors
def resolve_command(
    channel: str = typer.Option(..., "--channel", help="The sales channel's code."),
    offering: str = typer.Option(..., "--offering", help="The offering's (or bundle's) code."),
    customer: str | None = typer.Option(None, "--customer", help="The customer's code."),
    partner: str | None = typer.Option(None, "--partner", help="The selling partner's code."),
    premise: str | None = typer.Option(None, "--premise", help="The premise's code."),
    date: str | None = typer.Option(None, "--date", help="ISO 8601 instant or date; now."),
    quantity: int = typer.Option(1, "--quantity", help="How many units."),
) -> None:
    """The price of an offering for a sale, with every rule applied or not and why."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        at = runtime.clock.now()
        if date is not None:
            try:
                at = parse_instant(date)
            except ValueError as exc:
                raise InvalidInput("Invalid option", [ErrorDetail("--date", str(exc))]) from None
        with runtime.session_factory() as session:
            codes = resolve_sale_codes(
                session,
                channel_code=channel,
                customer_code=customer,
                premise_code=premise,
                partner_code=partner,
                offering_code=offering,
            )
            assert codes.offering_id is not None
            [result] = resolve_prices(
                session,
                principal=_principal(),
                channel_id=codes.channel_id,
                offering_ids=[codes.offering_id],
                at=at,
                partner_id=codes.partner_id,
                customer_id=codes.customer_id,
                premise_id=codes.premise_id,
                quantity=quantity,
            )
            channel_name = session.get(SalesChannel, codes.channel_id)
            lines = _breakdown(result)
            source = (
                f"price list {result.price_list_name!r} version {result.version_number}"
                if result.version_id
                else result.source
            )
    typer.echo(
        f"{result.offering_code} in {channel_name.code if channel_name else channel} "
        f"on {when(at)} x{quantity} ({source})"
    )
    typer.echo("\n".join(lines))


def _breakdown(result: object) -> list[str]:
    from salesdev.domains.pricing import PriceResolution

    assert isinstance(result, PriceResolution)
    rows: list[list[str]] = []
    for charge in result.charges:
        rows.append([charge.charge.value, "list price", "", str(charge.base.rounded().amount), ""])
        for a in charge.alterations:
            pct = f"{a.percentage}%" if a.percentage is not None else ""
            rows.append(["", a.name, pct, str(a.amount), a.reason])
        for n in charge.not_applied:
            rows.append(["", f"(not applied) {n.name}", "", "", n.detail])
        rows.append(
            [
                "",
                "price",
                "",
                str(charge.unit_price.amount),
                f"total {charge.total.amount} {charge.total.currency}",
            ]
        )
    for n in result.not_applied:
        rows.append(["", f"(not applied) {n.name}", "", "", n.detail])
    return aligned(("CHARGE", "LINE", "%", "AMOUNT", "WHY"), rows)
