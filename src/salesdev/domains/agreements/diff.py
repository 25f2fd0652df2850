"""Field-by-field difference between two agreement snapshots, for a side-by-side view.

Nested objects are walked and named by dotted paths (``discountAllowances.FIBRE``);
lists and scalars are compared whole. A key holding ``null`` counts as absent, so
setting an end date that was open is "added", clearing it is "removed".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FieldDifference:
    path: str
    change: ChangeKind
    before: Any
    after: Any


def diff_snapshots(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldDifference]:
    """Every leaf that differs, ordered by path."""
    found: list[FieldDifference] = []
    _walk("", before, after, found)
    return sorted(found, key=lambda difference: difference.path)


def _walk(
    prefix: str, before: Mapping[str, Any], after: Mapping[str, Any], found: list[FieldDifference]
) -> None:
    for key in sorted(set(before) | set(after), key=str):
        path = f"{prefix}{key}"
        old, new = before.get(key), after.get(key)
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            _walk(f"{path}.", old, new, found)
        elif isinstance(old, Mapping) and new is None:
            _walk(f"{path}.", old, {}, found)
        elif old is None and isinstance(new, Mapping):
            _walk(f"{path}.", {}, new, found)
        elif old is None and new is not None:
            found.append(FieldDifference(path, "added", None, new))
        elif old is not None and new is None:
            found.append(FieldDifference(path, "removed", old, None))
        elif old != new:
            found.append(FieldDifference(path, "changed", old, new))
