"""Plans as JSON: ``plan_to_json`` and ``plan_from_json``, a lossless round trip.

The JSON form is what the plan store keeps and what the API and console exchange.
Money, rates and tier bounds are decimal **strings** (``"0.05"``), never JSON
numbers, so no value passes through a float; whole numbers are also accepted as
JSON integers. Dates are ``YYYY-MM-DD``, the period ``YYYY-MM``.

``plan_from_json`` checks the shape only (types, required and unknown keys) and
reports every problem with its location (``components[1].tiers[0].rate``) in one
:class:`InvalidInput`; the business rules (contiguous tiers, negative rates, known
families) are :func:`salesdev.engine.compensation.validate_plan`'s.

Shape (keys in ``[]`` are optional)::

    {"id": "retail", "version": 1, "currency": "EUR", "period": "2026-10",
     ["cap": "5000.00"],
     "components": [
       {"kind": "rate", "id": "revenue", ["product_families": ["FIBRE"]],
        ["event_types": ["order"]], ["cap": "900"],
        "rates": [{"product_family": "FIBRE", "rate": "0.05"}], ["default_rate": "0.01"]},
       {"kind": "tiered", ..., "mode": "marginal",
        "tiers": [{"lower": "0", "upper": "1", "rate": "0.02"}, {"lower": "1", "upper": null,
        "rate": "0.04"}], ["threshold": "0.5"], ["floor": "10"]},
       {"kind": "bounty", ..., "amount": "25", "chargeback_days": 30},
       {"kind": "residual", ..., "rate": "0.05", "months": 12},
       {"kind": "spiff", ..., "window_start": "2026-10-01", "window_end": "2026-10-15",
        ["amount": "10"] | ["rate": "0.02"], ["offering_ids": ["..."]]},
       {"kind": "manager_override" | "dealer_override", ...,
        ["level_rates": [{"level": 1, "rate": "0.02"}]], ["default_rate": "0.005"]}
     ]}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.periods import Period
from salesdev.engine.compensation.plan import (
    AnyComponent,
    BountyComponent,
    ComponentKind,
    DealerOverrideComponent,
    FamilyRate,
    LevelRate,
    ManagerOverrideComponent,
    OverrideComponent,
    Plan,
    RateComponent,
    ResidualComponent,
    SpiffComponent,
    Tier,
    TieredComponent,
    TierMode,
)

_DECIMAL_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
_COMMON_KEYS: Final = ("kind", "id", "product_families", "event_types", "cap")
_PLAN_KEYS: Final = ("id", "version", "currency", "period", "cap", "components")
_KIND_KEYS: Final[dict[ComponentKind, tuple[str, ...]]] = {
    ComponentKind.RATE: ("rates", "default_rate"),
    ComponentKind.TIERED: ("tiers", "mode", "threshold", "floor"),
    ComponentKind.BOUNTY: ("amount", "chargeback_days"),
    ComponentKind.RESIDUAL: ("rate", "months"),
    ComponentKind.SPIFF: ("window_start", "window_end", "amount", "rate", "offering_ids"),
    ComponentKind.MANAGER_OVERRIDE: ("level_rates", "default_rate"),
    ComponentKind.DEALER_OVERRIDE: ("level_rates", "default_rate"),
}


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready values (decimals as strings); ``plan_from_json`` reads it back."""
    data: dict[str, Any] = {
        "id": plan.id,
        "version": plan.version,
        "currency": plan.currency,
        "period": str(plan.period),
    }
    if plan.cap is not None:
        data["cap"] = _dec(plan.cap)
    data["components"] = [_component_to_json(c) for c in plan.components]
    return data


def _dec(value: Decimal) -> str:
    return format(value, "f")


def _opt(value: Decimal | None) -> str | None:
    return None if value is None else _dec(value)


def _component_to_json(component: AnyComponent) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": component.kind.value, "id": component.id}
    if component.product_families:
        data["product_families"] = list(component.product_families)
    if component.event_types:
        data["event_types"] = list(component.event_types)
    if component.cap is not None:
        data["cap"] = _dec(component.cap)
    if isinstance(component, RateComponent):
        data["rates"] = [
            {"product_family": r.product_family, "rate": _dec(r.rate)} for r in component.rates
        ]
        if component.default_rate is not None:
            data["default_rate"] = _dec(component.default_rate)
    elif isinstance(component, TieredComponent):
        data["mode"] = component.mode.value
        data["tiers"] = [
            {"lower": _dec(t.lower), "upper": _opt(t.upper), "rate": _dec(t.rate)}
            for t in component.tiers
        ]
        for name in ("threshold", "floor"):
            value = getattr(component, name)
            if value is not None:
                data[name] = _dec(value)
    elif isinstance(component, BountyComponent):
        data["amount"] = _dec(component.amount)
        data["chargeback_days"] = component.chargeback_days
    elif isinstance(component, ResidualComponent):
        data["rate"] = _dec(component.rate)
        data["months"] = component.months
    elif isinstance(component, SpiffComponent):
        data["window_start"] = component.window_start.isoformat()
        data["window_end"] = component.window_end.isoformat()
        if component.amount is not None:
            data["amount"] = _dec(component.amount)
        if component.rate is not None:
            data["rate"] = _dec(component.rate)
        if component.offering_ids:
            data["offering_ids"] = list(component.offering_ids)
    else:
        data["level_rates"] = [
            {"level": r.level, "rate": _dec(r.rate)} for r in component.level_rates
        ]
        if component.default_rate is not None:
            data["default_rate"] = _dec(component.default_rate)
    return data


