"""The condition model: immutable, hashable, and typed once it has been parsed.

A condition is a tree of groups (:class:`AllOf`, :class:`AnyOf`, :class:`Not`)
over :class:`Comparison` leaves. Values are typed by the attribute they compare
(``str``, ``int``, ``Decimal``, ``bool``, ``date``); list values are tuples, a
``between`` value is the pair ``(low, high)`` meaning the half-open range
``[low, high)``; ``is_set`` / ``is_not_set`` carry no value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeAlias

from salesdev.engine.rules.vocabulary import Operator

Scalar: TypeAlias = str | int | Decimal | bool | date
Value: TypeAlias = Scalar | tuple[Scalar, ...] | None


@dataclass(frozen=True, slots=True)
class Comparison:
    attribute: str
    op: Operator
    value: Value = None


@dataclass(frozen=True, slots=True)
class AllOf:
    """True when every part is true; with no part, always true."""

    parts: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class AnyOf:
    """True when at least one part is true; with no part, never true."""

    parts: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class Not:
    part: Condition


Condition: TypeAlias = AllOf | AnyOf | Not | Comparison

TRUE: Condition = AllOf(())
MAX_DEPTH = 16
