"""A plan version's definition as JSON <-> the engine's :class:`Plan`.

The engine's own codec (``salesdev.engine.compensation.plan_from_json`` /
``plan_to_json``) is used when the engine provides it; until then this module's
minimal codec covers the four original component kinds. The stored definition holds
the components only: the plan's id, version, currency and first period come from the
plan and version rows.

Format (money and rates as decimal strings)::

    {"components": [
      {"kind": "rate", "id": "revenue", "product_families": [], "event_types": [],
       "rates": [{"product_family": "FIBRE", "rate": "0.05"}], "default_rate": "0.01"},
      {"kind": "tiered", "id": "attainment", "mode": "marginal",
       "tiers": [{"lower": "0", "upper": "1", "rate": "0.02"}, {"lower": "1", "upper": null, "rate": "0.04"}],
       "threshold": null, "cap": "500", "floor": null},
      {"kind": "bounty", "id": "activation", "amount": "25", "chargeback_days": 30},
      {"kind": "residual", "id": "residual", "rate": "0.05", "months": 12}]}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.periods import Period
from salesdev.engine import compensation as engine
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

KINDS = ("rate", "tiered", "bounty", "residual")


def _engine_codec() -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    load = getattr(engine, "plan_from_json", None)
    dump = getattr(engine, "plan_to_json", None)
    if callable(load) and callable(dump):
        return load, dump
    return None


def component_kinds() -> tuple[str, ...]:
    """Every component kind the engine supports (for the designer's forms)."""
    kind_enum = getattr(engine, "ComponentKind", None)
    if kind_enum is None:
        return KINDS
    return tuple(str(kind.value) for kind in kind_enum)


def plan_from_definition(
    definition: Mapping[str, Any], *, code: str, number: int, currency: str, period: Period
) -> Plan:
    """The engine plan of a stored definition; :class:`InvalidInput` names each bad field."""
    if not isinstance(definition, Mapping):
        raise InvalidInput(
            "Invalid plan definition", [ErrorDetail("definition", "expected a JSON object")]
        )
    codec = _engine_codec()
    if codec is not None:
        data = {
            **definition,
            "id": code,
            "version": number,
            "currency": currency,
            "period": str(period),
        }
        return cast(Plan, codec[0](data))
    problems: list[ErrorDetail] = []
    raw = definition.get("components")
    if not isinstance(raw, list):
        raise InvalidInput(
            "Invalid plan definition",
            [ErrorDetail("components", "expected a list of components")],
        )
    components: list[AnyComponent] = []
    for index, item in enumerate(raw):
        where = f"components[{index}]"
        try:
            components.append(_component(item, where))
        except InvalidInput as error:
            problems.extend(error.details)
    if problems:
        raise InvalidInput("Invalid plan definition", problems)
    return Plan(
        id=code, version=number, currency=currency, period=period, components=tuple(components)
    )


def definition_from_plan(plan: Plan) -> dict[str, Any]:
    codec = _engine_codec()
    if codec is not None:
        data = dict(codec[1](plan))
        for key in ("id", "version", "currency", "period"):
            data.pop(key, None)
        return data
    return {"components": [_dump(component) for component in plan.components]}


def _dump(component: AnyComponent) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": str(component.kind),
        "id": component.id,
        "product_families": list(component.product_families),
        "event_types": list(component.event_types),
    }
    if isinstance(component, RateComponent):
        base["rates"] = [
            {"product_family": r.product_family, "rate": str(r.rate)} for r in component.rates
        ]
        base["default_rate"] = _text(component.default_rate)
    elif isinstance(component, TieredComponent):
        base["mode"] = str(component.mode)
        base["tiers"] = [
            {"lower": str(t.lower), "upper": _text(t.upper), "rate": str(t.rate)}
            for t in component.tiers
        ]
        base["threshold"] = _text(component.threshold)
        base["cap"] = _text(component.cap)
        base["floor"] = _text(component.floor)
    elif isinstance(component, BountyComponent):
        base["amount"] = str(component.amount)
        base["chargeback_days"] = component.chargeback_days
    elif isinstance(component, ResidualComponent):
        base["rate"] = str(component.rate)
        base["months"] = component.months
    return base


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _component(item: Any, where: str) -> AnyComponent:
    if not isinstance(item, Mapping):
        raise InvalidInput("Invalid component", [ErrorDetail(where, "expected a JSON object")])
    problems: list[ErrorDetail] = []
    kind = item.get("kind")
    if kind not in KINDS:
        raise InvalidInput(
            "Invalid component",
            [ErrorDetail(f"{where}.kind", f"expected one of {', '.join(KINDS)}; got {kind!r}")],
        )
    component_id = item.get("id")
    if not isinstance(component_id, str) or not component_id.strip():
        problems.append(ErrorDetail(f"{where}.id", "required: a short text"))
        component_id = ""
    common: dict[str, Any] = {
        "id": component_id,
        "product_families": _texts(item.get("product_families"), f"{where}.product_families", problems),
        "event_types": _texts(item.get("event_types"), f"{where}.event_types", problems),
    }  # fmt: skip
    built: AnyComponent | None = None
    if kind == "rate":
        rates = []
        raw_rates = item.get("rates") or []
        if not isinstance(raw_rates, list):
            problems.append(ErrorDetail(f"{where}.rates", "expected a list"))
            raw_rates = []
        for i, rate in enumerate(raw_rates):
            at = f"{where}.rates[{i}]"
            if not isinstance(rate, Mapping) or not isinstance(rate.get("product_family"), str):
                problems.append(ErrorDetail(at, "expected {product_family, rate}"))
                continue
            value = _decimal(rate.get("rate"), f"{at}.rate", problems)
            if value is not None:
                rates.append(FamilyRate(rate["product_family"], value))
        default = _decimal(item.get("default_rate"), f"{where}.default_rate", problems, True)
        built = RateComponent(**common, rates=tuple(rates), default_rate=default)
    elif kind == "tiered":
        tiers = []
        raw_tiers = item.get("tiers")
        if not isinstance(raw_tiers, list) or not raw_tiers:
            problems.append(ErrorDetail(f"{where}.tiers", "expected a list of tiers"))
            raw_tiers = []
        for i, tier in enumerate(raw_tiers):
            at = f"{where}.tiers[{i}]"
            if not isinstance(tier, Mapping):
                problems.append(ErrorDetail(at, "expected {lower, upper, rate}"))
                continue
            lower = _decimal(tier.get("lower"), f"{at}.lower", problems)
            upper = _decimal(tier.get("upper"), f"{at}.upper", problems, True)
            rate = _decimal(tier.get("rate"), f"{at}.rate", problems)
            if lower is not None and rate is not None:
                tiers.append(Tier(lower, upper, rate))
        mode = item.get("mode")
        if mode not in [m.value for m in TierMode]:
            problems.append(ErrorDetail(f"{where}.mode", "expected marginal or retroactive"))
            mode = TierMode.MARGINAL.value
        built = TieredComponent(
            **common,
            tiers=tuple(tiers),
            mode=TierMode(mode),
            threshold=_decimal(item.get("threshold"), f"{where}.threshold", problems, True),
            cap=_decimal(item.get("cap"), f"{where}.cap", problems, True),
            floor=_decimal(item.get("floor"), f"{where}.floor", problems, True),
        )
    elif kind == "bounty":
        amount = _decimal(item.get("amount"), f"{where}.amount", problems)
        days = _integer(item.get("chargeback_days"), f"{where}.chargeback_days", problems)
        built = BountyComponent(**common, amount=amount or Decimal(0), chargeback_days=days)
    else:
        rate = _decimal(item.get("rate"), f"{where}.rate", problems)
        months = _integer(item.get("months"), f"{where}.months", problems)
        built = ResidualComponent(**common, rate=rate or Decimal(0), months=months)
    if problems:
        raise InvalidInput("Invalid component", problems)
    return built


def _texts(raw: Any, where: str, problems: list[ErrorDetail]) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        problems.append(ErrorDetail(where, "expected a list of codes"))
        return ()
    return tuple(v.strip() for v in raw if v.strip())


def _decimal(
    raw: Any, where: str, problems: list[ErrorDetail], optional: bool = False
) -> Decimal | None:
    if raw is None or raw == "":
        if not optional:
            problems.append(ErrorDetail(where, "required: a decimal number"))
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        problems.append(ErrorDetail(where, f"expected a decimal number as text, got {raw!r}"))
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        problems.append(ErrorDetail(where, f"not a decimal number: {raw!r}"))
        return None
    if not value.is_finite():
        problems.append(ErrorDetail(where, f"not a finite number: {raw!r}"))
        return None
    return value


def _integer(raw: Any, where: str, problems: list[ErrorDetail]) -> int:
    if isinstance(raw, bool):
        problems.append(ErrorDetail(where, "expected a whole number"))
        return 0
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw.strip())
    problems.append(ErrorDetail(where, f"expected a whole number, got {raw!r}"))
    return 0
