"""Links that keep a list page's filters, sort and paging."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from salesdev.web.listing import DEFAULT_LIMIT, ListParams


def with_query(path: str, params: Mapping[str, object]) -> str:
    query = urlencode({k: str(v) for k, v in params.items() if v not in ("", None)})
    return f"{path}?{query}" if query else path


def list_params_dict(params: ListParams, **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {"q": params.q, **dict(params.filters)}
    values["sort"] = params.sort
    values["offset"] = params.offset or ""
    values["limit"] = "" if params.limit == DEFAULT_LIMIT else params.limit
    values.update(overrides)
    return values
