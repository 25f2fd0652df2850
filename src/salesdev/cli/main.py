"""The ``salesdev`` command. Exit codes: docs/cli.md (and :mod:`salesdev.cli.errors`)."""

from __future__ import annotations

import typer

from salesdev.cli import audit, catalogue, clients, db, demo, jobs, partners, tokens, users
from salesdev.cli import compensation as compensation_cli
from salesdev.cli import pricing as pricing_cli
from salesdev.cli import settlement as settlement_cli
from salesdev.cli.interchange import datasets_command, export_command, import_command
from salesdev.cli.qualification import eligibility_app, qualify_command
from salesdev.cli.selling import recommend_command, rules_app, simulate_command
from salesdev.cli.serve import serve_command

app = typer.Typer(
    name="salesdev",
    help="salesdev: Sales Development for communications service providers (eTOM 1.1.5).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("serve")(serve_command)
app.command("import")(import_command)
app.command("export")(export_command)
app.command("datasets")(datasets_command)
app.add_typer(db.app, name="db")
app.add_typer(demo.app, name="demo")
app.add_typer(jobs.app, name="jobs")
app.add_typer(users.app, name="users")
app.add_typer(tokens.app, name="tokens")
app.add_typer(clients.app, name="clients")
app.add_typer(audit.app, name="audit")
app.add_typer(catalogue.app, name="catalogue")
app.add_typer(partners.app, name="partners")
app.add_typer(compensation_cli.app, name="compensation")
settlement_cli.register(compensation_cli.app)
app.command("recommend")(recommend_command)
app.command("simulate")(simulate_command)
app.add_typer(rules_app, name="recommendation-rules")
app.command("qualify")(qualify_command)
app.add_typer(eligibility_app, name="eligibility")
app.add_typer(pricing_cli.app, name="pricing")

if __name__ == "__main__":
    app()
