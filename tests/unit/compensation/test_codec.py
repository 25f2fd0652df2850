"""Plans as JSON: a lossless round trip, and every shape problem named with its location."""

from __future__ import annotations

import json
from datetime import date

import pytest

from salesdev.core.errors import InvalidInput
from salesdev.engine.compensation import (
    DealerOverrideComponent,
    LevelRate,
    ManagerOverrideComponent,
    SpiffComponent,
    plan_from_json,
    plan_to_json,
    validate_plan,
)
from tests.unit.engine.plans import FAMILIES, d, every_kind, plan


def full_plan():  # type: ignore[no-untyped-def]
    return plan(
        *every_kind(),
        SpiffComponent(
            id="spiff-fibre",
            product_families=("FIBRE",),
            window_start=date(2026, 10, 1),
            window_end=date(2026, 10, 15),
            amount=d("15"),
            offering_ids=("OFF-1",),
            cap=d("300"),
        ),
        SpiffComponent(
            id="spiff-rate",
            window_start=date(2026, 10, 10),
            window_end=date(2026, 11, 1),
            rate=d("0.02"),
            event_types=("order", "recurring_charge"),
        ),
        ManagerOverrideComponent(
            id="manager", level_rates=(LevelRate(1, d("0.02")),), default_rate=d("0.005")
        ),
        DealerOverrideComponent(
            id="dealer-chain",
            level_rates=(LevelRate(1, d("0.03")), LevelRate(2, d("0.01"))),
            cap=d("5000"),
        ),
    )


def test_every_component_kind_survives_the_round_trip_through_json_text() -> None:
    # given a plan with every component kind, a plan cap and component caps
    original = full_plan()
    original = type(original)(**{**original.__dict__, "cap": d("12000.50")})
    # when it is written as JSON text and read back
    text = json.dumps(plan_to_json(original))
    restored = plan_from_json(json.loads(text))
    # then it is the same plan, and it still validates
    assert restored == original
    assert validate_plan(restored, product_families=FAMILIES) == restored
    assert {c["kind"] for c in json.loads(text)["components"]} == {
        "rate", "tiered", "bounty", "residual", "spiff", "manager_override", "dealer_override",
    }  # fmt: skip


def test_money_and_rates_are_decimal_strings_in_json() -> None:
    data = plan_to_json(full_plan())
    assert data["components"][0]["rates"][0] == {"product_family": "FIBRE", "rate": "0.05"}
    assert data["components"][1]["tiers"][2] == {"lower": "1", "upper": None, "rate": "0.05"}
    assert data["components"][5]["window_start"] == "2026-10-01"
    assert data["components"][7]["level_rates"] == [{"level": 1, "rate": "0.02"}]
    assert data["period"] == "2026-01"


def test_whole_numbers_may_be_json_integers() -> None:
    data = plan_to_json(plan())
    data["components"][2]["amount"] = 25
    assert plan_from_json(data) == plan()


def locations(data: object) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        plan_from_json(data)
    return {detail.location: detail.message for detail in caught.value.details}


def test_every_shape_problem_is_reported_with_its_location() -> None:
    # given a document with many problems at once
    data = plan_to_json(full_plan())
    data["version"] = "1"
    data["period"] = "2026-13"
    data["colour"] = "red"
    data["components"][0]["rates"][0]["rate"] = 0.05
    data["components"][1]["tiers"][1]["lower"] = "half"
    data["components"][1]["mode"] = "sideways"
    data["components"][2].pop("chargeback_days")
    data["components"][5]["window_end"] = "2026-10-32"
    data["components"][7]["level_rates"][0]["level"] = "one"
    data["components"][8]["kind"] = "bonus"
    data["components"][3]["product_families"] = ["FIBRE", 7]
    # when it is read, then every problem is named where it is
    found = locations(data)
    assert found == {
        "version": "expected a whole number, got the string '1'",
        "period": "expected YYYY-MM, got '2026-13'",
        "colour": "unknown field; expected one of cap, components, currency, id, period, version",
        "components[0].rates[0].rate": 'expected a decimal string such as "0.05", got the number 0.05',
        "components[1].tiers[1].lower": "expected a decimal string such as \"0.05\", got 'half'",
        "components[1].mode": "unknown tier mode 'sideways'; expected marginal or retroactive",
        "components[2].chargeback_days": "is required",
        "components[3].product_families[1]": "expected a string, got the number 7",
        "components[5].window_end": "expected a date YYYY-MM-DD, got '2026-10-32'",
        "components[7].level_rates[0].level": "expected a whole number, got the string 'one'",
        "components[8].kind": "unknown component kind 'bonus'; expected one of rate, tiered, "
        "bounty, residual, spiff, manager_override, dealer_override",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("data", "location", "message"),
    [
        ([], "plan", "expected an object, got a list"),
        ({"id": "p", "version": 1, "currency": "EUR", "period": "2026-10"}, "components",
         "is required"),
        ({"id": "p", "version": 1, "currency": "EUR", "period": "2026-10", "components": [3]},
         "components[0]", "expected an object, got the number 3"),
        ({"id": "p", "version": 1, "currency": "EUR", "period": "2026-10",
          "components": [{"kind": "rate", "id": "r", "default_rate": "0.1", "tiers": []}]},
         "components[0].tiers", "unknown field; expected one of cap, default_rate, event_types, "
         "id, kind, product_families, rates"),
    ],
)  # fmt: skip
def test_malformed_documents_are_refused(data: object, location: str, message: str) -> None:
    assert locations(data) == {location: message}
