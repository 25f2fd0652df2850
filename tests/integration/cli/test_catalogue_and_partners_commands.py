"""``salesdev catalogue browse``, ``salesdev partners onboarding`` and the authorisations
dataset on the command line: exact output and exit codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from salesdev.db.models import ChannelAuthorisation
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.authorisation import authorise_offering
from salesdev.domains.onboarding import (
    advance_onboarding,
    check_checklist_item,
    open_onboarding_case,
)
from tests.conftest import Database
from tests.integration.authorisation import builders as b
from tests.integration.cli.conftest import Cli

JAN = datetime(2026, 1, 1, tzinfo=UTC)
CARLA = b.user("carla")


@pytest.fixture
def world(database: Database) -> dict[str, Any]:
    with unit_of_work(database.session_factory) as session:
        dealers = b.channel(session, "DEALERS")
        b.channel(session, "WEB")
        acme = b.partner(session, "ACME", dealers.id)
        fibre, mobile = b.family(session, "FIBRE"), b.family(session, "MOBILE", "mobile")
        fibre_1g = b.offering(session, "FIBRE-1G", fibre.id, recurring="39.99", one_time="49")
        mob = b.offering(session, "MOB-10", mobile.id, recurring="15.5")
        router = b.offering(session, "ROUTER", fibre.id, one_time="99.9")
        duo = b.offering(session, "DUO", fibre.id, recurring="49.99", is_bundle=True)
        b.bundle_item(session, duo.id, mob.id, 2)
        b.bundle_item(session, duo.id, fibre_1g.id, 1)
        for offering, partner in ((fibre_1g, None), (duo, None), (router, acme)):
            authorise_offering(
                session,
                principal=SYSTEM,
                channel_id=dealers.id,
                partner_id=None if partner is None else partner.id,
                product_offering_id=offering.id,
                valid_from=JAN,
                now=b.SETUP,
                prerequisites=[{"type": "certification", "code": "FIBRE-101"}]
                if offering is fibre_1g
                else None,
            )
        return {"acme": acme.id}


def test_browse_prints_a_table_of_the_sellable_offerings(cli: Cli, world: Any) -> None:
    result = cli(
        "catalogue", "browse", "--channel", "DEALERS", "--partner", "ACME",
        "--at", "2026-11-01T00:00:00Z",
    )  # fmt: skip

    assert (result.exit_code, result.stdout.splitlines()) == (
        0,
        [
            "DEALERS, partner ACME at 2026-11-01T00:00:00Z: 3 sellable offerings",
            "CODE      NAME               FAMILY  RECURRING  ONE-TIME   COMPONENTS",
            "DUO       Offering DUO       FIBRE   49.99 EUR  0.00 EUR   FIBRE-1G,MOB-10",
            "FIBRE-1G  Offering FIBRE-1G  FIBRE   39.99 EUR  49.00 EUR  -",
            "ROUTER    Offering ROUTER    FIBRE   0.00 EUR   99.90 EUR  -",
        ],
    )


def test_browse_as_csv_lists_the_channel_wide_offerings(cli: Cli, world: Any) -> None:
    result = cli(
        "catalogue", "browse", "--channel", "DEALERS", "--at", "2026-11-01T00:00:00Z",
        "--format", "csv",
    )  # fmt: skip

    assert (result.exit_code, result.stdout) == (
        0,
        "code,name,family,is_bundle,components,recurring_charge,one_time_charge,currency,"
        "prerequisites\n"
        'DUO,Offering DUO,FIBRE,true,"FIBRE-1G,MOB-10",49.99,0.00,EUR,\n'
        "FIBRE-1G,Offering FIBRE-1G,FIBRE,false,,39.99,49.00,EUR,certification:FIBRE-101\n",
    )


def test_browse_as_json_gives_exact_prices_and_bundle_components(cli: Cli, world: Any) -> None:
    result = cli(
        "catalogue", "browse", "--channel", "DEALERS", "--at", "2026-11-01T00:00:00Z",
        "--format", "json",
    )  # fmt: skip

    assert result.exit_code == 0
    duo, fibre = json.loads(result.stdout)
    assert duo == {
        "code": "DUO",
        "name": "Offering DUO",
        "family": {"code": "FIBRE", "name": "Fibre"},
        "is_bundle": True,
        "recurring_charge": {"amount": "49.99", "currency": "EUR"},
        "one_time_charge": {"amount": "0.00", "currency": "EUR"},
        "components": [
            {
                "code": "FIBRE-1G",
                "name": "Offering FIBRE-1G",
                "is_bundle": False,
                "recurring_charge": {"amount": "39.99", "currency": "EUR"},
                "one_time_charge": {"amount": "49.00", "currency": "EUR"},
            },
            {
                "code": "MOB-10",
                "name": "Offering MOB-10",
                "is_bundle": False,
                "recurring_charge": {"amount": "15.50", "currency": "EUR"},
                "one_time_charge": {"amount": "0.00", "currency": "EUR"},
            },
        ],
        "prerequisites": [],
    }
    assert fibre["prerequisites"] == [{"type": "certification", "code": "FIBRE-101"}]


def test_browse_before_any_authorisation_says_there_is_nothing(cli: Cli, world: Any) -> None:
    result = cli("catalogue", "browse", "--channel", "DEALERS", "--at", "2025-12-31T23:00:00Z")

    assert (result.exit_code, result.stdout) == (
        0,
        "DEALERS at 2025-12-31T23:00:00Z: 0 sellable offerings\n",
    )


@pytest.mark.parametrize(
    ("args", "code", "stderr"),
    [
        (["--channel", "SHOPS"], 4, "Error: No sales channel with code 'SHOPS'\n"),
        (
            ["--channel", "DEALERS", "--partner", "NOPE"],
            4,
            "Error: No partner with code 'NOPE'\n",
        ),
        (
            ["--channel", "WEB", "--partner", "ACME"],
            4,
            "Error: Partner 'ACME' does not sell through sales channel 'WEB'\n",
        ),
        (
            ["--channel", "DEALERS", "--at", "2026-11-01T00:00"],
            3,
            "Error: Invalid --at\n  - --at: a timezone is required "
            "(e.g. 2026-01-01T00:00:00Z); got '2026-11-01T00:00'\n",
        ),
        (
            ["--channel", "DEALERS", "--at", "soon"],
            3,
            "Error: Invalid --at\n  - --at: expected an ISO 8601 date-time with a timezone, "
            "e.g. 2026-01-01T00:00:00Z; got 'soon'\n",
        ),
    ],
)
def test_browse_errors_name_what_is_wrong(
    cli: Cli, world: Any, args: list[str], code: int, stderr: str
) -> None:
    result = cli("catalogue", "browse", *args)

    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr)


def test_an_unknown_output_format_is_a_usage_error(cli: Cli, world: Any) -> None:
    assert cli("catalogue", "browse", "--channel", "DEALERS", "--format", "xml").exit_code == 2


def test_an_authorisations_file_with_an_in_file_overlap_exits_3_and_writes_nothing(
    cli: Cli, database: Database, world: Any, tmp_path: Path
) -> None:
    path = tmp_path / "auth.csv"
    path.write_text(
        "channel_code,partner_code,offering_code,valid_from,valid_to\n"
        "WEB,,ROUTER,2026-01-01T00:00:00Z,2026-07-01T00:00:00Z\n"
        "WEB,,ROUTER,2026-06-30T00:00:00Z,\n",
        encoding="utf-8",
    )

    result = cli("import", "channel_authorisations", str(path))

    assert (result.exit_code, result.stderr) == (
        3,
        "Error: auth.csv: 1 error(s) for dataset channel_authorisations; nothing was imported\n"
        "  - row 2 (line 3): the period overlaps that of row 1 (line 2): both authorise "
        "WEB (channel-wide) to sell ROUTER\n",
    )
    with database.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ChannelAuthorisation)) == 3


def test_importing_channel_agreements_is_refused_with_exit_4(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "agreements.csv"
    path.write_text("name\nX\n", encoding="utf-8")

    result = cli("import", "channel_agreements", str(path))

    assert result.exit_code == 4
    assert result.stderr.startswith(
        "Error: Dataset channel_agreements can be exported but not imported\n"
    )


@pytest.fixture
def case(database: Database, world: dict[str, Any]) -> None:
    with unit_of_work(database.session_factory) as session:
        opened = open_onboarding_case(
            session, principal=CARLA, partner_id=world["acme"], now=b.SETUP, comment="Fair"
        )
        advance_onboarding(
            session, principal=CARLA, case_id=opened.id, to_state="due_diligence", now=JAN
        )
        check_checklist_item(
            session,
            principal=CARLA,
            case_id=opened.id,
            code="credit_check",
            evidence="Score A",
            now=JAN,
        )


def test_onboarding_list_shows_each_case_and_filters_by_state(cli: Cli, case: None) -> None:
    everything = cli("partners", "onboarding", "list")
    active = cli("partners", "onboarding", "list", "--state", "active")

    assert (everything.exit_code, everything.stdout.splitlines()) == (
        0,
        [
            "1 on-boarding case",
            "PARTNER  NAME          STATE          PENDING REQUEST  UPDATED (UTC)",
            "ACME     Partner ACME  due_diligence  -                2026-01-01 00:00",
        ],
    )
    assert (active.exit_code, active.stdout) == (0, "0 on-boarding cases\n")
    assert cli("partners", "onboarding", "list", "--state", "approved").exit_code == 2


def test_onboarding_show_prints_the_case_checklist_and_history(cli: Cli, case: None) -> None:
    result = cli("partners", "onboarding", "show", "ACME")

    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "partner: ACME (Partner ACME)",
        "state: due_diligence",
        "pending request: none",
        "opened by: user:carla on 2025-12-01 00:00 UTC",
        "",
        "Checklist:",
        "  CHECK                  LABEL                          MANDATORY  CHECKED (UTC)"
        "     BY          EVIDENCE",
        "  company_registration   Company registration verified  yes        -"
        "                 -           -",
        "  credit_check           Credit check passed            yes        2026-01-01 00:00"
        "  user:carla  Score A",
        "  sanctions_screening    Sanctions screening clear      yes        -"
        "                 -           -",
        "  bank_details_verified  Bank details verified          yes        -"
        "                 -           -",
        "  trade_references       Trade references obtained      no         -"
        "                 -           -",
        "",
        "History:",
        "  #  WHEN (UTC)        EVENT         FROM         TO             ACTOR       "
        "REQUESTED BY  COMMENT",
        "  1  2025-12-01 00:00  opened        -            application    user:carla  "
        "-             Fair",
        "  2  2026-01-01 00:00  transitioned  application  due_diligence  user:carla  "
        "-             -",
    ]


@pytest.mark.parametrize(
    ("code", "stderr"),
    [
        ("NOPE", "Error: No partner with code 'NOPE'\n"),
        ("ACME", "Error: Partner 'ACME' has no on-boarding case\n"),
    ],
)
def test_onboarding_show_of_an_unknown_partner_or_case_exits_4(
    cli: Cli, world: Any, code: str, stderr: str
) -> None:
    result = cli("partners", "onboarding", "show", code)

    assert (result.exit_code, result.stderr) == (4, stderr)
