"""Catalogs with their category tree and offerings, and product specifications; catalogue
writers create and edit catalogs, categories and specifications here.

Each form keeps what was typed: a refusal shows its messages next to the fields with
nothing changed, and an edit made on a stale version is refused (412) rather than
overwriting someone else's change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salesdev.core.errors import (
    Conflict,
    ErrorDetail,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RuleViolation,
)
from salesdev.core.ids import parse_id
from salesdev.db.models import Catalog, Category, ProductSpecification
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.catalog import (
    CatalogInput,
    CategoryInput,
    SpecificationInput,
    create_catalog,
    create_category,
    create_specification,
    get_catalog_entity,
    update_catalog,
    update_category,
    update_specification,
)
from salesdev.domains.reference.vocabulary import LIFECYCLE_STATUSES
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.catalogue_read import (
    list_catalog_rows,
    list_specification_rows,
    load_catalog_view,
    load_specification_view,
)
from salesdev.web.choices import day_text, errors_by_field, parse_day, parse_option, text_of
from salesdev.web.flash import set_flash
from salesdev.web.forms import parse_version
from salesdev.web.protection import read_form
from salesdev.web.routing import status_of
from salesdev.web.templating import render
from salesdev.web.views.offering import FormState

CATALOGS = "/catalogs"
SPECIFICATIONS = "/product-specifications"
_REFUSALS = (InvalidInput, RuleViolation, Conflict, PreconditionFailed)
# The services name fields as TMF620 does; the forms as people do.
_ALIASES = {
    "catalogType": "catalog_type",
    "lifecycleStatus": "lifecycle_status",
    "validFor.startDateTime": "valid_from",
    "validFor.endDateTime": "valid_to",
    "valid_from": "valid_from",
    "parentId": "parent_id",
    "productNumber": "product_number",
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"
    required: bool = False
    hint: str = ""
    opts: Sequence[tuple[str, str]] = ()


def _lifecycle() -> FieldSpec:
    return FieldSpec("lifecycle_status", "Lifecycle status", "select", True,
                     opts=[(s, s) for s in LIFECYCLE_STATUSES])  # fmt: skip


CATALOG_FIELDS = (
    FieldSpec("name", "Name", required=True),
    FieldSpec("description", "Description", "textarea"),
    FieldSpec("catalog_type", "Catalog type", hint="For example productCatalog."),
    _lifecycle(),
    FieldSpec("valid_from", "Valid from", "date", True, "A day in UTC."),
    FieldSpec("valid_to", "Valid until (excluded)", "date", hint="Leave empty for no end."),
)
# What a category form posts; its options depend on the catalog (see category_fields).
CATEGORY_POSTED = (
    FieldSpec("name", "Name"), FieldSpec("description", "Description"),
    FieldSpec("parent_id", "Parent category"))  # fmt: skip
SPECIFICATION_FIELDS = (
    FieldSpec("name", "Name", required=True),
    FieldSpec("brand", "Brand"),
    FieldSpec("product_number", "Product number", required=True),
    FieldSpec("description", "Description", "textarea"),
    _lifecycle(),
)


def _names(fields: Sequence[FieldSpec]) -> tuple[str, ...]:
    return tuple(f.name for f in fields)


def _required_day(values: dict[str, str], name: str, errors: list[ErrorDetail]) -> datetime | None:
    day = parse_day(values[name], name, errors)
    if day is None and not values[name]:
        errors.append(ErrorDetail(name, "is required"))
    return day


def catalog_input(values: dict[str, str], kept: Catalog | None) -> CatalogInput:
    """The catalog form as the service takes it; InvalidInput for what cannot be read."""
    errors: list[ErrorDetail] = []
    valid_from = _required_day(values, "valid_from", errors)
    valid_to = parse_day(values["valid_to"], "valid_to", errors)
    if errors:
        raise InvalidInput("Invalid catalog", errors)
    assert valid_from is not None
    return CatalogInput(
        name=values["name"].strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        description=values["description"],
        catalog_type=values["catalog_type"].strip(),
        lifecycle_status=values["lifecycle_status"],
        version_label=kept.version_label if kept else "1.0",
    )


def category_input(
    values: dict[str, str], *, catalog_id: uuid.UUID, kept: Category | None, now: datetime
) -> CategoryInput:
    errors: list[ErrorDetail] = []
    parent = parse_option(values["parent_id"], "parent_id", errors)
    if errors:
        raise InvalidInput("Invalid category", errors)
    # The form does not offer validity: a new category is valid from now, an edit keeps it.
    return CategoryInput(
        name=values["name"].strip(),
        valid_from=kept.valid_from if kept else now,
        valid_to=kept.valid_to if kept else None,
        description=values["description"],
        parent_id=parent,
        catalog_id=catalog_id,
        lifecycle_status=kept.lifecycle_status if kept else "Active",
        version_label=kept.version_label if kept else "1.0",
    )


def specification_input(
    values: dict[str, str], *, kept: ProductSpecification | None, now: datetime
) -> SpecificationInput:
    # What the form does not show (validity, characteristics, bundle flag) is kept as stored.
    return SpecificationInput(
        name=values["name"].strip(),
        product_number=values["product_number"].strip(),
        valid_from=kept.valid_from if kept else now,
        valid_to=kept.valid_to if kept else None,
        description=values["description"],
        brand=values["brand"].strip(),
        is_bundle=kept.is_bundle if kept else False,
        lifecycle_status=values["lifecycle_status"],
        version_label=kept.version_label if kept else "1.0",
        characteristics=tuple(dict(c) for c in kept.characteristics) if kept else (),
    )


def _parent_options(
    session: Session, catalog_id: uuid.UUID, editing: uuid.UUID | None
) -> list[tuple[str, str]]:
    rows = session.scalars(
        select(Category).where(Category.catalog_id == catalog_id).order_by(Category.name)
    )
    # The service refuses a subcategory as parent too; only the obvious one is left out here.
    return [("", "— none (top level) —")] + [(str(c.id), c.name) for c in rows if c.id != editing]


Save = Callable[[Session, Principal, dict[str, str], int | None], Any]


def install_catalogue_pages(router: APIRouter, runtime: Runtime) -> None:
    def form_page(
        request: Request,
        *,
        title: str,
        crumbs: list[tuple[str, str | None]],
        action: str,
        cancel_href: str,
        fields: Sequence[FieldSpec],
        form: FormState,
        version: str = "",
        submit: str = "Save",
        status_code: int = 200,
        stale: bool = False,
    ) -> Response:
        return render(
            request,
            "catalogue_form.html",
            {"title": title, "crumbs": crumbs, "action": action, "cancel_href": cancel_href,
             "fields": fields, "form": form, "version": version, "submit": submit,
             "stale": stale},
            status_code=status_code,
        )  # fmt: skip

    def save(
        request: Request,
        values: dict[str, str],
        *,
        fields: Sequence[FieldSpec],
        store: Save,
        page: Callable[[Session, FormState, int], Response],
        done: Callable[[Any], tuple[str, str]],
    ) -> Response:
        """Store the form through ``store``; on refusal the form again, nothing changed."""
        principal = principal_of(request)
        authorize(principal, Family.CATALOG, "write")
        with work(runtime, request) as session:
            try:
                row = store(session, principal, values, parse_version(values.get("version", "")))
            except _REFUSALS as error:
                session.rollback()
                errors, general = errors_by_field(error, _names(fields), aliases=_ALIASES)
                return page(session, FormState(values, errors, general), status_of(error))
            href, message = done(row)
        response = RedirectResponse(href, status_code=303)
        set_flash(response, message)
        return response

    async def posted(request: Request, fields: Sequence[FieldSpec]) -> dict[str, str]:
        form = await read_form(request)
        values = {f.name: text_of(form, f.name) for f in fields}
        values["version"] = text_of(form, "version")
        return values

    # --- catalogs ----------------------------------------------------------------------------

    def catalogs(request: Request) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            rows = list_catalog_rows(session, principal=principal)
        return render(request, "catalogs.html", {
            "title": "Catalogs", "rows": rows,
            "can_write": principal.can(Family.CATALOG, "write")})  # fmt: skip

    def catalog(request: Request, catalog_id: str) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            view = load_catalog_view(session, principal=principal, catalog_id=parse_id(catalog_id))
            return render(
                request,
                "catalog_detail.html",
                {"title": f"Catalog {view.catalog.name}", "view": view,
                 "can_write": principal.can(Family.CATALOG, "write")},
            )  # fmt: skip

    def catalog_form(
        request: Request, row: Catalog | None, form: FormState, status_code: int = 200
    ) -> Response:
        crumbs: list[tuple[str, str | None]] = [("Catalogue", "/catalogue"), ("Catalogs", CATALOGS)]
        if row is None:
            return form_page(request, title="New catalog", crumbs=[*crumbs, ("New", None)],
                             action=f"{CATALOGS}/new", cancel_href=CATALOGS,
                             fields=CATALOG_FIELDS, form=form, submit="Create catalog",
                             status_code=status_code)  # fmt: skip
        href = f"{CATALOGS}/{row.id}"
        return form_page(request, title=f"Edit catalog {row.name}",
                         crumbs=[*crumbs, (row.name, href), ("Edit", None)],
                         action=f"{href}/edit", cancel_href=href, fields=CATALOG_FIELDS,
                         form=form, version=str(row.version), status_code=status_code,
                         stale=status_code == 412)  # fmt: skip

    def new_catalog(request: Request) -> Response:
        authorize(principal_of(request), Family.CATALOG, "write")
        blank = {"lifecycle_status": "Active", "valid_from": day_text(runtime.clock.now())}
        return catalog_form(request, None, FormState(blank))

    async def create_catalog_post(request: Request) -> Response:
        values = await posted(request, CATALOG_FIELDS)

        def store(s: Session, p: Principal, v: dict[str, str], _: int | None) -> Catalog:
            return create_catalog(s, principal=p, catalog=catalog_input(v, None),
                                  now=runtime.clock.now())  # fmt: skip

        return await run_in_threadpool(
            save, request, values, fields=CATALOG_FIELDS, store=store,
            page=lambda s, f, code: catalog_form(request, None, f, code),
            done=lambda c: (f"{CATALOGS}/{c.id}", f"Catalog {c.name!r} created."),
        )  # fmt: skip

    def _catalog(session: Session, request: Request, catalog_id: uuid.UUID) -> Catalog:
        return get_catalog_entity(session, principal=principal_of(request), model=Catalog,
                                  entity_id=catalog_id)  # fmt: skip

    def edit_catalog(request: Request, catalog_id: str) -> Response:
        authorize(principal_of(request), Family.CATALOG, "write")
        with work(runtime, request) as session:
            row = _catalog(session, request, parse_id(catalog_id))
            values = {"name": row.name, "description": row.description,
                      "catalog_type": row.catalog_type, "lifecycle_status": row.lifecycle_status,
                      "valid_from": day_text(row.valid_from), "valid_to": day_text(row.valid_to)}  # fmt: skip
            return catalog_form(request, row, FormState(values))

    async def update_catalog_post(request: Request, catalog_id: str) -> Response:
        values = await posted(request, CATALOG_FIELDS)
        entity_id = parse_id(catalog_id)

        def store(s: Session, p: Principal, v: dict[str, str], version: int | None) -> Catalog:
            row = _catalog(s, request, entity_id)
            return update_catalog(s, principal=p, catalog_id=entity_id,
                                  catalog=catalog_input(v, row), now=runtime.clock.now(),
                                  expected_version=version)  # fmt: skip

        return await run_in_threadpool(
            save, request, values, fields=CATALOG_FIELDS, store=store,
            page=lambda s, f, code: catalog_form(request, _catalog(s, request, entity_id), f, code),
            done=lambda c: (f"{CATALOGS}/{c.id}", f"Catalog {c.name!r} saved."),
        )  # fmt: skip

    # --- categories --------------------------------------------------------------------------

    def category_fields(
        session: Session, catalog_id: uuid.UUID, editing: uuid.UUID | None
    ) -> tuple[FieldSpec, ...]:
        return (
            FieldSpec("name", "Name", required=True, hint="Unique in its catalog."),
            FieldSpec("description", "Description", "textarea"),
            FieldSpec(
                "parent_id",
                "Parent category",
                "select",
                opts=_parent_options(session, catalog_id, editing),
            ),
        )

    def category_form(
        request: Request,
        session: Session,
        parent: Catalog,
        row: Category | None,
        form: FormState,
        status_code: int = 200,
    ) -> Response:
        href = f"{CATALOGS}/{parent.id}"
        crumbs: list[tuple[str, str | None]] = [
            ("Catalogue", "/catalogue"), ("Catalogs", CATALOGS), (parent.name, href)]  # fmt: skip
        fields = category_fields(session, parent.id, row.id if row else None)
        if row is None:
            return form_page(request, title=f"New category in {parent.name}",
                             crumbs=[*crumbs, ("New category", None)],
                             action=f"{href}/categories/new", cancel_href=href, fields=fields,
                             form=form, submit="Create category",
                             status_code=status_code)  # fmt: skip
        return form_page(request, title=f"Edit category {row.name}",
                         crumbs=[*crumbs, (row.name, None)],
                         action=f"{href}/categories/{row.id}/edit", cancel_href=href,
                         fields=fields, form=form, version=str(row.version),
                         status_code=status_code, stale=status_code == 412)  # fmt: skip

    def _category(
        session: Session, request: Request, parent: Catalog, category_id: str
    ) -> Category:
        row = get_catalog_entity(session, principal=principal_of(request), model=Category,
                                 entity_id=parse_id(category_id))  # fmt: skip
        if row.catalog_id != parent.id:
            raise NotFound(f"Category {category_id} is not in catalog {parent.name!r}")
        return row

    def new_category(request: Request, catalog_id: str) -> Response:
        authorize(principal_of(request), Family.CATALOG, "write")
        with work(runtime, request) as session:
            parent = _catalog(session, request, parse_id(catalog_id))
            return category_form(request, session, parent, None, FormState({}))

    async def create_category_post(request: Request, catalog_id: str) -> Response:
        values = await posted(request, CATEGORY_POSTED)
        owner = parse_id(catalog_id)

        def store(s: Session, p: Principal, v: dict[str, str], _: int | None) -> Category:
            parent = _catalog(s, request, owner)
            now = runtime.clock.now()
            given = category_input(v, catalog_id=parent.id, kept=None, now=now)
            return create_category(s, principal=p, category=given, now=now)

        return await run_in_threadpool(
            save, request, values, fields=CATEGORY_POSTED, store=store,
            page=lambda s, f, code: category_form(request, s, _catalog(s, request, owner), None,
                                                  f, code),
            done=lambda c: (f"{CATALOGS}/{owner}#category-{c.id}",
                            f"Category {c.name!r} created."),
        )  # fmt: skip

    def edit_category(request: Request, catalog_id: str, category_id: str) -> Response:
        authorize(principal_of(request), Family.CATALOG, "write")
        with work(runtime, request) as session:
            parent = _catalog(session, request, parse_id(catalog_id))
            row = _category(session, request, parent, category_id)
            values = {"name": row.name, "description": row.description,
                      "parent_id": str(row.parent_id) if row.parent_id else ""}  # fmt: skip
            return category_form(request, session, parent, row, FormState(values))

    async def update_category_post(request: Request, catalog_id: str, category_id: str) -> Response:
        values = await posted(request, CATEGORY_POSTED)
        owner = parse_id(catalog_id)

        def store(s: Session, p: Principal, v: dict[str, str], version: int | None) -> Category:
            parent = _catalog(s, request, owner)
            row = _category(s, request, parent, category_id)
            now = runtime.clock.now()
            given = category_input(v, catalog_id=parent.id, kept=row, now=now)
            return update_category(s, principal=p, category_id=row.id, category=given, now=now,
                                   expected_version=version)  # fmt: skip

        def page(s: Session, f: FormState, code: int) -> Response:
            parent = _catalog(s, request, owner)
            return category_form(request, s, parent, _category(s, request, parent, category_id),
                                 f, code)  # fmt: skip

        return await run_in_threadpool(
            save, request, values, fields=CATEGORY_POSTED, store=store, page=page,
            done=lambda c: (f"{CATALOGS}/{owner}#category-{c.id}", f"Category {c.name!r} saved."),
        )  # fmt: skip

    # --- product specifications --------------------------------------------------------------

    def specifications(request: Request) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            rows = list_specification_rows(session, principal=principal)
        return render(request, "specifications.html", {
            "title": "Product specifications", "rows": rows,
            "can_write": principal.can(Family.CATALOG, "write")})  # fmt: skip

    def specification(request: Request, specification_id: str) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            view = load_specification_view(
                session, principal=principal, specification_id=parse_id(specification_id)
            )
            return render(
                request,
                "specification_detail.html",
                {"title": f"Product specification {view.specification.name}", "view": view,
                 "can_write": principal.can(Family.CATALOG, "write")},
            )  # fmt: skip

    def specification_form(
        request: Request, row: ProductSpecification | None, form: FormState, status_code: int = 200
    ) -> Response:
        crumbs: list[tuple[str, str | None]] = [
            ("Catalogue", "/catalogue"), ("Product specifications", SPECIFICATIONS)]  # fmt: skip
        if row is None:
            return form_page(request, title="New product specification",
                             crumbs=[*crumbs, ("New", None)], action=f"{SPECIFICATIONS}/new",
                             cancel_href=SPECIFICATIONS, fields=SPECIFICATION_FIELDS, form=form,
                             submit="Create specification", status_code=status_code)  # fmt: skip
        href = f"{SPECIFICATIONS}/{row.id}"
        return form_page(request, title=f"Edit product specification {row.name}",
                         crumbs=[*crumbs, (row.name, href), ("Edit", None)],
                         action=f"{href}/edit", cancel_href=href, fields=SPECIFICATION_FIELDS,
                         form=form, version=str(row.version), status_code=status_code,
                         stale=status_code == 412)  # fmt: skip

    def _specification(session: Session, request: Request, entity_id: uuid.UUID) -> Any:
        return get_catalog_entity(session, principal=principal_of(request),
                                  model=ProductSpecification, entity_id=entity_id)  # fmt: skip

    def new_specification(request: Request) -> Response:
        authorize(principal_of(request), Family.CATALOG, "write")
        return specification_form(request, None, FormState({"lifecycle_status": "Active"}))

    async def create_specification_post(request: Request) -> Response:
        values = await posted(request, SPECIFICATION_FIELDS)

        def store(s: Session, p: Principal, v: dict[str, str], _: int | None) -> Any:
            now = runtime.clock.now()
            return create_specification(s, principal=p, now=now,
                                        specification=specification_input(v, kept=None, now=now))  # fmt: skip

        return await run_in_threadpool(
            save, request, values, fields=SPECIFICATION_FIELDS, store=store,
            page=lambda s, f, code: specification_form(request, None, f, code),
            done=lambda c: (f"{SPECIFICATIONS}/{c.id}",
                            f"Product specification {c.name!r} created."),
        )  # fmt: skip

    def edit_specification(request: Request, specification_id: str) -> Response:
        authorize(principal_of(request), Family.CATALOG, "write")
        with work(runtime, request) as session:
            row = _specification(session, request, parse_id(specification_id))
            values = {"name": row.name, "brand": row.brand, "product_number": row.product_number,
                      "description": row.description, "lifecycle_status": row.lifecycle_status}  # fmt: skip
            return specification_form(request, row, FormState(values))

    async def update_specification_post(request: Request, specification_id: str) -> Response:
        values = await posted(request, SPECIFICATION_FIELDS)
        entity_id = parse_id(specification_id)

        def store(s: Session, p: Principal, v: dict[str, str], version: int | None) -> Any:
            row = _specification(s, request, entity_id)
            now = runtime.clock.now()
            return update_specification(s, principal=p, specification_id=entity_id, now=now,
                                        specification=specification_input(v, kept=row, now=now),
                                        expected_version=version)  # fmt: skip

        return await run_in_threadpool(
            save, request, values, fields=SPECIFICATION_FIELDS, store=store,
            page=lambda s, f, code: specification_form(
                request, _specification(s, request, entity_id), f, code),
            done=lambda c: (f"{SPECIFICATIONS}/{c.id}",
                            f"Product specification {c.name!r} saved."),
        )  # fmt: skip

    add = router.add_api_route
    # The fixed paths first: "new" is not a catalog id.
    add(CATALOGS, catalogs, methods=["GET"], name="catalog_list")
    add(f"{CATALOGS}/new", new_catalog, methods=["GET"], name="catalog_new")
    add(f"{CATALOGS}/new", create_catalog_post, methods=["POST"], name="catalog_create")
    add(f"{CATALOGS}/{{catalog_id}}", catalog, methods=["GET"], name="catalog_detail")
    add(f"{CATALOGS}/{{catalog_id}}/edit", edit_catalog, methods=["GET"], name="catalog_edit")
    add(f"{CATALOGS}/{{catalog_id}}/edit", update_catalog_post, methods=["POST"],
        name="catalog_update")  # fmt: skip
    add(f"{CATALOGS}/{{catalog_id}}/categories/new", new_category, methods=["GET"],
        name="category_new")  # fmt: skip
    add(f"{CATALOGS}/{{catalog_id}}/categories/new", create_category_post, methods=["POST"],
        name="category_create")  # fmt: skip
    add(f"{CATALOGS}/{{catalog_id}}/categories/{{category_id}}/edit", edit_category,
        methods=["GET"], name="category_edit")  # fmt: skip
    add(f"{CATALOGS}/{{catalog_id}}/categories/{{category_id}}/edit", update_category_post,
        methods=["POST"], name="category_update")  # fmt: skip
    add(SPECIFICATIONS, specifications, methods=["GET"], name="specification_list")
    add(f"{SPECIFICATIONS}/new", new_specification, methods=["GET"], name="specification_new")
    add(f"{SPECIFICATIONS}/new", create_specification_post, methods=["POST"],
        name="specification_create")  # fmt: skip
    add(f"{SPECIFICATIONS}/{{specification_id}}", specification, methods=["GET"],
        name="specification_detail")  # fmt: skip
    add(f"{SPECIFICATIONS}/{{specification_id}}/edit", edit_specification, methods=["GET"],
        name="specification_edit")  # fmt: skip
    add(f"{SPECIFICATIONS}/{{specification_id}}/edit", update_specification_post,
        methods=["POST"], name="specification_update")  # fmt: skip
