"""The one place every console form passes through on its way in.

Identity comes next: the CSRF check of signed-in sessions goes in :func:`read_form`
and the matching hidden field in the ``form_guard`` macro of ``_macros.html``; no
view needs to change.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request


async def read_form(request: Request) -> FormData:
    return await request.form()
