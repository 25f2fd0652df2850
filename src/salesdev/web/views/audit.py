"""The audit viewer: who changed what and when, with a check that nothing was tampered with."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from salesdev.db.models import AuditEvent
from salesdev.domains.access import Family, authorize
from salesdev.domains.audit import Verification, list_events, verify_chain
from salesdev.runtime import Runtime
from salesdev.web.audit_view import (
    PAGE_SIZE,
    AuditParams,
    Change,
    audit_query,
    changes_of,
    parse_audit_params,
)
from salesdev.web.auth import principal_of, work
from salesdev.web.protection import read_form
from salesdev.web.templating import render
from salesdev.web.urls import with_query

AUDIT_PATH = "/admin/audit"


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    changes: list[Change]
    context: str


def _context_text(event: AuditEvent) -> str:
    if not event.context:
        return ""
    return ", ".join(f"{k}: {v}" for k, v in sorted(event.context.items()))


def install_audit_pages(router: APIRouter, runtime: Runtime) -> None:
    def audit_page(
        request: Request, params: AuditParams, verification: Verification | None = None
    ) -> Response:
        principal = principal_of(request)
        query = audit_query(params)
        with work(runtime, request) as session:
            page = list_events(session, principal=principal, query=query)
        rows = [EventRow(e, changes_of(e.before, e.after), _context_text(e)) for e in page.items]
        filters = params.as_dict()
        previous_href = (
            with_query(AUDIT_PATH, {**filters, "offset": max(params.offset - PAGE_SIZE, 0) or ""})
            if params.offset
            else ""
        )
        next_href = (
            with_query(AUDIT_PATH, {**filters, "offset": params.offset + PAGE_SIZE})
            if params.offset + len(page.items) < page.total
            else ""
        )
        return render(
            request,
            "audit.html",
            {
                "title": "Audit trail",
                "params": params,
                "rows": rows,
                "total": page.total,
                "previous_href": previous_href,
                "next_href": next_href,
                "verification": verification,
                "filtered": any(filters.values()),
            },
        )

    def audit_list(request: Request) -> Response:
        authorize(principal_of(request), Family.AUDIT, "read")
        return audit_page(request, parse_audit_params(dict(request.query_params)))

    async def verify(request: Request) -> Response:
        await read_form(request)
        return await run_in_threadpool(_verify, request)

    def _verify(request: Request) -> Response:
        authorize(principal_of(request), Family.AUDIT, "read")
        with work(runtime, request) as session:
            result = verify_chain(session)
        return audit_page(request, AuditParams(), result)

    router.add_api_route(AUDIT_PATH, audit_list, methods=["GET"], name="audit")
    router.add_api_route(f"{AUDIT_PATH}/verify", verify, methods=["POST"], name="audit_verify")
