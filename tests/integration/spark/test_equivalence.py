"""The same plans run on DuckDB and on Apache Spark (local mode) with identical results.

A golden workload with every component kind, split credit, a roll-up along the sales
hierarchy and the partner genealogy, caps and clawbacks runs on both engines; the
payment lines must be byte-identical (canonical Arrow IPC) and the lineage equal.
Skipped, saying why, only where Java or PySpark is absent.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from salesdev.analytics.compensation import calculate
from salesdev.engine.compensation import (
    BountyComponent,
    DealerOverrideComponent,
    FamilyRate,
    LevelRate,
    ManagerOverrideComponent,
    Plan,
    RateComponent,
    ResidualComponent,
    SpiffComponent,
    Tier,
    TieredComponent,
    TierMode,
)
from tests.integration.analytics_compensation.builders import (
    DEALER,
    FAMILIES,
    OCTOBER,
    REP_A,
    REP_B,
    at,
    event,
    events,
    plan,
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
PROMO = "00000000-0000-4000-8000-000000000202"

if shutil.which("java") is None:
    pytest.skip(
        "Spark equivalence: no Java runtime on PATH (Spark needs Java 17)", allow_module_level=True
    )
if importlib.util.find_spec("pyspark") is None:
    pytest.skip("Spark equivalence: pyspark is not installed", allow_module_level=True)

from salesdev.analytics.compensation.spark_runner import (  # noqa: E402
    calculate_on_spark,
    local_session,
)

# For this short-lived JVM on the CI's two cores: the client compiler only (the optimising
# one spent more CPU compiling than the workload needs) and the serial collector. Neither
# changes what Spark computes; measured alone, set-up and test take 25 s instead of 58 s.
TEST_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as patch:
        # Read by the JVM that getOrCreate launches.
        options = f"{os.environ.get('JAVA_TOOL_OPTIONS', '')} {TEST_JVM_OPTIONS}".strip()
        patch.setenv("JAVA_TOOL_OPTIONS", options)
        with local_session("salesdev-equivalence-test") as session:
            yield session


def golden_plan() -> Plan:
    return replace(
        plan(
            RateComponent(
                id="revenue",
                rates=(FamilyRate("FIBRE", D("0.05")), FamilyRate("DSL", D("0.03"))),
                default_rate=D("0.01"),
                cap=D("40"),
            ),
            TieredComponent(
                id="attainment",
                tiers=(
                    Tier(D("0"), D("0.5"), D("0.01")),
                    Tier(D("0.5"), D("1"), D("0.03")),
                    Tier(D("1"), None, D("0.05")),
                ),
                mode=TierMode.MARGINAL,
                threshold=D("0.1"),
                floor=D("2"),
                cap=D("60"),
            ),
            TieredComponent(
                id="retro",
                tiers=(Tier(D("0"), D("1"), D("0.02")), Tier(D("1"), None, D("0.04"))),
                mode=TierMode.RETROACTIVE,
            ),
            BountyComponent(id="activation", amount=D("25"), chargeback_days=30),
            BountyComponent(id="port-in", amount=D("10"), chargeback_days=60,
                            event_types=("port_in",)),
            ResidualComponent(id="residual", rate=D("0.1"), months=6, product_families=("FIBRE",)),
            SpiffComponent(id="promo", amount=D("15"), offering_ids=(PROMO,),
                           window_start=date(2026, 10, 1), window_end=date(2026, 10, 15)),
            SpiffComponent(id="tv-push", rate=D("0.02"), product_families=("TV",),
                           window_start=date(2026, 10, 10), window_end=date(2026, 11, 1)),
            ManagerOverrideComponent(id="manager", level_rates=(LevelRate(1, D("0.02")),),
                                     default_rate=D("0.005")),
            DealerOverrideComponent(id="dealer-chain",
                                    level_rates=(LevelRate(1, D("0.03")), LevelRate(2, D("0.01")))),
        ),
        cap=D("120"),
    )  # fmt: skip


def golden_events() -> list[dict[str, object]]:
    rows = [
        # history: lines activated before October (residuals, chargebacks)
        event("H1", "activation", at(6, 15), amount="30", line="LN1"),
        event("H2", "activation", at(9, 5), amount="20", line="LN2", rep=REP_B),
        event("H3", "port_in", at(9, 5), line="LN2", rep=REP_B),
        event("H4", "activation", at(9, 1), amount="40", line="LN3", partner=DEALER),
        event("H5", "suspension", at(9, 10), line="LN3", partner=DEALER),
        event("H6", "resumption", at(9, 15), line="LN3", partner=DEALER),
        # lines sold on split orders: one churns in October (its chargeback follows the
        # split), one is billed in October (its residual follows the split)
        event("H7", "activation", at(9, 20), amount="25", order="OR4", line="LN8"),
        event("H8", "port_in", at(9, 20), order="OR4", line="LN8"),
        event("H9", "activation", at(8, 10), amount="45", order="OR5", line="LN9"),
        # October
        event("E01", "order", at(10, 1, 9), amount="1234.5678", order="OR1", line="LN4"),
        event("E02", "activation", at(10, 2), amount="35", order="OR1", line="LN4"),
        event(
            "E03",
            "order",
            at(10, 3),
            amount="99.99",
            family="DSL",
            order="OR2",
            line="LN5",
            partner=DEALER,
            offering=PROMO,
            quantity=2,
        ),
        event(
            "E04",
            "cancellation",
            at(10, 4),
            amount="-10.01",
            family="DSL",
            order="OR2",
            line="LN5",
            partner=DEALER,
        ),
        event("E05", "recurring_charge", at(10, 15), amount="30", line="LN1"),
        event("E06", "deactivation", at(10, 3), line="LN2", rep=REP_B),
        event("E07", "deactivation", at(10, 3), line="LN3", partner=DEALER),
        event("E08", "order", at(10, 12), amount="59.90", family="TV", rep=REP_B, line="LN6"),
        event(
            "E09",
            "order",
            at(10, 20),
            amount="700",
            family="MOBILE_POSTPAID",
            rep=MANAGER,
            line="LN7",
            offering=PROMO,
            quantity=3,
            order="OR3",
        ),
        event(
            "E10",
            "recurring_charge",
            at(10, 20),
            amount="12.34",
            family="DSL",
            line="LN5",
            partner=DEALER,
        ),
        event("E11", "payment", at(10, 21), amount="30", line="LN1"),
        event("E12", "deactivation", at(10, 6), line="LN8", rep=REP_B),
        event("E13", "recurring_charge", at(10, 10), amount="45.55", line="LN9", rep=MANAGER),
    ]
    return rows


def golden_inputs() -> dict[str, Any]:
    return {
        "plan": golden_plan(),
        "events": events(*golden_events()),
        "quotas": {REP_A: D("1000"), REP_B: D("500"), MANAGER: D("2000"), DIRECTOR: D("3000"),
                   DEALER: D("800"), AGENT: D("1"), MASTER: D("1")},
        "period": OCTOBER,
        "product_families": FAMILIES,
        "lineage": True,
        "hierarchy": hierarchy(
            edge(REP_A, MANAGER, valid_to=date(2026, 10, 10)),
            edge(REP_A, DIRECTOR, valid_from=date(2026, 10, 10)),
            edge(REP_B, MANAGER),
            edge(MANAGER, DIRECTOR),
            edge(DEALER, AGENT, "partner"),
            edge(AGENT, MASTER, "partner"),
        ),
        "credit_splits": splits(
            ("OR1", REP_A, "0.6"), ("OR1", REP_B, "0.4"),
            ("OR3", MANAGER, "1", "overlay"), ("OR3", REP_A, "0.3333", "overlay"),
            ("OR4", REP_A, "0.3333"), ("OR4", REP_B, "0.6667"),
            ("OR5", REP_B, "0.7", "overlay"), ("OR5", DIRECTOR, "0.5", "overlay"),
        ),
    }  # fmt: skip


@pytest.mark.slow
def test_the_golden_workload_gives_identical_results_on_duckdb_and_spark(spark: Any) -> None:
    # given the golden workload
    inputs = golden_inputs()
    # when it runs on both engines
    on_duckdb = calculate(**inputs)
    on_spark = calculate_on_spark(spark=spark, **inputs)
    # then every component kind produced lines, and both engines the same bytes
    kinds = {line.component_kind for line in on_duckdb.lines()}
    assert kinds == {
        "rate", "tiered", "bounty", "residual", "spiff", "manager_override", "dealer_override",
        "plan",
    }  # fmt: skip
    bases = {line.basis for line in on_duckdb.lines()}
    assert {"chargeback", "cap", "plan_cap", "level_1", "level_2"} <= bases
    assert on_duckdb.lineage is not None
    traced = {
        (row["payee_id"], row["basis"], row["event_id"])
        for row in on_duckdb.lineage.to_pylist()
        if row["basis"] in ("chargeback", "residual") and row["event_id"] in ("E12", "E13")
    }
    assert traced == {  # the split lines' chargebacks and residuals follow their splits
        (REP_A, "chargeback", "E12"),
        (REP_B, "chargeback", "E12"),
        (REP_B, "residual", "E13"),
        (DIRECTOR, "residual", "E13"),
    }
    assert on_spark.lines() == on_duckdb.lines()
    assert on_spark.to_ipc_bytes() == on_duckdb.to_ipc_bytes()
    assert on_duckdb.lineage is not None and on_spark.lineage is not None
    assert on_spark.lineage.equals(on_duckdb.lineage)
