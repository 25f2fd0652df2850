"""``salesdev qualify`` and ``salesdev eligibility list | import | export``."""

from __future__ import annotations

import json
from pathlib import Path

from salesdev.db.session import unit_of_work
from tests.conftest import Database
from tests.integration.cli.conftest import Cli
from tests.integration.qualification.world import build_world


def _world(database: Database, *, rules: bool = True) -> None:
    with unit_of_work(database.session_factory) as session:
        build_world(session, rules=rules)


def test_qualify_lists_every_offering_with_reasons_as_csv(cli: Cli, database: Database) -> None:
    _world(database)
    result = cli(
        "qualify",
        "--channel", "RET", "--customer", "BOB", "--premise", "PD",
        "--offering", "MOB-SENIOR", "--offering", "MOB-S",
        "--alternatives", "--at", "2026-10-15", "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "OFFERING,NAME,FAMILY,QUALIFIED,REASONS,ALTERNATIVES",
        "MOB-SENIOR,Offering MOB-SENIOR,MOBILE,no,AGE_BAND The senior plan is for customers "
        "aged 65 or more (age band is 65+ (it is 25-34)),MOB-S",
        "MOB-S,Offering MOB-S,MOBILE,yes,,",
    ]


def test_qualify_the_whole_catalogue_as_a_table(cli: Cli, database: Database) -> None:
    _world(database)
    result = cli("qualify", "--channel", "RET", "--customer", "ADA", "--premise", "PF",
                 "--at", "2026-10-15")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == ("6 of 10 offerings qualify in RET at 2026-10-15 00:00")


def test_unknown_codes_are_refused_with_exit_code_and_field(cli: Cli, database: Database) -> None:
    _world(database)
    result = cli("qualify", "--channel", "RET", "--customer", "NOBODY", "--offering", "NOPE")
    assert result.exit_code != 0
    assert "customer_code" in result.output
    assert "NOBODY" in result.output


def test_eligibility_import_list_and_export(cli: Cli, database: Database, tmp_path: Path) -> None:
    _world(database, rules=False)
    rules = tmp_path / "rules.json"
    rules.write_text(
        json.dumps(
            [
                {
                    "code": "SENIOR",
                    "name": "Senior plan from 65",
                    "kind": "customer",
                    "applies_to": "offering",
                    "offering": "MOB-SENIOR",
                    "condition": {"attribute": "customer.age_band", "op": "eq", "value": "65+"},
                    "reason_code": "AGE_BAND",
                    "label": "From 65",
                    "valid_from": "2026-01-01T00:00:00Z",
                }
            ]
        )
    )
    imported = cli("eligibility", "import", str(rules))
    assert imported.exit_code == 0, imported.output
    assert imported.output.strip() == "Imported 1 rules; 0 already there unchanged"
    listed = cli("eligibility", "list", "--format", "csv")
    assert listed.output.splitlines() == [
        "CODE,KIND,APPLIES TO,REASON,MUST HOLD,FROM (UTC),TO (UTC)",
        "SENIOR,customer,offering MOB-SENIOR,AGE_BAND,age band is 65+,2026-01-01 00:00,-",
    ]
    exported = cli("eligibility", "export")
    assert json.loads(exported.output)[0]["offering"] == "MOB-SENIOR"
    bad = tmp_path / "bad.json"
    bad.write_text('[{"code": "X"}]')
    refused = cli("eligibility", "import", str(bad))
    assert refused.exit_code != 0
    assert "item 1: name" in refused.output
