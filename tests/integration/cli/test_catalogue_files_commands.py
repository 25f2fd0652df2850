"""``salesdev catalogue import`` and ``salesdev catalogue export``: the catalogue as TMF620
JSON or as two CSV files, with exact output, exit codes and all-or-nothing imports."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from salesdev.core.money import Money
from salesdev.db.models import AuditEvent, ProductOffering, ProductOfferingPrice
from salesdev.db.session import unit_of_work
from salesdev.domains.catalog import ListPrices, list_prices
from tests.conftest import Database
from tests.integration.authorisation import builders as b
from tests.integration.cli.conftest import Cli

MARCH = datetime(2026, 3, 1, tzinfo=UTC)


def _offering(code: str, name: str, *prices: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "currency": "EUR",
        "productFamily": {"id": "FIBRE"},
        "validFor": {"startDateTime": "2026-01-01T00:00:00Z"},
        "productOfferingPrice": list(prices),
        **extra,
    }


def _monthly(value: str, start: str = "2026-01-01T00:00:00Z", **extra: Any) -> dict[str, Any]:
    return {
        "name": "Monthly",
        "priceType": "recurring",
        "recurringChargePeriodType": "month",
        "price": {"unit": "EUR", "value": value},
        "validFor": {"startDateTime": start},
        **extra,
    }


def _fee(value: str) -> dict[str, Any]:
    return {
        "name": "Activation fee",
        "priceType": "oneTime",
        "price": {"unit": "EUR", "value": value},
        "validFor": {"startDateTime": "2026-01-01T00:00:00Z"},
    }


# A bundle listed before the offering it bundles: the import writes components first.
CATALOGUE = [
    _offering(
        "HOME",
        "Home bundle",
        _monthly("59.90"),
        isBundle=True,
        bundledProductOffering=[
            {
                "id": "FIBRE-1G",
                "bundledProductOfferingOption": {
                    "numberRelOfferLowerLimit": 1,
                    "numberRelOfferDefault": 1,
                    "numberRelOfferUpperLimit": 1,
                },
            }
        ],
    ),
    _offering("FIBRE-1G", "Fibre 1G", _monthly("49.99"), _fee("69")),
]

OFFERINGS_CSV = (
    "code,name,description,family_code,specification_number,is_bundle,is_sellable,"
    "lifecycle_status,status_reason,version,currency,valid_from,valid_to,categories,channels,"
    "market_segments,terms,bundled\n"
    "FIBRE-1G,Fibre 1G,,FIBRE,,false,true,Active,,1.0,EUR,2026-01-01T00:00:00Z,,,,,"
    "24-month commitment|24|month,\n"
)
PRICES_CSV = (
    "offering_code,id,name,description,version,price_type,period_type,period_length,amount,"
    "currency,percentage,unit_amount,units,lifecycle_status,valid_from,valid_to\n"
    "FIBRE-1G,,Monthly,,1.0,recurring,month,1,49.99,EUR,,,,Active,2026-01-01T00:00:00Z,\n"
    "FIBRE-1G,,Per GB,,1.0,usage,,,0.0125,EUR,,1,GB,Active,2026-01-01T00:00:00Z,\n"
)


@pytest.fixture
def family(database: Database) -> None:
    with unit_of_work(database.session_factory) as session:
        b.family(session, "FIBRE")


def _json_file(tmp_path: Path, items: list[dict[str, Any]], name: str = "catalogue.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def _csv_files(tmp_path: Path, offerings: str, prices: str) -> tuple[Path, Path]:
    offerings_path, prices_path = tmp_path / "offerings.csv", tmp_path / "prices.csv"
    offerings_path.write_text(offerings, encoding="utf-8")
    prices_path.write_text(prices, encoding="utf-8")
    return offerings_path, prices_path


def _counts(database: Database) -> tuple[int, int]:
    with database.session_factory() as session:
        return (
            session.scalar(select(func.count(ProductOffering.id))) or 0,
            session.scalar(select(func.count(ProductOfferingPrice.id))) or 0,
        )


def _list_prices(database: Database, code: str) -> ListPrices:
    with database.session_factory() as session:
        offering_id = session.scalars(
            select(ProductOffering.id).where(ProductOffering.code == code)
        ).one()
        return list_prices(session, offering_ids=[offering_id], at=MARCH)[offering_id]


def _audited(database: Database) -> list[tuple[str, str, str]]:
    with database.session_factory() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.sequence))
        return sorted({(e.actor, e.action, e.object_type) for e in events})


def test_a_json_catalogue_is_imported_with_its_prices_and_bundles(
    cli: Cli, database: Database, tmp_path: Path, family: None
) -> None:
    result = cli("catalogue", "import", str(_json_file(tmp_path, CATALOGUE)))

    assert (result.exit_code, result.stdout) == (
        0,
        "Imported 2 offerings with 3 prices from catalogue.json: 2 created, 0 updated.\n",
    )
    assert _list_prices(database, "FIBRE-1G") == ListPrices(
        Money(Decimal("49.99"), "EUR"), Money(Decimal("69"), "EUR")
    )
    assert _list_prices(database, "HOME") == ListPrices(Money(Decimal("59.90"), "EUR"), None)


def test_an_import_is_audited_as_the_operating_system_user(
    cli: Cli, database: Database, tmp_path: Path, family: None
) -> None:
    cli("catalogue", "import", str(_json_file(tmp_path, CATALOGUE)))

    actors = {
        actor for actor, _, object_type in _audited(database) if object_type != "product_family"
    }
    assert actors == {"cli:operator"}


def test_importing_again_updates_and_changes_no_price(
    cli: Cli, database: Database, tmp_path: Path, family: None
) -> None:
    path = tmp_path / "export.json"
    cli("catalogue", "import", str(_json_file(tmp_path, CATALOGUE)))
    cli("catalogue", "export", str(path))

    result = cli("catalogue", "import", str(path))

    assert (result.exit_code, result.stdout) == (
        0,
        "Imported 2 offerings with 3 prices from export.json: 0 created, 2 updated.\n",
    )
    assert _counts(database) == (2, 3)


def test_a_dry_run_checks_everything_and_writes_nothing(
    cli: Cli, database: Database, tmp_path: Path, family: None
) -> None:
    audited = _audited(database)

    result = cli("catalogue", "import", str(_json_file(tmp_path, CATALOGUE)), "--dry-run")

    assert (result.exit_code, result.stdout) == (
        0,
        "Dry run: all 2 offerings with 3 prices of catalogue.json are valid "
        "(2 would be created, 0 updated); nothing was written.\n",
    )
    assert _counts(database) == (0, 0)
    assert _audited(database) == audited


def test_a_dry_run_finds_what_only_writing_finds(
    cli: Cli, database: Database, tmp_path: Path, family: None
) -> None:
    # Two monthly prices from the same day: only writing the second one finds the overlap.
    clash = [_offering("FIBRE-1G", "Fibre 1G", _monthly("49.99"), _monthly("54.99"))]

    result = cli("catalogue", "import", str(_json_file(tmp_path, clash)), "--dry-run")

    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith(
        "Error: catalogue.json: 1 error(s) in the catalogue; nothing was imported\n"
        "  - item 1 (productOffering 'Fibre 1G').productOfferingPrice[1].validFor: "
        "price 'Monthly' ("
    )
    assert _counts(database) == (0, 0)


def test_a_refusal_while_writing_leaves_nothing_of_the_file(
    cli: Cli, database: Database, tmp_path: Path, family: None
) -> None:
    # given a file whose first offering is fine and whose last one has overlapping prices
    items = [
        *CATALOGUE,
        _offering("MOB-10", "Mobile 10", _monthly("15"), _monthly("16", "2026-02-01T00:00:00Z")),
    ]

    result = cli("catalogue", "import", str(_json_file(tmp_path, items)))

    assert result.exit_code == 3
    assert result.stderr.startswith(
        "Error: catalogue.json: 1 error(s) in the catalogue; nothing was imported\n"
        "  - item 3 (productOffering 'Mobile 10').productOfferingPrice[1].validFor: "
        "price 'Monthly' ("
    )
    assert result.stderr.endswith(") is valid from 2026-01-01T00:00:00Z to no end\n")
    assert _counts(database) == (0, 0)


def test_every_invalid_item_is_reported_and_nothing_is_written(
    cli: Cli, database: Database, tmp_path: Path, family: None
) -> None:
    items = [
        _offering("FIBRE-1G", "Fibre 1G", _monthly("49.999999")),
        {**_offering("BOX", "TV box"), "productFamily": {"id": "TV"}},
    ]

    result = cli("catalogue", "import", str(_json_file(tmp_path, items)))

    assert (result.exit_code, result.stderr) == (
        3,
        "Error: catalogue.json: 2 error(s) in the catalogue; nothing was imported\n"
        "  - item 1 (productOffering 'Fibre 1G').productOfferingPrice[0].price.value: "
        "at most 4 decimal places are kept, got '49.999999'\n"
        "  - item 2 (productOffering 'TV box').productFamily: no family 'TV'\n",
    )
    assert _counts(database) == (0, 0)


def test_a_file_that_is_not_json_exits_3(cli: Cli, tmp_path: Path, family: None) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text('[{"code": "A",\n', encoding="utf-8")

    result = cli("catalogue", "import", str(path))

    assert (result.exit_code, result.stderr) == (
        3,
        "Error: Invalid JSON\n  - line 2: column 1: Expecting property name enclosed in double quotes\n",
    )


def test_csv_files_are_imported_together(
    cli: Cli, database: Database, tmp_path: Path, family: None
) -> None:
    offerings, prices = _csv_files(tmp_path, OFFERINGS_CSV, PRICES_CSV)

    result = cli("catalogue", "import", "--offerings", str(offerings), "--prices", str(prices))

    assert (result.exit_code, result.stdout) == (
        0,
        "Imported 1 offering with 2 prices from offerings.csv and prices.csv: "
        "1 created, 0 updated.\n",
    )
    with database.session_factory() as session:
        usage = session.scalars(
            select(ProductOfferingPrice).where(ProductOfferingPrice.price_type == "usage")
        ).one()
    assert (usage.amount, usage.unit_amount, usage.units) == (Decimal("0.0125"), Decimal(1), "GB")


def test_a_price_of_an_offering_not_in_the_file_fails_the_csv_import(
    cli: Cli, database: Database, tmp_path: Path, family: None
) -> None:
    prices_text = PRICES_CSV + (
        "FIBRE-2G,,Monthly,,1.0,recurring,month,1,59.99,EUR,,,,Active,2026-01-01T00:00:00Z,\n"
    )
    offerings, prices = _csv_files(tmp_path, OFFERINGS_CSV, prices_text)

    result = cli("catalogue", "import", "--offerings", str(offerings), "--prices", str(prices))

    assert (result.exit_code, result.stderr) == (
        3,
        "Error: offerings.csv: 1 error(s) in the catalogue; nothing was imported\n"
        "  - prices.csv row 3 (line 4): column 'offering_code': "
        "no offering 'FIBRE-2G' in offerings.csv\n",
    )
    assert _counts(database) == (0, 0)


def test_the_csv_export_writes_both_files_and_says_how_many(
    cli: Cli, tmp_path: Path, family: None
) -> None:
    offerings, prices = _csv_files(tmp_path, OFFERINGS_CSV, PRICES_CSV)
    cli("catalogue", "import", "--offerings", str(offerings), "--prices", str(prices))
    out_offerings, out_prices = tmp_path / "o.csv", tmp_path / "p.csv"

    result = cli(
        "catalogue", "export", "--offerings", str(out_offerings), "--prices", str(out_prices)
    )

    assert (result.exit_code, result.stdout) == (
        0,
        f"Exported 1 offering to {out_offerings} and their 2 prices to {out_prices}.\n",
    )
    assert out_offerings.read_text(encoding="utf-8").splitlines()[1] == (
        "FIBRE-1G,Fibre 1G,,FIBRE,,false,true,Active,,1.0,EUR,2026-01-01T00:00:00Z,,,,,"
        "24-month commitment|24|month,"
    )
    assert [line.split(",")[5:10] for line in out_prices.read_text().splitlines()[1:]] == [
        ["recurring", "month", "1", "49.9900", "EUR"],
        ["usage", "", "", "0.0125", "EUR"],
    ]


def test_the_json_export_of_an_empty_catalogue(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"

    result = cli("catalogue", "export", str(path))

    assert (result.exit_code, result.stdout) == (
        0,
        f"Exported 0 offerings with 0 prices to {path} (TMF620 JSON).\n",
    )
    assert json.loads(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("command", ["import", "export"])
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "Give a TMF620 JSON FILE, or --offerings and --prices (CSV)"),
        (["--offerings", "o.csv"], "--offerings and --prices go together"),
        (
            ["c.json", "--offerings", "o.csv", "--prices", "p.csv"],
            "Give either a JSON FILE or --offerings and --prices, not both",
        ),
    ],
)
def test_the_files_are_a_json_file_or_two_csv_files(
    cli: Cli, tmp_path: Path, command: str, extra: list[str], message: str
) -> None:
    for name in ("c.json", "o.csv", "p.csv"):
        (tmp_path / name).write_text("", encoding="utf-8")
    paths = [str(tmp_path / arg) if "." in arg else arg for arg in extra]

    result = cli("catalogue", command, *paths)

    assert result.exit_code == 2
    assert message in result.stderr


def test_a_missing_file_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    assert cli("catalogue", "import", str(tmp_path / "nope.json")).exit_code == 2
