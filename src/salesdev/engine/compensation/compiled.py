"""A compiled plan: named stages, each a query materialised into a table, in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlglot import exp

from salesdev.core.periods import Period
from salesdev.engine.compensation.plan import Plan
from salesdev.engine.compensation.sql import SOURCE_DIALECT, render

# Relations the caller provides before running the stages.
EVENTS_INPUT: Final[str] = "events"  # the columns of the sales-event store (EVENT_SCHEMA)
QUOTA_INPUT: Final[str] = "quota_input"  # payee_id VARCHAR, quota DECIMAL(18,4)
# Optional inputs, read when the compile options ask for them:
# order_id VARCHAR, payee_id VARCHAR (a sales person), share DECIMAL(18,4), policy VARCHAR
SPLIT_INPUT: Final[str] = "split_input"
# payee_id VARCHAR, parent_id VARCHAR, relation VARCHAR ('manager' | 'partner'),
# from_us BIGINT, to_us BIGINT: the edge holds for event instants in [from_us, to_us)
HIERARCHY_INPUT: Final[str] = "hierarchy_input"
PAYEE_INPUT: Final[str] = "payee_input"  # payee_id VARCHAR: only these payees get lines


@dataclass(frozen=True)
class CreditOptions:
    """What the credit stage reads besides the events.

    ``splits``: split credit from ``split_input``; ``rollup_levels``: how many levels
    of ``hierarchy_input`` to roll credit up (0: none); ``payees``: keep only the
    lines of the payees in ``payee_input``.
    """

    splits: bool = False
    rollup_levels: int = 0
    payees: bool = False


LOAD_STEP: Final[str] = "load"


@dataclass(frozen=True)
class Stage:
    """``table`` is created from ``query``; ``step`` is load, credit, measure, incentive or
    payment. A ``transient`` table is read only by later load stages: a runner drops it
    once the load is done. A ``view`` stage is not materialised: its readers inline
    it (for a cheap projection that would cost more to write than to read again)."""

    step: str
    table: str
    query: exp.Expr
    transient: bool = False
    view: bool = False

    def statement(self) -> exp.Expr:
        return exp.Create(
            this=exp.to_table(self.table),
            kind="VIEW" if self.view else "TABLE",
            expression=self.query.copy(),
        )

    def sql(self, dialect: str = SOURCE_DIALECT) -> str:
        return render(self.statement(), dialect)


@dataclass(frozen=True)
class Check:
    """A query over the stage tables whose rows, if any, are input problems."""

    name: str
    query: exp.Expr

    def sql(self, dialect: str = SOURCE_DIALECT) -> str:
        return render(self.query, dialect)


@dataclass(frozen=True)
class CompiledPlan:
    plan: Plan
    period: Period
    stages: tuple[Stage, ...]
    checks: tuple[Check, ...]
    result: exp.Expr  # the payment lines, in their one deterministic order
    lineage: exp.Expr | None  # every credited event behind each line, when asked for
    # What the stages read from ``events``: these types in the period, and these
    # before it (the life of lines); a loader may keep only those rows.
    period_event_types: tuple[str, ...]
    history_event_types: tuple[str, ...]
    options: CreditOptions = CreditOptions()

    @property
    def load_stages(self) -> tuple[Stage, ...]:
        """The stages that read ``events`` and the inputs into keyed native tables."""
        return tuple(stage for stage in self.stages if stage.step == LOAD_STEP)

    @property
    def compute_stages(self) -> tuple[Stage, ...]:
        """The stages that calculate, from the loaded tables only."""
        return tuple(stage for stage in self.stages if stage.step != LOAD_STEP)

    def statements(self, dialect: str = SOURCE_DIALECT) -> list[str]:
        return [stage.sql(dialect) for stage in self.stages]

    def result_sql(self, dialect: str = SOURCE_DIALECT) -> str:
        return render(self.result, dialect)

    def lineage_sql(self, dialect: str = SOURCE_DIALECT) -> str | None:
        return None if self.lineage is None else render(self.lineage, dialect)
