"""Reading console pages in tests: the few structures the assertions need."""

from __future__ import annotations

import re
from html import unescape

_ROW_HEADER = re.compile(r'<th scope="row"><a href="[^"]+">([^<]*)</a></th>')
_ROWS = re.compile(r"<tbody>(.*?)</tbody>", re.S)
_CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
_TAG = re.compile(r"<[^>]+>")


def row_codes(html: str) -> list[str]:
    """The first column (the row header) of the first table's body."""
    body = _ROWS.search(html)
    return [unescape(code) for code in _ROW_HEADER.findall(body.group(1))] if body else []


def table_rows(html: str) -> list[list[str]]:
    """The first table's body as text cells."""
    body = _ROWS.search(html)
    if not body:
        return []
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [[text(cell) for cell in _CELL.findall(row)] for row in rows]


def text(html: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", html)).split())


def main_text(html: str) -> str:
    match = re.search(r"<main.*?</main>", html, re.S)
    assert match, "the page has a main landmark"
    return text(re.sub(r"<svg.*?</svg>", " ", match.group(0), flags=re.S))


def field_errors(html: str, field: str) -> list[str]:
    match = re.search(rf'<ul class="field-errors" id="{field}-error">(.*?)</ul>', html, re.S)
    return (
        [text(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]
        if match
        else []
    )


def input_value(html: str, field: str) -> str:
    match = re.search(rf'<input [^>]*id="f-{field}" [^>]*value="([^"]*)"', html)
    assert match, f"no input for {field}"
    return unescape(match.group(1))


def body_rows(html: str) -> list[list[str]]:
    """Like :func:`table_rows`, also the rows that carry attributes (highlighted, grouped)."""
    body = _ROWS.search(html)
    if not body:
        return []
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [[text(cell) for cell in _CELL.findall(row)] for row in rows]
