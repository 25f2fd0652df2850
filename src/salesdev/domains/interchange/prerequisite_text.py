"""Prerequisites in one cell: ``certification:FIBRE-101;course:TV-200=Optional description``.

Items are separated by ``;``; each is ``type:code``, optionally followed by ``=description``.
A backslash makes the next character literal, so a code or description may hold ``;``,
``=`` or ``\\`` (written ``\\;``, ``\\=``, ``\\\\``); what :func:`format_prerequisites` writes,
:func:`parse_prerequisite_text` reads back unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class PrerequisiteTextError(ValueError):
    pass


def parse_prerequisite_text(text: str | None) -> list[dict[str, str]]:
    """The items of a cell as ``{"type", "code"[, "description"]}``, in order (not yet
    validated against the prerequisite types: the authorisation domain does that)."""
    if text is None or not text.strip():
        return []
    items: list[dict[str, str]] = []
    for number, item in enumerate(_split(text, ";"), start=1):
        if not _unescape(item).strip():
            continue
        head, description = _split_once(item, "=")
        kind, code = _split_once(head, ":")
        if code is None or not _unescape(kind).strip() or not _unescape(code).strip():
            raise PrerequisiteTextError(
                f"item {number} {_unescape(item).strip()!r}: expected type:code, "
                "e.g. certification:FIBRE-101"
            )
        entry = {"type": _unescape(kind).strip(), "code": _unescape(code).strip()}
        if description is not None and _unescape(description).strip():
            entry["description"] = _unescape(description).strip()
        items.append(entry)
    return items


def format_prerequisites(prerequisites: Iterable[Mapping[str, str]]) -> str:
    parts = []
    for item in prerequisites:
        text = f"{_escape(item['type'], ':;=')}:{_escape(item['code'], ';=')}"
        if item.get("description"):
            text += "=" + _escape(item["description"], ";")
        parts.append(text)
    return ";".join(parts)


def _escape(value: str, special: str) -> str:
    return "".join("\\" + char if char in special or char == "\\" else char for char in value)


def _split(text: str, separator: str) -> list[str]:
    """Split on unescaped ``separator``; the parts keep their escapes."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _split_once(text: str, separator: str) -> tuple[str, str | None]:
    parts = _split(text, separator)
    if len(parts) == 1:
        return text, None
    return parts[0], separator.join(parts[1:])


def _unescape(text: str) -> str:
    out: list[str] = []
    escaped = False
    for char in text:
        if escaped or char != "\\":
            out.append(char)
            escaped = False
        else:
            escaped = True
    return "".join(out)
