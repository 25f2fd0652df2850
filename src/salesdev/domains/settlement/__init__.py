"""Compensation settlement: statements, disputes, adjustments, draws, holds, period
approval and payout export, on top of the compensation ledger."""

from salesdev.domains.settlement.adjustments import (
    create_adjustment,
    decide_adjustment,
    get_adjustment,
    list_adjustments,
)
from salesdev.domains.settlement.disputes import (
    DisputeStatus,
    comment_dispute,
    dispute_history,
    get_dispute,
    list_disputes,
    raise_dispute,
    transition_dispute,
)
from salesdev.domains.settlement.documents import statement_csv, statement_pdf
from salesdev.domains.settlement.draws import create_draw, end_draw, get_draw, list_draws
from salesdev.domains.settlement.due import DueItem, Settlement, compute_due
from salesdev.domains.settlement.holds import get_hold, list_holds, place_hold, release_hold
from salesdev.domains.settlement.ledger import LedgerLine
from salesdev.domains.settlement.payouts import (
    ExportResult,
    Reconciliation,
    batch_lines,
    export_payout,
    get_batch,
    list_batches,
    payables_csv,
    payroll_csv,
    reconcile,
)
from salesdev.domains.settlement.periods import (
    PeriodStatus,
    get_period,
    list_periods,
    move_period,
    period_history,
    period_status,
    require_open,
)
from salesdev.domains.settlement.statements import (
    Statement,
    StatementSummary,
    get_statement,
    list_statements,
    parse_statement_id,
    statement_id,
)

__all__ = [
    "DisputeStatus",
    "DueItem",
    "ExportResult",
    "LedgerLine",
    "PeriodStatus",
    "Reconciliation",
    "Settlement",
    "Statement",
    "StatementSummary",
    "batch_lines",
    "comment_dispute",
    "compute_due",
    "create_adjustment",
    "create_draw",
    "decide_adjustment",
    "dispute_history",
    "end_draw",
    "export_payout",
    "get_adjustment",
    "get_batch",
    "get_dispute",
    "get_draw",
    "get_hold",
    "get_period",
    "get_statement",
    "list_adjustments",
    "list_batches",
    "list_disputes",
    "list_draws",
    "list_holds",
    "list_periods",
    "list_statements",
    "move_period",
    "parse_statement_id",
    "payables_csv",
    "payroll_csv",
    "period_history",
    "period_status",
    "place_hold",
    "raise_dispute",
    "reconcile",
    "release_hold",
    "require_open",
    "statement_csv",
    "statement_id",
    "statement_pdf",
    "transition_dispute",
]
