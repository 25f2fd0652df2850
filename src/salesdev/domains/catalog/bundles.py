"""Bundle structure: option limits and the graph walk that keeps bundles acyclic."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail
from salesdev.db.models import ProductOfferingBundleItem


@dataclass(frozen=True)
class BundledOfferingInput:
    """A component of a bundle with its bundledProductOfferingOption (all default to 1)."""

    offering_id: uuid.UUID
    number_default: int | None = None
    number_lower_limit: int | None = None
    number_upper_limit: int | None = None

    def limits(self) -> tuple[int, int, int]:
        """(lower, default, upper), missing values taken as 1."""
        return (
            1 if self.number_lower_limit is None else self.number_lower_limit,
            1 if self.number_default is None else self.number_default,
            1 if self.number_upper_limit is None else self.number_upper_limit,
        )


def option_limit_errors(index: int, item: BundledOfferingInput) -> list[ErrorDetail]:
    where = f"bundledProductOffering[{index}].bundledProductOfferingOption"
    lower, default, upper = item.limits()
    errors = []
    if lower < 0:
        errors.append(
            ErrorDetail(f"{where}.numberRelOfferLowerLimit", f"must be 0 or more; got {lower}")
        )
    if upper < 1:
        errors.append(
            ErrorDetail(f"{where}.numberRelOfferUpperLimit", f"must be 1 or more; got {upper}")
        )
    if not lower <= default <= upper:
        errors.append(
            ErrorDetail(
                where,
                f"the limits must satisfy lower <= default <= upper; got lower {lower}, "
                f"default {default}, upper {upper}",
            )
        )
    return errors


def find_cycle(
    session: Session,
    *,
    bundle_id: uuid.UUID,
    component_ids: Sequence[uuid.UUID],
    pending: Mapping[uuid.UUID, Sequence[uuid.UUID]] | None = None,
) -> dict[int, list[uuid.UUID]]:
    """For each component (by index) through which ``bundle_id`` would contain itself, the
    path from the bundle back to itself.

    A breadth-first walk down the stored bundle items, one query per level; ``pending``
    gives the components of bundles about to be written (they replace the stored ones).
    """
    overrides = dict(pending or {})
    overrides[bundle_id] = list(component_ids)
    found: dict[int, list[uuid.UUID]] = {}
    for index, start in enumerate(component_ids):
        path = _path_to(session, start=start, target=bundle_id, overrides=overrides)
        if path is not None:
            found[index] = [bundle_id, *path]
    return found


def _path_to(
    session: Session,
    *,
    start: uuid.UUID,
    target: uuid.UUID,
    overrides: Mapping[uuid.UUID, Sequence[uuid.UUID]],
) -> list[uuid.UUID] | None:
    parent: dict[uuid.UUID, uuid.UUID | None] = {start: None}
    frontier = [start]
    while frontier:
        if target in frontier:
            path = [target]
            node = parent[target]
            while node is not None:
                path.append(node)
                node = parent[node]
            return list(reversed(path))
        children = _children(session, frontier, overrides)
        next_frontier = []
        for node in frontier:
            for child in children.get(node, ()):
                if child not in parent:
                    parent[child] = node
                    next_frontier.append(child)
        frontier = next_frontier
    return None


def _children(
    session: Session,
    nodes: Sequence[uuid.UUID],
    overrides: Mapping[uuid.UUID, Sequence[uuid.UUID]],
) -> dict[uuid.UUID, list[uuid.UUID]]:
    children: dict[uuid.UUID, list[uuid.UUID]] = {
        node: list(overrides[node]) for node in nodes if node in overrides
    }
    stored = [node for node in nodes if node not in overrides]
    item = ProductOfferingBundleItem
    for start in range(0, len(stored), 500):
        rows = session.execute(
            select(item.bundle_id, item.component_id).where(
                item.bundle_id.in_(stored[start : start + 500])
            )
        )
        for bundle, component in rows:
            children.setdefault(bundle, []).append(component)
    return children
