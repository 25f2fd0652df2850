"""Identifiers derived from a seeded generator, so that a seed fixes every id."""

from __future__ import annotations

import uuid

import numpy as np


class SeededUuids:
    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng

    def one(self) -> uuid.UUID:
        return uuid.UUID(bytes=self._rng.bytes(16), version=4)

    def many(self, count: int) -> list[uuid.UUID]:
        raw = self._rng.bytes(16 * count)
        return [uuid.UUID(bytes=raw[i * 16 : (i + 1) * 16], version=4) for i in range(count)]
