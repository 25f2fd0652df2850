"""Sales events of the demo operator, generated set-based with numpy.

Every subscription line sold in the window gets a life: an order (with a handset
for some mobile lines), then either a cancellation or an activation (and a
port-in when the number came from another operator), monthly recurring charges
and their payments, perhaps a missed payment (suspension, then resumption or
involuntary churn), an upgrade, a contract renewal and a deactivation.

Lines are processed in chunks of the scale's ``lines_per_chunk`` so that memory
stays bounded whatever the scale; each chunk has its own seeded generator, so the
output depends only on the seed and the scale.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from salesdev.analytics.events import AMOUNT_TYPE, EVENT_SCHEMA, EVENT_TIME_TYPE, EVENT_TYPES
from salesdev.demo.calendar import DAY_US, HOUR_US, MONTHS, Window
from salesdev.demo.catalogue import FAMILIES, FAMILY_INDEX, OFFERINGS
from salesdev.demo.reference import (
    CABLE,
    CHANNEL_KINDS,
    CURRENCY,
    DSL,
    FIBRE,
    FWA,
    ONLINE,
    SEGMENTS,
    WHOLESALE,
    Reference,
)
from salesdev.demo.scales import DemoScale

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MINUTE_US = 60 * 1_000_000
MONTH_US = int(30.4375 * DAY_US)
NEVER = np.iinfo(np.int64).max // 2
AMOUNT_FACTOR = 10_000  # amounts are handled as integers of 1/10,000 EUR, exact like Decimal

(ORDER, ACTIVATION, PORT_IN, UPGRADE, RENEWAL, CANCELLATION, SUSPENSION, RESUMPTION, DEACTIVATION,
 RECURRING_CHARGE, PAYMENT) = range(len(EVENT_TYPES))  # fmt: skip

F_MOBILE_POSTPAID = FAMILY_INDEX["MOBILE_POSTPAID"]
F_FIBRE, F_DSL, F_FWA = FAMILY_INDEX["FIBRE"], FAMILY_INDEX["DSL"], FAMILY_INDEX["FWA"]
F_TV = FAMILY_INDEX["TV"]
F_ADDON, F_CONVERGENT = FAMILY_INDEX["ADDON"], FAMILY_INDEX["CONVERGENT"]

# What each segment buys: weight of each product family for a new line (FAMILIES order).
FAMILY_MIX = {
    "consumer": (0.32, 0.17, 0.11, 0.05, 0.04, 0.06, 0.0, 0.12, 0.13),
    "small_business": (0.46, 0.0, 0.14, 0.06, 0.05, 0.02, 0.0, 0.15, 0.12),
    "enterprise": (0.62, 0.0, 0.14, 0.02, 0.04, 0.01, 0.0, 0.14, 0.03),
    "public_sector": (0.60, 0.0, 0.18, 0.03, 0.07, 0.0, 0.0, 0.12, 0.0),
}
# Where each segment buys (CHANNEL_KINDS order); online grows over the window.
CHANNEL_MIX = {
    "consumer": (0.27, 0.13, 0.08, 0.06, 0.17, 0.12, 0.0, 0.06, 0.05),
    "small_business": (0.15, 0.10, 0.12, 0.08, 0.10, 0.15, 0.30, 0.0, 0.0),
    "enterprise": (0.0, 0.0, 0.08, 0.0, 0.02, 0.10, 0.80, 0.0, 0.0),
    "public_sector": (0.0, 0.0, 0.0, 0.0, 0.0, 0.10, 0.90, 0.0, 0.0),
}
ONLINE_GROWTH_PER_MONTH = 0.02
# Who captures upgrades and renewals (retention).
RETENTION_MIX = {
    "consumer": (0.30, 0.10, 0.0, 0.0, 0.30, 0.30, 0.0, 0.0, 0.0),
    "small_business": (0.10, 0.0, 0.0, 0.0, 0.20, 0.30, 0.40, 0.0, 0.0),
    "enterprise": (0.0, 0.0, 0.0, 0.0, 0.0, 0.30, 0.70, 0.0, 0.0),
    "public_sector": (0.0, 0.0, 0.0, 0.0, 0.0, 0.30, 0.70, 0.0, 0.0),
}
# More lines per business customer than per household.
LINES_WEIGHT_BY_SEGMENT = (1.0, 3.0, 12.0, 10.0)
DEVICE_ATTACH_RATE = (0.35, 0.25, 0.25, 0.25)
UPGRADE_DEVICE_RATE = 0.6
CANCELLATION_RATE = 0.035
RESUMPTION_RATE = 0.7
RENEWAL_RATE = 0.6
NEW_CUSTOMER_SHARE = 0.45
assert len(CHANNEL_KINDS) == 9 and all(len(mix) == len(FAMILIES) for mix in FAMILY_MIX.values())


@dataclass
class LineSkeleton:
    """What must be known about every line before any event is written: when it
    was ordered and by whom (customers' ``customer_since`` depends on it)."""

    order_time: IntArray
    customer: IntArray

    def __len__(self) -> int:
        return int(self.order_time.size)


def plan_lines(
    *, scale: DemoScale, seed: int, window: Window, reference: Reference
) -> LineSkeleton:
    rng = np.random.default_rng([seed, 2])
    starts = window.month_starts_us()
    month = rng.choice(MONTHS, size=scale.lines, p=window.acquisition_weights())
    days = (starts[month + 1] - starts[month]) // DAY_US
    # Shops and call centres sell in the daytime: 08:00 to 20:00 UTC.
    order_time = (
        starts[month]
        + np.floor(rng.random(scale.lines) * days).astype(np.int64) * DAY_US
        + 8 * HOUR_US
        + np.floor(rng.random(scale.lines) * 12 * HOUR_US).astype(np.int64)
    )
    parties = reference.parties
    buyers = np.flatnonzero(~parties.is_prospect)
    weights = np.array(LINES_WEIGHT_BY_SEGMENT)[parties.segment[buyers]]
    customer = buyers[rng.choice(buyers.size, size=scale.lines, p=weights / weights.sum())]
    order = np.argsort(order_time, kind="stable")
    return LineSkeleton(order_time=order_time[order], customer=customer[order].astype(np.int64))


def customer_since(
    *, seed: int, window: Window, reference: Reference, lines: LineSkeleton
) -> list[date | None]:
    """A customer is one since their first line, or since years before the window."""
    rng = np.random.default_rng([seed, 4])
    parties = reference.parties
    first_order = np.full(parties.customers, NEVER, dtype=np.int64)
    np.minimum.at(first_order, lines.customer, lines.order_time)
    has_line = first_order < NEVER
    before = np.where(
        has_line & (rng.random(parties.customers) < NEW_CUSTOMER_SHARE),
        0,
        rng.integers(30, 12 * 365, size=parties.customers),
    )
    anchor = np.where(has_line, first_order, window.start_us - DAY_US)
    epoch = datetime(1970, 1, 1, tzinfo=UTC).date()
    since: list[date | None] = []
    for i in range(parties.customers):
        if parties.is_prospect[i]:
            since.append(None)
        else:
            since.append(epoch + timedelta(days=int(anchor[i] // DAY_US) - int(before[i])))
    return since


class _Sampler:
    """Categorical draws for many rows at once, each row from its own group's weights."""

    def __init__(self, table: list[list[tuple[int, float]]]) -> None:
        width = max(len(choices) for choices in table)
        self.items = np.zeros((len(table), width), dtype=np.int64)
        self.cumulative = np.ones((len(table), width), dtype=np.float64)
        for g, choices in enumerate(table):
            items = [item for item, _ in choices]
            weights = np.array([weight for _, weight in choices], dtype=np.float64)
            cumulative = np.cumsum(weights) / weights.sum()
            self.items[g, : len(items)] = items
            self.items[g, len(items) :] = items[-1]
            self.cumulative[g, : len(items)] = cumulative
            self.cumulative[g, len(items) - 1 :] = 1.0

    def draw(self, rng: np.random.Generator, group: IntArray) -> IntArray:
        u = rng.random(group.size)
        column = (self.cumulative[group] < u[:, None]).sum(axis=1)
        return np.asarray(
            self.items[group, np.minimum(column, self.items.shape[1] - 1)], dtype=np.int64
        )


def _mix_table(mix: Mapping[str, tuple[float, ...]]) -> list[list[tuple[int, float]]]:
    return [[(i, w) for i, w in enumerate(mix[segment]) if w > 0] for segment in SEGMENTS]


class EventGenerator:
    def __init__(self, *, scale: DemoScale, seed: int, window: Window, reference: Reference,
                 lines: LineSkeleton) -> None:  # fmt: skip
        self.scale = scale
        self.seed = seed
        self.window = window
        self.reference = reference
        self.lines = lines
        self.starts = window.month_starts_us()
        self.end_us = window.end_us
        self._catalogue()
        self._channels()
        self._strings()

    # -- lookup tables -------------------------------------------------------------------
    def _catalogue(self) -> None:
        self.offering_family = np.array([FAMILY_INDEX[o.family] for o in OFFERINGS], dtype=np.int64)
        self.mrr = np.array([int(o.recurring * AMOUNT_FACTOR) for o in OFFERINGS], dtype=np.int64)
        self.otc = np.array([int(o.one_time * AMOUNT_FACTOR) for o in OFFERINGS], dtype=np.int64)
        self.churn = np.array([f.monthly_churn for f in FAMILIES])
        self.suspension_rate = np.array([f.suspension_rate for f in FAMILIES])
        self.upgrade_rate = np.array([f.upgrade_rate for f in FAMILIES])
        self.port_in_rate = np.array([f.port_in_rate for f in FAMILIES])
        self.needs_premise = np.array([f.needs_premise for f in FAMILIES])
        self.terms = np.array([(f.contract_months * 2)[:2] for f in FAMILIES], dtype=np.int64)
        self.family_sampler = _Sampler(_mix_table(FAMILY_MIX))

        # Offering groups: (family, consumer|business, access technology for bundles).
        technologies = ("", "fibre", "dsl", "fwa")
        groups: dict[tuple[int, int, int], list[tuple[int, float]]] = {}
        upgrade_to = np.full(len(OFFERINGS), -1, dtype=np.int64)
        for index, spec in enumerate(OFFERINGS):
            family = FAMILY_INDEX[spec.family]
            tech = technologies.index(spec.technology) if family == F_CONVERGENT else 0
            for business in (0, 1):
                if spec.segment == "any" or spec.segment == (
                    "business" if business else "consumer"
                ):
                    groups.setdefault((family, business, tech), []).append((index, spec.popularity))
        for (_, business, _), choices in groups.items():
            # An upgrade moves a line to the next dearer offering of its own list.
            for (index, _), (target, _) in itertools.pairwise(choices):
                if (OFFERINGS[index].segment == "business") == bool(business):
                    upgrade_to[index] = target
        keys = sorted(groups)
        self.offering_sampler = _Sampler([groups[key] for key in keys])
        self.upgrade_to = upgrade_to
        lut = np.zeros((len(FAMILIES), 2, len(technologies)), dtype=np.int64)
        for family in range(len(FAMILIES)):
            for business in (0, 1):
                for tech in range(len(technologies)):
                    for key in ((family, business, tech), (family, 1 - business, tech),
                                (F_MOBILE_POSTPAID, business, 0)):  # fmt: skip
                        if key in groups:
                            lut[family, business, tech] = keys.index(key)
                            break
        self.offering_group = lut

        # Devices by month: the new flagships only from their launch, then the old ones fade.
        launch = self.window.launch_index()
        device_table: list[list[tuple[int, float]]] = []
        for month in range(len(self.starts)):
            choices = []
            for index, spec in enumerate(OFFERINGS):
                if spec.family != "DEVICE" or (spec.launch_month and month < launch):
                    continue
                weight = spec.popularity
                if month >= launch and "NOVA15" in spec.code and not spec.code.endswith("REF"):
                    weight /= 3
                choices.append((index, weight))
            device_table.append(choices)
        self.device_sampler = _Sampler(device_table)

    def _channels(self) -> None:
        growth = 1 + ONLINE_GROWTH_PER_MONTH * np.arange(MONTHS)
        table: list[list[tuple[int, float]]] = []
        for segment in SEGMENTS:
            for month in range(MONTHS):
                mix = list(CHANNEL_MIX[segment])
                mix[ONLINE] *= float(growth[month])
                table.append([(kind, w) for kind, w in enumerate(mix) if w > 0])
        self.channel_sampler = _Sampler(table)
        self.retention_sampler = _Sampler(_mix_table(RETENTION_MIX))

        # Sales points by (channel kind, customer region): regional points of the
        # region and nationwide ones; any point of the kind where a region has none.
        points = self.reference.sales_points
        regions = len(self.reference.region_codes)
        order: list[int] = []
        start = np.zeros((len(CHANNEL_KINDS), regions), dtype=np.int64)
        count = np.zeros((len(CHANNEL_KINDS), regions), dtype=np.int64)
        for kind in range(len(CHANNEL_KINDS)):
            of_kind = np.flatnonzero(points.channel == kind)
            for region in range(regions):
                local = of_kind[(points.region[of_kind] == region) | (points.region[of_kind] < 0)]
                chosen = local if local.size else of_kind
                start[kind, region] = len(order)
                count[kind, region] = chosen.size
                order.extend(int(p) for p in chosen)
        self.point_order = np.array(order, dtype=np.int64)
        self.point_start = start
        self.point_count = count
        assert count.min() > 0, "every channel kind needs a sales point"

    def _strings(self) -> None:
        ref = self.reference

        def strings(values: list[object]) -> pa.Array:
            return pa.array([str(v) for v in values], type=pa.string())

        self.customer_ids = strings(list(ref.parties.customer_ids))
        self.premise_ids = strings(list(ref.parties.premise_ids))
        self.offering_ids = strings(list(ref.offerings.ids))
        self.offering_family_codes = pa.array([o.family for o in OFFERINGS], type=pa.string())
        self.channel_ids = strings(list(ref.channels.ids))
        self.outlet_ids = strings(list(ref.outlets.ids))
        self.partner_ids = strings(list(ref.partners.ids))
        self.person_ids = strings(list(ref.people.ids))
        self.region_codes = pa.array(ref.region_codes, type=pa.string())
        self.event_types = pa.array(list(EVENT_TYPES), type=pa.string())

    def _pick_points(self, rng: np.random.Generator, kind: IntArray, region: IntArray) -> IntArray:
        offset = np.floor(rng.random(kind.size) * self.point_count[kind, region]).astype(np.int64)
        return np.asarray(self.point_order[self.point_start[kind, region] + offset], dtype=np.int64)

    # -- generation ----------------------------------------------------------------------
    @property
    def chunks(self) -> int:
        return -(-len(self.lines) // self.scale.lines_per_chunk)

    def batches(self) -> Iterator[pa.Table]:
        """One table per chunk of lines, sorted by event time, event ids in that order."""
        next_event = 1
        for chunk in range(self.chunks):
            lo = chunk * self.scale.lines_per_chunk
            hi = min(lo + self.scale.lines_per_chunk, len(self.lines))
            events = self._chunk_events(chunk, lo, hi)
            table = self._to_table(events, first_event=next_event)
            next_event += table.num_rows
            yield table

    def _chunk_events(self, chunk: int, lo: int, hi: int) -> dict[str, IntArray]:
        rng = np.random.default_rng([self.seed, 3, chunk])
        parties = self.reference.parties
        n = hi - lo
        line_no = np.arange(lo, hi, dtype=np.int64)
        order_t = self.lines.order_time[lo:hi]
        customer = self.lines.customer[lo:hi]
        segment = parties.segment[customer]
        region = parties.region[customer]
        tech = parties.premise_tech[customer]  # premise i is customer i's home
        business = (segment > 0).astype(np.int64)

        # What is bought: a family for the segment, fitted to what the premise can get.
        family = self.family_sampler.draw(rng, segment)
        has_fibre, has_dsl, has_fwa = (tech & FIBRE) > 0, (tech & DSL) > 0, (tech & FWA) > 0
        best_access = np.where(
            has_fibre & ((rng.random(n) < 0.85) | ~has_dsl),
            F_FIBRE,
            np.where(has_dsl, F_DSL, F_FWA),
        )
        access = np.isin(family, (F_FIBRE, F_DSL, F_FWA)) & ~((family == F_FWA) & has_fwa)
        family = np.where(access, best_access, family)
        tv_possible = has_fibre | has_dsl | ((tech & CABLE) > 0)
        family = np.where((family == F_TV) & ~tv_possible, F_MOBILE_POSTPAID, family)
        bundle_tech = np.where(has_fibre, 1, np.where(has_dsl, 2, 3))
        tech_key = np.where(family == F_CONVERGENT, bundle_tech, 0)
        offering = self.offering_sampler.draw(rng, self.offering_group[family, business, tech_key])
        family = self.offering_family[offering]
        premise = np.where(self.needs_premise[family], customer, -1)
        quantity = np.where(
            (family == F_ADDON) & (rng.random(n) < 0.2), rng.integers(2, 4, size=n), 1
        ).astype(np.int64)
        mrr = self.mrr[offering] * quantity

        # Who sells it.
        starts = self.starts
        order_month = np.searchsorted(starts, order_t, side="right") - 1
        kind = self.channel_sampler.draw(rng, segment * MONTHS + order_month)
        point = self._pick_points(rng, kind, region)
        retention_point = self._pick_points(rng, self.retention_sampler.draw(rng, segment), region)
        retention_point = np.where(kind == WHOLESALE, point, retention_point)
        attach = rng.random(n) < np.array(DEVICE_ATTACH_RATE)[segment]
        device = np.where(
            (family == F_MOBILE_POSTPAID) & attach, self.device_sampler.draw(rng, order_month), -1
        )

        # Cancellation before activation, or activation (installation takes days for fixed access).
        cancelled = rng.random(n) < CANCELLATION_RATE
        cancel_t = order_t + 2 * HOUR_US + (rng.random(n) * 5 * DAY_US).astype(np.int64)
        delay = np.where(
            self.needs_premise[family],
            3 * DAY_US + (rng.random(n) * 18 * DAY_US).astype(np.int64),
            5 * MINUTE_US + (rng.random(n) * DAY_US).astype(np.int64),
        )
        act_t = order_t + delay
        active = ~cancelled & (act_t < self.end_us)
        ported = active & (rng.random(n) < self.port_in_rate[family])
        lifetime = rng.geometric(np.maximum(self.churn[family], 1e-6)) - 1 + rng.random(n)
        natural_end = act_t + (lifetime * MONTH_US).astype(np.int64)

        # Monthly bills on the activation's day of month (at most the 28th), 02:00 UTC.
        act_month = np.minimum(np.searchsorted(starts, act_t, side="right") - 1, MONTHS)
        bill_day = np.minimum((act_t - starts[act_month]) // DAY_US, 27)
        bill_month = np.minimum(act_month[:, None] + np.arange(1, MONTHS + 1), starts.size - 1)
        bill_t = starts[bill_month] + bill_day[:, None] * DAY_US + 2 * HOUR_US
        window_natural_end = np.minimum(natural_end, self.end_us)
        natural_bills = (active[:, None] & (bill_t < window_natural_end[:, None])).sum(axis=1)

        # One missed payment for some lines: suspended three weeks after the bill, then
        # resumed on payment, or deactivated 30 days later (involuntary churn).
        missed = (np.floor(rng.random(n) * np.maximum(natural_bills, 1))).astype(np.int64)
        suspension_t = bill_t[np.arange(n), missed] + 21 * DAY_US
        suspended = (
            active
            & (natural_bills > 0)
            & (rng.random(n) < self.suspension_rate[family])
            & (suspension_t < window_natural_end)
        )
        pays = rng.random(n) < RESUMPTION_RATE
        resumption_t = suspension_t + DAY_US + (rng.random(n) * 19 * DAY_US).astype(np.int64)
        resumed = suspended & pays & (resumption_t < window_natural_end)
        end_t = np.where(
            suspended & ~pays, np.minimum(natural_end, suspension_t + 30 * DAY_US), natural_end
        )
        window_end = np.minimum(end_t, self.end_us)
        suspended_from = np.where(suspended, suspension_t, NEVER)
        suspended_to = np.where(resumed, resumption_t, NEVER)

        # Upgrades: to the next dearer offering, in a month drawn with upgrade seasonality,
        # at least three months after activation and before any suspension.
        target = self.upgrade_to[offering]
        stop = np.minimum(window_end, suspended_from)
        months = np.arange(MONTHS)
        eligible = (months >= act_month[:, None] + 3) & (starts[months + 1] <= stop[:, None])
        score = self.window.upgrade_log_weights()[:MONTHS] + rng.gumbel(size=(n, MONTHS))
        upgrade_month = np.argmax(np.where(eligible, score, -np.inf), axis=1)
        upgraded = (
            active
            & (target >= 0)
            & eligible.any(axis=1)
            & (rng.random(n) < self.upgrade_rate[family])
        )
        month_length = starts[upgrade_month + 1] - starts[upgrade_month]
        upgrade_t = np.where(
            upgraded, starts[upgrade_month] + (rng.random(n) * month_length).astype(np.int64), NEVER
        )
        new_offering = np.where(upgraded, target, offering)
        new_mrr = self.mrr[new_offering] * quantity
        upgrade_device = np.where(
            upgraded & (family == F_MOBILE_POSTPAID) & (rng.random(n) < UPGRADE_DEVICE_RATE),
            self.device_sampler.draw(rng, upgrade_month),
            -1,
        )

        # Renewal at the end of a minimum term, if the line is still there and not upgraded.
        term = self.terms[family, rng.integers(0, 2, size=n)]
        renewal_t = act_t + term * MONTH_US - (rng.random(n) * 14 * DAY_US).astype(np.int64)
        renewed = (
            active
            & (term > 0)
            & (rng.random(n) < RENEWAL_RATE)
            & (renewal_t < stop)
            & (renewal_t < upgrade_t)
        )
        pay_delay = DAY_US + (rng.random(n) * 9 * DAY_US).astype(np.int64)

        out = _EventColumns()
        zero = np.zeros(n, dtype=np.int64)
        acquisition_order = line_no + 1
        out.add(
            ORDER,
            np.arange(n),
            order_t,
            offering,
            point,
            acquisition_order,
            self.otc[offering] * quantity,
            quantity,
        )
        sold_device = np.flatnonzero(device >= 0)
        out.add(ORDER, sold_device, order_t[sold_device], device[sold_device], point[sold_device],
                acquisition_order[sold_device], self.otc[device[sold_device]], 1)  # fmt: skip
        gone = np.flatnonzero(cancelled & (cancel_t < self.end_us))
        out.add(CANCELLATION, gone, cancel_t[gone], offering[gone], point[gone], acquisition_order[gone],
                -self.otc[offering[gone]] * quantity[gone], quantity[gone])  # fmt: skip
        gone_device = gone[device[gone] >= 0]
        out.add(CANCELLATION, gone_device, cancel_t[gone_device], device[gone_device], point[gone_device],
                acquisition_order[gone_device], -self.otc[device[gone_device]], 1)  # fmt: skip
        on = np.flatnonzero(active)
        out.add(
            ACTIVATION,
            on,
            act_t[on],
            offering[on],
            point[on],
            acquisition_order[on],
            mrr[on],
            quantity[on],
        )
        moved = np.flatnonzero(ported)
        out.add(PORT_IN, moved, act_t[moved], offering[moved], point[moved], acquisition_order[moved],
                zero[moved], quantity[moved])  # fmt: skip

        # Recurring charges and their payments (not the missed one).
        charged = (
            active[:, None]
            & (bill_t < window_end[:, None])
            & ~((bill_t >= suspended_from[:, None]) & (bill_t < suspended_to[:, None]))
        )
        line, k = np.nonzero(charged)
        charge_t = bill_t[line, k]
        after_upgrade = charge_t >= upgrade_t[line]
        charge_offering = np.where(after_upgrade, new_offering[line], offering[line])
        charge_amount = np.where(after_upgrade, new_mrr[line], mrr[line])
        no_order = np.full(line.size, -1, dtype=np.int64)
        out.add(RECURRING_CHARGE, line, charge_t, charge_offering, point[line], no_order, charge_amount,
                quantity[line])  # fmt: skip
        paid = ~(suspended[line] & (k == missed[line]))
        paid_t = charge_t + pay_delay[line]
        paid &= paid_t < self.end_us
        out.add(PAYMENT, line[paid], paid_t[paid], charge_offering[paid], point[line[paid]], no_order[paid],
                charge_amount[paid], quantity[line[paid]])  # fmt: skip
        late = np.flatnonzero(resumed)
        late_bill = bill_t[late, missed[late]]
        late_after_upgrade = late_bill >= upgrade_t[late]
        out.add(PAYMENT, late, resumption_t[late] - 30 * MINUTE_US,
                np.where(late_after_upgrade, new_offering[late], offering[late]), point[late],
                np.full(late.size, -1), np.where(late_after_upgrade, new_mrr[late], mrr[late]),
                quantity[late])  # fmt: skip

        def current(at: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
            later = at >= upgrade_t[rows]
            return np.where(later, new_offering[rows], offering[rows]), np.where(
                later, new_mrr[rows], mrr[rows]
            )

        hold = np.flatnonzero(suspended)
        hold_offering, _ = current(suspension_t[hold], hold)
        out.add(SUSPENSION, hold, suspension_t[hold], hold_offering, point[hold], np.full(hold.size, -1),
                zero[hold], quantity[hold])  # fmt: skip
        back = np.flatnonzero(resumed)
        back_offering, _ = current(resumption_t[back], back)
        out.add(RESUMPTION, back, resumption_t[back], back_offering, point[back], np.full(back.size, -1),
                zero[back], quantity[back])  # fmt: skip
        churned = np.flatnonzero(active & (end_t < self.end_us))
        churn_offering, churn_mrr = current(end_t[churned], churned)
        out.add(DEACTIVATION, churned, end_t[churned], churn_offering, point[churned],
                np.full(churned.size, -1), -churn_mrr, quantity[churned])  # fmt: skip

        lines_total = len(self.lines)
        up = np.flatnonzero(upgraded)
        out.add(UPGRADE, up, upgrade_t[up], new_offering[up], retention_point[up], lines_total + line_no[up] + 1,
                new_mrr[up] - mrr[up], quantity[up])  # fmt: skip
        up_device = up[upgrade_device[up] >= 0]
        out.add(ORDER, up_device, upgrade_t[up_device], upgrade_device[up_device], retention_point[up_device],
                lines_total + line_no[up_device] + 1, self.otc[upgrade_device[up_device]], 1)  # fmt: skip
        renew = np.flatnonzero(renewed)
        out.add(RENEWAL, renew, renewal_t[renew], offering[renew], retention_point[renew],
                2 * lines_total + line_no[renew] + 1, mrr[renew], quantity[renew])  # fmt: skip

        events = out.columns()
        local = events["line"]
        order = np.lexsort((events["type"], line_no[local], events["time"]))
        sorted_events = {name: column[order] for name, column in events.items()}
        local = sorted_events["line"]
        sorted_events["line_no"] = line_no[local]
        sorted_events["customer"] = customer[local]
        sorted_events["premise"] = premise[local]
        sorted_events["region"] = region[local]
        return sorted_events

    def _to_table(self, events: dict[str, IntArray], *, first_event: int) -> pa.Table:
        points = self.reference.sales_points
        point = events["point"]
        count = point.size
        return pa.table(
            {
                "event_id": _codes(
                    "EV", np.arange(first_event, first_event + count, dtype=np.int64)
                ),
                "event_type": self.event_types.take(events["type"]),
                "event_time": pa.array(events["time"], type=EVENT_TIME_TYPE),
                "line_id": _codes("LN", events["line_no"] + 1),
                "order_id": _nullable(_codes("OR", events["order"]), events["order"] < 0),
                "customer_id": self.customer_ids.take(events["customer"]),
                "premise_id": _take(self.premise_ids, events["premise"]),
                "product_offering_id": self.offering_ids.take(events["offering"]),
                "product_family_code": self.offering_family_codes.take(events["offering"]),
                "channel_id": self.channel_ids.take(points.channel[point]),
                "outlet_id": _take(self.outlet_ids, points.outlet[point]),
                "partner_id": _take(self.partner_ids, points.partner[point]),
                "sales_person_id": _take(self.person_ids, points.person[point]),
                "region_code": self.region_codes.take(events["region"]),
                "quantity": pa.array(events["quantity"].astype(np.int32), type=pa.int32()),
                "amount": _decimals(events["amount"]),
                "currency": pa.repeat(CURRENCY, count),
            },
            schema=EVENT_SCHEMA,
        )


class _EventColumns:
    """Events of one chunk, appended kind by kind, as parallel integer columns."""

    NAMES = ("line", "type", "time", "offering", "point", "order", "amount", "quantity")

    def __init__(self) -> None:
        self._parts: dict[str, list[IntArray]] = {name: [] for name in self.NAMES}

    def add(self, event_type: int, line: IntArray, time: IntArray, offering: IntArray, point: IntArray,
            order: IntArray, amount: IntArray, quantity: IntArray | int) -> None:  # fmt: skip
        size = line.size
        values = (line, np.full(size, event_type), time, offering, point, order, amount,
                  np.broadcast_to(quantity, (size,)))  # fmt: skip
        for name, value in zip(self.NAMES, values, strict=True):
            self._parts[name].append(np.asarray(value, dtype=np.int64))

    def columns(self) -> dict[str, IntArray]:
        return {name: np.concatenate(parts) for name, parts in self._parts.items()}


def _codes(prefix: str, numbers: IntArray) -> pa.Array:
    digits = pc.utf8_lpad(
        pc.cast(pa.array(np.maximum(numbers, 0)), pa.string()), width=8, padding="0"
    )
    return pc.binary_join_element_wise(prefix, digits, "")


def _nullable(values: pa.Array, null: BoolArray) -> pa.Array:
    return pc.if_else(pa.array(null), pa.scalar(None, type=values.type), values)


def _take(values: pa.Array, index: IntArray) -> pa.Array:
    return values.take(pa.array(np.maximum(index, 0), mask=index < 0))


def _decimals(scaled: IntArray) -> pa.Array:
    """decimal128(18, 4) from integers of 1/10,000: the 16-byte two's complement, built in bulk."""
    words = np.empty((scaled.size, 2), dtype="<i8")
    words[:, 0] = scaled
    words[:, 1] = np.where(scaled < 0, -1, 0)
    return pa.Array.from_buffers(AMOUNT_TYPE, scaled.size, [None, pa.py_buffer(words.tobytes())])
