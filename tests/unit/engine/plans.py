"""Plans for engine tests."""

from __future__ import annotations

from decimal import Decimal

from salesdev.core.periods import Period
from salesdev.engine.compensation import (
    AnyComponent,
    BountyComponent,
    FamilyRate,
    Plan,
    RateComponent,
    ResidualComponent,
    Tier,
    TieredComponent,
    TierMode,
)

FAMILIES = ("DSL", "FIBRE", "MOBILE_POSTPAID", "TV")


def d(text: str) -> Decimal:
    return Decimal(text)


def tiers(*bounds: tuple[str, str | None, str]) -> tuple[Tier, ...]:
    return tuple(Tier(d(lo), None if hi is None else d(hi), d(rate)) for lo, hi, rate in bounds)


def every_kind() -> tuple[AnyComponent, ...]:
    return (
        RateComponent(
            id="revenue",
            rates=(FamilyRate("FIBRE", d("0.05")), FamilyRate("DSL", d("0.03"))),
            default_rate=d("0.01"),
        ),
        TieredComponent(
            id="attainment",
            tiers=tiers(("0", "0.5", "0.01"), ("0.5", "1", "0.03"), ("1", None, "0.05")),
            mode=TierMode.MARGINAL,
            threshold=d("0.25"),
            cap=d("900"),
            floor=d("5"),
            product_families=("FIBRE", "DSL"),
        ),
        BountyComponent(id="activation", amount=d("25"), chargeback_days=30),
        BountyComponent(id="port-in", amount=d("10"), chargeback_days=30, event_types=("port_in",)),
        ResidualComponent(id="residual", rate=d("0.05"), months=12, product_families=("FIBRE",)),
    )


def plan(*components: AnyComponent, currency: str = "EUR") -> Plan:
    return Plan(
        id="retail-2026", version=1, currency=currency, period=Period(2026, 1),
        components=components or every_kind(),
    )  # fmt: skip
