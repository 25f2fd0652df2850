"""Evaluate conditions in process: compiled predicates, explanations, descriptions.

Null semantics (two-valued): a comparison on an attribute that is missing from
the context, or ``None``, is false, whatever the operator (``ne`` and
``not_in`` included); only ``is_not_set`` is true for it. ``not`` negates the
boolean result, so ``not (x eq 1)`` is true when ``x`` is missing. The SQL
compilation (:mod:`salesdev.engine.rules.sql`) gives the same answers.

:func:`compile_predicate` turns a condition into nested closures once; calling
the predicate walks no tree and parses nothing (no ``eval``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from salesdev.engine.rules.model import AllOf, AnyOf, Comparison, Condition, Not
from salesdev.engine.rules.vocabulary import OPERATOR_LABELS, SALE_VOCABULARY, Vocabulary

Context = Mapping[str, object]
Predicate = Callable[[Context], bool]


def _true(context: Context) -> bool:
    return True


def _false(context: Context) -> bool:
    return False


def compile_predicate(condition: Condition) -> Predicate:
    """A function of a context that says whether ``condition`` holds for it."""
    if isinstance(condition, Comparison):
        return _leaf(condition)
    if isinstance(condition, Not):
        inner = compile_predicate(condition.part)

        def negated(context: Context) -> bool:
            return not inner(context)

        return negated
    parts = tuple(compile_predicate(p) for p in condition.parts)
    if isinstance(condition, AllOf):
        return _all(parts)
    return _any(parts)


def _all(parts: tuple[Predicate, ...]) -> Predicate:
    if not parts:
        return _true
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts

        def both(context: Context) -> bool:
            return first(context) and second(context)

        return both

    def every(context: Context) -> bool:
        for part in parts:  # noqa: SIM110 - a loop is faster than all() of a generator
            if not part(context):
                return False
        return True

    return every


def _any(parts: tuple[Predicate, ...]) -> Predicate:
    if not parts:
        return _false
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts

        def either(context: Context) -> bool:
            return first(context) or second(context)

        return either

    def some(context: Context) -> bool:
        for part in parts:  # noqa: SIM110 - a loop is faster than any() of a generator
            if part(context):
                return True
        return False

    return some


def _leaf(c: Comparison) -> Predicate:
    name = c.attribute
    op = c.op
    value = c.value
    if op == "is_set":
        return lambda ctx: ctx.get(name) is not None
    if op == "is_not_set":
        return lambda ctx: ctx.get(name) is None
    if op in ("in", "not_in", "contains_any", "contains_all"):
        assert isinstance(value, tuple)
        values: frozenset[object] = frozenset(value)
        if op == "in":

            def is_in(ctx: Context) -> bool:
                try:
                    return ctx.get(name) in values
                except TypeError:
                    return False

            return is_in
        if op == "not_in":

            def not_in(ctx: Context) -> bool:
                x = ctx.get(name)
                try:
                    return x is not None and x not in values
                except TypeError:
                    return False

            return not_in
        if op == "contains_any":

            def contains_any(ctx: Context) -> bool:
                x = ctx.get(name)
                try:
                    return x is not None and not values.isdisjoint(x)  # type: ignore[arg-type]
                except TypeError:
                    return False

            return contains_any

        def contains_all(ctx: Context) -> bool:
            x = ctx.get(name)
            try:
                return x is not None and values.issubset(x)  # type: ignore[arg-type]
            except TypeError:
                return False

        return contains_all
    if op == "between":
        assert isinstance(value, tuple)
        low, high = value

        def between(ctx: Context) -> bool:
            x = ctx.get(name)
            try:
                return x is not None and low <= x < high  # type: ignore[operator]
            except TypeError:
                return False

        return between
    if op == "contains":

        def contains(ctx: Context) -> bool:
            x = ctx.get(name)
            try:
                return x is not None and value in x  # type: ignore[operator]
            except TypeError:
                return False

        return contains
    if op == "eq":
        return lambda ctx: ctx.get(name) == value
    if op == "ne":

        def ne(ctx: Context) -> bool:
            x = ctx.get(name)
            return x is not None and x != value

        return ne
    return _ordering(name, op, value)


def _ordering(name: str, op: str, value: object) -> Predicate:
    v: object = value
    if op == "lt":

        def lt(ctx: Context) -> bool:
            x = ctx.get(name)
            try:
                return x is not None and x < v  # type: ignore[operator]
            except TypeError:
                return False

        return lt
    if op == "le":

        def le(ctx: Context) -> bool:
            x = ctx.get(name)
            try:
                return x is not None and x <= v  # type: ignore[operator]
            except TypeError:
                return False

        return le
    if op == "gt":

        def gt(ctx: Context) -> bool:
            x = ctx.get(name)
            try:
                return x is not None and x > v  # type: ignore[operator]
            except TypeError:
                return False

        return gt
    if op == "ge":

        def ge(ctx: Context) -> bool:
            x = ctx.get(name)
            try:
                return x is not None and x >= v  # type: ignore[operator]
            except TypeError:
                return False

        return ge
    raise ValueError(f"unknown operator {op!r}")


@dataclass(frozen=True)
class Explanation:
    """Whether a condition holds for a context and, if not, the clauses that failed."""

    matched: bool
    failed: tuple[str, ...] = ()


def explain(
    condition: Condition, context: Context, *, vocabulary: Vocabulary = SALE_VOCABULARY
) -> Explanation:
    """Evaluate ``condition`` and say in words which clauses made it false."""
    matched, failed = _explain(condition, context, vocabulary)
    return Explanation(matched, () if matched else tuple(failed))


def _explain(
    condition: Condition, context: Context, vocabulary: Vocabulary
) -> tuple[bool, list[str]]:
    if isinstance(condition, Comparison):
        if _leaf(condition)(context):
            return True, []
        actual = context.get(condition.attribute)
        shown = "unknown" if actual is None else _value_text(actual)
        return False, [f"{describe(condition, vocabulary=vocabulary)} (it is {shown})"]
    if isinstance(condition, Not):
        inner, _ = _explain(condition.part, context, vocabulary)
        if inner:
            return False, [f"not ({describe(condition.part, vocabulary=vocabulary)}), but it is"]
        return True, []
    results = [_explain(p, context, vocabulary) for p in condition.parts]
    if isinstance(condition, AllOf):
        failed = [reason for ok, reasons in results if not ok for reason in reasons]
        return not failed, failed
    if any(ok for ok, _ in results):
        return True, []
    if not results:
        return False, ["never true (an empty 'any' group)"]
    if len(results) == 1:
        return False, results[0][1]
    reasons = ["; ".join(r) for _, r in results]
    return False, ["none of: " + " | ".join(reasons)]


def describe(condition: Condition, *, vocabulary: Vocabulary = SALE_VOCABULARY) -> str:
    """The condition as one English sentence (without a final full stop)."""
    if isinstance(condition, Comparison):
        attribute = vocabulary.get(condition.attribute)
        label = attribute.label if attribute is not None else condition.attribute
        label = label[:1].lower() + label[1:] if label[1:2].islower() else label
        words = f"{label} {OPERATOR_LABELS[condition.op]}"
        value = condition.value
        if condition.op == "between":
            assert isinstance(value, tuple)
            return f"{label} is from {_value_text(value[0])} up to (not including) " + _value_text(
                value[1]
            )
        if value is None:
            return words
        return f"{words} {_value_text(value)}"
    if isinstance(condition, Not):
        return f"not ({describe(condition.part, vocabulary=vocabulary)})"
    if not condition.parts:
        return "always" if isinstance(condition, AllOf) else "never"
    joiner = " and " if isinstance(condition, AllOf) else " or "
    texts = []
    for part in condition.parts:
        text = describe(part, vocabulary=vocabulary)
        if isinstance(part, AllOf | AnyOf) and len(part.parts) > 1:
            text = f"({text})"
        texts.append(text)
    return joiner.join(texts)


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, tuple):
        return ", ".join(_value_text(v) for v in value)
    if isinstance(value, frozenset | set):
        # Shown to agents and channel managers: a plain list, "none" for an empty set.
        return ", ".join(sorted(_value_text(v) for v in value)) if value else "none"
    return str(value)


__all__ = ["Context", "Explanation", "Predicate", "compile_predicate", "describe", "explain"]
