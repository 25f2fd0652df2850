"""Guided selling and price-change simulation on the command line.

- ``salesdev recommend --customer X --channel C [--premise P] [--partner Q]``: the ranked,
  priced recommendations and the offerings not available, with reasons.
- ``salesdev recommendation-rules list | import FILE``: the recommendation rules; an import
  (a JSON array of rules) creates or updates by name, all or nothing.
- ``salesdev simulate --version V --months 6``: a price-list version over past sales.
"""

from __future__ import annotations

import csv
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import typer

from salesdev.analytics.pricing_simulation import simulate_version
from salesdev.cli.columns import aligned, when
from salesdev.cli.context import open_runtime, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.operator import OPERATOR, operator_session
from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.db.models import SalesChannel
from salesdev.db.models.guidance import RecommendationRule
from salesdev.db.query import ListQuery, SortKey
from salesdev.domains.guidance import (
    create_recommendation_rule,
    list_recommendation_rules,
    recommend,
    update_recommendation_rule,
)
from salesdev.domains.rules import resolve_sale_codes
from salesdev.web.format import format_amount

rules_app = typer.Typer(
    help="Recommendation rules for guided selling: list and import.", no_args_is_help=True
)


@reports_errors
def recommend_command(
    customer: str = typer.Option(..., "--customer", help="The customer's code."),
    channel: str = typer.Option(..., "--channel", help="The sales channel's code."),
    premise: str | None = typer.Option(None, "--premise", help="The premise's code."),
    partner: str | None = typer.Option(None, "--partner", help="The selling partner's code."),
    limit: int = typer.Option(10, "--limit", help="How many recommendations, 1 to 100."),
    strategy: str = typer.Option("rules", "--strategy", help="The ranking strategy."),
    output: str = typer.Option("table", "--format", help="table or csv."),
) -> None:
    """Recommend offerings to a customer in a channel: ranked, priced, with reasons."""
    if output not in ("table", "csv"):
        raise InvalidInput("Invalid option", [ErrorDetail("--format", "expected table or csv")])
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            codes = resolve_sale_codes(
                session,
                channel_code=channel,
                customer_code=customer,
                premise_code=premise,
                partner_code=partner,
            )
            assert codes.customer_id is not None
            result = recommend(
                session,
                principal=OPERATOR,
                customer_id=codes.customer_id,
                channel_id=codes.channel_id,
                premise_id=codes.premise_id,
                partner_id=codes.partner_id,
                at=runtime.clock.now(),
                limit=limit,
                strategy=strategy,
            )
    headers = ("RANK", "OFFERING", "SCORE", "MONTHLY", "ONE-TIME", "CURRENCY", "WHY")
    rows: list[list[str]] = []
    for rank, offer in enumerate(result.recommended, start=1):
        price = offer.candidate.price
        rows.append(
            [
                str(rank),
                offer.candidate.code,
                format_amount(offer.score),
                format_amount(price.final_recurring) if price else "-",
                format_amount(price.final_one_time) if price else "-",
                price.currency if price else "-",
                "; ".join(r.text for r in offer.reasons),
            ]
        )
    if output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(headers)
        writer.writerows(rows)
        return
    facts = result.customer
    typer.echo(
        f"{facts.name} ({facts.code}): {facts.segment}, credit class {facts.credit_class}, "
        f"tenure {facts.tenure_months if facts.tenure_months is not None else '-'} months, "
        f"installed base {', '.join(facts.installed_base) or '-'}"
    )
    typer.echo(
        f"{result.qualified_count} offerings qualify in {result.channel_code} "
        f"(strategy {result.strategy}); best {len(rows)}:"
    )
    if rows:
        typer.echo("\n".join(aligned(headers, rows)))
    typer.echo(f"{len(result.not_available)} not available:")
    for item in result.not_available:
        typer.echo(f"  {item.code}: " + "; ".join(f"{c} {label}" for c, label in item.reasons))


@rules_app.command("list")
@reports_errors
def list_rules_command() -> None:
    """List the recommendation rules by name."""
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            page = list_recommendation_rules(
                session, principal=OPERATOR, query=ListQuery(sort=(SortKey("name"),))
            )
            rows = [_rule_row(rule) for rule in page.items]
    typer.echo(f"{page.total} recommendation rule{'' if page.total == 1 else 's'}")
    if rows:
        headers = ("NAME", "WEIGHT", "STATUS", "FROM (UTC)", "TO (UTC)", "REASON")
        typer.echo("\n".join(aligned(headers, rows)))


def _rule_row(rule: RecommendationRule) -> list[str]:
    return [
        rule.name,
        format_amount(rule.score),
        rule.status,
        when(rule.valid_from),
        when(rule.valid_to),
        rule.reason,
    ]


