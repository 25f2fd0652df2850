"""Small HTTP pieces shared by the routes: JSON bodies, ids in paths, ETag / If-Match."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.exceptions import HTTPException as StarletteHTTPException

from salesdev.api.toolkit.patching import JSON, JSON_PATCH, MERGE_PATCH
from salesdev.core.errors import ErrorDetail, InvalidInput, NotFound, PreconditionFailed
from salesdev.core.text import NUL_MESSAGE, nul_locations
from salesdev.domains.notifications import decode_json


@dataclass(frozen=True)
class JsonBody:
    media_type: str
    value: Any

    def require(self, *media_types: str) -> Any:
        if self.media_type not in media_types:
            raise StarletteHTTPException(
                415, f"Content-Type must be one of {', '.join(media_types)}"
            )
        return self.value


def json_body_reader(max_bytes: int) -> Callable[[Request], Awaitable[JsonBody]]:
    async def read_json_body(request: Request) -> JsonBody:
        media_type = _media_type(request)
        if media_type not in (JSON, MERGE_PATCH, JSON_PATCH):
            raise StarletteHTTPException(415, "Content-Type must be application/json")
        return decode_json_body(media_type, await request.body(), max_bytes)

    return read_json_body


@dataclass(frozen=True)
class RawBody:
    """A request's body as received, judged later by :meth:`decoded`."""

    media_type: str
    raw: bytes

    def decoded(self, max_bytes: int) -> JsonBody:
        """What :func:`json_body_reader` would have answered: the same errors, in the
        same order."""
        if self.media_type not in (JSON, MERGE_PATCH, JSON_PATCH):
            raise StarletteHTTPException(415, "Content-Type must be application/json")
        return decode_json_body(self.media_type, self.raw, max_bytes)


async def read_raw_body(request: Request) -> RawBody:
    """The body read on the event loop and nothing else: for a route that authenticates
    in its worker thread, whose client must not learn from the body's errors (415, 400)
    before it is known to be allowed (401, 403)."""
    return RawBody(_media_type(request), await request.body())


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def decode_json_body(media_type: str, raw: bytes, max_bytes: int) -> JsonBody:
    if len(raw) > max_bytes:
        raise StarletteHTTPException(413, f"The body is larger than {max_bytes} bytes")
    if not raw.strip():
        raise InvalidInput("Invalid body", [ErrorDetail("body", "a JSON body is required")])
    try:
        # Numbers with a fraction become Decimal: amounts never pass through float.
        value = decode_json(raw)
    except ValueError as exc:
        where = getattr(exc, "lineno", None)
        position = f"line {where}, column {getattr(exc, 'colno', '?')}: " if where else ""
        raise InvalidInput(
            "Invalid JSON", [ErrorDetail("body", f"{position}{getattr(exc, 'msg', exc)}")]
        ) from None
    bad_text = nul_locations(value)
    if bad_text:
        raise InvalidInput("Invalid body", [ErrorDetail(where, NUL_MESSAGE) for where in bad_text])
    return JsonBody(media_type, value)


def path_id(raw: str, *, label: str) -> uuid.UUID:
    """A malformed id names no resource: 404, like an unknown one."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound(f"{label} {raw} does not exist") from None


def etag_headers(entity: Any) -> dict[str, str]:
    version = getattr(entity, "version", None)
    return {} if version is None else {"ETag": f'"{version}"'}


def expected_version(if_match: str | None, entity: Any, *, label: str) -> int | None:
    """The version a write must find, from ``If-Match``; a stale one fails with 412."""
    version = getattr(entity, "version", None)
    if if_match is None or version is None:
        return None
    tags = [t.strip().removeprefix("W/").strip('"') for t in if_match.split(",")]
    if "*" in tags:
        return None
    if str(version) not in tags:
        raise PreconditionFailed(
            f"{label} {entity.id} is at version {version}; If-Match had {if_match}: "
            "it was changed since you read it; reload and try again"
        )
    return int(version)
