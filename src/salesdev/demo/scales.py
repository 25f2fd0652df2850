"""How big the demo is: every size parameter of every scale, in one table."""

from __future__ import annotations

from dataclasses import dataclass

from salesdev.core.errors import ErrorDetail, InvalidInput


@dataclass(frozen=True)
class DemoScale:
    name: str
    # Relational reference data.
    customers: int  # customers and prospects together
    own_stores: int
    retail_reps_per_store: int
    call_centre_agents: int
    b2b_account_executives: int
    channel_account_reps: int
    master_agents: int
    dealers_per_master_agent: int
    sub_dealers_per_dealer: int
    franchisees: int
    wholesale_resellers: int
    marketplaces: int
    # Sales events: the subscription lines sold over the 24 months; each line
    # yields about 25 events (order, activation, monthly charges and payments...).
    lines: int
    lines_per_chunk: int


SCALES: dict[str, DemoScale] = {
    scale.name: scale
    for scale in (
        # name     customers stores reps/st agents b2b  cam  ma  d/ma sd/d franch whole mkt  lines    chunk
        DemoScale("tiny", 300, 9, 1, 6, 4, 2, 2, 2, 1, 3, 2, 1, 400, 150),
        DemoScale("small", 3_000, 30, 2, 30, 20, 8, 4, 3, 2, 12, 5, 2, 4_200, 5_000),
        DemoScale("medium", 30_000, 60, 3, 80, 60, 16, 8, 4, 2, 30, 8, 2, 47_000, 20_000),
        DemoScale("large", 200_000, 120, 4, 250, 150, 30, 12, 5, 3, 80, 12, 3, 500_000, 25_000),
    )
}


def get_scale(name: str) -> DemoScale:
    try:
        return SCALES[name]
    except KeyError:
        raise InvalidInput(
            "Unknown demo scale",
            [ErrorDetail("scale", f"expected one of {', '.join(SCALES)}, got {name!r}")],
        ) from None
