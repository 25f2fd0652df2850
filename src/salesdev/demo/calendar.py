"""The demo's time frame: 24 calendar months (UTC) ending with the last complete
month before ``now``, and the seasonality of selling in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from salesdev.core.periods import Period

MONTHS = 24
DAY_US = 86_400 * 1_000_000
HOUR_US = 3_600 * 1_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Relative weight of new sales by calendar month (index 0 = January): a summer
# dip, the September device launch and the fourth-quarter peak.
ACQUISITION_SEASONALITY = (0.85, 0.85, 0.95, 0.95, 1.0, 0.92, 0.8, 0.78, 1.15, 1.05, 1.25, 1.4)
# Upgrades follow device launches (September) and Christmas even more strongly.
UPGRADE_SEASONALITY = (0.8, 0.7, 0.9, 0.9, 0.9, 0.8, 0.7, 0.7, 2.2, 1.6, 1.3, 1.6)
MONTHLY_GROWTH = 1.012
DEVICE_LAUNCH_MONTH = 9


def to_us(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True)
class Window:
    periods: tuple[Period, ...]  # the MONTHS months, then as many again (bill dates past the end)

    @classmethod
    def ending_before(cls, now: datetime) -> Window:
        period = Period.containing(now)
        for _ in range(MONTHS):
            period = period.previous()
        periods = [period]
        for _ in range(2 * MONTHS):
            periods.append(periods[-1].next())
        return cls(tuple(periods))

    @property
    def first(self) -> Period:
        return self.periods[0]

    @property
    def last(self) -> Period:
        return self.periods[MONTHS - 1]

    @property
    def start_us(self) -> int:
        return to_us(self.first.start)

    @property
    def end_us(self) -> int:
        return to_us(self.periods[MONTHS].start)

    def month_starts_us(self) -> npt.NDArray[np.int64]:
        """Start of every month of the window and of the 24 months after it."""
        return np.array([to_us(p.start) for p in self.periods], dtype=np.int64)

    def calendar_months(self) -> npt.NDArray[np.int64]:
        return np.array([p.month for p in self.periods], dtype=np.int64)

    def launch_index(self) -> int:
        """Index of the last September in the window: when the new flagship devices launch."""
        return max(i for i, p in enumerate(self.periods[:MONTHS]) if p.month == DEVICE_LAUNCH_MONTH)

    def acquisition_weights(self) -> npt.NDArray[np.float64]:
        season = np.array(ACQUISITION_SEASONALITY)[self.calendar_months()[:MONTHS] - 1]
        weights = season * MONTHLY_GROWTH ** np.arange(MONTHS)
        return np.asarray(weights / weights.sum(), dtype=np.float64)

    def upgrade_log_weights(self) -> npt.NDArray[np.float64]:
        return np.asarray(
            np.log(np.array(UPGRADE_SEASONALITY)[self.calendar_months() - 1]), dtype=np.float64
        )
