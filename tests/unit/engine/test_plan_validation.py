"""A plan is refused with every problem named by where it is; a sound plan passes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.engine.compensation import (
    SALES_EVENT_TYPES,
    BountyComponent,
    FamilyRate,
    RateComponent,
    ResidualComponent,
    TieredComponent,
    TierMode,
    validate_plan,
)
from tests.unit.engine.plans import FAMILIES, d, plan, tiers


def problems(components: tuple[object, ...]) -> list[ErrorDetail]:
    with pytest.raises(InvalidInput) as raised:
        validate_plan(plan(*components), product_families=FAMILIES)  # type: ignore[arg-type]
    return raised.value.details


def tiered(*bounds: tuple[str, str | None, str], **changes: object) -> TieredComponent:
    component = TieredComponent(id="t", tiers=tiers(*bounds), mode=TierMode.MARGINAL)
    return replace(component, **changes)


def test_a_plan_with_every_component_kind_is_valid() -> None:
    sound = plan()
    assert validate_plan(sound, product_families=FAMILIES) is sound


def test_overlapping_tiers_name_the_tier_that_overlaps() -> None:
    found = problems((tiered(("0", "1", "0.01"), ("0.8", None, "0.02")),))
    assert found == [
        ErrorDetail("components[0].tiers[1].lower", "0.8 overlaps tiers[0] which runs to 1")
    ]


def test_a_gap_between_tiers_is_refused() -> None:
    found = problems((tiered(("0", "0.5", "0.01"), ("0.5", "0.8", "0.02"), ("0.9", None, "0.03")),))
    assert found == [
        ErrorDetail(
            "components[0].tiers[2].lower", "gap: tiers[1] ends at 0.8 but this tier starts at 0.9"
        )
    ]


def test_tiers_start_at_zero_and_end_open() -> None:
    found = problems((tiered(("0.1", "1", "0.01")),))
    assert [p.location for p in found] == [
        "components[0].tiers[0].lower",
        "components[0].tiers[0].upper",
    ]
    assert found[0].message == "the first tier must start at 0, got 0.1"


def test_negative_rates_are_refused_wherever_they_are() -> None:
    found = problems(
        (
            RateComponent(id="r", rates=(FamilyRate("FIBRE", d("-0.01")),)),
            tiered(("0", "1", "0.01"), ("1", None, "-0.02")),
            ResidualComponent(id="res", rate=d("-0.05"), months=3),
        )
    )
    assert found == [
        ErrorDetail("components[0].rates[0].rate", "the rate must not be negative, got -0.01"),
        ErrorDetail("components[1].tiers[1].rate", "the rate must not be negative, got -0.02"),
        ErrorDetail("components[2].rate", "the rate must not be negative, got -0.05"),
    ]


def test_a_cap_below_the_floor_is_refused() -> None:
    found = problems((tiered(("0", None, "0.01"), cap=d("100"), floor=d("150")),))
    assert found == [ErrorDetail("components[0].cap", "cap 100 is below floor 150")]


def test_unknown_product_families_are_named() -> None:
    found = problems(
        (
            RateComponent(id="r", rates=(FamilyRate("SATELLITE", d("0.01")),), default_rate=d("0")),
            ResidualComponent(id="res", rate=d("0.05"), months=3, product_families=("FIBER",)),
        )
    )
    assert [p.location for p in found] == [
        "components[0].rates[0].product_family",
        "components[1].product_families[0]",
    ]
    assert (
        found[1].message == "unknown product family 'FIBER'; known: DSL, FIBRE, MOBILE_POSTPAID, TV"
    )


def test_floats_and_excess_precision_are_refused() -> None:
    found = problems(
        (
            RateComponent(id="r", rates=(), default_rate=0.05),  # type: ignore[arg-type]
            BountyComponent(id="b", amount=d("10.00001"), chargeback_days=30),
        )
    )
    assert found == [
        ErrorDetail("components[0].default_rate", "the rate must be a finite Decimal, got 0.05"),
        ErrorDetail("components[1].amount", "at most 4 decimal places are kept, got 10.00001"),
    ]


def test_component_ids_are_unique_and_event_types_known() -> None:
    found = problems(
        (
            BountyComponent(id="b", amount=d("10"), chargeback_days=30),
            BountyComponent(id="b", amount=d("10"), chargeback_days=-1, event_types=("order",)),
            RateComponent(id="r", default_rate=d("0.01"), event_types=("sale",)),
            ResidualComponent(id="res", rate=d("0.05"), months=0),
        )
    )
    assert [p.location for p in found] == [
        "components[1].id",
        "components[1].event_types[0]",
        "components[1].chargeback_days",
        "components[2].event_types[0]",
        "components[3].months",
    ]
    assert found[0].message == "'b' is already the id of components[0]"
    assert found[3].message.startswith("unknown event type 'sale'; expected one of order,")


def test_the_error_lists_every_problem_at_once() -> None:
    with pytest.raises(InvalidInput) as raised:
        validate_plan(
            replace(plan(), version=0, currency="eur", components=()), product_families=FAMILIES
        )
    assert [p.location for p in raised.value.details] == ["version", "currency", "components"]
    assert raised.value.message == "Invalid compensation plan 'retail-2026'"


def test_the_engine_event_vocabulary_is_the_event_stores() -> None:
    from salesdev.analytics.events import EVENT_TYPES

    assert SALES_EVENT_TYPES == EVENT_TYPES
