"""What a calculation returns: payment lines as an Arrow table, and views of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from salesdev.core.periods import Period


@dataclass(frozen=True)
class PaymentLine:
    """One payee's earnings on one component (and family, for rate components).

    ``amount`` is exact; ``payment`` is ``amount`` rounded once, half-up, to the
    currency's minor unit. The rest explains it: the measure and its events,
    quota, tier reached, rate or unit amount, and whether the gate, cap or floor
    decided the amount.
    """

    payee_kind: str  # sales_person or partner
    payee_id: str
    component_id: str
    component_kind: str
    product_family: str | None  # rate components pay per family
    # revenue, attainment, bounty, chargeback, residual, spiff, level_<n> (overrides: the
    # credit rolled up from n levels below), cap (a component cap), plan_cap (the plan cap,
    # on the pseudo-component "(plan)" of kind "plan")
    basis: str
    measure: Decimal  # money measured, units (bounties, SPIFF units), or the total before a cap
    event_count: int
    first_event_id: str
    last_event_id: str
    quota: Decimal | None
    tier: int | None  # 1-based, the tier the attainment reached
    rate: Decimal | None
    unit_amount: Decimal | None  # bounty or SPIFF amount per unit; the cap of a cap line
    gated: bool
    capped: bool
    floored: bool
    amount: Decimal
    payment: Decimal
    currency: str

    @property
    def attainment(self) -> Decimal | None:
        """Measure / quota, for display; calculations compare against ``tier x quota``."""
        if self.quota is None:
            return None
        return self.measure / self.quota


@dataclass(frozen=True)
class CalculationResult:
    plan_id: str
    plan_version: int
    period: Period
    currency: str
    table: pa.Table  # payment lines, sorted by payee, component, family, basis
    lineage: pa.Table | None  # payee, component, family, basis, event_id, value per event
    # Wall-clock seconds per phase (compile, load, compute, fetch): not part of the result.
    seconds: dict[str, float] = field(default_factory=dict, compare=False)
    # Physical plan of each stage, by stage table, when profiled: not part of the result.
    profiles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, compare=False)
    # Per stage table (load and compute stages, in order): (wall seconds, CPU seconds of the
    # process, every thread). For measuring; not part of the result.
    stage_seconds: Mapping[str, tuple[float, float]] = field(default_factory=dict, compare=False)

    def lines(self) -> list[PaymentLine]:
        return [
            PaymentLine(
                payee_kind=row["payee_kind"],
                payee_id=row["payee_id"],
                component_id=row["component_id"],
                component_kind=row["component_kind"],
                product_family=row["product_family_code"],
                basis=row["basis"],
                measure=row["measure"],
                event_count=int(row["event_count"]),
                first_event_id=row["first_event_id"],
                last_event_id=row["last_event_id"],
                quota=row["quota"],
                tier=row["tier"],
                rate=row["rate"],
                unit_amount=row["unit_amount"],
                gated=bool(row["gated"]),
                capped=bool(row["capped"]),
                floored=bool(row["floored"]),
                amount=row["amount"],
                payment=row["payment"],
                currency=row["currency"],
            )
            for row in self.table.to_pylist()
        ]

    @property
    def total(self) -> Decimal:
        """Sum of the rounded payment lines."""
        if self.table.num_rows == 0:
            return Decimal(0)
        value = pc.sum(self.table.column("payment")).as_py()
        return Decimal(0) if value is None else Decimal(value)

    def totals_by_payee(self) -> dict[tuple[str, str], Decimal]:
        totals: dict[tuple[str, str], Decimal] = {}
        columns = self.table.select(["payee_kind", "payee_id", "payment"]).to_pydict()
        for kind, payee, payment in zip(
            columns["payee_kind"], columns["payee_id"], columns["payment"], strict=True
        ):
            totals[(kind, payee)] = totals.get((kind, payee), Decimal(0)) + payment
        return totals

    def to_ipc_bytes(self) -> bytes:
        """The payment lines as one Arrow IPC stream: same inputs, same bytes."""
        sink = pa.BufferOutputStream()
        table = self.table.combine_chunks()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        return bytes(sink.getvalue().to_pybytes())

    def write_parquet(self, path: Path) -> None:
        pq.write_table(self.table, path, compression="zstd")
