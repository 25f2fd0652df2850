"""Crediting: split credit with a declared policy, roll-up on the effective-dated hierarchy,
and the payee selection."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from salesdev.core.errors import InvalidInput
from salesdev.engine.compensation import (
    BountyComponent,
    DealerOverrideComponent,
    LevelRate,
    ManagerOverrideComponent,
    RateComponent,
)
from tests.integration.analytics_compensation.builders import (
    DEALER,
    REP_A,
    REP_B,
    at,
    event,
    payments,
    plan,
    run,
)
from tests.integration.analytics_compensation.crediting import (
    AGENT,
    DIRECTOR,
    MANAGER,
    MASTER,
    edge,
    hierarchy,
    splits,
)

D = Decimal
RATE_1 = RateComponent(id="revenue", default_rate=D("1"))  # pays the credited amount itself
OVERRIDE_1 = ManagerOverrideComponent(id="override", default_rate=D("1"))


def test_a_split_order_credits_its_payees_their_exact_parts_and_the_dealer_in_full() -> None:
    # given an order of 100.01 split in thirds between two reps and a manager, sold by a dealer
    result = run(
        plan(RATE_1),
        event("E1", "order", at(10, 2), amount="100.01", order="OR1", partner=DEALER),
        event("E2", "order", at(10, 3), amount="50.00", order="OR2"),  # not split
        credit_splits=splits(
            ("OR1", REP_A, "0.3333"), ("OR1", REP_B, "0.3333"), ("OR1", MANAGER, "0.3334")
        ),
    )
    # then floor parts 33.3333, 33.3333 and 33.3433 leave 0.0001, which goes to the largest
    # remainder (the manager's 0.3334: 33.343334); the parts total 100.01 exactly
    assert {(line.payee_id, line.measure) for line in result.lines()} == {
        (DEALER, D("100.0100")),
        (REP_A, D("83.3333")),  # 33.3333 of OR1 + 50.00 of the unsplit OR2
        (REP_B, D("33.3333")),
        (MANAGER, D("33.3434")),
    }


def test_a_negative_amount_is_split_like_its_absolute_value() -> None:
    result = run(
        plan(RATE_1),
        event("E1", "cancellation", at(10, 2), amount="-0.05", order="OR1"),
        credit_splits=splits(("OR1", REP_A, "0.5"), ("OR1", REP_B, "0.5")),
    )
    # 0.0250 each: no remainder
    assert {(line.payee_id, line.measure) for line in result.lines()} == {
        (REP_A, D("-0.0250")),
        (REP_B, D("-0.0250")),
    }


def test_an_overlay_split_may_credit_more_than_the_amount() -> None:
    # given an overlay: the rep keeps 100 % and a specialist gets 50 % on top
    result = run(
        plan(RATE_1),
        event("E1", "order", at(10, 2), amount="10.0001", order="OR1"),
        credit_splits=splits(("OR1", REP_A, "1", "overlay"), ("OR1", REP_B, "0.5", "overlay")),
    )
    # then the parts total 10.0001 x 1.5 = 15.00015 rounded half-up once: 15.0002
    parts = {line.payee_id: line.measure for line in result.lines()}
    assert parts == {REP_A: D("10.0001"), REP_B: D("5.0001")}


def test_a_split_bounty_pays_each_payee_its_share() -> None:
    result = run(
        plan(BountyComponent(id="bounty", amount=D("25"), chargeback_days=30)),
        event("E1", "activation", at(10, 2), amount="30", order="OR1"),
        credit_splits=splits(("OR1", REP_A, "0.6"), ("OR1", REP_B, "0.4")),
    )
    assert payments(result) == {
        (REP_A, "bounty", None, "bounty"): D("15.00"),
        (REP_B, "bounty", None, "bounty"): D("10.00"),
    }


def refused(**kwargs: object) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        run(plan(RATE_1), event("E1", "order", at(10, 2), amount="10", order="OR1"), **kwargs)  # type: ignore[arg-type]
    return {detail.location: detail.message for detail in caught.value.details}


def test_shares_of_a_total_100_order_must_total_exactly_one() -> None:
    found = refused(
        credit_splits=splits(("OR1", REP_A, "0.6"), ("OR1", REP_B, "0.3"), ("OR2", REP_A, "1"))
    )
    assert found == {
        "credit_splits[order OR1].share": "the shares total 0.9, not 1 (policy total_100; "
        "use overlay for credit above 100 %)"
    }


def test_malformed_split_rows_are_named_by_row() -> None:
    found = refused(
        credit_splits=splits(
            ("OR1", REP_A, "1.5"),
            ("OR2", REP_A, "0.12345"),
            ("OR3", "", "1"),
            ("OR4", REP_A, "1", "half"),
            ("OR5", REP_A, "0.5", "overlay"),
            ("OR5", REP_A, "0.5"),
        )
    )
    assert found == {
        "credit_splits[row 1].share": "a share must be above 0 and at most 1, got 1.5",
        "credit_splits[row 2].share": "a share keeps at most 4 decimal places, got 0.12345",
        "credit_splits[row 3].payee_id": "is required",
        "credit_splits[row 4].policy": "unknown policy 'half'; expected total_100 or overlay",
        "credit_splits[order OR5].policy": "one order has one policy, got overlay, total_100",
        "credit_splits[order OR5].payee_id": f"a payee is listed twice: {REP_A}",
    }


def test_roll_up_follows_the_hierarchy_as_it_was_on_the_event_date() -> None:
    # given rep A reports to the manager until Oct 10, then to the director
    the_hierarchy = hierarchy(
        edge(REP_A, MANAGER, valid_to=date(2026, 10, 10)),
        edge(REP_A, DIRECTOR, valid_from=date(2026, 10, 10)),
        edge(MANAGER, DIRECTOR),
    )
    result = run(
        plan(ManagerOverrideComponent(id="override", level_rates=(
            LevelRate(1, D("0.10")), LevelRate(2, D("0.01"))))),
        event("E1", "order", at(10, 9, 23, 59), amount="100"),
        event("E2", "order", at(10, 10, 0, 0), amount="200"),
        hierarchy=the_hierarchy,
    )  # fmt: skip
    # then E1 rolls up to the manager (level 1) and the director (level 2), E2 to the director only
    assert payments(result) == {
        (MANAGER, "override", None, "level_1"): D("10.00"),
        (DIRECTOR, "override", None, "level_1"): D("20.00"),
        (DIRECTOR, "override", None, "level_2"): D("1.00"),
    }


def test_an_ancestor_reached_by_two_paths_is_credited_once_at_its_nearest_level() -> None:
    # given a diamond: A -> manager -> director, A -> director, and B -> manager
    the_hierarchy = hierarchy(
        edge(REP_A, MANAGER), edge(REP_A, DIRECTOR), edge(MANAGER, DIRECTOR), edge(REP_B, MANAGER)
    )
    result = run(
        plan(OVERRIDE_1),
        event("E1", "order", at(10, 2), amount="100"),
        event("E2", "order", at(10, 3), amount="7", rep=REP_B),
        hierarchy=the_hierarchy,
        lineage=True,
    )
    assert payments(result) == {
        (MANAGER, "override", None, "level_1"): D("107.00"),
        (DIRECTOR, "override", None, "level_1"): D("100.00"),  # E1 once, not twice
        (DIRECTOR, "override", None, "level_2"): D("7.00"),
    }
    assert result.lineage is not None
    director = [
        (row["basis"], row["event_id"], row["value"])
        for row in result.lineage.to_pylist()
        if row["payee_id"] == DIRECTOR
    ]
    assert director == [("level_1", "E1", D("100")), ("level_2", "E2", D("7"))]


def test_the_dealer_chain_pays_each_level_above_the_selling_dealer() -> None:
    the_hierarchy = hierarchy(edge(DEALER, AGENT, "partner"), edge(AGENT, MASTER, "partner"))
    result = run(
        plan(DealerOverrideComponent(id="chain", level_rates=(
            LevelRate(1, D("0.03")), LevelRate(2, D("0.01"))))),
        event("E1", "order", at(10, 2), amount="1000", partner=DEALER),
        hierarchy=the_hierarchy,
    )  # fmt: skip
    assert payments(result) == {
        (AGENT, "chain", None, "level_1"): D("30.00"),
        (MASTER, "chain", None, "level_2"): D("10.00"),
    }


def test_a_cycle_in_the_hierarchy_is_refused_naming_it() -> None:
    found = refused(
        hierarchy=hierarchy(edge(REP_A, MANAGER), edge(MANAGER, DIRECTOR), edge(DIRECTOR, REP_A))
    )
    assert found == {
        "hierarchy[row 3].parent_id": f"manager cycle: {REP_A} -> {MANAGER} -> {DIRECTOR} -> {REP_A}"
    }


def test_malformed_hierarchy_rows_are_named_by_row() -> None:
    found = refused(
        hierarchy=hierarchy(
            edge(REP_A, MANAGER, "boss"),
            edge(REP_A, REP_A),
            edge(REP_B, MANAGER, valid_from=date(2026, 10, 1), valid_to=date(2026, 10, 1)),
        )
    )
    assert found == {
        "hierarchy[row 1].relation": "unknown relation 'boss'; expected manager or partner",
        "hierarchy[row 2].parent_id": f"{REP_A} cannot be its own parent",
        "hierarchy[row 3].valid_to": "must be after valid_from (validity is [from, to))",
    }


def test_only_the_selected_payees_get_lines_and_a_manager_still_sees_the_team() -> None:
    result = run(
        plan(RATE_1, OVERRIDE_1),
        event("E1", "order", at(10, 2), amount="100"),
        event("E2", "order", at(10, 3), amount="50", rep=REP_B),
        hierarchy=hierarchy(edge(REP_A, MANAGER), edge(REP_B, MANAGER)),
        payees=[MANAGER, REP_B],
    )
    assert payments(result) == {
        (MANAGER, "override", None, "level_1"): D("150.00"),
        (REP_B, "revenue", "FIBRE", "revenue"): D("50.00"),
    }
