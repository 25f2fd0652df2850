"""validate_plan names every problem of the new fields: SPIFF windows and amounts, override
levels and rates, component and plan caps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from salesdev.core.errors import InvalidInput
from salesdev.engine.compensation import (
    DealerOverrideComponent,
    LevelRate,
    ManagerOverrideComponent,
    RateComponent,
    SpiffComponent,
    validate_plan,
)
from tests.unit.engine.plans import FAMILIES, d, plan


def problems(the_plan: object) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        validate_plan(the_plan, product_families=FAMILIES)  # type: ignore[arg-type]
    return {detail.location: detail.message for detail in caught.value.details}


def test_spiff_fields_are_checked() -> None:
    found = problems(
        plan(
            SpiffComponent(
                id="s1", window_start=date(2026, 10, 15), window_end=date(2026, 10, 15),
                amount=d("5"), rate=d("0.01"), offering_ids=("A", "A", " "),
            ),
            SpiffComponent(
                id="s2", window_start=date(2026, 10, 1), window_end=date(2026, 11, 1),
                amount=d("-1"), product_families=("FIBER",),
            ),
        )
    )  # fmt: skip
    assert found == {
        "components[0].window_end": "2026-10-15 must be after window_start 2026-10-15 "
        "(the window is [start, end))",
        "components[0].amount": "give exactly one of amount (per unit) and rate "
        "(of credited revenue)",
        "components[0].offering_ids[1]": "'A' is listed twice",
        "components[0].offering_ids[2]": "must not be empty",
        "components[1].amount": "the amount must not be negative, got -1",
        "components[1].product_families[0]": "unknown product family 'FIBER'; known: DSL, "
        "FIBRE, MOBILE_POSTPAID, TV",
    }


def test_override_fields_are_checked() -> None:
    found = problems(
        plan(
            ManagerOverrideComponent(id="m"),
            DealerOverrideComponent(
                id="d",
                level_rates=(LevelRate(1, d("0.02")), LevelRate(1, d("0.01")),
                             LevelRate(17, d("0.01")), LevelRate(2, d("-0.1"))),
            ),
        )
    )  # fmt: skip
    assert found == {
        "components[0].level_rates": "give a rate per level or a default rate",
        "components[1].level_rates[1].level": "level 1 already has a rate in level_rates[0]",
        "components[1].level_rates[2].level": "must be a whole number from 1 to 16, got 17",
        "components[1].level_rates[3].rate": "the rate must not be negative, got -0.1",
    }


def test_caps_are_money_and_component_ids_may_not_look_like_plan_lines() -> None:
    the_plan = replace(
        plan(RateComponent(id="(plan)", default_rate=d("0.1"), cap=d("1.00001"))),
        cap=d("-5"),
    )
    assert problems(the_plan) == {
        "cap": "the amount must not be negative, got -5",
        "components[0].id": "must not start with '(' (reserved for plan-level lines)",
        "components[0].cap": "at most 4 decimal places are kept, got 1.00001",
    }
