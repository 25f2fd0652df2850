"""Business-rule checks of a plan, every problem reported with where it is.

All problems are collected before raising, so a plan designer sees the whole
list at once (``components[1].tiers[2].lower: ...``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.money import AMOUNT_SCALE, parse_currency
from salesdev.engine.compensation.plan import (
    RATE_SCALE,
    SALES_EVENT_TYPES,
    AnyComponent,
    BountyComponent,
    OverrideComponent,
    Plan,
    RateComponent,
    ResidualComponent,
    SpiffComponent,
    TieredComponent,
)

BOUNTY_EVENT_CHOICES = ("activation", "port_in")
MAX_RESIDUAL_MONTHS = 120
MAX_CHARGEBACK_DAYS = 3650
# The deepest roll-up a hierarchy may have (levels above the direct payee).
MAX_ROLLUP_LEVELS = 16
# What the SQL types hold exactly: rates DECIMAL(10,6), money DECIMAL(18,4).
RATE_LIMIT = Decimal(10) ** (10 - RATE_SCALE)
AMOUNT_LIMIT = Decimal(10) ** (18 - AMOUNT_SCALE)


def validate_plan(plan: Plan, *, product_families: Collection[str]) -> Plan:
    """Return ``plan`` when it is sound; raise :class:`InvalidInput` listing every problem.

    ``product_families`` are the family codes of the catalogue: a filter or rate
    naming any other family is refused.
    """
    problems: list[ErrorDetail] = []
    _check_header(plan, problems)
    seen: dict[str, int] = {}
    for index, component in enumerate(plan.components):
        where = f"components[{index}]"
        if component.id in seen:
            problems.append(
                ErrorDetail(
                    f"{where}.id",
                    f"{component.id!r} is already the id of components[{seen[component.id]}]",
                )
            )
        else:
            seen[component.id] = index
        _check_component(component, where, set(product_families), problems)
    if problems:
        raise InvalidInput(f"Invalid compensation plan {plan.id!r}", problems)
    return plan


def _check_header(plan: Plan, problems: list[ErrorDetail]) -> None:
    if not plan.id.strip():
        problems.append(ErrorDetail("id", "must not be empty"))
    if plan.version < 1:
        problems.append(ErrorDetail("version", f"must be at least 1, got {plan.version}"))
    try:
        parse_currency(plan.currency)
    except InvalidInput as error:
        problems.extend(error.details)
    if not plan.components:
        problems.append(ErrorDetail("components", "a plan needs at least one component"))
    if plan.cap is not None:
        _money(plan.cap, "cap", problems)


def _check_component(
    component: AnyComponent, where: str, families: set[str], problems: list[ErrorDetail]
) -> None:
    if not component.id.strip():
        problems.append(ErrorDetail(f"{where}.id", "must not be empty"))
    elif component.id.startswith("("):
        problems.append(
            ErrorDetail(f"{where}.id", "must not start with '(' (reserved for plan-level lines)")
        )
    if component.cap is not None and not isinstance(component, TieredComponent):
        _money(component.cap, f"{where}.cap", problems)
    for i, family in enumerate(component.product_families):
        _family(family, f"{where}.product_families[{i}]", families, problems)
    for i, event_type in enumerate(component.event_types):
        if event_type not in SALES_EVENT_TYPES:
            problems.append(
                ErrorDetail(
                    f"{where}.event_types[{i}]",
                    f"unknown event type {event_type!r}; expected one of "
                    + ", ".join(SALES_EVENT_TYPES),
                )
            )
    if isinstance(component, RateComponent):
        _check_rate(component, where, families, problems)
    elif isinstance(component, TieredComponent):
        _check_tiered(component, where, problems)
    elif isinstance(component, BountyComponent):
        _check_bounty(component, where, problems)
    elif isinstance(component, ResidualComponent):
        _check_residual(component, where, problems)
    elif isinstance(component, SpiffComponent):
        _check_spiff(component, where, problems)
    else:
        _check_override(component, where, problems)


def _check_spiff(component: SpiffComponent, where: str, problems: list[ErrorDetail]) -> None:
    start, end = component.window_start, component.window_end
    for name, value in (("window_start", start), ("window_end", end)):
        if not isinstance(value, date) or value == date.min:
            problems.append(ErrorDetail(f"{where}.{name}", f"must be a date, got {value!r}"))
    known = isinstance(start, date) and isinstance(end, date) and date.min not in (start, end)
    if known and end <= start:
        problems.append(
            ErrorDetail(
                f"{where}.window_end",
                f"{end} must be after window_start {start} (the window is [start, end))",
            )
        )
    if (component.amount is None) == (component.rate is None):
        problems.append(
            ErrorDetail(
                f"{where}.amount",
                "give exactly one of amount (per unit) and rate (of credited revenue)",
            )
        )
    if component.amount is not None:
        _money(component.amount, f"{where}.amount", problems)
    if component.rate is not None:
        _rate(component.rate, f"{where}.rate", problems)
    seen: set[str] = set()
    for i, offering in enumerate(component.offering_ids):
        if not isinstance(offering, str) or not offering.strip():
            problems.append(ErrorDetail(f"{where}.offering_ids[{i}]", "must not be empty"))
        elif offering in seen:
            problems.append(
                ErrorDetail(f"{where}.offering_ids[{i}]", f"{offering!r} is listed twice")
            )
        seen.add(offering)


def _check_override(component: OverrideComponent, where: str, problems: list[ErrorDetail]) -> None:
    if not component.level_rates and component.default_rate is None:
        problems.append(
            ErrorDetail(f"{where}.level_rates", "give a rate per level or a default rate")
        )
    seen: dict[int, int] = {}
    for i, level_rate in enumerate(component.level_rates):
        at = f"{where}.level_rates[{i}]"
        level = level_rate.level
        if not _is_int(level) or not 1 <= level <= MAX_ROLLUP_LEVELS:
            problems.append(
                ErrorDetail(
                    f"{at}.level",
                    f"must be a whole number from 1 to {MAX_ROLLUP_LEVELS}, got {level!r}",
                )
            )
        elif level in seen:
            problems.append(
                ErrorDetail(
                    f"{at}.level", f"level {level} already has a rate in level_rates[{seen[level]}]"
                )
            )
        else:
            seen[level] = i
        _rate(level_rate.rate, f"{at}.rate", problems)
    if component.default_rate is not None:
        _rate(component.default_rate, f"{where}.default_rate", problems)


def _check_rate(
    component: RateComponent, where: str, families: set[str], problems: list[ErrorDetail]
) -> None:
    if not component.rates and component.default_rate is None:
        problems.append(ErrorDetail(f"{where}.rates", "give a rate per family or a default rate"))
    listed: dict[str, int] = {}
    for i, family_rate in enumerate(component.rates):
        at = f"{where}.rates[{i}]"
        _family(family_rate.product_family, f"{at}.product_family", families, problems)
        if family_rate.product_family in listed:
            problems.append(
                ErrorDetail(
                    f"{at}.product_family",
                    f"{family_rate.product_family!r} already has a rate in "
                    f"{where}.rates[{listed[family_rate.product_family]}]",
                )
            )
        listed.setdefault(family_rate.product_family, i)
        if component.product_families and family_rate.product_family not in set(
            component.product_families
        ):
            problems.append(
                ErrorDetail(
                    f"{at}.product_family",
                    f"{family_rate.product_family!r} is outside the component's "
                    "product_families filter, so this rate would never apply",
                )
            )
        _rate(family_rate.rate, f"{at}.rate", problems)
    if component.default_rate is not None:
        _rate(component.default_rate, f"{where}.default_rate", problems)


def _check_tiered(component: TieredComponent, where: str, problems: list[ErrorDetail]) -> None:
    tiers = component.tiers
    if not tiers:
        problems.append(ErrorDetail(f"{where}.tiers", "a tiered component needs tiers"))
    for i, tier in enumerate(tiers):
        at = f"{where}.tiers[{i}]"
        _rate(tier.rate, f"{at}.rate", problems)
        _fraction(tier.lower, f"{at}.lower", problems)
        if tier.upper is not None:
            _fraction(tier.upper, f"{at}.upper", problems)
            if _is_decimal(tier.lower) and _is_decimal(tier.upper) and tier.upper <= tier.lower:
                problems.append(
                    ErrorDetail(
                        f"{at}.upper", f"{tier.upper} must be above lower bound {tier.lower}"
                    )
                )
        if i == 0 and _is_decimal(tier.lower) and tier.lower != 0:
            problems.append(
                ErrorDetail(f"{at}.lower", f"the first tier must start at 0, got {tier.lower}")
            )
        if i > 0:
            previous = tiers[i - 1]
            if previous.upper is None:
                problems.append(
                    ErrorDetail(
                        f"{where}.tiers[{i - 1}].upper",
                        "only the last tier may be open-ended; "
                        f"it overlaps tiers[{i}] starting at {tier.lower}",
                    )
                )
            elif _is_decimal(tier.lower) and _is_decimal(previous.upper):
                if tier.lower < previous.upper:
                    problems.append(
                        ErrorDetail(
                            f"{at}.lower",
                            f"{tier.lower} overlaps tiers[{i - 1}] which runs to {previous.upper}",
                        )
                    )
                elif tier.lower > previous.upper:
                    problems.append(
                        ErrorDetail(
                            f"{at}.lower",
                            f"gap: tiers[{i - 1}] ends at {previous.upper} "
                            f"but this tier starts at {tier.lower}",
                        )
                    )
    if tiers and tiers[-1].upper is not None:
        problems.append(
            ErrorDetail(
                f"{where}.tiers[{len(tiers) - 1}].upper",
                "the last tier must be open-ended (upper None); limit the amount with cap",
            )
        )
    if component.threshold is not None:
        _fraction(component.threshold, f"{where}.threshold", problems)
    for name in ("cap", "floor"):
        value = getattr(component, name)
        if value is not None:
            _money(value, f"{where}.{name}", problems)
    cap, floor = component.cap, component.floor
    if isinstance(cap, Decimal) and isinstance(floor, Decimal) and _is_decimal(cap) and cap < floor:
        problems.append(ErrorDetail(f"{where}.cap", f"cap {cap} is below floor {floor}"))


def _check_bounty(component: BountyComponent, where: str, problems: list[ErrorDetail]) -> None:
    _money(component.amount, f"{where}.amount", problems)
    for i, event_type in enumerate(component.event_types):
        if event_type in SALES_EVENT_TYPES and event_type not in BOUNTY_EVENT_CHOICES:
            problems.append(
                ErrorDetail(
                    f"{where}.event_types[{i}]",
                    f"a bounty is paid on {' or '.join(BOUNTY_EVENT_CHOICES)}, not {event_type!r}",
                )
            )
    if not _is_int(component.chargeback_days) or not (
        0 <= component.chargeback_days <= MAX_CHARGEBACK_DAYS
    ):
        problems.append(
            ErrorDetail(
                f"{where}.chargeback_days",
                f"must be a whole number of days from 0 to {MAX_CHARGEBACK_DAYS}, "
                f"got {component.chargeback_days!r}",
            )
        )


def _check_residual(component: ResidualComponent, where: str, problems: list[ErrorDetail]) -> None:
    _rate(component.rate, f"{where}.rate", problems)
    for i, event_type in enumerate(component.event_types):
        if event_type in SALES_EVENT_TYPES and event_type != "recurring_charge":
            problems.append(
                ErrorDetail(
                    f"{where}.event_types[{i}]",
                    f"a residual is paid on recurring_charge only, not {event_type!r}",
                )
            )
    if not _is_int(component.months) or not (1 <= component.months <= MAX_RESIDUAL_MONTHS):
        problems.append(
            ErrorDetail(
                f"{where}.months",
                f"must be a whole number of months from 1 to {MAX_RESIDUAL_MONTHS}, "
                f"got {component.months!r}",
            )
        )


def _family(family: str, location: str, families: set[str], problems: list[ErrorDetail]) -> None:
    if family not in families:
        problems.append(
            ErrorDetail(
                location,
                f"unknown product family {family!r}; known: " + ", ".join(sorted(families)),
            )
        )


def _rate(value: object, location: str, problems: list[ErrorDetail]) -> None:
    _decimal(value, location, RATE_SCALE, RATE_LIMIT, problems, what="rate")


def _fraction(value: object, location: str, problems: list[ErrorDetail]) -> None:
    _decimal(value, location, RATE_SCALE, RATE_LIMIT, problems, what="attainment")


def _money(value: object, location: str, problems: list[ErrorDetail]) -> None:
    _decimal(value, location, AMOUNT_SCALE, AMOUNT_LIMIT, problems, what="amount")


def _decimal(
    value: object,
    location: str,
    scale: int,
    limit: Decimal,
    problems: list[ErrorDetail],
    *,
    what: str,
) -> None:
    if not _is_decimal(value):
        problems.append(
            ErrorDetail(location, f"the {what} must be a finite Decimal, got {value!r}")
        )
        return
    assert isinstance(value, Decimal)
    if value < 0:
        problems.append(ErrorDetail(location, f"the {what} must not be negative, got {value}"))
    if value != value.quantize(Decimal(1).scaleb(-scale)):
        problems.append(
            ErrorDetail(location, f"at most {scale} decimal places are kept, got {value}")
        )
    elif value >= limit:
        problems.append(ErrorDetail(location, f"the {what} must be below {limit}, got {value}"))


def _is_decimal(value: object) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
