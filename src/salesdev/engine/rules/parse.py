"""Parse and validate the JSON form of a condition; write its canonical JSON form.

Every problem is collected with where it is (``condition.all[1].value``) before
:class:`InvalidInput` is raised, so an author sees the whole list at once.

JSON shapes::

    {"all": [<condition>, ...]}      {"any": [<condition>, ...]}      {"not": <condition>}
    {"attribute": "customer.segment", "op": "in", "value": ["consumer", "small_business"]}

Values in JSON: strings; integers as JSON integers; decimals as JSON numbers or
numeric strings ("12.50", written back as strings); booleans; dates as
``YYYY-MM-DD`` strings; ``between`` as ``[low, high]`` (the range is
``low <= x < high``); ``is_set`` / ``is_not_set`` take no value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.engine.rules.model import (
    MAX_DEPTH,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Not,
    Scalar,
    Value,
)
from salesdev.engine.rules.vocabulary import (
    OPERATORS,
    SALE_VOCABULARY,
    Attribute,
    Vocabulary,
)

_LIST_OPS = frozenset({"in", "not_in", "contains_any", "contains_all"})
_NO_VALUE_OPS = frozenset({"is_set", "is_not_set"})
_COMPARISON_KEYS = frozenset({"attribute", "op", "value"})
MAX_LIST = 1000
# Decimal values must fit DECIMAL(38, 10) when compiled to SQL.
_DECIMAL_LIMIT = Decimal(10) ** 28
_DECIMAL_PLACES = 10


def parse_condition(
    data: object, *, vocabulary: Vocabulary = SALE_VOCABULARY, location: str = "condition"
) -> Condition:
    """Validate the JSON form ``data`` and return the typed condition.

    Raises :class:`InvalidInput` with one :class:`ErrorDetail` per problem.
    """
    problems: list[ErrorDetail] = []
    condition = _parse(data, location, 1, vocabulary, problems)
    if problems or condition is None:
        raise InvalidInput("Invalid condition", problems)
    return condition


def _parse(
    data: object, where: str, depth: int, vocabulary: Vocabulary, problems: list[ErrorDetail]
) -> Condition | None:
    if depth > MAX_DEPTH:
        problems.append(
            ErrorDetail(where, f"conditions are nested more than {MAX_DEPTH} levels deep")
        )
        return None
    if not isinstance(data, Mapping):
        problems.append(
            ErrorDetail(
                where,
                f"expected an object with 'all', 'any', 'not' or 'attribute', got {_kind(data)}",
            )
        )
        return None
    groups = [key for key in ("all", "any", "not") if key in data]
    if groups:
        if len(data) != 1:
            others = sorted(str(k) for k in data if k != groups[0])
            problems.append(
                ErrorDetail(
                    where,
                    f"'{groups[0]}' must be the only key of a group, found also {', '.join(others)}",
                )
            )
            return None
        key = groups[0]
        inner = data[key]
        if key == "not":
            part = _parse(inner, f"{where}.not", depth + 1, vocabulary, problems)
            return Not(part) if part is not None else None
        if not isinstance(inner, list):
            problems.append(
                ErrorDetail(f"{where}.{key}", f"expected a list of conditions, got {_kind(inner)}")
            )
            return None
        parts = [
            _parse(item, f"{where}.{key}[{i}]", depth + 1, vocabulary, problems)
            for i, item in enumerate(inner)
        ]
        if any(p is None for p in parts):
            return None
        kept = tuple(p for p in parts if p is not None)
        return AllOf(kept) if key == "all" else AnyOf(kept)
    if "attribute" not in data:
        keys = ", ".join(sorted(str(k) for k in data)) or "none"
        problems.append(
            ErrorDetail(
                where,
                f"expected one of the keys 'all', 'any', 'not' or 'attribute', found {keys}",
            )
        )
        return None
    unknown = sorted(str(k) for k in data if k not in _COMPARISON_KEYS)
    if unknown:
        problems.append(ErrorDetail(where, f"unknown keys {', '.join(unknown)}"))
        return None
    return _comparison(data, where, vocabulary, problems)


def _comparison(
    data: Mapping[object, object],
    where: str,
    vocabulary: Vocabulary,
    problems: list[ErrorDetail],
) -> Comparison | None:
    before = len(problems)
    name = data["attribute"]
    attribute: Attribute | None = None
    if not isinstance(name, str):
        problems.append(
            ErrorDetail(f"{where}.attribute", f"expected an attribute name, got {_kind(name)}")
        )
    else:
        attribute = vocabulary.get(name)
        if attribute is None:
            close = vocabulary.suggest(name)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            problems.append(ErrorDetail(f"{where}.attribute", f"unknown attribute {name!r}{hint}"))
    op = data.get("op")
    if not isinstance(op, str) or op not in OPERATORS:
        shown = repr(op) if isinstance(op, str) else _kind(op)
        problems.append(
            ErrorDetail(
                f"{where}.op",
                f"unknown operator {shown}; expected one of {', '.join(OPERATORS)}",
            )
        )
        return None
    operator = op
    if attribute is None:
        return None
    if operator not in attribute.operators:
        problems.append(
            ErrorDetail(
                f"{where}.op",
                f"operator {operator!r} does not apply to {attribute.name} "
                f"({attribute.type}); use one of {', '.join(attribute.operators)}",
            )
        )
        return None
    vwhere = f"{where}.value"
    if operator in _NO_VALUE_OPS:
        if data.get("value") is not None:
            problems.append(ErrorDetail(vwhere, f"operator {operator!r} takes no value"))
            return None
        return Comparison(attribute.name, operator, None)
    if "value" not in data or data["value"] is None:
        problems.append(ErrorDetail(vwhere, f"operator {operator!r} needs a value"))
        return None
    raw = data["value"]
    value: Value
    if operator in _LIST_OPS:
        if not isinstance(raw, list) or not raw:
            problems.append(
                ErrorDetail(vwhere, f"operator {operator!r} needs a non-empty list of values")
            )
            return None
        if len(raw) > MAX_LIST:
            problems.append(ErrorDetail(vwhere, f"at most {MAX_LIST} values, got {len(raw)}"))
            return None
        items: list[Scalar] = []
        for i, item in enumerate(raw):
            scalar = _scalar(item, attribute, f"{vwhere}[{i}]", problems)
            if scalar is not None and scalar not in items:
                items.append(scalar)
        value = tuple(items)
    elif operator == "between":
        if not isinstance(raw, list) or len(raw) != 2:
            problems.append(
                ErrorDetail(vwhere, "operator 'between' needs a list [low, high] of two values")
            )
            return None
        low = _scalar(raw[0], attribute, f"{vwhere}[0]", problems)
        high = _scalar(raw[1], attribute, f"{vwhere}[1]", problems)
        if low is not None and high is not None:
            if not low < high:  # type: ignore[operator]
                problems.append(
                    ErrorDetail(
                        vwhere,
                        f"the range [{_show(low)}, {_show(high)}) is empty: "
                        "low must be less than high (high is excluded)",
                    )
                )
            value = (low, high)
        else:
            value = None
    else:
        value = _scalar(raw, attribute, vwhere, problems)
    if len(problems) > before:
        return None
    return Comparison(attribute.name, operator, value)


def _scalar(
    raw: object, attribute: Attribute, where: str, problems: list[ErrorDetail]
) -> Scalar | None:
    kind = attribute.type
    if kind in ("string", "string_set"):
        if not isinstance(raw, str):
            problems.append(ErrorDetail(where, f"expected a text value, got {_kind(raw)}"))
            return None
        if attribute.values is not None and raw not in attribute.values:
            problems.append(
                ErrorDetail(
                    where,
                    f"{raw!r} is not a value of {attribute.name}; "
                    f"expected one of {', '.join(attribute.values)}",
                )
            )
            return None
        if "\x00" in raw:
            problems.append(ErrorDetail(where, "must not contain NUL characters"))
            return None
        return raw
    if kind == "integer":
        if isinstance(raw, bool) or not isinstance(raw, int):
            problems.append(ErrorDetail(where, f"expected a whole number, got {_kind(raw)}"))
            return None
        if abs(raw) >= 2**63:
            problems.append(ErrorDetail(where, "is out of range"))
            return None
        return raw
    if kind == "decimal":
        return _decimal(raw, where, problems)
    if kind == "boolean":
        if not isinstance(raw, bool):
            problems.append(ErrorDetail(where, f"expected true or false, got {_kind(raw)}"))
            return None
        return raw
    # date
    if isinstance(raw, date) and not hasattr(raw, "hour"):
        return raw
    if isinstance(raw, str):
        try:
            if len(raw) == 10:
                return date.fromisoformat(raw)
        except ValueError:
            pass
    problems.append(ErrorDetail(where, f"expected a date as YYYY-MM-DD, got {_show_raw(raw)}"))
    return None


def _decimal(raw: object, where: str, problems: list[ErrorDetail]) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        problems.append(ErrorDetail(where, f"expected a number, got {_kind(raw)}"))
        return None
    try:
        value = Decimal(repr(raw) if isinstance(raw, float) else raw)
    except InvalidOperation:
        problems.append(ErrorDetail(where, f"expected a number, got {_show_raw(raw)}"))
        return None
    if not value.is_finite() or abs(value) >= _DECIMAL_LIMIT:
        problems.append(ErrorDetail(where, f"{_show_raw(raw)} is out of range"))
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > _DECIMAL_PLACES:
        problems.append(
            ErrorDetail(where, f"at most {_DECIMAL_PLACES} decimal places, got {_show_raw(raw)}")
        )
        return None
    return value


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _show_raw(value: object) -> str:
    return repr(value) if isinstance(value, str) else _kind(value)


def _show(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def condition_to_json(condition: Condition) -> dict[str, object]:
    """The canonical JSON form: ``parse_condition(condition_to_json(c)) == c``."""
    if isinstance(condition, AllOf):
        return {"all": [condition_to_json(p) for p in condition.parts]}
    if isinstance(condition, AnyOf):
        return {"any": [condition_to_json(p) for p in condition.parts]}
    if isinstance(condition, Not):
        return {"not": condition_to_json(condition.part)}
    result: dict[str, object] = {"attribute": condition.attribute, "op": condition.op}
    if condition.value is not None:
        value = condition.value
        if isinstance(value, tuple):
            result["value"] = [_json_scalar(v) for v in value]
        else:
            result["value"] = _json_scalar(value)
    return result


def _json_scalar(value: Scalar) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value
