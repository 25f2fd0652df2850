"""Checks on text from outside."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NUL_MESSAGE = "contains a NUL character"


def nul_locations(value: Any, location: str = "") -> list[str]:
    """Where ``value`` (a JSON-like structure) holds text with a NUL character.

    Such text is never meaningful input, and PostgreSQL cannot store it, so every
    interface refuses it at its edge with the location it came from.
    """
    if isinstance(value, str):
        return [location or "value"] if "\x00" in value else []
    found: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = f"{location}.{key}" if location else str(key)
            if isinstance(key, str) and "\x00" in key:
                found.append(here)
            found += nul_locations(item, here)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found += nul_locations(item, f"{location}[{index}]")
    return found
