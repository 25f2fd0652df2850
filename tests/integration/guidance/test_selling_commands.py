"""The command line: salesdev recommend, recommendation-rules list|import, simulate."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from salesdev.analytics.events import EventStoreWriter
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.pricing import (
    EntryInput,
    PriceListInput,
    create_price_list,
    create_version,
    set_entries,
)
from tests.conftest import T0, Database
from tests.integration.cli.conftest import Cli
from tests.integration.qualification.world import World, build_world
from tests.integration.simulation.test_pricing_simulation_sql import _table

RULES = [
    {
        "name": "Fibre-ready premise",
        "family": "FIBRE",
        "score": "50",
        "reason": "The premise is fibre-ready",
        "condition": {"attribute": "premise.technologies", "op": "contains", "value": "fibre"},
        "valid_from": "2025-12-01",
    },
    {
        "name": "Consumer SIM",
        "offering": "MOB-S",
        "score": "20",
        "reason": "A SIM for every consumer",
        "condition": {"attribute": "customer.segment", "op": "eq", "value": "consumer"},
        "valid_from": "2025-12-01",
    },
]


@pytest.fixture
def world(database: Database) -> World:
    with unit_of_work(database.session_factory) as session:
        return build_world(session)


def _write(tmp_path: Path, rules: object) -> str:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules), encoding="utf-8")
    return str(path)


def test_import_list_and_recommend(cli: Cli, world: World, tmp_path: Path) -> None:
    bad = [RULES[0], {**RULES[1], "score": "lots", "offering": "NOPE"}]
    refused = cli("recommendation-rules", "import", _write(tmp_path, bad))
    assert refused.exit_code == 3, refused.output
    assert "Nothing imported: 2 problems" in refused.output
    assert "rule 2: score: not a decimal number: 'lots'" in refused.output
    assert "rule 2: offering: no product offering with id or code NOPE" in refused.output
    assert "0 recommendation rules" in cli("recommendation-rules", "list").output

    imported = cli("recommendation-rules", "import", _write(tmp_path, RULES))
    assert imported.exit_code == 0, imported.output
    assert "Imported 2 rules (2 created, 0 updated)" in imported.output
    again = cli("recommendation-rules", "import", _write(tmp_path, RULES))
    assert "Imported 2 rules (0 created, 2 updated)" in again.output
    listed = cli("recommendation-rules", "list")
    assert "2 recommendation rules" in listed.output
    assert "Consumer SIM" in listed.output

    result = cli("recommend", "--customer", "ADA", "--channel", "RET", "--premise", "PF",
                 "--limit", "2", "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "RANK,OFFERING,SCORE,MONTHLY,ONE-TIME,CURRENCY,WHY",
        "1,FIB-1G,50.00,60.00,0.00,EUR,The premise is fibre-ready",
        "2,FIB-500,50.00,45.00,0.00,EUR,The premise is fibre-ready",
    ]
    table = cli("recommend", "--customer", "BOB", "--channel", "RET", "--premise", "PD")
    assert table.exit_code == 0, table.output
    assert "MOB-5G: NO_5G No 5G coverage at this address" in table.output


def test_unknown_codes_are_refused(cli: Cli, world: World) -> None:
    result = cli("recommend", "--customer", "NOBODY", "--channel", "RET")
    assert result.exit_code in (3, 4)
    assert "NOBODY" in result.output


def test_simulate_a_version(cli: Cli, world: World, database: Database, tmp_path: Path) -> None:
    with unit_of_work(database.session_factory) as session:
        price_list = create_price_list(
            session,
            principal=SYSTEM,
            values=PriceListInput(name="RET 2027", channel_id=world["RET"], currency="EUR"),
            now=T0,
        )
        version = create_version(
            session,
            principal=SYSTEM,
            price_list_id=price_list.id,
            valid_from=datetime(2027, 1, 1, tzinfo=UTC),
            now=T0,
        )
        set_entries(
            session,
            principal=SYSTEM,
            version_id=version.id,
            entries=[EntryInput("FIB-100", recurring="35", unit_cost="10")],
            now=T0,
        )
        version_id = version.id
    # A charge billed in the last complete month before today (the CLI reads the clock).
    today = datetime.now(UTC)
    last_month = datetime(today.year, today.month, 1, 2, tzinfo=UTC) - timedelta(days=10)
    with EventStoreWriter(tmp_path / "var" / "events") as writer:
        writer.write(_table([("recurring_charge", last_month, world["RET"], world["FIB-100"],
                              "FIBRE", 2, "60.00", world["ADA"], None, "N")]))  # fmt: skip
    result = cli("simulate", "--version", str(version_id), "--months", "1", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    figures = "1,60.0000,70.0000,10.0000,40.0000,50.0000,10.0000,0,0"  # no rule, no cap
    assert lines[1] == f"RET,FIBRE,{figures}"  # the channel by its code
    assert lines[2] == f"TOTAL,,{figures}"
    missing = cli("simulate", "--version", str(uuid.uuid4()))
    assert missing.exit_code == 4
    assert "does not exist" in missing.output
    assert cli("simulate", "--version", "v1").exit_code == 3
    assert cli("simulate", "--version", str(version_id), "--months", "0").exit_code == 3
