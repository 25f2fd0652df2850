"""``salesdev catalogue browse``: what a channel, or a partner in it, may sell at an instant;
``salesdev catalogue import`` / ``export``: the catalogue as files (:mod:`.catalogue_files`)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import typer
from sqlalchemy.orm import Session

from salesdev.cli import catalogue_files
from salesdev.cli.columns import aligned
from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.operator import OPERATOR
from salesdev.core import periods
from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound
from salesdev.core.money import Money
from salesdev.domains.authorisation import SellableOffering, sellable_offerings
from salesdev.domains.reference import find_ids_by_code, get_entity

app = typer.Typer(
    help="The product catalogue: import and export it, browse it as each channel sees it.",
    no_args_is_help=True,
)
app.command("import")(catalogue_files.import_command)
app.command("export")(catalogue_files.export_command)

# The service answers a page at a time; the command reads every page.
PAGE_SIZE = 500
CSV_COLUMNS = (
    "code",
    "name",
    "family",
    "is_bundle",
    "components",
    "recurring_charge",
    "one_time_charge",
    "currency",
    "prerequisites",
)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command("browse")
@reports_errors
def browse_command(
    channel: str = typer.Option(..., "--channel", help="Code of the sales channel."),
    partner: str | None = typer.Option(
        None, "--partner", help="Code of a partner in the channel: adds its own authorisations."
    ),
    at: str | None = typer.Option(
        None, "--at", help="The instant, ISO 8601 with a timezone (default: now)."
    ),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="Output format."),
) -> None:
    """List the offerings the channel (or partner) may sell: bundle components and list prices."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        instant = parse_instant(at) if at is not None else runtime.clock.now()
        with runtime.session_factory() as session:
            channel_id = _channel_id(session, channel)
            partner_id = None if partner is None else _partner_id(session, partner, channel)
            offerings = list(_all_pages(session, channel_id, partner_id, instant))
    if output is OutputFormat.csv:
        typer.echo(as_csv(offerings), nl=False)
    elif output is OutputFormat.json:
        typer.echo(as_json(offerings))
    else:
        holder = channel if partner is None else f"{channel}, partner {partner}"
        typer.echo("\n".join(as_table(offerings, holder=holder, at=instant)))


def parse_instant(text: str) -> datetime:
    try:
        return periods.parse_instant(text)
    except ValueError as exc:
        raise InvalidInput("Invalid --at", [ErrorDetail("--at", str(exc))]) from None


def _channel_id(session: Session, code: str) -> uuid.UUID:
    found = find_ids_by_code(session, kind="sales_channel", codes=[code]).get(code)
    if found is None:
        raise NotFound(f"No sales channel with code {code!r}")
    return found


def _partner_id(session: Session, code: str, channel: str) -> uuid.UUID:
    found = find_ids_by_code(session, kind="partner", codes=[code]).get(code)
    if found is None:
        raise NotFound(f"No partner with code {code!r}")
    partner = get_entity(session, principal=OPERATOR, kind="partner", entity_id=found)
    channel_id = _channel_id(session, channel)
    if partner.channel_id != channel_id:
        raise NotFound(f"Partner {code!r} does not sell through sales channel {channel!r}")
    return found


def _all_pages(
    session: Session, channel_id: uuid.UUID, partner_id: uuid.UUID | None, at: datetime
) -> Iterator[SellableOffering]:
    offset = 0
    while True:
        page = sellable_offerings(
            session,
            principal=OPERATOR,
            channel_id=channel_id,
            partner_id=partner_id,
            at=at,
            offset=offset,
            limit=PAGE_SIZE,
        )
        yield from page.items
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return


def amount(money: Money) -> str:
    """The exact list price, written to at least the currency's minor unit: ``49.00``,
    ``39.99``, and ``0.0125`` for a unit price finer than a cent (never rounded)."""
    rounded = money.rounded().amount
    return str(rounded if rounded == money.amount else money.amount.normalize())


def _prerequisites(offering: SellableOffering) -> str:
    return ";".join(f"{item['type']}:{item['code']}" for item in offering.prerequisites)


def as_table(offerings: list[SellableOffering], *, holder: str, at: datetime) -> list[str]:
    instant = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    count = len(offerings)
    title = f"{holder} at {instant}: {count} sellable offering{'' if count == 1 else 's'}"
    if not offerings:
        return [title]
    headers = ("CODE", "NAME", "FAMILY", "RECURRING", "ONE-TIME", "COMPONENTS")
    rows = [
        [
            offering.code,
            offering.name,
            offering.family_code,
            f"{amount(offering.recurring_charge)} {offering.recurring_charge.currency}",
            f"{amount(offering.one_time_charge)} {offering.one_time_charge.currency}",
            ",".join(c.code for c in offering.components) or "-",
        ]
        for offering in offerings
    ]
    return [title, *aligned(headers, rows)]


def as_csv(offerings: list[SellableOffering]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for offering in offerings:
        writer.writerow(
            [
                offering.code,
                offering.name,
                offering.family_code,
                "true" if offering.is_bundle else "false",
                ",".join(c.code for c in offering.components),
                amount(offering.recurring_charge),
                amount(offering.one_time_charge),
                offering.recurring_charge.currency,
                _prerequisites(offering),
            ]
        )
    return buffer.getvalue()


def as_json(offerings: list[SellableOffering]) -> str:
    return json.dumps([_json(offering) for offering in offerings], indent=2, ensure_ascii=False)


def _price(money: Money) -> dict[str, str]:
    # Amounts as decimal strings: a JSON number would be read as a float.
    return {"amount": amount(money), "currency": money.currency}


def _json(offering: SellableOffering) -> dict[str, Any]:
    return {
        "code": offering.code,
        "name": offering.name,
        "family": {"code": offering.family_code, "name": offering.family_name},
        "is_bundle": offering.is_bundle,
        "recurring_charge": _price(offering.recurring_charge),
        "one_time_charge": _price(offering.one_time_charge),
        "components": [
            {
                "code": component.code,
                "name": component.name,
                "is_bundle": component.is_bundle,
                "recurring_charge": _price(component.recurring_charge),
                "one_time_charge": _price(component.one_time_charge),
            }
            for component in offering.components
        ],
        "prerequisites": [dict(item) for item in offering.prerequisites],
    }
