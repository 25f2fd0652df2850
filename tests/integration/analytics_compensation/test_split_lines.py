"""A line sold on a split order: its bounty, the chargeback of that bounty and its
residuals all follow the order's split.

Deactivations and recurring charges carry no order id; the engine takes the line's
order from its activation (or port-in) in the line history, and splits their credit
like the bounty's: each payee is clawed back what it was paid.
"""

from __future__ import annotations

from decimal import Decimal

from salesdev.core.periods import Period
from salesdev.engine.compensation import BountyComponent, RateComponent, ResidualComponent
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
from tests.integration.analytics_compensation.crediting import MANAGER, splits

D = Decimal
SEPTEMBER = Period(2026, 9)
BOUNTY_100 = BountyComponent(id="bounty", amount=D("100"), chargeback_days=30)
RESIDUAL_10 = ResidualComponent(id="residual", rate=D("0.1"), months=6)
SPLIT_60_40 = (("OR1", REP_A, "0.6"), ("OR1", REP_B, "0.4"))
# The rep who handled the churn (or bills the line): not a payee of the split.
RETENTION_REP = MANAGER


def split_line(*later: dict[str, object]) -> list[dict[str, object]]:
    """Line LN1 sold through the dealer on order OR1 (split 60/40), activated Sept 20."""
    return [
        event("H1", "order", at(9, 19), amount="10", order="OR1", partner=DEALER),
        event("H2", "activation", at(9, 20), amount="30", order="OR1", partner=DEALER),
        *later,
    ]


def test_a_split_activation_bounty_of_100_pays_60_and_40() -> None:
    # given a line activated on an order split 60/40 through a dealer
    # when September is calculated
    result = run(plan(BOUNTY_100), *split_line(), period=SEPTEMBER,
                 credit_splits=splits(*SPLIT_60_40))  # fmt: skip
    # then the reps share the bounty 60/40 and the dealer earns it in full
    assert payments(result) == {
        (REP_A, "bounty", None, "bounty"): D("60.00"),
        (REP_B, "bounty", None, "bounty"): D("40.00"),
        (DEALER, "bounty", None, "bounty"): D("100.00"),
    }


def test_the_split_line_churning_in_the_window_is_clawed_back_60_and_40() -> None:
    # given the split line, deactivated on October 5 (15 days of service, window 30 days)
    # by a retention rep who is not one of the split payees
    rows = split_line(
        event("E1", "deactivation", at(10, 5), line="LN1", rep=RETENTION_REP, partner=DEALER)
    )
    # when October is calculated
    result = run(plan(BOUNTY_100), *rows, credit_splits=splits(*SPLIT_60_40), lineage=True)
    # then each split payee gives back what it was paid; the retention rep owes nothing
    assert payments(result) == {
        (REP_A, "bounty", None, "chargeback"): D("-60.00"),
        (REP_B, "bounty", None, "chargeback"): D("-40.00"),
        (DEALER, "bounty", None, "chargeback"): D("-100.00"),
    }
    # and the trace names the deactivation with each payee's share of the bounty
    assert result.lineage is not None
    assert sorted(
        (row["payee_id"], row["basis"], row["event_id"], row["value"])
        for row in result.lineage.to_pylist()
    ) == sorted([
        (REP_A, "chargeback", "E1", D("0.6000")),
        (REP_B, "chargeback", "E1", D("0.4000")),
        (DEALER, "chargeback", "E1", D("1.0000")),
    ])  # fmt: skip


def test_a_bounty_earned_and_clawed_back_in_one_period_nets_to_zero_per_payee() -> None:
    # given a split line activated and deactivated in October
    result = run(
        plan(BOUNTY_100),
        event("E1", "activation", at(10, 2), order="OR1"),
        event("E2", "deactivation", at(10, 9), rep=RETENTION_REP),
        credit_splits=splits(("OR1", REP_A, "0.3333"), ("OR1", REP_B, "0.6667")),
    )
    # then each payee's bounty and chargeback lines net to zero
    assert payments(result) == {
        (REP_A, "bounty", None, "bounty"): D("33.33"),
        (REP_A, "bounty", None, "chargeback"): D("-33.33"),
        (REP_B, "bounty", None, "bounty"): D("66.67"),
        (REP_B, "bounty", None, "chargeback"): D("-66.67"),
    }


def test_an_unsplit_line_is_still_clawed_back_from_the_deactivations_rep() -> None:
    result = run(
        plan(BOUNTY_100),
        event("H1", "activation", at(9, 20), order="OR9"),  # OR9 is not split
        event("E1", "deactivation", at(10, 5), rep=RETENTION_REP),
        credit_splits=splits(*SPLIT_60_40),
    )
    assert payments(result) == {(RETENTION_REP, "bounty", None, "chargeback"): D("-100.00")}


def test_residuals_of_a_split_line_go_60_and_40() -> None:
    # given the split line billed 30.01 in October, the charge attributed to the first rep
    rows = split_line(
        event("E1", "recurring_charge", at(10, 20), amount="30.01", rep=REP_A, partner=DEALER)
    )
    # when October is calculated with a 10 % residual and a 100 % revenue rate
    result = run(plan(RESIDUAL_10, RateComponent(id="revenue", default_rate=D("1"))), *rows,
                 credit_splits=splits(*SPLIT_60_40))  # fmt: skip
    lines = payments(result)
    # then the charge is split exactly (18.0060 + 12.0040 = 30.01) and the residual follows:
    # 1.8006 -> 1.80 and 1.2004 -> 1.20; the dealer keeps its full residual (3.001 -> 3.00)
    assert {key: value for key, value in lines.items() if key[1] == "residual"} == {
        (REP_A, "residual", None, "residual"): D("1.80"),
        (REP_B, "residual", None, "residual"): D("1.20"),
        (DEALER, "residual", None, "residual"): D("3.00"),
    }
    measures = {(line.payee_id, line.basis): line.measure for line in result.lines()}
    assert measures[(REP_A, "residual")] == D("18.0060")
    assert measures[(REP_B, "residual")] == D("12.0040")
    # and the charge as revenue still credits its own rep (only residuals and
    # chargebacks follow the line's split)
    assert measures[(REP_A, "revenue")] == D("30.0100")
    assert (REP_B, "revenue") not in measures


def test_an_overlay_split_line_pays_residuals_on_each_share() -> None:
    # given a line whose order credits the rep 100 % and a specialist 50 % on top
    result = run(
        plan(RESIDUAL_10),
        event("H1", "activation", at(9, 20), order="OR1"),
        event("E1", "recurring_charge", at(10, 20), amount="40"),
        credit_splits=splits(("OR1", REP_A, "1", "overlay"), ("OR1", REP_B, "0.5", "overlay")),
    )
    # then 40.00 credits 40.00 and 20.00: residuals of 4.00 and 2.00
    assert payments(result) == {
        (REP_A, "residual", None, "residual"): D("4.00"),
        (REP_B, "residual", None, "residual"): D("2.00"),
    }
