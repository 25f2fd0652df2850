"""Qualification and eligibility rules on the command line.

- ``salesdev qualify --channel C [--customer X] [--premise P] [--partner Q] [--offering O ...]
  [--alternatives] [--at DATE] [--format table|csv]``: each offering qualified or not, with
  every reason (nothing is stored; the API's POST keeps a record).
- ``salesdev eligibility list [--format table|csv]``, ``salesdev eligibility import FILE``
  (CSV or JSON, all or nothing), ``salesdev eligibility export [FILE]`` (JSON).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import typer
from sqlalchemy import select

from salesdev.cli.columns import aligned, when
from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.operator import OPERATOR, operator_session
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.periods import parse_instant
from salesdev.db.models import ProductFamily, ProductOffering
from salesdev.db.query import ListQuery
from salesdev.domains.eligibility import export_rows, import_rules, list_rules
from salesdev.domains.qualification import QualificationOutcome, qualify_offerings
from salesdev.domains.rules import resolve_sale_codes
from salesdev.engine.rules import describe, parse_condition

eligibility_app = typer.Typer(
    help="Eligibility rules: list, import (CSV or JSON) and export.", no_args_is_help=True
)

_HEADERS = ("OFFERING", "NAME", "FAMILY", "QUALIFIED", "REASONS", "ALTERNATIVES")


def _format(output: str) -> None:
    if output not in ("table", "csv"):
        raise InvalidInput("Invalid option", [ErrorDetail("--format", "expected table or csv")])


@reports_errors
def qualify_command(
    channel: str = typer.Option(..., "--channel", help="The sales channel's code."),
    customer: str | None = typer.Option(None, "--customer", help="The customer's code."),
    premise: str | None = typer.Option(None, "--premise", help="The premise's code."),
    partner: str | None = typer.Option(None, "--partner", help="The selling partner's code."),
    offering: list[str] = typer.Option(
        [], "--offering", help="An offering's code (repeat); none: the whole catalogue."
    ),
    alternatives: bool = typer.Option(
        False, "--alternatives", help="Propose qualified alternatives of the same family."
    ),
    at: str | None = typer.Option(None, "--at", help="The instant (ISO 8601 or a date); now."),
    output: str = typer.Option("table", "--format", help="table or csv."),
) -> None:
    """Qualify offerings for a customer and premise in a channel, with every reason why not."""
    _format(output)
    with open_runtime() as runtime:
        require_current_schema(runtime)
        instant = runtime.clock.now()
        if at is not None:
            try:
                instant = parse_instant(at)
            except ValueError as exc:
                raise InvalidInput("Invalid option", [ErrorDetail("--at", str(exc))]) from None
        with runtime.session_factory() as session:
            codes = resolve_sale_codes(
                session,
                channel_code=channel,
                customer_code=customer,
                premise_code=premise,
                partner_code=partner,
            )
            offering_ids = None
            if offering:
                found = {
                    code: id_
                    for code, id_ in session.execute(
                        select(ProductOffering.code, ProductOffering.id).where(
                            ProductOffering.code.in_(offering)
                        )
                    )
                }
                missing = [c for c in offering if c not in found]
                if missing:
                    raise InvalidInput(
                        "Unknown offerings",
                        [
                            ErrorDetail("--offering", f"no offering has the code {c!r}")
                            for c in missing
                        ],
                    )
                offering_ids = [found[c] for c in dict.fromkeys(offering)]
            outcomes = qualify_offerings(
                session,
                principal=OPERATOR,
                channel_id=codes.channel_id,
                customer_id=codes.customer_id,
                premise_id=codes.premise_id,
                partner_id=codes.partner_id,
                offering_ids=offering_ids,
                at=instant,
                provide_alternative=alternatives,
            )
    rows = [
        [
            o.code,
            o.name,
            o.family_code,
            "yes" if o.qualified else "no",
            _reasons(o),
            ", ".join(a.code for a in o.alternatives),
        ]
        for o in outcomes
    ]
    if output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(_HEADERS)
        writer.writerows(rows)
        return
    qualified = sum(1 for o in outcomes if o.qualified)
    typer.echo(f"{qualified} of {len(outcomes)} offerings qualify in {channel} at {when(instant)}")
    if rows:
        headers = _HEADERS if alternatives else _HEADERS[:-1]
        typer.echo("\n".join(aligned(headers, [r[: len(headers)] for r in rows])))


def _reasons(outcome: QualificationOutcome) -> str:
    texts = [
        f"{r.code} {r.label}" + (f" ({'; '.join(r.clauses)})" if r.clauses else "")
        for r in outcome.reasons
    ]
    return "; ".join([*texts, *(f"ERROR {e}" for e in outcome.errors)])


@eligibility_app.command("list")
@reports_errors
def list_command(
    output: str = typer.Option("table", "--format", help="table or csv."),
) -> None:
    """List the eligibility rules by code."""
    _format(output)
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            page = list_rules(session, principal=OPERATOR, query=ListQuery())
            offering_rows = session.execute(select(ProductOffering.id, ProductOffering.code))
            offerings = {i: c for i, c in offering_rows}
            family_rows = session.execute(select(ProductFamily.id, ProductFamily.code))
            families = {i: c for i, c in family_rows}
            rows = []
            for rule in page.items:
                target = "all"
                if rule.product_offering_id is not None:
                    target = offerings.get(rule.product_offering_id, "?")
                elif rule.product_family_id is not None:
                    target = families.get(rule.product_family_id, "?")
                try:
                    words = describe(parse_condition(rule.condition))
                except InvalidInput:
                    words = "(cannot be read with the current vocabulary)"
                rows.append(
                    [
                        rule.code,
                        rule.kind,
                        f"{rule.applies_to} {target}" if rule.applies_to != "all" else "all",
                        rule.reason_code,
                        words,
                        when(rule.valid_from),
                        when(rule.valid_to),
                    ]
                )
    headers = ("CODE", "KIND", "APPLIES TO", "REASON", "MUST HOLD", "FROM (UTC)", "TO (UTC)")
    if output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(headers)
        writer.writerows(rows)
        return
    typer.echo(f"{page.total} eligibility rule{'' if page.total == 1 else 's'}")
    if rows:
        typer.echo("\n".join(aligned(headers, rows)))


@eligibility_app.command("import")
@reports_errors
def import_command(
    path: Path = typer.Argument(..., help="A .csv or .json file of rules."),
) -> None:
    """Import rules (all or nothing); a rule already there with the same content is skipped."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("csv", "json"):
        raise InvalidInput("Invalid file", [ErrorDetail("FILE", "expected a .csv or .json file")])
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InvalidInput("Invalid file", [ErrorDetail("FILE", str(exc))]) from None
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            report = import_rules(
                session, principal=OPERATOR, content=content, file_format=suffix, now=now
            )
    typer.echo(f"Imported {report.created} rules; {report.unchanged} already there unchanged")


@eligibility_app.command("export")
@reports_errors
def export_command(
    path: Path | None = typer.Argument(None, help="The JSON file to write; none: standard output."),
) -> None:
    """Export every rule as JSON (what ``import`` reads)."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            rows = export_rows(session, principal=OPERATOR)
    text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")
        typer.echo(f"Exported {len(rows)} rules to {path}")
