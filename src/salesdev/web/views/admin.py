"""Administration of users: who may log in, with which roles, bound to which records."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salesdev.core.errors import Conflict, ErrorDetail, InvalidInput, PreconditionFailed
from salesdev.core.ids import parse_id
from salesdev.db.models import Partner, SalesPerson, User
from salesdev.domains.access import ROLE_LABELS, Family, Role, authorize
from salesdev.domains.identity import (
    create_user,
    get_user,
    list_users,
    reset_password,
    update_user,
)
from salesdev.domains.reference import find_ids_by_code
from salesdev.runtime import Runtime
from salesdev.web.auth import principal_of, work
from salesdev.web.flash import set_flash
from salesdev.web.forms import FormField, parse_version
from salesdev.web.protection import read_form
from salesdev.web.routing import status_of
from salesdev.web.templating import render

USERS_PATH = "/admin/users"
STATUSES = ("active", "disabled")
_BINDINGS = {"sales_person_id": "sales_person", "partner_id": "partner"}


@dataclass(frozen=True)
class UserRow:
    user: User
    roles: list[str]
    sales_person: str
    partner: str


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _names(session: Session, model: Any, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(model.id, model.code, model.name).where(model.id.in_(wanted)))
    return {id_: f"{name} ({code})" for id_, code, name in rows}


def _codes(session: Session, model: Any, id_: uuid.UUID | None) -> str:
    if id_ is None:
        return ""
    return session.scalar(select(model.code).where(model.id == id_)) or ""


def role_labels(values: Iterable[str]) -> list[str]:
    return [ROLE_LABELS[role] for role in Role if role.value in set(values)]


def user_rows(session: Session, users: list[User]) -> list[UserRow]:
    people = _names(session, SalesPerson, (u.sales_person_id for u in users))
    partners = _names(session, Partner, (u.partner_id for u in users))
    return [
        UserRow(
            user,
            role_labels(user.roles),
            people.get(user.sales_person_id, "") if user.sales_person_id else "",
            partners.get(user.partner_id, "") if user.partner_id else "",
        )
        for user in users
    ]


def user_form_fields(
    values: dict[str, Any], errors: dict[str, list[str]], *, creating: bool
) -> list[FormField]:
    def field(name: str, label: str, widget: Any, **extra: Any) -> FormField:
        form_field = FormField(name=name, label=label, widget=widget, required=False)
        form_field.errors = errors.get(name, [])
        for key, value in extra.items():
            setattr(form_field, key, value)
        return form_field

    fields: list[FormField] = []
    if creating:
        fields.append(
            field(
                "login",
                "Login",
                "text",
                required=True,
                value=values.get("login", ""),
                max_length=100,
                hint="Letters, digits, '.', '_', '-' or '@'; stored in lower case.",
            )
        )
    fields.append(
        field("display_name", "Name", "text", value=values.get("display_name", ""), max_length=200)
    )
    if creating:
        fields.append(
            field(
                "password",
                "Initial password",
                "password",
                required=True,
                hint="At least 12 characters, not the login name, not a common password. "
                "Give it to the user by a separate channel.",
            )
        )
    fields.append(
        field(
            "roles",
            "Roles",
            "tags",
            required=True,
            options=[(role.value, ROLE_LABELS[role]) for role in Role],
            selected=tuple(values.get("roles", ())),
        )
    )
    fields.append(
        field(
            "sales_person_id",
            "Sales person (code)",
            "lookup",
            value=values.get("sales_person_id", ""),
            lookup_path="/sales-people/lookup",
            hint="Required for a sales rep or a sales manager: their rows are their own or "
            "their team's.",
        )
    )
    fields.append(
        field(
            "partner_id",
            "Partner (code)",
            "lookup",
            value=values.get("partner_id", ""),
            lookup_path="/partners/lookup",
            hint="Required for a partner user: they see only this partner's records.",
        )
    )
    fields.append(
        field(
            "include_sub_dealers",
            "The partner user also sees the partner's sub-dealers (at every level)",
            "checkbox",
            value="true" if values.get("include_sub_dealers") else "",
        )
    )
    if creating:
        fields.append(
            field(
                "must_change_password",
                "Must change the password at first login",
                "checkbox",
                value="true" if values.get("must_change_password") else "",
            )
        )
    else:
        fields.append(
            field(
                "status",
                "Status",
                "select",
                required=True,
                value=values.get("status", "active"),
                options=[(s, s.capitalize()) for s in STATUSES],
                hint="A disabled user cannot log in; their sessions and tokens are revoked.",
            )
        )
    return fields


def values_from_form(form: FormData) -> dict[str, Any]:
    return {
        "login": _text(form, "login"),
        "display_name": _text(form, "display_name"),
        "password": form.get("password", "") if isinstance(form.get("password"), str) else "",
        "roles": [str(v) for v in form.getlist("roles")],
        "sales_person_id": _text(form, "sales_person_id"),
        "partner_id": _text(form, "partner_id"),
        "include_sub_dealers": bool(form.get("include_sub_dealers")),
        "must_change_password": bool(form.get("must_change_password")),
        "status": _text(form, "status") or "active",
        "version": _text(form, "version"),
    }


def resolve_bindings(session: Session, values: dict[str, Any]) -> dict[str, uuid.UUID | None]:
    """Codes typed in the form -> ids; an unknown code is an error on its field."""
    found: dict[str, uuid.UUID | None] = {}
    errors: list[ErrorDetail] = []
    for name, kind in _BINDINGS.items():
        code = values[name]
        if not code:
            found[name] = None
            continue
        ids = find_ids_by_code(session, kind=kind, codes=[code])
        if code not in ids:
            label = kind.replace("_", " ")
            errors.append(ErrorDetail(name, f"no {label} with code {code!r}"))
        found[name] = ids.get(code)
    if errors:
        raise InvalidInput("Invalid user", errors)
    return found


def split_errors(
    error: InvalidInput | Conflict | PreconditionFailed, fields: Iterable[str]
) -> tuple[dict[str, list[str]], list[str]]:
    known = set(fields)
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for detail in error.details:
        if detail.location in known:
            by_field.setdefault(detail.location, []).append(detail.message)
        else:
            general.append(str(detail))
    return by_field, general


_FORM_FIELDS = (
    "login",
    "display_name",
    "password",
    "roles",
    "sales_person_id",
    "partner_id",
    "include_sub_dealers",
    "must_change_password",
    "status",
)


def install_admin_pages(router: APIRouter, runtime: Runtime) -> None:
    def users_page(request: Request) -> Response:
        principal = principal_of(request)
        with work(runtime, request) as session:
            rows = user_rows(session, list_users(session, principal=principal))
        return render(
            request,
            "admin_users.html",
            {
                "title": "Users",
                "rows": rows,
                "can_write": principal.can(Family.USERS, "write"),
            },
        )

    def form_page(
        request: Request,
        *,
        creating: bool,
        values: dict[str, Any],
        user: User | None = None,
        error: InvalidInput | Conflict | PreconditionFailed | None = None,
    ) -> Response:
        errors, general = split_errors(error, _FORM_FIELDS) if error else ({}, [])
        title = "New user" if creating else f"Edit user {user.login if user else ''}"
        return render(
            request,
            "admin_user_form.html",
            {
                "title": title,
                "fields": user_form_fields(values, errors, creating=creating),
                "errors": [error.message, *general] if error else [],
                "stale": isinstance(error, PreconditionFailed),
                "action": f"{USERS_PATH}/new"
                if creating
                else f"{USERS_PATH}/{user.id if user else ''}/edit",
                "version": values.get("version", ""),
                "user": user,
            },
            status_code=status_of(error) if error else 200,
        )

    def new_user_form(request: Request) -> Response:
        authorize(principal_of(request), Family.USERS, "write")
        return form_page(request, creating=True, values={"must_change_password": True})

    async def create(request: Request) -> Response:
        values = values_from_form(await read_form(request))
        return await run_in_threadpool(_create, request, values)

    def _create(request: Request, values: dict[str, Any]) -> Response:
        principal = principal_of(request)
        try:
            with work(runtime, request) as session:
                bindings = resolve_bindings(session, values)
                user = create_user(
                    session,
                    principal=principal,
                    login=values["login"],
                    display_name=values["display_name"],
                    password=values["password"],
                    roles=values["roles"],
                    now=runtime.clock.now(),
                    include_sub_dealers=values["include_sub_dealers"],
                    must_change_password=values["must_change_password"],
                    **bindings,
                )
                login = user.login
        except (InvalidInput, Conflict) as error:
            return form_page(request, creating=True, values=values, error=error)
        response = RedirectResponse(USERS_PATH, status_code=303)
        set_flash(response, f"User {login} created.")
        return response

    def edit_form(request: Request, user_id: str) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.USERS, "write")
        with work(runtime, request) as session:
            user = get_user(session, principal=principal, user_id=parse_id(user_id))
            values = {
                "display_name": user.display_name,
                "roles": list(user.roles),
                "sales_person_id": _codes(session, SalesPerson, user.sales_person_id),
                "partner_id": _codes(session, Partner, user.partner_id),
                "include_sub_dealers": user.include_sub_dealers,
                "status": user.status,
                "version": str(user.version),
            }
        return form_page(request, creating=False, values=values, user=user)

    async def update(request: Request, user_id: str) -> Response:
        values = values_from_form(await read_form(request))
        return await run_in_threadpool(_update, request, parse_id(user_id), values)

    def _update(request: Request, user_id: uuid.UUID, values: dict[str, Any]) -> Response:
        principal = principal_of(request)
        try:
            with work(runtime, request) as session:
                user = get_user(session, principal=principal, user_id=user_id)
                bindings = resolve_bindings(session, values)
                update_user(
                    session,
                    principal=principal,
                    user_id=user_id,
                    changes={
                        "display_name": values["display_name"],
                        "roles": values["roles"],
                        "include_sub_dealers": values["include_sub_dealers"],
                        "status": values["status"],
                        **bindings,
                    },
                    now=runtime.clock.now(),
                    expected_version=parse_version(values["version"]),
                )
                login = user.login
        except (InvalidInput, Conflict, PreconditionFailed) as error:
            with work(runtime, request) as session:
                user = get_user(session, principal=principal, user_id=user_id)
            return form_page(request, creating=False, values=values, user=user, error=error)
        response = RedirectResponse(USERS_PATH, status_code=303)
        set_flash(response, f"User {login} saved.")
        return response

    def password_page(request: Request, user: User, error: InvalidInput | None = None) -> Response:
        errors, general = (
            split_errors(error, ("password", "confirm_password")) if error else ({}, [])
        )
        fields = []
        for name, label in (
            ("password", "Temporary password"),
            ("confirm_password", "Temporary password again"),
        ):
            form_field = FormField(name=name, label=label, widget="password", required=True)
            form_field.errors = errors.get(name, [])
            fields.append(form_field)
        fields[0].hint = "At least 12 characters, not the login name, not a common password."
        return render(
            request,
            "admin_user_password.html",
            {
                "title": f"Reset the password of {user.login}",
                "user": user,
                "fields": fields,
                "errors": [error.message, *general] if error else [],
            },
            status_code=400 if error else 200,
        )

    def password_form(request: Request, user_id: str) -> Response:
        principal = principal_of(request)
        authorize(principal, Family.USERS, "write")
        with work(runtime, request) as session:
            user = get_user(session, principal=principal, user_id=parse_id(user_id))
        return password_page(request, user)

    async def password_reset(request: Request, user_id: str) -> Response:
        form = await read_form(request)
        password = form.get("password", "")
        confirm = form.get("confirm_password", "")
        return await run_in_threadpool(
            _reset,
            request,
            parse_id(user_id),
            password if isinstance(password, str) else "",
            confirm if isinstance(confirm, str) else "",
        )

    def _reset(request: Request, user_id: uuid.UUID, password: str, confirm: str) -> Response:
        principal = principal_of(request)
        try:
            with work(runtime, request) as session:
                if password != confirm:
                    raise InvalidInput(
                        "Password not reset",
                        [ErrorDetail("confirm_password", "does not match the temporary password")],
                    )
                user = reset_password(
                    session,
                    principal=principal,
                    user_id=user_id,
                    new_password=password,
                    now=runtime.clock.now(),
                )
                login = user.login
        except InvalidInput as error:
            with work(runtime, request) as session:
                user = get_user(session, principal=principal, user_id=user_id)
            return password_page(request, user, error)
        response = RedirectResponse(USERS_PATH, status_code=303)
        set_flash(
            response,
            f"Temporary password set for {login}: they must choose a new one when they log in.",
        )
        return response

    router.add_api_route(USERS_PATH, users_page, methods=["GET"], name="admin_users")
    router.add_api_route(f"{USERS_PATH}/new", new_user_form, methods=["GET"], name="user_new")
    router.add_api_route(f"{USERS_PATH}/new", create, methods=["POST"], name="user_create")
    router.add_api_route(
        f"{USERS_PATH}/{{user_id}}/edit", edit_form, methods=["GET"], name="user_edit"
    )
    router.add_api_route(
        f"{USERS_PATH}/{{user_id}}/edit", update, methods=["POST"], name="user_update"
    )
    router.add_api_route(
        f"{USERS_PATH}/{{user_id}}/password",
        password_form,
        methods=["GET"],
        name="user_password",
    )
    router.add_api_route(
        f"{USERS_PATH}/{{user_id}}/password",
        password_reset,
        methods=["POST"],
        name="user_password_reset",
    )
