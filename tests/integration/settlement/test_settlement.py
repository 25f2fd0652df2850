"""Settlement services: amounts due, holds, draws, adjustments, disputes, periods, payouts."""

from __future__ import annotations

import re
import zlib
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from salesdev.core.errors import (
    ErrorDetail,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from salesdev.db.models.settlement import (
    CompensationAdjustment,
    CompensationDisputeEntry,
    PayoutBatch,
    PayoutLine,
)
from salesdev.domains.access import Role
from salesdev.domains.settlement import (
    comment_dispute,
    compute_due,
    create_adjustment,
    create_draw,
    decide_adjustment,
    dispute_history,
    export_payout,
    get_statement,
    list_disputes,
    list_statements,
    move_period,
    payables_csv,
    payroll_csv,
    place_hold,
    raise_dispute,
    reconcile,
    release_hold,
    require_open,
    statement_csv,
    statement_id,
    statement_pdf,
    transition_dispute,
)
from tests.integration.settlement.builders import (
    OPS,
    OPS2,
    T,
    World,
    build_world,
    line,
    user,
    write_ledger,
)

OCT, NOV = "2026-10", "2026-11"
D = Decimal


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def lock(session: Session, period: str) -> None:
    move_period(session, principal=OPS, period=period, action="close", now=T)
    move_period(session, principal=OPS2, period=period, action="approve", now=T)
    move_period(session, principal=OPS, period=period, action="lock", now=T)


def reopen(session: Session, period: str) -> None:
    move_period(session, principal=OPS, period=period, action="reopen", now=T, comment="recalc")


def dues(session: Session, period: str) -> list[tuple[str, str, str | None, Decimal, bool, bool]]:
    return [
        (i.payee_id.hex[:4], i.kind, i.component_id, i.due, i.held, i.carried)
        for i in compute_due(session, period).items
    ]


def october(session: Session, world: World) -> None:
    write_ledger(
        session,
        OCT,
        [
            line(world.rep_a, "revenue", "100.00", family="FIBRE"),
            line(world.rep_a, "bonus", "50.00", kind="tiered", quota="2000.00", tier=2),
            line(world.rep_b, "revenue", "30.00", family="FIBRE"),
        ],
    )


def test_a_recalculation_pays_only_the_difference_in_both_directions(
    session: Session, world: World
) -> None:
    # given October paid out from ledger version 1
    october(session, world)
    lock(session, OCT)
    first = export_payout(session, principal=OPS, period=OCT, now=T)
    assert first.created and first.batch is not None
    assert (first.batch.sequence, first.batch.line_count, first.batch.totals) == (
        1,
        3,
        {"EUR": "180.0000"},
    )
    # when it is exported again, nothing more is paid
    again = export_payout(session, principal=OPS, period=OCT, now=T)
    assert (again.created, again.batch.id if again.batch else None) == (False, first.batch.id)
    # when October is reopened and recalculated (rep A: revenue up 20, bonus down 10)
    with pytest.raises(RuleViolation, match="is locked"):
        require_open(session, OCT)
    reopen(session, OCT)
    require_open(session, OCT)
    write_ledger(
        session,
        OCT,
        [
            line(world.rep_a, "revenue", "120.00", family="FIBRE"),
            line(world.rep_a, "bonus", "40.00", kind="tiered", quota="2000.00", tier=2),
            line(world.rep_b, "revenue", "30.00", family="FIBRE"),
        ],
    )
    lock(session, OCT)
    a = world.rep_a.id.hex[:4]
    assert dues(session, OCT) == [
        (a, "earning", "bonus", D("-10.0000"), False, False),
        (a, "earning", "revenue", D("20.0000"), False, False),
    ]
    # then the second batch pays +20 and recovers -10; paid lines of batch 1 are unchanged
    second = export_payout(session, principal=OPS, period=OCT, now=T + timedelta(days=1))
    assert second.batch is not None and second.batch.sequence == 2
    amounts = sorted(
        session.scalars(select(PayoutLine.amount).where(PayoutLine.batch_id == second.batch.id))
    )
    assert amounts == [D("-10.0000"), D("20.0000")]
    assert sum(session.scalars(select(PayoutLine.amount))) == D("190.0000")
    # when version 3 lowers rep A's revenue by 20, the net -20 is carried (nothing paid)
    reopen(session, OCT)
    write_ledger(
        session,
        OCT,
        [
            line(world.rep_a, "revenue", "100.00", family="FIBRE"),
            line(world.rep_a, "bonus", "40.00", kind="tiered", quota="2000.00", tier=2),
            line(world.rep_b, "revenue", "30.00", family="FIBRE"),
        ],
    )
    lock(session, OCT)
    assert dues(session, OCT) == [(a, "earning", "revenue", D("-20.0000"), False, True)]
    third = export_payout(session, principal=OPS, period=OCT, now=T)
    assert (third.created, third.batch.sequence if third.batch else 0) == (False, 2)
    [rec] = reconcile(session, principal=OPS, period=OCT)
    assert (rec.ledger_version, rec.ledger_total, rec.paid, rec.held, rec.carried) == (
        3,
        D("170.0000"),
        D("190.0000"),
        D(0),
        D("-20.0000"),
    )
    assert rec.balanced and rec.batches_total == D("190.0000")


def test_paid_lines_cannot_be_rewritten(session: Session, world: World) -> None:
    october(session, world)
    lock(session, OCT)
    export_payout(session, principal=OPS, period=OCT, now=T)
    paid = session.scalars(select(PayoutLine)).first()
    assert paid is not None
    paid.amount = D("1.00")
    with pytest.raises(RuleViolation, match="append-only"):
        session.flush()


def test_a_later_period_pays_the_difference_of_an_earlier_paid_period(
    session: Session, world: World
) -> None:
    # given October paid, then recalculated (+5 for rep B) and locked again
    october(session, world)
    lock(session, OCT)
    export_payout(session, principal=OPS, period=OCT, now=T)
    reopen(session, OCT)
    write_ledger(
        session,
        OCT,
        [
            line(world.rep_a, "revenue", "100.00", family="FIBRE"),
            line(world.rep_a, "bonus", "50.00", kind="tiered", quota="2000.00", tier=2),
            line(world.rep_b, "revenue", "35.00", family="FIBRE"),
        ],
    )
    lock(session, OCT)
    write_ledger(session, NOV, [line(world.rep_b, "revenue", "10.00", family="FIBRE")])
    lock(session, NOV)
    # when November is paid out
    batch = export_payout(session, principal=OPS, period=NOV, now=T).batch
    assert batch is not None
    rows = session.execute(
        select(PayoutLine.earning_period, PayoutLine.amount)
        .where(PayoutLine.batch_id == batch.id)
        .order_by(PayoutLine.earning_period)
    ).all()
    # then it pays November and October's difference, which the statement shows as prior
    assert rows == [(OCT, D("5.0000")), (NOV, D("10.0000"))]
    statement = get_statement(session, principal=OPS, statement=statement_id(NOV, world.rep_b.id))
    assert [(p.earning_period, p.amount, p.paid) for p in statement.prior_differences] == [
        (OCT, D("5.0000"), True)
    ]
    assert (statement.total_payable, statement.paid, statement.outstanding) == (
        D("15.0000"),
        D("15.0000"),
        D(0),
    )


def test_holds_keep_amounts_due_until_released(session: Session, world: World) -> None:
    # given a hold on rep B and on rep A's bonus line
    october(session, world)
    hold_b = place_hold(
        session,
        principal=OPS,
        payee_kind="sales_person",
        payee_id=world.rep_b.id,
        reason="Contract review",
        now=T,
    )
    place_hold(
        session,
        principal=OPS,
        payee_kind="sales_person",
        payee_id=world.rep_a.id,
        component_id="bonus",
        reason="Quota under review",
        now=T,
    )
    lock(session, OCT)
    # when October is paid out, only rep A's revenue is paid
    first = export_payout(session, principal=OPS, period=OCT, now=T).batch
    assert first is not None and first.totals == {"EUR": "100.0000"}
    [rec] = reconcile(session, principal=OPS, period=OCT)
    assert (rec.ledger_total, rec.paid, rec.held, rec.carried, rec.balanced) == (
        D("180.0000"),
        D("100.0000"),
        D("80.0000"),
        D(0),
        True,
    )
    statement = get_statement(session, principal=OPS, statement=statement_id(OCT, world.rep_b.id))
    assert (statement.held, statement.paid, statement.outstanding) == (
        D("30.0000"),
        D(0),
        D("30.0000"),
    )
    # when rep B's hold is released (a reason is required), the next export pays rep B only
    with pytest.raises(InvalidInput, match="reason"):
        release_hold(session, principal=OPS, hold_id=hold_b.id, reason=" ", now=T)
    release_hold(session, principal=OPS, hold_id=hold_b.id, reason="Review done", now=T)
    second = export_payout(session, principal=OPS, period=OCT, now=T).batch
    assert second is not None and (second.sequence, second.totals) == (2, {"EUR": "30.0000"})
    with pytest.raises(RuleViolation, match="already released"):
        release_hold(session, principal=OPS, hold_id=hold_b.id, reason="again", now=T)


def test_recoverable_draw_is_advanced_then_recovered_and_guarantee_tops_up(
    session: Session, world: World
) -> None:
    # given rep B with a recoverable draw of 100 for Oct-Nov, rep A a guaranteed 200 in Oct
    october(session, world)
    draw = create_draw(
        session,
        principal=OPS,
        payee_kind="sales_person",
        payee_id=world.rep_b.id,
        kind="recoverable",
        amount="100.00",
        currency="EUR",
        period_from=OCT,
        period_to=NOV,
        reason="New starter",
        now=T,
    )
    create_draw(
        session,
        principal=OPS,
        payee_kind="sales_person",
        payee_id=world.rep_a.id,
        kind="guaranteed",
        amount="200.00",
        currency="EUR",
        period_from=OCT,
        period_to=OCT,
        reason="Territory change",
        now=T,
    )
    lock(session, OCT)
    # when October is paid: B earned 30 -> advance 70; A earned 150 -> top-up 50
    export_payout(session, principal=OPS, period=OCT, now=T)
    oct_b = get_statement(session, principal=OPS, statement=statement_id(OCT, world.rep_b.id))
    assert [(d.kind, d.amount, d.recorded) for d in oct_b.draws] == [
        ("draw_advance", D("70.0000"), True)
    ]
    assert (oct_b.opening_draw_balance, oct_b.closing_draw_balance, oct_b.paid) == (
        D(0),
        D("70.0000"),
        D("100.0000"),
    )
    oct_a = get_statement(session, principal=OPS, statement=statement_id(OCT, world.rep_a.id))
    assert [(d.kind, d.amount) for d in oct_a.draws] == [("guarantee", D("50.0000"))]
    # when November earns 250 for B: 150 above the draw, of which 70 is recovered
    write_ledger(session, NOV, [line(world.rep_b, "revenue", "250.00", family="FIBRE")])
    nov_b = get_statement(session, principal=OPS, statement=statement_id(NOV, world.rep_b.id))
    assert [(d.kind, d.amount, d.recorded) for d in nov_b.draws] == [
        ("draw_recovery", D("-70.0000"), False)
    ]
    lock(session, NOV)
    export_payout(session, principal=OPS, period=NOV, now=T)
    nov_b = get_statement(session, principal=OPS, statement=statement_id(NOV, world.rep_b.id))
    assert (nov_b.opening_draw_balance, nov_b.closing_draw_balance, nov_b.paid) == (
        D("70.0000"),
        D(0),
        D("180.0000"),
    )
    # then a later period recovers nothing more, and postings were written once per period
    assert (
        session.scalar(
            select(func.count()).select_from(PayoutLine).where(PayoutLine.draw_id == draw.id)
        )
        == 2
    )


def test_bad_draw_input_names_every_field_and_writes_nothing(
    session: Session, world: World
) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_draw(
            session,
            principal=OPS,
            payee_kind="sales_person",
            payee_id=world.rep_b.id,
            kind="sometimes",
            amount="-1",
            currency="EUR",
            period_from="2026-11",
            period_to="2026-10",
            reason="",
            now=T,
        )
    assert sorted(d.location for d in caught.value.details) == [
        "amount",
        "kind",
        "period_to",
        "reason",
    ]


def test_adjustments_count_only_after_approval_by_someone_else(
    session: Session, world: World
) -> None:
    october(session, world)
    # a reason is mandatory; nothing is written without it
    with pytest.raises(InvalidInput) as caught:
        create_adjustment(
            session,
            principal=OPS,
            period=OCT,
            payee_kind="sales_person",
            payee_id=world.rep_b.id,
            amount="12.50",
            currency="EUR",
            reason="",
            now=T,
        )
    assert [d.location for d in caught.value.details] == ["reason"]
    assert session.scalar(select(func.count()).select_from(CompensationAdjustment)) == 0
    adjustment = create_adjustment(
        session,
        principal=OPS,
        period=OCT,
        payee_kind="sales_person",
        payee_id=world.rep_b.id,
        amount="12.50",
        currency="EUR",
        reason="Missed order ORD-7",
        now=T,
    )
    assert adjustment.author == "user:ops"
    # pending: not due
    assert all(item.kind != "adjustment" for item in compute_due(session, OCT).items)
    with pytest.raises(RuleViolation) as own:
        decide_adjustment(session, principal=OPS, adjustment_id=adjustment.id, approve=True, now=T)
    assert own.value.message == (
        "user:ops wrote this adjustment and cannot approve it; another user must"
    )
    assert own.value.details == [ErrorDetail("approver", "must differ from the author user:ops")]
    rep = user("ann", Role.SALES_REP, sales_person_id=world.rep_a.id)
    with pytest.raises(PermissionDenied):
        decide_adjustment(session, principal=rep, adjustment_id=adjustment.id, approve=True, now=T)
    decide_adjustment(session, principal=OPS2, adjustment_id=adjustment.id, approve=True, now=T)
    statement = get_statement(session, principal=OPS, statement=statement_id(OCT, world.rep_b.id))
    assert (statement.adjustments_total, statement.total_payable) == (D("12.5000"), D("42.5000"))
    lock(session, OCT)
    batch = export_payout(session, principal=OPS, period=OCT, now=T).batch
    assert batch is not None and batch.totals == {"EUR": "192.5000"}
    with pytest.raises(RuleViolation, match="already approved"):
        decide_adjustment(
            session, principal=OPS2, adjustment_id=adjustment.id, approve=False, now=T, comment="no"
        )


def test_dispute_workflow_with_history_and_illegal_moves(session: Session, world: World) -> None:
    october(session, world)
    rep = user("ann", Role.SALES_REP, sales_person_id=world.rep_a.id)
    sid = statement_id(OCT, world.rep_a.id)
    # the rep raises a dispute on a line of their statement and comments
    with pytest.raises(InvalidInput, match="Unknown statement line"):
        raise_dispute(session, principal=rep, statement=sid, line="nope", subject="x", now=T)
    dispute = raise_dispute(
        session,
        principal=rep,
        statement=sid,
        line="bonus/-/revenue",
        subject="My October quota was lowered to 1,500",
        now=T,
    )
    comment_dispute(session, principal=rep, dispute_id=dispute.id, text="See HR mail", now=T)
    assert (dispute.status, dispute.line_amount, dispute.raised_by) == (
        "open",
        D("50.0000"),
        "user:ann",
    )
    # the rep may not move it; an open dispute cannot be resolved directly
    with pytest.raises(PermissionDenied):
        transition_dispute(
            session, principal=rep, dispute_id=dispute.id, to_status="investigating", now=T
        )
    with pytest.raises(RuleViolation, match="next status after open is investigating or rejected"):
        transition_dispute(
            session,
            principal=OPS,
            dispute_id=dispute.id,
            to_status="resolved",
            amount="5",
            comment="ok",
            now=T,
        )
    transition_dispute(
        session, principal=OPS, dispute_id=dispute.id, to_status="investigating", now=T
    )
    with pytest.raises(InvalidInput, match="amount"):
        transition_dispute(
            session, principal=OPS, dispute_id=dispute.id, to_status="resolved", comment="ok", now=T
        )
    resolved = transition_dispute(
        session,
        principal=OPS,
        dispute_id=dispute.id,
        to_status="resolved",
        amount="25.00",
        comment="Quota corrected",
        now=T,
    )
    adjustment = session.get(CompensationAdjustment, resolved.adjustment_id)
    assert adjustment is not None
    assert (adjustment.amount, adjustment.status, adjustment.component_id) == (
        D("25.0000"),
        "pending",
        "bonus",
    )
    with pytest.raises(RuleViolation, match="resolved is final"):
        transition_dispute(
            session, principal=OPS, dispute_id=dispute.id, to_status="rejected", comment="x", now=T
        )
    history = dispute_history(session, principal=rep, dispute_id=dispute.id)
    assert [(e.kind, e.from_status, e.to_status, e.actor) for e in history] == [
        ("raised", None, "open", "user:ann"),
        ("comment", "open", "open", "user:ann"),
        ("transition", "open", "investigating", "user:ops"),
        ("transition", "investigating", "resolved", "user:ops"),
    ]
    entry = session.scalars(select(CompensationDisputeEntry)).first()
    assert entry is not None
    with pytest.raises(RuleViolation, match="append-only"):
        session.delete(entry)
        session.flush()


def test_scoping_a_rep_sees_only_their_own_and_a_manager_their_team(
    session: Session, world: World
) -> None:
    october(session, world)
    ann = user("ann", Role.SALES_REP, sales_person_id=world.rep_a.id)
    bob = user("bob", Role.SALES_REP, sales_person_id=world.rep_b.id)
    mia = user("mia", Role.SALES_MANAGER, sales_person_id=world.manager.id)
    dealer = user("dlr", Role.PARTNER_USER, partner_id=world.partner.id)
    assert [s.payee.code for s in list_statements(session, principal=ann)[0]] == ["REP1"]
    assert sorted(s.payee.code for s in list_statements(session, principal=OPS)[0]) == [
        "REP1",
        "REP2",
    ]
    assert [s.payee.code for s in list_statements(session, principal=mia)[0]] == ["REP1"]
    assert list_statements(session, principal=dealer) == ([], 0)
    with pytest.raises(NotFound):
        get_statement(session, principal=bob, statement=statement_id(OCT, world.rep_a.id))
    dispute = raise_dispute(
        session,
        principal=ann,
        statement=statement_id(OCT, world.rep_a.id),
        line="revenue/FIBRE/revenue",
        subject="x",
        now=T,
    )
    assert list_disputes(session, principal=bob) == []
    with pytest.raises(NotFound):
        comment_dispute(session, principal=bob, dispute_id=dispute.id, text="mine?", now=T)
    with pytest.raises(NotFound):
        get_statement(session, principal=OPS, statement="garbage")


def test_period_approval_needs_a_second_person_and_payout_a_locked_period(
    session: Session, world: World
) -> None:
    october(session, world)
    with pytest.raises(RuleViolation, match="only a locked period"):
        export_payout(session, principal=OPS, period=OCT, now=T)
    move_period(session, principal=OPS, period=OCT, action="close", now=T)
    with pytest.raises(RuleViolation) as own:
        move_period(session, principal=OPS, period=OCT, action="approve", now=T)
    assert own.value.message == (
        "user:ops closed period 2026-10 and cannot approve it; another user must"
    )
    assert own.value.details == [
        ErrorDetail("approver", "must differ from the period's closer user:ops")
    ]
    with pytest.raises(RuleViolation, match="Period 2026-10 is closed; it cannot be locked"):
        move_period(session, principal=OPS, period=OCT, action="lock", now=T)
    with pytest.raises(InvalidInput) as caught:
        move_period(session, principal=OPS, period=OCT, action="reopen", now=T)
    assert [(d.location, d.message) for d in caught.value.details] == [("comment", "is required")]
    with pytest.raises(InvalidInput, match="period"):
        move_period(session, principal=OPS, period="2026-13", action="close", now=T)


def _pdf_text(data: bytes) -> str:
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            text.append(stream.decode("latin-1"))
    return "\n".join(text)


def test_statement_pdf_and_csv(session: Session, world: World) -> None:
    october(session, world)
    statement = get_statement(session, principal=OPS, statement=statement_id(OCT, world.rep_a.id))
    pdf = statement_pdf(statement, now=T)
    assert statement_pdf(statement, now=T) == pdf
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    content = _pdf_text(pdf)
    assert "(Total payable) Tj" in content and "(150.0000 EUR) Tj" in content
    assert r"(Payee: Ann Rep \(REP1, sales person\)) Tj" in content
    sid = statement.id
    assert statement_csv(statement) == (
        "statement,period,payee_code,payee_name,section,component,family,basis,measure,quota,"
        "attainment,tier,rate,amount,currency,note\n"
        f"{sid},2026-10,REP1,Ann Rep,earning,bonus,,revenue,1000.0000,2000.0000,50.00%,2,0.050000,50.0000,EUR,\n"
        f"{sid},2026-10,REP1,Ann Rep,earning,revenue,FIBRE,revenue,1000.0000,,,,0.050000,100.0000,EUR,\n"
        f"{sid},2026-10,REP1,Ann Rep,total_earnings,,,,,,,,,150.0000,EUR,\n"
        f"{sid},2026-10,REP1,Ann Rep,total_adjustments,,,,,,,,,0,EUR,\n"
        f"{sid},2026-10,REP1,Ann Rep,total_draws,,,,,,,,,0,EUR,\n"
        f"{sid},2026-10,REP1,Ann Rep,total_prior_periods,,,,,,,,,0,EUR,\n"
        f"{sid},2026-10,REP1,Ann Rep,total_payable,,,,,,,,,150.0000,EUR,\n"
        f"{sid},2026-10,REP1,Ann Rep,paid,,,,,,,,,0,EUR,\n"
        f"{sid},2026-10,REP1,Ann Rep,held,,,,,,,,,0,EUR,\n"
        f"{sid},2026-10,REP1,Ann Rep,outstanding,,,,,,,,,150.0000,EUR,\n"
        f"{sid},2026-10,REP1,Ann Rep,opening_draw_balance,,,,,,,,,0,EUR,\n"
        f"{sid},2026-10,REP1,Ann Rep,closing_draw_balance,,,,,,,,,0,EUR,\n"
    )


def test_payroll_and_payables_files(session: Session, world: World) -> None:
    from salesdev.domains.partners import set_payout_details

    write_ledger(
        session,
        OCT,
        [
            line(world.rep_a, "revenue", "100.00", family="FIBRE"),
            line(world.rep_a, "revenue", "20.00", family="MOBILE"),
            line(world.partner, "bounty", "300.00", kind="bounty", basis="bounty", rate=None),
        ],
    )
    set_payout_details(
        session,
        principal=OPS,
        partner_id=world.partner.id,
        payee_name="Dealer One Ltd",
        iban="DE89 3704 0044 0532 0130 00",
        tax_id="DE123456789",
        currency="EUR",
        payment_terms_days=30,
        now=T,
    )
    lock(session, OCT)
    batch = export_payout(session, principal=OPS, period=OCT, now=T).batch
    assert batch is not None
    assert payroll_csv(session, principal=OPS, batch_id=batch.id) == (
        "batch,period,employee_code,employee_name,earning_period,kind,component,amount,currency\n"
        "2026-10#1,2026-10,REP1,Ann Rep,2026-10,earning,revenue,120.0000,EUR\n"
    )
    assert payables_csv(session, principal=OPS, batch_id=batch.id) == (
        "batch,period,partner_code,partner_name,payee_name,iban,bic,tax_id,payment_terms_days,amount,currency\n"
        "2026-10#1,2026-10,DLR1,Dealer One,Dealer One Ltd,DE89370400440532013000,,DE123456789,30,300.0000,EUR\n"
    )
    auditor = user("aud", Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        export_payout(session, principal=auditor, period=OCT, now=T)
    rows = session.execute(update(PayoutBatch).values(line_count=PayoutBatch.line_count))
    assert rows is not None


def test_a_ledger_version_written_after_the_close_blocks_approval_and_payout(
    session: Session, world: World
) -> None:
    october(session, world)
    move_period(session, principal=OPS, period=OCT, action="close", now=T)
    with pytest.raises(RuleViolation, match="is closed: reopen it"):
        require_open(session, OCT)
    # a run that did not check the hook writes version 2 after the close
    write_ledger(session, OCT, [line(world.rep_a, "revenue", "1.00", family="FIBRE")])
    with pytest.raises(RuleViolation, match="changed since it was closed"):
        move_period(session, principal=OPS2, period=OCT, action="approve", now=T)
    reopen(session, OCT)
    lock(session, OCT)
    batch = export_payout(session, principal=OPS, period=OCT, now=T).batch
    assert batch is not None and batch.totals == {"EUR": "1.0000"}


def test_a_partner_user_sees_their_partners_statement_only(session: Session, world: World) -> None:
    write_ledger(
        session,
        OCT,
        [
            line(world.partner, "bounty", "300.00", kind="bounty", basis="bounty", rate=None),
            line(world.rep_b, "revenue", "30.00", family="FIBRE"),
        ],
    )
    dealer = user("dlr", Role.PARTNER_USER, partner_id=world.partner.id)
    assert [s.payee.code for s in list_statements(session, principal=dealer)[0]] == ["DLR1"]
    statement = get_statement(
        session, principal=dealer, statement=statement_id(OCT, world.partner.id)
    )
    assert (statement.payee.kind, statement.total_payable) == ("partner", D("300.0000"))
    with pytest.raises(NotFound):
        get_statement(session, principal=dealer, statement=statement_id(OCT, world.rep_b.id))
