"""One-shot messages shown after a redirect (post/redirect/get).

The text travels in a short-lived cookie and is escaped when rendered like any other
value, so a forged cookie can at worst show text, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "salesdev_flash"
_MAX_AGE_SECONDS = 60
_MAX_TEXT = 300
Level = Literal["success", "error", "info"]
_LEVELS: tuple[Level, ...] = ("success", "error", "info")


@dataclass(frozen=True)
class Flash:
    level: Level
    text: str


def set_flash(response: Response, text: str, *, level: Level = "success") -> None:
    response.set_cookie(
        COOKIE,
        quote(f"{level}:{text[:_MAX_TEXT]}", safe=""),
        max_age=_MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        path="/",
    )


def read_flash(request: Request) -> Flash | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    name, _, text = unquote(raw).partition(":")
    level = next((known for known in _LEVELS if known == name), None)
    if level is None or not text:
        return None
    return Flash(level, text[:_MAX_TEXT])


def clear_flash(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")
