"""The simulation applies the version's pricing rules and guard-rails, set-based, and
prices each event exactly as ``resolve_prices`` prices the same sale."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from salesdev.analytics.events import EventStoreWriter
from salesdev.analytics.pricing_simulation import (
    ProposedEntry,
    ProposedRule,
    ProposedVersion,
    load_proposed_version,
    priced_events,
    simulate_price_change,
    simulate_version,
    split_evaluable,
)
from salesdev.db.session import unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.pricing import (
    EntryInput,
    GuardRailInput,
    create_guard_rail,
    create_rule,
    get_version,
    resolve_prices,
)
from salesdev.engine.pricing import Charge, CompiledRule
from salesdev.engine.rules import Comparison
from salesdev.runtime import Runtime
from tests.integration.api.conftest import BASE
from tests.integration.pricing.world import CARLA, T, World, approve, draft, price_list, world
from tests.integration.simulation.test_pricing_simulation_sql import _table
from tests.integration.web.conftest import ConsoleClient, console_app, log_in, make_user

START = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 10, 15, 9, 30, tzinfo=UTC)


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 2, tzinfo=UTC)


def _rule(session: Session, version: Any, name: str, **values: Any) -> None:
    rule = {"kind": "discount", "method": "percentage", "appliesTo": "recurring",
            "target": "all", "stacking": "stackable", "name": name, **values}  # fmt: skip
    create_rule(session, principal=CARLA, version_id=version.id, values=rule, now=T)


def _priced_world(session: Session) -> tuple[World, Any]:
    """Dealers list: F100 40 a month + 50 set-up (unit cost 30.60), TV1 15 a month; a
    15% minimum margin and a 20% maximum discount in the channel; six rules."""
    w = world(session)
    create_guard_rail(
        session,
        principal=CARLA,
        values=GuardRailInput(
            channel_id=w.channel.id,
            valid_from=START,
            max_discount_percent="20",
            min_margin_percent="15",
        ),
        now=T,
    )
    version = draft(
        session,
        price_list(session, w),
        [
            EntryInput("F100", recurring="40.00", one_time="50.00", unit_cost="30.60"),
            EntryInput("TV1", recurring="15.00"),
        ],
        start=START,
    )
    consumer = {"attribute": "customer.segment", "op": "eq", "value": "consumer"}
    silver = {"attribute": "partner.tier", "op": "eq", "value": "silver"}
    _rule(session, version, "Consumers 10%", value="10", condition=consumer, priority=1)
    _rule(session, version, "Silver 3 off", method="amount", value="3", appliesTo="both",
          stacking="best", condition=silver, priority=2)  # fmt: skip
    _rule(session, version, "Silver 8%", value="8", stacking="best", condition=silver,
          priority=2)  # fmt: skip
    _rule(session, version, "July only", value="10", stacking="exclusive", priority=9,
          validFrom="2026-07-01T00:00:00Z", validTo="2026-08-01T00:00:00Z")  # fmt: skip
    _rule(session, version, "Two set-ups", kind="surcharge", method="amount", value="5",
          appliesTo="oneTime", condition={"attribute": "sale.quantity", "op": "ge", "value": 2})  # fmt: skip
    _rule(session, version, "Loyal", value="2",
          condition={"attribute": "customer.tenure_months", "op": "ge", "value": 6})  # fmt: skip
    approve(session, version)
    return w, version


def _events(w: World, directory: Path) -> Path:
    silver, fibre, tv, c1 = w.partner.id, w.fibre.id, w.tv.id, w.customer.id
    channel = w.channel.id
    rows = [
        ("recurring_charge", _at(6, 5), channel, fibre, "FIBRE", 1, "40.00", c1, silver, "NORTH"),
        ("recurring_charge", _at(7, 5), channel, fibre, "FIBRE", 1, "40.00", c1, silver, "NORTH"),
        ("recurring_charge", _at(8, 5), channel, tv, "FIBRE", 2, "30.00", c1, silver, "NORTH"),
        ("order", _at(8, 1), channel, fibre, "FIBRE", 2, "100.00", c1, silver, "NORTH"),
        ("cancellation", _at(8, 2), channel, fibre, "FIBRE", 2, "-100.00", c1, silver, "NORTH"),
        ("recurring_charge", _at(9, 5), channel, fibre, "FIBRE", 1, "40.00", c1, None, "NORTH"),
    ]  # fmt: skip
    with EventStoreWriter(directory) as writer:
        writer.write(_table(rows))
    return directory


def test_each_simulated_event_is_priced_as_resolve_prices_prices_that_sale(
    session: Session, tmp_path: Path
) -> None:
    # Given an approved version with six rules (stackable, best for the customer,
    # exclusive in a July window, a quantity surcharge) and guard-rails, and six sales
    w, version = _priced_world(session)
    store = _events(w, tmp_path / "events")
    price_list_row, version_row = get_version(session, principal=SYSTEM, version_id=version.id)
    proposed = load_proposed_version(session, price_list=price_list_row, version=version_row)
    # When the simulation prices each event
    priced = priced_events(event_store_dir=store, version=proposed, months=4, now=NOW)
    # Then every event costs exactly what price resolution gives for that sale
    events = [
        ("recurring_charge", _at(6, 5), w.fibre.id, 1, w.partner.id),
        ("recurring_charge", _at(7, 5), w.fibre.id, 1, w.partner.id),
        ("recurring_charge", _at(8, 5), w.tv.id, 2, w.partner.id),
        ("order", _at(8, 1), w.fibre.id, 2, w.partner.id),
        ("cancellation", _at(8, 2), w.fibre.id, 2, w.partner.id),
        ("recurring_charge", _at(9, 5), w.fibre.id, 1, None),
    ]
    expected = []
    for index, (kind, at, offering, quantity, partner) in enumerate(events):
        [resolution] = resolve_prices(
            session, principal=SYSTEM, channel_id=w.channel.id, offering_ids=[offering],
            at=at, partner_id=partner, customer_id=w.customer.id, quantity=quantity,
        )  # fmt: skip
        charge = resolution.charge(
            Charge.RECURRING if kind == "recurring_charge" else Charge.ONE_TIME
        )
        assert charge is not None
        total = charge.total.amount
        expected.append(
            (
                f"EV{index + 1:08d}",
                charge.exact_unit_price,
                -total if kind == "cancellation" else total,
            )
        )
    assert [(p.event_id, p.unit_price, p.proposed_amount) for p in priced] == expected
    # and the figures are the ones worked out by hand: June 10% + best 8% = 32.80, raised
    # to the 36.00 margin floor; July exclusive 10% = 36.00; TV 15 - 3 (best) - 1.50 = 10.50
    # raised to 12.00 (20% maximum discount) x 2; set-up 50 - 3 + 5 = 52 x 2; September (no
    # partner) 10% = 36.00
    assert [p.proposed_amount for p in priced] == [
        Decimal("36.00"), Decimal("36.00"), Decimal("24.00"), Decimal("104.00"),
        Decimal("-104.00"), Decimal("36.00"),
    ]  # fmt: skip


def test_the_result_counts_the_rules_applied_and_the_guard_rail_caps(
    session: Session, tmp_path: Path
) -> None:
    w, version = _priced_world(session)
    store = _events(w, tmp_path / "events")
    result = simulate_version(
        session, principal=SYSTEM, version_id=version.id, months=4, now=NOW,
        event_store_dir=store,
    )  # fmt: skip
    assert (result.totals.events, result.totals.events_with_rules) == (6, 6)
    assert result.totals.events_capped == 2  # June's fibre and August's TV
    assert result.totals.current_revenue == Decimal("150.0000")
    assert result.totals.proposed_revenue == Decimal("132.00")
    assert [(u.name, u.events) for u in result.rules_used] == [
        ("Consumers 10%", 3), ("Silver 3 off", 3), ("Two set-ups", 2), ("July only", 1),
        ("Silver 8%", 1), ("Loyal", 0),
    ]  # fmt: skip
    assert (result.rule_count, result.rules_applied, result.not_evaluable) == (6, 5, ())


def test_a_rule_on_an_attribute_the_events_cannot_supply_is_reported_not_applied(
    tmp_path: Path,
) -> None:
    # Given a rule whose condition names an attribute the simulation has no column for
    offering = uuid.uuid4()
    rule = CompiledRule(
        id=uuid.uuid4(), name="Shoe size", kind="discount", method="percentage",
        value=Decimal(50), applies_to="both", target="all", priority=0, stacking="stackable",
        predicate=lambda _: True, explain=lambda _: "",
    )  # fmt: skip
    proposed = ProposedRule(rule, Comparison("customer.shoe_size", "eq", "42"))
    # When the rules are split
    evaluable, refused = split_evaluable([proposed])
    # Then it is left out and reported with the attribute
    assert evaluable == []
    assert [(r.name, r.reason) for r in refused] == [
        (
            "Shoe size",
            "not evaluable in simulation: the sales events do not carry customer.shoe_size",
        )
    ]
    version = ProposedVersion(
        label="X", currency="EUR", channel_id=uuid.uuid4(),
        entries=(ProposedEntry(offering, Decimal(10), None, None),), rules=(proposed,),
    )  # fmt: skip
    result = simulate_price_change(
        event_store_dir=tmp_path / "none", version=version, months=1, now=NOW
    )
    assert [r.name for r in result.not_evaluable] == ["Shoe size"]


def test_the_api_and_the_console_show_the_rules_applied(
    client: TestClient, runtime: Runtime
) -> None:
    with unit_of_work(runtime.session_factory) as session:
        w, version = _priced_world(session)
        version_id = version.id
    _events(w, runtime.settings.event_store_dir)
    # Through the API
    response = client.post(
        f"{BASE}/priceSimulation", json={"priceListVersion": {"id": str(version_id)}, "months": 4}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["rulesApplied"], body["notEvaluableRule"]) == (5, [])
    assert body["pricingRule"][0] == {
        "id": body["pricingRule"][0]["id"], "name": "Consumers 10%", "events": 3,
    }  # fmt: skip
    assert (body["total"]["eventsWithRules"], body["total"]["eventsCappedByGuardRail"]) == (6, 2)
    assert body["total"]["proposedRevenue"] == {"unit": "EUR", "value": 132}
    # In the console
    make_user(runtime, "root", ["admin"])
    with ConsoleClient(console_app(runtime)) as console:
        assert log_in(console, "root").status_code == 303
        page = console.get(
            "/pricing/simulation", params={"version": str(version_id), "months": "4"}
        )
    assert page.status_code == 200, page.text
    assert 'data-figure="rules-applied">5 of 6<' in page.text
    assert 'data-rule="Two set-ups"' in page.text
    assert "data-not-evaluable" not in page.text
