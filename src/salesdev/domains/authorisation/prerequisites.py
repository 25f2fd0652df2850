"""Prerequisites of an authorisation, recorded as data for other capabilities to enforce.

The training capability will, for example, refuse a sale by someone who lacks the
certification an authorisation names; here they are only validated and kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from salesdev.core.errors import ErrorDetail, InvalidInput

PREREQUISITE_TYPES = ("certification", "course", "agreement")
_KEYS = ("type", "code", "description")
_CODE_LENGTH = 64
_DESCRIPTION_LENGTH = 500


def parse_prerequisites(raw: Any, *, location: str = "prerequisites") -> list[dict[str, str]]:
    """``[{"type": "certification", "code": "FIBRE-101"}, ...]``, each (type, code) once."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise InvalidInput(
            "Invalid prerequisites",
            [ErrorDetail(location, "expected a list of objects with type and code")],
        )
    errors: list[ErrorDetail] = []
    clean: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(raw):
        where = f"{location}[{index}]"
        if not isinstance(item, Mapping):
            errors.append(ErrorDetail(where, "expected an object with type and code"))
            continue
        item_errors = _item_errors(item, where)
        if item_errors:
            errors += item_errors
            continue
        key = (str(item["type"]), str(item["code"]).strip())
        if key in seen:
            errors.append(ErrorDetail(where, f"{key[0]} {key[1]} is listed twice"))
            continue
        seen.add(key)
        entry = {"type": key[0], "code": key[1]}
        if item.get("description"):
            entry["description"] = str(item["description"]).strip()
        clean.append(entry)
    if errors:
        raise InvalidInput("Invalid prerequisites", errors)
    return clean


def _item_errors(item: Mapping[Any, Any], where: str) -> list[ErrorDetail]:
    errors = [
        ErrorDetail(f"{where}.{key}", f"unknown field; known: {', '.join(_KEYS)}")
        for key in item
        if key not in _KEYS
    ]
    kind = item.get("type")
    if kind not in PREREQUISITE_TYPES:
        errors.append(
            ErrorDetail(
                f"{where}.type", f"expected one of {', '.join(PREREQUISITE_TYPES)}; got {kind!r}"
            )
        )
    code = item.get("code")
    if not isinstance(code, str) or not code.strip():
        errors.append(ErrorDetail(f"{where}.code", "is required"))
    elif len(code.strip()) > _CODE_LENGTH:
        errors.append(ErrorDetail(f"{where}.code", f"at most {_CODE_LENGTH} characters"))
    description = item.get("description")
    if description is not None and (
        not isinstance(description, str) or len(description) > _DESCRIPTION_LENGTH
    ):
        errors.append(
            ErrorDetail(
                f"{where}.description", f"expected text of at most {_DESCRIPTION_LENGTH} characters"
            )
        )
    return errors
