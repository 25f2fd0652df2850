"""List, detail, create, edit and delete pages for every declared reference kind."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from salesdev.core.errors import (
    Conflict,
    InvalidInput,
    PermissionDenied,
    PreconditionFailed,
    SalesdevError,
)
from salesdev.core.ids import parse_id
from salesdev.db.session import unit_of_work
from salesdev.domains.access import Principal, authorize
from salesdev.domains.reference import (
    ENTITY_KINDS,
    EntityKind,
    create_entity,
    delete_entity,
    get_entity,
    update_entity,
)
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.flash import set_flash
from salesdev.web.format import format_value, humanize
from salesdev.web.forms import (
    build_form,
    initial_values,
    lookup_matches,
    parse_version,
    raw_from_form,
    ref_widgets,
    save_form,
)
from salesdev.web.listing import (
    PAGE_SIZES,
    ListParams,
    ListResult,
    check_list_params,
    display_column,
    filter_fields,
    iter_export_rows,
    list_entities,
    parse_list_params,
    readable,
    referred_names,
    sortable_fields,
)
from salesdev.web.nav import kind_slug, section_of_kind
from salesdev.web.protection import read_form
from salesdev.web.routing import status_of
from salesdev.web.templating import render
from salesdev.web.urls import list_params_dict, with_query

# Kinds whose detail page shows more than their declared fields (views/offering.py,
# views/partner.py).
OWN_DETAIL_PAGES = frozenset({"product_offering", "partner"})


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""


@dataclass(frozen=True)
class FilterControl:
    name: str
    label: str
    value: str
    options: list[tuple[str, str]]
    lookup_path: str


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    sort_href: str
    # "ascending", "descending" or "none" (aria-sort on the header).
    sorted: str


def entity_href(kind: EntityKind, entity_id: uuid.UUID) -> str:
    return f"/{kind_slug(kind)}/{entity_id}"


def entity_cells(kind: EntityKind, entity: Any, refs: dict[str, Any]) -> list[Cell]:
    cells: list[Cell] = []
    for spec in kind.fields:
        value = getattr(entity, spec.name)
        if spec.type == "ref" and value is not None:
            assert spec.references is not None
            target = ENTITY_KINDS[spec.references]
            ref = refs[spec.references].get(value)
            cells.append(Cell(ref.name if ref else str(value), entity_href(target, value)))
        elif spec.choices and value:
            cells.append(Cell(", ".join(humanize(v) for v in str(value).split(","))))
        else:
            cells.append(Cell(format_value(value)))
    return cells


def install_entity_pages(router: APIRouter, runtime: Runtime) -> None:
    for kind in ENTITY_KINDS.values():
        _install_kind(router, runtime, kind)


def _install_kind(router: APIRouter, runtime: Runtime, kind: EntityKind) -> None:
    slug = kind_slug(kind)
    base = f"/{slug}"
    section = section_of_kind(kind)

    def page_context(request: Request, **extra: Any) -> dict[str, Any]:
        # New / Edit / Delete are offered only to those who may write this kind.
        can_write = principal_of(request).can(kind.family, "write")
        return {"kind": kind, "base": base, "section": section, "can_write": can_write, **extra}

    def list_page(request: Request) -> Response:
        params = parse_list_params(kind, dict(request.query_params))
        principal = principal_of(request)
        with work(runtime, request) as session:
            result = list_entities(session, principal=principal, kind=kind, params=params)
            widgets = ref_widgets(session, kind)
            controls = _list_filters(kind, params, widgets, session, principal)
        return render(
            request,
            "entity_list.html",
            page_context(
                request,
                title=kind.plural,
                params=params,
                result=result,
                rows=[
                    (entity_href(kind, e.id), entity_cells(kind, e, result.refs))
                    for e in result.items
                ],
                columns=_columns(kind, params),
                filters=controls,
                paging=_paging(params, result, base),
                page_sizes=PAGE_SIZES,
                export_href=with_query(
                    f"{base}/export.csv", list_params_dict(params, offset="", limit="")
                ),
                clear_href=base,
            ),
        )

    def export_csv(request: Request) -> Response:
        params = parse_list_params(kind, dict(request.query_params))
        # Parse errors surface as a page above; the rows stream in their own transaction.
        principal = principal_of(request)
        with work(runtime, request) as session:
            check_list_params(session, principal=principal, kind=kind, params=params)
            # Refuse here, as a page, rather than in the middle of the stream.
            readable_rows = readable(session, principal=principal, kind=kind)
        if readable_rows is None:
            raise PermissionDenied(f"{principal.name} may not read {kind.family.value}")
        return StreamingResponse(
            _stream_csv(runtime, principal, kind, params),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{slug}.csv"'},
        )

    def lookup(request: Request) -> Response:
        with work(runtime, request) as session:
            matches = lookup_matches(
                session,
                principal=principal_of(request),
                kind=kind,
                q=request.query_params.get("q", ""),
            )
        return JSONResponse(matches)

    def require_write(request: Request) -> Principal:
        principal = principal_of(request)
        authorize(principal, kind.family, "write")
        return principal

    def new_form(request: Request) -> Response:
        require_write(request)
        with work(runtime, request) as session:
            form = build_form(session, kind, initial_values(session, kind, None))
        return render(
            request,
            "entity_form.html",
            page_context(
                request,
                title=f"New {kind.label.lower()}",
                form=form,
                action=f"{base}/new",
                cancel_href=base,
            ),
        )

    async def create(request: Request) -> Response:
        form_data = await read_form(request)
        raw = raw_from_form(kind, form_data, form_data.getlist)
        return await run_in_threadpool(_create, request, raw)

    def _create(request: Request, raw: Any) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            try:
                entity = save_form(
                    session,
                    kind,
                    raw,
                    creating=True,
                    save=lambda values: create_entity(
                        session,
                        principal=principal,
                        kind=kind.name,
                        values=values,
                        now=runtime.clock.now(),
                    ),
                )
            except (InvalidInput, Conflict) as error:
                session.rollback()
                form = build_form(session, kind, raw, error=error)
                return render(
                    request,
                    "entity_form.html",
                    page_context(
                        request,
                        title=f"New {kind.label.lower()}",
                        form=form,
                        action=f"{base}/new",
                        cancel_href=base,
                    ),
                    status_code=status_of(error),
                )
            href = entity_href(kind, entity.id)
            code = entity.code
        response = RedirectResponse(href, status_code=303)
        set_flash(response, f"{kind.label} {code} created.")
        return response

    def detail(request: Request, entity_id: str) -> Response:
        with work(runtime, request) as session:
            entity = get_entity(
                session,
                principal=principal_of(request),
                kind=kind.name,
                entity_id=parse_id(entity_id),
            )
            refs = referred_names(session, kind=kind, items=[entity])
            cells = entity_cells(kind, entity, refs)
        return render(
            request,
            "entity_detail.html",
            page_context(
                request,
                title=f"{kind.label} {entity.code}",
                entity=entity,
                rows=list(zip((f.title for f in kind.fields), cells, strict=True)),
                href=entity_href(kind, entity.id),
            ),
        )

    def edit_form(request: Request, entity_id: str) -> Response:
        principal = require_write(request)
        with work(runtime, request) as session:
            entity = get_entity(
                session, principal=principal, kind=kind.name, entity_id=parse_id(entity_id)
            )
            form = build_form(
                session, kind, initial_values(session, kind, entity), version=str(entity.version)
            )
        href = entity_href(kind, entity.id)
        return render(
            request,
            "entity_form.html",
            page_context(
                request,
                title=f"Edit {kind.label.lower()} {entity.code}",
                form=form,
                action=f"{href}/edit",
                cancel_href=href,
            ),
        )

    async def update(request: Request, entity_id: str) -> Response:
        form_data = await read_form(request)
        raw = raw_from_form(kind, form_data, form_data.getlist)
        version = str(form_data.get("version", ""))
        return await run_in_threadpool(_update, request, parse_id(entity_id), raw, version)

    def _update(request: Request, entity_id: uuid.UUID, raw: Any, version: str) -> Response:
        href = entity_href(kind, entity_id)
        principal = principal_of(request)
        with work(runtime, request) as session:
            expected = parse_version(version)
            try:
                entity = save_form(
                    session,
                    kind,
                    raw,
                    creating=False,
                    save=lambda values: update_entity(
                        session,
                        principal=principal,
                        kind=kind.name,
                        entity_id=entity_id,
                        changes=values,
                        now=runtime.clock.now(),
                        expected_version=expected,
                    ),
                )
            except (InvalidInput, Conflict, PreconditionFailed) as error:
                session.rollback()
                form = build_form(session, kind, raw, error=error, version=version)
                return render(
                    request,
                    "entity_form.html",
                    page_context(
                        request,
                        title=f"Edit {kind.label.lower()}",
                        form=form,
                        action=f"{href}/edit",
                        cancel_href=href,
                        stale=isinstance(error, PreconditionFailed),
                    ),
                    status_code=status_of(error),
                )
            code = entity.code
        response = RedirectResponse(href, status_code=303)
        set_flash(response, f"{kind.label} {code} saved.")
        return response

    def delete_confirm(request: Request, entity_id: str) -> Response:
        principal = require_write(request)
        with work(runtime, request) as session:
            entity = get_entity(
                session, principal=principal, kind=kind.name, entity_id=parse_id(entity_id)
            )
        return _delete_page(request, entity, None)

    def _delete_page(request: Request, entity: Any, error: SalesdevError | None) -> Response:
        href = entity_href(kind, entity.id)
        return render(
            request,
            "entity_delete.html",
            page_context(
                request,
                title=f"Delete {kind.label.lower()} {entity.code}",
                entity=entity,
                href=href,
                error=error,
            ),
            status_code=status_of(error) if error else 200,
        )

    async def delete(request: Request, entity_id: str) -> Response:
        form_data = await read_form(request)
        version = str(form_data.get("version", ""))
        return await run_in_threadpool(_delete, request, parse_id(entity_id), version)

    def _delete(request: Request, entity_id: uuid.UUID, version: str) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            expected = parse_version(version)
            entity = get_entity(session, principal=principal, kind=kind.name, entity_id=entity_id)
            code = entity.code
            try:
                delete_entity(
                    session,
                    principal=principal,
                    kind=kind.name,
                    entity_id=entity_id,
                    expected_version=expected,
                )
            except (Conflict, PreconditionFailed) as error:
                session.rollback()
                entity = get_entity(
                    session, principal=principal, kind=kind.name, entity_id=entity_id
                )
                return _delete_page(request, entity, error)
        response = RedirectResponse(base, status_code=303)
        set_flash(response, f"{kind.label} {code} deleted.")
        return response

    name = kind.name
    router.add_api_route(base, list_page, methods=["GET"], name=f"{name}_list")
    router.add_api_route(f"{base}/export.csv", export_csv, methods=["GET"], name=f"{name}_export")
    router.add_api_route(f"{base}/lookup", lookup, methods=["GET"], name=f"{name}_lookup")
    router.add_api_route(f"{base}/new", new_form, methods=["GET"], name=f"{name}_new")
    router.add_api_route(f"{base}/new", create, methods=["POST"], name=f"{name}_create")
    if name not in OWN_DETAIL_PAGES:
        router.add_api_route(
            f"{base}/{{entity_id}}", detail, methods=["GET"], name=f"{name}_detail"
        )
    router.add_api_route(
        f"{base}/{{entity_id}}/edit", edit_form, methods=["GET"], name=f"{name}_edit"
    )
    router.add_api_route(
        f"{base}/{{entity_id}}/edit", update, methods=["POST"], name=f"{name}_update"
    )
    router.add_api_route(
        f"{base}/{{entity_id}}/delete",
        delete_confirm,
        methods=["GET"],
        name=f"{name}_delete_confirm",
    )
    router.add_api_route(
        f"{base}/{{entity_id}}/delete", delete, methods=["POST"], name=f"{name}_delete"
    )


def _columns(kind: EntityKind, params: ListParams) -> list[Column]:
    sortable = {f.name for f in sortable_fields(kind)}
    base = f"/{kind_slug(kind)}"
    columns: list[Column] = []
    current = params.sort or "code"
    for spec in kind.fields:
        if spec.name not in sortable:
            columns.append(Column(spec.name, spec.title, "", "none"))
            continue
        state = (
            "ascending"
            if current == spec.name
            else "descending"
            if current == f"-{spec.name}"
            else "none"
        )
        next_sort = f"-{spec.name}" if state == "ascending" else spec.name
        href = with_query(base, list_params_dict(params, sort=next_sort, offset=""))
        columns.append(Column(spec.name, spec.title, href, state))
    return columns


@dataclass(frozen=True)
class Paging:
    first: int
    last: int
    total: int
    grand_total: int
    previous_href: str
    next_href: str


def _paging(params: ListParams, result: ListResult, base: str) -> Paging:
    first = params.offset + 1 if result.items else 0
    last = params.offset + len(result.items)
    previous_offset = max(params.offset - params.limit, 0)
    previous_href = (
        with_query(base, list_params_dict(params, offset=previous_offset or ""))
        if params.offset > 0
        else ""
    )
    next_href = (
        with_query(base, list_params_dict(params, offset=params.offset + params.limit))
        if last < result.total
        else ""
    )
    return Paging(first, last, result.total, result.grand_total, previous_href, next_href)


def _list_filters(
    kind: EntityKind,
    params: ListParams,
    widgets: dict[str, Any],
    session: Session,
    principal: Principal,
) -> list[FilterControl]:
    controls: list[FilterControl] = []
    for spec in filter_fields(kind):
        value = params.filter_value(spec.name)
        if spec.type == "bool":
            options = [("", "Any"), ("true", "Yes"), ("false", "No")]
            controls.append(FilterControl(spec.name, spec.title, value, options, ""))
        elif spec.choices:
            options = [("", "Any"), *((c, humanize(c)) for c in spec.choices)]
            controls.append(FilterControl(spec.name, spec.title, value, options, ""))
        elif widgets.get(spec.name) == "lookup":
            assert spec.references is not None
            path = f"/{kind_slug(ENTITY_KINDS[spec.references])}/lookup"
            controls.append(FilterControl(spec.name, spec.title, value, [], path))
        else:
            assert spec.references is not None
            target = ENTITY_KINDS[spec.references]
            model: Any = target.model
            # Offer only referred rows the principal may read: names must not leak.
            visible = readable(session, principal=principal, kind=target)
            if visible is None:
                continue
            rows = session.execute(
                select(model.id, display_column(target))
                .where(model.id.in_(visible.with_only_columns(model.id)))
                .order_by(display_column(target))
            )
            options = [("", "Any"), *((str(id_), name) for id_, name in rows)]
            controls.append(FilterControl(spec.name, spec.title, value, options, ""))
    return controls


def _stream_csv(
    runtime: Runtime, principal: Principal, kind: EntityKind, params: ListParams
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    with unit_of_work(runtime.session_factory) as session:
        for row in iter_export_rows(session, principal=principal, kind=kind, params=params):
            writer.writerow([_defuse(cell) for cell in row])
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


def _defuse(cell: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; quote them as text."""
    if cell[:1] in ("=", "+", "@", "\t", "\r") or (cell[:1] == "-" and not _is_number(cell)):
        return "'" + cell
    return cell


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True
