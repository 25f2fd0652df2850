"""PATCH bodies applied to a resource's current representation.

``application/merge-patch+json`` (RFC 7386; also what ``application/json`` means here, as
in TMF630): objects merge recursively, ``null`` removes. ``application/json-patch+json``
(RFC 6902): a list of operations. Either way the result is compared with the current
representation, and only the attributes that differ are passed to the service.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from salesdev.core.errors import Conflict, ErrorDetail, InvalidInput

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
JSON = "application/json"
PATCH_MEDIA_TYPES = (JSON, MERGE_PATCH, JSON_PATCH)


def apply_patch(media_type: str, document: Mapping[str, Any], patch: Any) -> Any:
    if media_type == JSON_PATCH:
        return apply_json_patch(document, patch)
    if not isinstance(patch, Mapping):
        raise InvalidInput("Invalid patch", [ErrorDetail("body", "expected a JSON object")])
    return merge_patch(document, patch)


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            # The key stays, cleared: our representations show absent values as null.
            result[key] = None
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def apply_json_patch(document: Mapping[str, Any], operations: Any) -> Any:
    if not isinstance(operations, list):
        raise _invalid("body", "expected a JSON array of operations")
    result: Any = copy.deepcopy(dict(document))
    for index, operation in enumerate(operations):
        where = f"[{index}]"
        if not isinstance(operation, Mapping) or not isinstance(operation.get("path"), str):
            raise _invalid(where, 'expected {"op": ..., "path": "/..."}')
        op, path = operation.get("op"), _pointer(operation["path"], f"{where}.path")
        if op in ("add", "replace", "test") and "value" not in operation:
            raise _invalid(f"{where}.value", "is required")
        if op == "add":
            result = _add(result, path, copy.deepcopy(operation["value"]), where)
        elif op == "remove":
            _remove(result, path, where)
        elif op == "replace":
            _remove(result, path, where)
            result = _add(result, path, copy.deepcopy(operation["value"]), where)
        elif op in ("move", "copy"):
            source = _pointer(_from(operation, where), f"{where}.from")
            value = copy.deepcopy(_get(result, source, where))
            if op == "move":
                _remove(result, source, where)
            result = _add(result, path, value, where)
        elif op == "test":
            if _get(result, path, where) != operation["value"]:
                raise Conflict(
                    "The patch's test failed: the resource is not in the expected state",
                    [ErrorDetail(f"{where}.path", f"{operation['path']} differs")],
                )
        else:
            raise _invalid(f"{where}.op", f"unknown operation {op!r}")
    return result


def _from(operation: Mapping[str, Any], where: str) -> str:
    source = operation.get("from")
    if not isinstance(source, str):
        raise _invalid(f"{where}.from", "is required")
    return source


def _pointer(text: str, where: str) -> list[str]:
    if text == "":
        return []
    if not text.startswith("/"):
        raise _invalid(where, "a JSON pointer starts with /")
    return [p.replace("~1", "/").replace("~0", "~") for p in text[1:].split("/")]


def _parent(document: Any, path: list[str], where: str) -> Any:
    node = document
    for part in path[:-1]:
        node = _child(node, part, where)
    return node


def _child(node: Any, part: str, where: str) -> Any:
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    raise _invalid(f"{where}.path", f"no such location: {part!r}")


def _get(document: Any, path: list[str], where: str) -> Any:
    node = document
    for part in path:
        node = _child(node, part, where)
    return node


def _add(document: Any, path: list[str], value: Any, where: str) -> Any:
    if not path:
        return value
    parent, last = _parent(document, path, where), path[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list) and (
        last == "-" or (last.isdigit() and int(last) <= len(parent))
    ):
        parent.insert(len(parent) if last == "-" else int(last), value)
    else:
        raise _invalid(f"{where}.path", f"cannot add at {last!r}")
    return document


def _remove(document: Any, path: list[str], where: str) -> None:
    if not path:
        raise _invalid(f"{where}.path", "cannot remove the whole resource")
    parent, last = _parent(document, path, where), path[-1]
    _child(parent, last, where)
    if isinstance(parent, dict):
        # Removing an attribute clears it, as a merge patch's null does.
        parent[last] = None
    else:
        del parent[int(last)]


def _invalid(location: str, message: str) -> InvalidInput:
    return InvalidInput("Invalid patch", [ErrorDetail(location, message)])
