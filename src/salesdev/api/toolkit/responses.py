"""JSON responses written with the exact encoder (Decimal as a number, never a float)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from salesdev.domains.notifications import encode_json


class TmfJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return encode_json(content)
