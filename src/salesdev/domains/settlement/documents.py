"""A statement as CSV (one row per item, exact amounts) and as PDF (fpdf2, core fonts)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import fpdf

from salesdev.domains.settlement.statements import Statement

CSV_COLUMNS = (
    "statement",
    "period",
    "payee_code",
    "payee_name",
    "section",
    "component",
    "family",
    "basis",
    "measure",
    "quota",
    "attainment",
    "tier",
    "rate",
    "amount",
    "currency",
    "note",
)


def _fmt(value: Decimal | int | None, places: int | None = None) -> str:
    if value is None:
        return ""
    if places is not None and isinstance(value, Decimal):
        return str(value.quantize(Decimal(1).scaleb(-places)))
    return str(value)


def _attainment(value: Decimal | None) -> str:
    return "" if value is None else _fmt(value * 100, 2) + "%"


def statement_rows(statement: Statement) -> list[list[str]]:
    s = statement
    head = [s.id, s.period, s.payee.code, s.payee.name]
    rows: list[list[str]] = []
    for line in s.lines:
        note = ", ".join(
            flag
            for flag, on in (
                ("gated", line.gated),
                ("capped", line.capped),
                ("floored", line.floored),
            )
            if on
        )
        rows.append(
            [
                *head,
                "earning",
                line.component_id,
                line.product_family or "",
                line.basis,
                _fmt(line.measure),
                _fmt(line.quota),
                _attainment(line.attainment),
                _fmt(line.tier),
                _fmt(line.rate),
                _fmt(line.amount),
                line.currency,
                note,
            ]
        )
    for adjustment in s.adjustments:
        rows.append(
            [
                *head,
                "adjustment" if adjustment.status == "approved" else "adjustment_pending",
                adjustment.component_id or "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                _fmt(adjustment.amount),
                adjustment.currency,
                adjustment.reason,
            ]
        )
    for draw in s.draws:
        rows.append(
            [
                *head,
                draw.kind,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                _fmt(draw.amount),
                s.currency,
                "posted" if draw.recorded else "next payout",
            ]
        )
    for prior in s.prior_differences:
        rows.append(
            [
                *head,
                "prior_period",
                prior.component_id or "",
                "",
                prior.kind,
                "",
                "",
                "",
                "",
                "",
                _fmt(prior.amount),
                s.currency,
                f"{prior.earning_period} " + ("paid" if prior.paid else "due"),
            ]
        )
    totals = (
        ("total_earnings", s.earnings_total),
        ("total_adjustments", s.adjustments_total),
        ("total_draws", s.draws_total),
        ("total_prior_periods", s.prior_total),
        ("total_payable", s.total_payable),
        ("paid", s.paid),
        ("held", s.held),
        ("outstanding", s.outstanding),
        ("opening_draw_balance", s.opening_draw_balance),
        ("closing_draw_balance", s.closing_draw_balance),
    )
    for name, amount in totals:
        rows.append([*head, name, "", "", "", "", "", "", "", "", _fmt(amount), s.currency, ""])
    return rows


def statement_csv(statement: Statement) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(statement_rows(statement))
    return buffer.getvalue()


def _latin(text: str) -> str:
    """Core PDF fonts are Latin-1: other characters become '?'."""
    return text.encode("latin-1", "replace").decode("latin-1")


def statement_pdf(statement: Statement, *, now: datetime) -> bytes:
    """The statement as PDF; ``now`` is its creation date (the same inputs give the same bytes)."""
    s = statement
    pdf = fpdf.FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_creation_date(now)
    pdf.set_title(f"Compensation statement {s.period}")
    pdf.set_author("salesdev")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin(f"Compensation statement {s.period}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for text in (
        f"Payee: {s.payee.name} ({s.payee.code}, {s.payee.kind.replace('_', ' ')})",
        f"Period status: {s.period_status}; ledger version: {s.ledger_version or '-'}",
        f"Opening draw balance: {s.opening_draw_balance} {s.currency}",
    ):
        pdf.cell(0, 6, _latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (40, 32, 22, 26, 24, 22, 12, 20, 30, 40)
    header = (
        "Component",
        "Family",
        "Basis",
        "Measure",
        "Quota",
        "Attain.",
        "Tier",
        "Rate",
        "Amount",
        "Trace",
    )
    pdf.set_font("Helvetica", "B", 9)
    for width, text in zip(widths, header, strict=True):
        pdf.cell(width, 6, text, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for line in s.lines:
        trace = ", ".join(
            flag
            for flag, on in (
                ("gated", line.gated),
                ("capped", line.capped),
                ("floored", line.floored),
            )
            if on
        )
        cells = (
            line.component_id,
            line.product_family or "",
            line.basis,
            _fmt(line.measure),
            _fmt(line.quota),
            _attainment(line.attainment),
            _fmt(line.tier),
            _fmt(line.rate),
            f"{line.amount} {line.currency}",
            trace or line.component_kind,
        )
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width, 6, _latin(text), border=1)
        pdf.ln()
    pdf.ln(3)
    if s.adjustments:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, "Adjustments", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for a in s.adjustments:
            text = f"{a.amount} {a.currency} ({a.status}) {a.component_id or ''}: {a.reason}"
            pdf.cell(0, 5, _latin(text[:150]), new_x="LMARGIN", new_y="NEXT")
    if s.draws:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, "Draws", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for d in s.draws:
            state = "posted" if d.recorded else "next payout"
            pdf.cell(
                0, 5, f"{d.kind}: {d.amount} {s.currency} ({state})", new_x="LMARGIN", new_y="NEXT"
            )
    if s.prior_differences:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, "Prior-period differences", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for p in s.prior_differences:
            state = "paid" if p.paid else "due"
            text = f"{p.earning_period} {p.kind} {p.component_id or ''}: {p.amount} {s.currency} ({state})"
            pdf.cell(0, 5, _latin(text), new_x="LMARGIN", new_y="NEXT")
    if s.holds:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, "Holds", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for h in s.holds:
            text = f"{h.component_id or 'all payments'}: {h.reason}"
            pdf.cell(0, 5, _latin(text[:150]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 10)
    for label, amount in (
        ("Earnings", s.earnings_total),
        ("Adjustments", s.adjustments_total),
        ("Draws", s.draws_total),
        ("Prior periods", s.prior_total),
        ("Total payable", s.total_payable),
        ("Paid", s.paid),
        ("Held", s.held),
        ("Outstanding", s.outstanding),
        ("Closing draw balance", s.closing_draw_balance),
    ):
        pdf.cell(60, 6, label)
        pdf.cell(40, 6, f"{amount} {s.currency}", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
