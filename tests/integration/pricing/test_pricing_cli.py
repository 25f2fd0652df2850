"""``salesdev pricing``: import entries, four eyes between operators, resolve a price."""

from __future__ import annotations

from pathlib import Path

from salesdev.db.models.pricing import PriceListVersion
from salesdev.db.session import unit_of_work
from salesdev.domains.pricing import create_version
from tests.conftest import Database
from tests.integration.cli.conftest import Cli
from tests.integration.pricing.world import CARLA, FROM, T, price_list, world


def test_import_approve_and_resolve(cli: Cli, database: Database, tmp_path: Path) -> None:
    with unit_of_work(database.session_factory) as session:
        w = world(session)
        pl = price_list(session, w)
        version = create_version(
            session, principal=CARLA, price_list_id=pl.id, valid_from=FROM, now=T
        )
        version_id = str(version.id)
    bad = tmp_path / "bad.csv"
    bad.write_text("offering,recurring\nF100,abc\nNOPE,1\n", encoding="utf-8")
    refused = cli("pricing", "import-entries", str(bad), "--version", version_id)
    assert refused.exit_code != 0
    assert "line 2, recurring: not a decimal number: 'abc'" in refused.output
    assert "line 3, offering: no product offering 'NOPE'" in refused.output
    good = tmp_path / "good.csv"
    good.write_text(
        "offering,recurring,one_time,unit_cost\nF100,36.00,25.00,20\n", encoding="utf-8"
    )
    assert cli("pricing", "import-entries", str(good), "--version", version_id).output == (
        "Imported 1 entry\n"
    )
    assert cli("pricing", "submit", version_id).exit_code == 0
    own = cli("pricing", "approve", version_id)
    assert own.exit_code != 0
    assert "cannot approve it; another user must" in own.output
    other = Cli({**cli.env, "LOGNAME": "second-operator"})
    assert other("pricing", "approve", version_id).output == f"Version {version_id} is approved\n"
    with unit_of_work(database.session_factory) as session:
        assert session.get(PriceListVersion, version.id).status == "approved"  # type: ignore[union-attr]
    resolved = cli(
        "pricing", "resolve", "--channel", "DEALERS", "--offering", "F100", "--date", "2027-02-01"
    )
    assert resolved.exit_code == 0, resolved.output
    lines = resolved.output.splitlines()
    assert lines[0] == "F100 in DEALERS on 2027-02-01 00:00 x1 (price list 'Dealers' version 1)"
    assert "36.00" in resolved.output and "25.00" in resolved.output
    lists = cli("pricing", "lists")
    assert lists.output.splitlines()[0] == "1 price list"