@rules_app.command("import")
@reports_errors
def import_rules_command(
    file: Path = typer.Argument(..., help="A JSON array of rules (see docs/guided-selling.md)."),
) -> None:
    """Create or update (by name) every rule of the file, all or nothing."""
    try:
        items = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("Cannot read the file", [ErrorDetail(str(file), str(exc))]) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            "Not a JSON file", [ErrorDetail(f"line {exc.lineno}", exc.msg)]
        ) from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InvalidInput(
            "Invalid rules file", [ErrorDetail("file", "expected a JSON array of objects")]
        )
    created = updated = 0
    errors: list[ErrorDetail] = []
    with open_runtime() as runtime:
        require_current_schema(runtime)
        now = runtime.clock.now()
        with operator_session(runtime, now=now) as session:
            existing = {
                rule.name: rule
                for rule in list_recommendation_rules(
                    session, principal=OPERATOR, query=ListQuery()
                ).items
            }
            for number, item in enumerate(items, start=1):
                try:
                    with session.begin_nested():
                        name = str(item.get("name", "")).strip()
                        if name in existing:
                            rule = existing[name]
                            changes: dict[str, Any] = dict(item)
                            update_recommendation_rule(
                                session,
                                principal=OPERATOR,
                                rule_id=rule.id,
                                changes=changes,
                                now=now,
                            )
                            updated += 1
                        else:
                            create_recommendation_rule(
                                session, principal=OPERATOR, values=item, now=now
                            )
                            created += 1
                except InvalidInput as exc:
                    errors += [
                        ErrorDetail(f"rule {number}: {d.location}", d.message) for d in exc.details
                    ]
            if errors:
                raise InvalidInput(f"Nothing imported: {len(errors)} problems", errors)
    typer.echo(f"Imported {created + updated} rules ({created} created, {updated} updated)")


@reports_errors
def simulate_command(
    version: str = typer.Option(..., "--version", help="The price-list version's id."),
    months: int = typer.Option(6, "--months", help="Complete months of sales, 1 to 120."),
    output: str = typer.Option("table", "--format", help="table or csv."),
) -> None:
    """Revenue and margin of the last months' sales under current and proposed prices."""
    try:
        version_id = uuid.UUID(version.strip())
    except ValueError:
        raise InvalidInput(
            "Invalid option", [ErrorDetail("--version", "expected a price-list version id")]
        ) from None
    started = time.perf_counter()
    with open_runtime() as runtime:
        require_current_schema(runtime)
        with runtime.session_factory() as session:
            result = simulate_version(
                session,
                principal=OPERATOR,
                version_id=version_id,
                months=months,
                now=runtime.clock.now(),
                event_store_dir=runtime.settings.event_store_dir,
            )
            channel_codes = {
                line.channel_id: channel.code
                for line in result.lines
                if line.channel_id and (channel := session.get(SalesChannel, line.channel_id))
            }
    elapsed = time.perf_counter() - started
    headers = (
        "CHANNEL",
        "FAMILY",
        "EVENTS",
        "CURRENT REVENUE",
        "PROPOSED REVENUE",
        "REVENUE CHANGE",
        "CURRENT MARGIN",
        "PROPOSED MARGIN",
        "MARGIN CHANGE",
        "EVENTS WITH RULES",
        "CAPPED",
    )
    rows = [
        [
            channel_codes.get(line.channel_id, str(line.channel_id))
            if line.channel_id
            else "TOTAL",
            line.family_code or "",
            str(line.events),
            str(line.current_revenue),
            str(line.proposed_revenue),
            str(line.revenue_delta),
            str(line.current_margin),
            str(line.proposed_margin),
            str(line.margin_delta),
            str(line.events_with_rules),
            str(line.events_capped),
        ]
        for line in (*result.lines, result.totals)
    ]
    if output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(headers)
        writer.writerows(rows)
        for rule in result.not_evaluable:
            typer.echo(f"Rule {rule.name!r} left out: {rule.reason}", err=True)
        return
    typer.echo(
        f"{result.version_label}: sales from {result.since} to {result.until} (excluded), "
        f"{result.currency}; computed in {elapsed:.2f} s"
    )
    typer.echo("\n".join(aligned(headers, rows)))
    typer.echo(
        f"Pricing rules applied: {result.rules_applied} of {result.rule_count}"
        + "".join(f"; {use.name}: {use.events} events" for use in result.rules_used)
    )
    for rule in result.not_evaluable:
        # Never silent: a rule left out changes what the figures mean.
        typer.echo(f"Rule {rule.name!r} left out: {rule.reason}", err=True)
