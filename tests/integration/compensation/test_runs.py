"""Runs: a committed run writes a ledger version, a rerun the next one (the first untouched,
UPDATE and DELETE refused), a dry run nothing; rejected events are reported; lineage; what-if."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from salesdev.analytics.compensation_runs import run_lineage, run_period, what_if
from salesdev.core.errors import InvalidInput, RuleViolation
from salesdev.core.settings import Settings
from salesdev.db.models.compensation import LedgerEntry, LedgerVersion, RejectedEvent
from salesdev.domains.compensation import (
    create_version,
    rejected_events,
    transition_version,
)
from tests.integration.compensation.builders import (
    APPROVER,
    AUTHOR,
    REP_PLAN,
    T,
    at,
    event,
    october_events,
    standard_setup,
    write_events,
)


def run(session: Session, settings: Settings, *, dry_run: bool = False):  # type: ignore[no-untyped-def]
    return run_period(session, principal=AUTHOR, event_store_dir=settings.event_store_dir,
                      data_dir=settings.data_dir, period="2026-10", now=T, dry_run=dry_run)  # fmt: skip


def amounts(session: Session, number: int) -> dict[tuple[str, str, str, str], Decimal]:
    rows = session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.period == "2026-10", LedgerEntry.ledger_version == number
        )
    )
    return {(str(e.payee_id), e.plan_code, e.component_id, e.basis): e.amount for e in rows}


def test_a_run_writes_ledger_version_1_with_every_line(
    session: Session, settings: Settings
) -> None:
    # Given reps and a dealer with October events (see october_events for the arithmetic)
    w, _, _ = standard_setup(session)
    write_events(settings.event_store_dir, october_events(w))
    # When the period runs
    result = run(session, settings)
    # Then version 1 holds the lines of the assigned payees only (not the outsider's)
    assert (result.status, result.ledger_version, result.totals) == (
        "succeeded",
        1,
        {"EUR": "73.00"},
    )
    assert result.event_count == 5
    lines = session.scalars(select(LedgerEntry).order_by(LedgerEntry.plan_code)).all()
    assert {str(e.payee_id) for e in lines} == {str(w.rep_a), str(w.rep_b), str(w.partner)}
    by_payee: dict[str, Decimal] = {}
    for e in lines:
        by_payee[str(e.payee_id)] = by_payee.get(str(e.payee_id), Decimal(0)) + e.amount
    assert by_payee == {
        str(w.rep_a): Decimal("37.00"),
        str(w.rep_b): Decimal("9.00"),
        str(w.partner): Decimal("27.00"),
    }
    assert [p["code"] for p in result.plans] == ["DEALERS", "REPS"]


def test_a_rerun_writes_version_2_and_leaves_version_1_untouched(
    session: Session, settings: Settings
) -> None:
    w, _, _ = standard_setup(session)
    write_events(settings.event_store_dir, october_events(w))
    run(session, settings)
    first = amounts(session, 1)
    # A late order arrives, the period runs again
    write_events(
        settings.event_store_dir,
        [
            event(
                w, "O5", "order", at(10, 20), amount="100", rep=w.rep_b, family="MOBILE", line="L5"
            )
        ],
    )
    second_run = run(session, settings)
    assert second_run.ledger_version == 2
    assert amounts(session, 1) == first
    assert amounts(session, 2)[(str(w.rep_b), "REPS", "revenue", "revenue")] == Decimal("4.00")
    versions = session.scalars(select(LedgerVersion.number).order_by(LedgerVersion.number)).all()
    assert list(versions) == [1, 2]


def test_ledger_rows_cannot_be_updated_or_deleted(session: Session, settings: Settings) -> None:
    w, _, _ = standard_setup(session)
    write_events(settings.event_store_dir, october_events(w))
    run(session, settings)
    entry = session.scalars(select(LedgerEntry).limit(1)).one()
    # The ORM refuses
    entry.amount = Decimal("999")
    with pytest.raises(RuleViolation, match="append-only"):
        session.flush()
    session.rollback()


def test_the_database_refuses_update_and_delete_of_ledger_rows(
    session: Session, settings: Settings
) -> None:
    w, _, _ = standard_setup(session)
    write_events(settings.event_store_dir, october_events(w))
    run(session, settings)
    session.commit()
    for statement in (
        update(LedgerEntry).values(amount=Decimal("1")),
        delete(LedgerEntry),
        update(LedgerVersion).values(line_count=0),
        delete(LedgerVersion),
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(statement)
        session.rollback()
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 6


def test_a_dry_run_calculates_and_writes_no_ledger_version(
    session: Session, settings: Settings
) -> None:
    w, _, _ = standard_setup(session)
    write_events(settings.event_store_dir, october_events(w))
    result = run(session, settings, dry_run=True)
    assert (result.status, result.ledger_version, result.totals) == (
        "succeeded",
        None,
        {"EUR": "73.00"},
    )
    assert len(result.preview) == result.line_count == 6
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
    assert session.scalar(select(func.count()).select_from(LedgerVersion)) == 0


def test_bad_events_are_left_out_and_reported(session: Session, settings: Settings) -> None:
    w, _, _ = standard_setup(session)
    bad = [
        event(w, "D1", "order", at(10, 7), amount="10", rep=w.rep_a, line="L7"),
        event(w, "D1", "order", at(10, 8), amount="10", rep=w.rep_a, line="L7"),
        event(w, "U1", "order", at(10, 9), amount="10", rep="00000000-0000-4000-8000-00000000dead"),
        event(w, "P1", "order", at(10, 9), amount="10", rep=w.rep_a, family="SATELLITE"),
        event(w, "C1", "order", at(10, 9), amount="10", rep=w.rep_a, channel="no-such-channel"),
        event(w, "X1", "order", at(10, 9), amount="10", rep=w.rep_a, currency="USD"),
        event(w, "M1", "order", at(10, 9), amount="-10", rep=w.rep_a),
    ]
    write_events(settings.event_store_dir, october_events(w) + bad)
    result = run(session, settings)
    # The good events pay as before; every bad one is listed with its reason
    assert (result.status, result.totals, result.rejected_count) == (
        "succeeded",
        {"EUR": "73.00"},
        7,
    )
    report = rejected_events(session, principal=AUTHOR, run_id=result.id)
    assert [(r.event_id, r.reason) for r in report] == [
        ("C1", "unknown_channel"),
        ("D1", "duplicate_event_id"),
        ("D1", "duplicate_event_id"),
        ("M1", "malformed_amount"),
        ("P1", "unknown_product"),
        ("U1", "unknown_payee"),
        ("X1", "wrong_currency"),
    ]
    assert session.scalar(select(func.count()).select_from(RejectedEvent)) == 7


def test_lineage_lists_the_events_behind_a_line(session: Session, settings: Settings) -> None:
    w, _, _ = standard_setup(session)
    write_events(settings.event_store_dir, october_events(w))
    result = run(session, settings)
    table = run_lineage(settings, run_id=result.id, payee_id=w.partner, component_id="activation")
    assert table.column("event_id").to_pylist() == ["A3"]
    fibre = run_lineage(settings.data_dir, run_id=result.id, payee_id=w.rep_a,
                        component_id="revenue", product_family="FIBRE")  # fmt: skip
    assert fibre.column("event_id").to_pylist() == ["O1"]


def test_a_failed_calculation_leaves_no_ledger_version(
    session: Session, settings: Settings
) -> None:
    # Given a rep plan whose tiered component needs a quota that rep B lacks in November
    w, _, _ = standard_setup(session)
    write_events(
        settings.event_store_dir, [event(w, "N1", "order", at(11, 3), amount="5", rep=w.rep_b)]
    )
    with pytest.raises(InvalidInput, match="quota"):
        run_period(session, principal=AUTHOR, event_store_dir=settings.event_store_dir,
                   data_dir=settings.data_dir, period="2026-11", now=T)  # fmt: skip
    assert session.scalar(select(func.count()).select_from(LedgerVersion)) == 0


def test_what_if_compares_two_versions_per_payee_and_in_total(
    session: Session, settings: Settings
) -> None:
    w, reps, _ = standard_setup(session)
    write_events(settings.event_store_dir, october_events(w))
    richer = copy.deepcopy(REP_PLAN)
    richer["components"][0]["default_rate"] = "0.02"  # mobile pays 2 % instead of 1 %
    create_version(session, principal=AUTHOR, plan_id=reps.id, effective_from="2026-10",
                   definition=richer, now=T)  # fmt: skip
    result = what_if(session, principal=AUTHOR, event_store_dir=settings.event_store_dir,
                     plan_id=reps.id, version_a=1, version_b=2, period="2026-10")  # fmt: skip
    assert (result.total_a, result.total_b, result.difference) == (
        Decimal("46.00"),
        Decimal("49.00"),
        Decimal("3.00"),
    )
    by_payee = {c.payee_id: (c.a, c.b) for c in result.payees}
    assert by_payee == {
        str(w.rep_a): (Decimal("37.00"), Decimal("37.00")),
        str(w.rep_b): (Decimal("9.00"), Decimal("12.00")),
    }
    # Nothing was written, and the draft is still a draft
    assert session.scalar(select(func.count()).select_from(LedgerVersion)) == 0
    transition_version(session, principal=AUTHOR, plan_id=reps.id, number=2, action="submit", now=T)
    transition_version(
        session, principal=APPROVER, plan_id=reps.id, number=2, action="approve", now=T
    )
    assert run(session, settings).totals == {"EUR": "76.00"}