def plan_from_json(data: object) -> Plan:
    """A :class:`Plan` from its JSON form; :class:`InvalidInput` lists every shape problem."""
    reader = _Reader()
    plan = reader.plan(data)
    if reader.problems or plan is None:
        raise InvalidInput("Invalid compensation plan document", reader.problems)
    return plan


class _Reader:
    """Reads values at locations, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[ErrorDetail] = []

    def fail(self, location: str, message: str) -> None:
        self.problems.append(ErrorDetail(location, message))

    # -- shapes ---------------------------------------------------------------
    def obj(self, value: object, at: str, allowed: tuple[str, ...]) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.fail(at or "plan", f"expected an object, got {_type(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.fail(
                    _join(at, str(key)),
                    "unknown field; expected one of " + ", ".join(sorted(allowed)),
                )
        return value

    def required(self, data: Mapping[str, Any], key: str, at: str) -> object:
        if key not in data or data[key] is None:
            self.fail(_join(at, key), "is required")
            return None
        return data[key]

    def text(self, data: Mapping[str, Any], key: str, at: str) -> str | None:
        value = self.required(data, key, at)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(_join(at, key), f"expected a string, got {_type(value)}")
            return None
        return value

    def integer(self, data: Mapping[str, Any], key: str, at: str) -> int | None:
        value = self.required(data, key, at)
        if value is None:
            return None
        return self.int_value(value, _join(at, key))

    def int_value(self, value: object, at: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(at, f"expected a whole number, got {_type(value)}")
            return None
        return value

    def decimal(self, data: Mapping[str, Any], key: str, at: str) -> Decimal | None:
        value = self.required(data, key, at)
        return None if value is None else self.decimal_value(value, _join(at, key))

    def optional_decimal(self, data: Mapping[str, Any], key: str, at: str) -> Decimal | None:
        value = data.get(key)
        return None if value is None else self.decimal_value(value, _join(at, key))

    def decimal_value(self, value: object, at: str) -> Decimal | None:
        if isinstance(value, bool | float):
            self.fail(at, f'expected a decimal string such as "0.05", got {_type(value)}')
            return None
        if isinstance(value, int):
            return Decimal(value)
        if not isinstance(value, str) or not _DECIMAL_TEXT.match(value.strip()):
            self.fail(at, f'expected a decimal string such as "0.05", got {value!r}')
            return None
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid text
            self.fail(at, f"not a decimal: {value!r}")
            return None

    def texts(self, data: Mapping[str, Any], key: str, at: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        where = _join(at, key)
        if not isinstance(value, list):
            self.fail(where, f"expected a list of strings, got {_type(value)}")
            return ()
        out: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            else:
                self.fail(f"{where}[{i}]", f"expected a string, got {_type(item)}")
        return tuple(out)

    def items(
        self,
        data: Mapping[str, Any],
        key: str,
        at: str,
        read: Callable[[object, str], Any],
        *,
        required: bool = False,
    ) -> tuple[Any, ...]:
        value = data.get(key)
        where = _join(at, key)
        if value is None:
            if required:
                self.fail(where, "is required")
            return ()
        if not isinstance(value, list):
            self.fail(where, f"expected a list, got {_type(value)}")
            return ()
        read_items = [read(item, f"{where}[{i}]") for i, item in enumerate(value)]
        return tuple(item for item in read_items if item is not None)

    def day(self, data: Mapping[str, Any], key: str, at: str) -> date | None:
        value = self.text(data, key, at)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(_join(at, key), f"expected a date YYYY-MM-DD, got {value!r}")
            return None

    # -- the plan -------------------------------------------------------------
    def plan(self, value: object) -> Plan | None:
        data = self.obj(value, "", _PLAN_KEYS)
        if data is None:
            return None
        plan_id = self.text(data, "id", "")
        version = self.integer(data, "version", "")
        currency = self.text(data, "currency", "")
        period_text = self.text(data, "period", "")
        period = None
        if period_text is not None:
            try:
                period = Period.parse(period_text)
            except InvalidInput as error:
                self.problems.extend(error.details)
        cap = self.optional_decimal(data, "cap", "")
        components = self.items(data, "components", "", self.component, required=True)
        if self.problems:
            return None
        assert plan_id is not None and version is not None and currency is not None
        assert period is not None
        return Plan(
            id=plan_id,
            version=version,
            currency=currency,
            period=period,
            components=components,
            cap=cap,
        )

    def component(self, value: object, at: str) -> AnyComponent | None:
        if not isinstance(value, Mapping):
            self.fail(at, f"expected an object, got {_type(value)}")
            return None
        kind_text = value.get("kind")
        try:
            kind = ComponentKind(str(kind_text))
        except ValueError:
            self.fail(
                f"{at}.kind",
                f"unknown component kind {kind_text!r}; expected one of "
                + ", ".join(k.value for k in ComponentKind),
            )
            return None
        data = self.obj(value, at, _COMMON_KEYS + _KIND_KEYS[kind])
        if data is None:
            return None
        before = len(self.problems)
        common: dict[str, Any] = {
            "id": self.text(data, "id", at),
            "product_families": self.texts(data, "product_families", at),
            "event_types": self.texts(data, "event_types", at),
            "cap": self.optional_decimal(data, "cap", at),
        }
        component = _KIND_READERS[kind](self, data, at, common)
        return component if len(self.problems) == before else None

    def family_rate(self, value: object, at: str) -> FamilyRate | None:
        data = self.obj(value, at, ("product_family", "rate"))
        if data is None:
            return None
        family, rate = self.text(data, "product_family", at), self.decimal(data, "rate", at)
        return None if family is None or rate is None else FamilyRate(family, rate)

    def tier(self, value: object, at: str) -> Tier | None:
        data = self.obj(value, at, ("lower", "upper", "rate"))
        if data is None:
            return None
        lower, rate = self.decimal(data, "lower", at), self.decimal(data, "rate", at)
        upper = self.optional_decimal(data, "upper", at)
        return None if lower is None or rate is None else Tier(lower, upper, rate)

    def level_rate(self, value: object, at: str) -> LevelRate | None:
        data = self.obj(value, at, ("level", "rate"))
        if data is None:
            return None
        level, rate = self.integer(data, "level", at), self.decimal(data, "rate", at)
        return None if level is None or rate is None else LevelRate(level, rate)


def _rate(r: _Reader, data: Mapping[str, Any], at: str, common: dict[str, Any]) -> AnyComponent:
    return RateComponent(
        **common,
        rates=r.items(data, "rates", at, r.family_rate),
        default_rate=r.optional_decimal(data, "default_rate", at),
    )


def _tiered(r: _Reader, data: Mapping[str, Any], at: str, common: dict[str, Any]) -> AnyComponent:
    mode_text = r.text(data, "mode", at)
    mode = TierMode.MARGINAL
    if mode_text is not None:
        try:
            mode = TierMode(mode_text)
        except ValueError:
            r.fail(
                f"{at}.mode",
                f"unknown tier mode {mode_text!r}; expected "
                + " or ".join(m.value for m in TierMode),
            )
    return TieredComponent(
        **common,
        tiers=r.items(data, "tiers", at, r.tier, required=True),
        mode=mode,
        threshold=r.optional_decimal(data, "threshold", at),
        floor=r.optional_decimal(data, "floor", at),
    )


def _bounty(r: _Reader, data: Mapping[str, Any], at: str, common: dict[str, Any]) -> AnyComponent:
    return BountyComponent(
        **common,
        amount=r.decimal(data, "amount", at) or Decimal(0),
        chargeback_days=r.integer(data, "chargeback_days", at) or 0,
    )


def _residual(r: _Reader, data: Mapping[str, Any], at: str, common: dict[str, Any]) -> AnyComponent:
    return ResidualComponent(
        **common,
        rate=r.decimal(data, "rate", at) or Decimal(0),
        months=r.integer(data, "months", at) or 0,
    )


def _spiff(r: _Reader, data: Mapping[str, Any], at: str, common: dict[str, Any]) -> AnyComponent:
    return SpiffComponent(
        **common,
        window_start=r.day(data, "window_start", at) or date.min,
        window_end=r.day(data, "window_end", at) or date.min,
        amount=r.optional_decimal(data, "amount", at),
        rate=r.optional_decimal(data, "rate", at),
        offering_ids=r.texts(data, "offering_ids", at),
    )


def _override(kind: type[OverrideComponent]) -> _KindReader:
    def read(r: _Reader, data: Mapping[str, Any], at: str, common: dict[str, Any]) -> Any:
        return kind(
            **common,
            level_rates=r.items(data, "level_rates", at, r.level_rate),
            default_rate=r.optional_decimal(data, "default_rate", at),
        )

    return read


_KindReader = Callable[[_Reader, Mapping[str, Any], str, dict[str, Any]], AnyComponent]
_KIND_READERS: Final[dict[ComponentKind, _KindReader]] = {
    ComponentKind.RATE: _rate,
    ComponentKind.TIERED: _tiered,
    ComponentKind.BOUNTY: _bounty,
    ComponentKind.RESIDUAL: _residual,
    ComponentKind.SPIFF: _spiff,
    ComponentKind.MANAGER_OVERRIDE: _override(ManagerOverrideComponent),
    ComponentKind.DEALER_OVERRIDE: _override(DealerOverrideComponent),
}


def _join(at: str, key: str) -> str:
    return f"{at}.{key}" if at else key


def _type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
