"""Logging in and out, changing one's password, and one's personal API tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.ids import parse_id
from salesdev.db.session import unit_of_work
from salesdev.domains.audit import set_audit_context
from salesdev.domains.identity import (
    authenticate,
    change_password,
    create_api_token,
    end_web_session,
    list_api_tokens,
    revoke_api_token,
    start_web_session,
)
from salesdev.runtime import Runtime
from salesdev.web.auth import (
    CONSOLE_DETAILS,
    LOGIN_PATH,
    PASSWORD_PATH,
    clear_login_csrf_cookie,
    clear_session_cookie,
    identify,
    login_csrf_token,
    principal_of,
    safe_next,
    set_login_csrf_cookie,
    set_session_cookie,
    signed_in,
    work,
)
from salesdev.web.flash import set_flash
from salesdev.web.forms import FormField
from salesdev.web.protection import read_form
from salesdev.web.templating import render

TOKENS_PATH = "/account/tokens"
DEFAULT_TOKEN_DAYS = 90
INVALID_LOGIN = "Invalid login or password."


@dataclass(frozen=True)
class LoginFailure:
    message: str
    locked_until: datetime | None = None


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _field(name: str, label: str, errors: dict[str, list[str]], **extra: object) -> FormField:
    field = FormField(name=name, label=label, widget="text", required=True)
    field.errors = errors.get(name, [])
    for key, value in extra.items():
        setattr(field, key, value)
    return field


def field_errors(error: InvalidInput, known: set[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Messages by field, and those that belong to no field of the form."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for detail in error.details:
        if detail.location in known:
            by_field.setdefault(detail.location, []).append(detail.message)
        else:
            general.append(str(detail))
    return by_field, general


def install_account_pages(router: APIRouter, runtime: Runtime) -> None:
    factory = runtime.session_factory

    # --- login ---------------------------------------------------------------------------

    def login_page(
        request: Request,
        *,
        target: str,
        login: str = "",
        failure: LoginFailure | None = None,
        status_code: int = 200,
    ) -> Response:
        token, new = login_csrf_token(request)
        response = render(
            request,
            "login.html",
            {
                "title": "Log in",
                "login_csrf": token,
                "next": target,
                "login": login,
                "failure": failure,
            },
            status_code=status_code,
        )
        if new:
            set_login_csrf_cookie(response, runtime, request, token)
        return response

    def login_form(request: Request) -> Response:
        target = safe_next(request.query_params.get("next"))
        if identify(runtime, request) is not None:
            return RedirectResponse(target, status_code=303)
        return login_page(request, target=target)

    async def login_submit(request: Request) -> Response:
        form = await read_form(request)
        return await run_in_threadpool(
            _login,
            request,
            _text(form, "login").strip(),
            _text(form, "password"),
            safe_next(_text(form, "next")),
        )

    def _login(request: Request, login: str, password: str, target: str) -> Response:
        now = runtime.clock.now()
        # A failed attempt is a result, not an error: the lock-out counter and the audit
        # events it wrote are committed with everything else.
        with unit_of_work(factory) as session:
            set_audit_context(
                session, actor=f"user:{login.lower()[:100]}", now=now, details=CONSOLE_DETAILS
            )
            outcome = authenticate(
                session, login=login, password=password, now=now, source="console"
            )
            user = outcome.user
            if user is not None:
                token, web_session = start_web_session(session, user=user, now=now)
                must_change = user.must_change_password
                expires_at = web_session.expires_at
        if user is None:
            locked = outcome.locked_until is not None
            failure = LoginFailure(outcome.error if locked else INVALID_LOGIN, outcome.locked_until)
            return login_page(
                request,
                target=target,
                login=login,
                failure=failure,
                status_code=429 if locked else 401,
            )
        response = RedirectResponse(PASSWORD_PATH if must_change else target, status_code=303)
        set_session_cookie(response, runtime, request, token=token, expires_at=expires_at, now=now)
        clear_login_csrf_cookie(response)
        return response

    # --- logout --------------------------------------------------------------------------

    async def logout(request: Request) -> Response:
        await read_form(request)
        return await run_in_threadpool(_logout, request)

    def _logout(request: Request) -> Response:
        with work(runtime, request) as session:
            end_web_session(
                session, token=signed_in(request).session_token, now=runtime.clock.now()
            )
        response = RedirectResponse(LOGIN_PATH, status_code=303)
        clear_session_cookie(response)
        set_flash(response, "You have logged out.", level="info")
        return response

    # --- password ------------------------------------------------------------------------

    password_fields = ("current_password", "new_password", "confirm_password")

    def password_page(
        request: Request,
        errors: dict[str, list[str]] | None = None,
        general: list[str] | None = None,
        status_code: int = 200,
    ) -> Response:
        errors = errors or {}
        labels = ("Current password", "New password", "New password again")
        fields = [
            _field(name, label, errors, widget="password")
            for name, label in zip(password_fields, labels, strict=True)
        ]
        fields[1].hint = "At least 12 characters, not your login name, not a common password."
        return render(
            request,
            "change_password.html",
            {
                "title": "Change your password",
                "fields": fields,
                "errors": general or [],
                "forced": signed_in(request).must_change_password,
            },
            status_code=status_code,
        )

    def password_form(request: Request) -> Response:
        return password_page(request)

    async def password_submit(request: Request) -> Response:
        form = await read_form(request)
        values = {name: _text(form, name) for name in password_fields}
        return await run_in_threadpool(_change_password, request, values)

    def _change_password(request: Request, values: dict[str, str]) -> Response:
        user_id = principal_of(request).id
        assert user_id is not None  # a console principal is always a user
        try:
            if values["new_password"] != values["confirm_password"]:
                raise InvalidInput(
                    "Password not changed",
                    [ErrorDetail("confirm_password", "does not match the new password")],
                )
            with work(runtime, request) as session:
                change_password(
                    session,
                    user_id=user_id,
                    current_password=values["current_password"],
                    new_password=values["new_password"],
                    now=runtime.clock.now(),
                )
        except InvalidInput as error:
            errors, general = field_errors(error, set(password_fields))
            return password_page(request, errors, general, status_code=400)
        response = RedirectResponse("/", status_code=303)
        set_flash(response, "Your password was changed.")
        return response

    # --- personal API tokens -------------------------------------------------------------

    def tokens_page(
        request: Request,
        *,
        issued: str = "",
        values: dict[str, str] | None = None,
        error: InvalidInput | None = None,
        status_code: int = 200,
    ) -> Response:
        principal = principal_of(request)
        assert principal.id is not None
        values = values or {"name": "", "expires_in_days": str(DEFAULT_TOKEN_DAYS), "read_only": ""}
        errors, general = field_errors(error, {"name", "expires_in_days"}) if error else ({}, [])
        with work(runtime, request) as session:
            tokens = list_api_tokens(session, principal=principal, user_id=principal.id)
        now = runtime.clock.now()
        return render(
            request,
            "tokens.html",
            {
                "title": "My API tokens",
                "tokens": sorted(tokens, key=lambda t: t.created_at, reverse=True),
                "now": now,
                "issued": issued,
                "name_field": _field("name", "Name", errors, value=values["name"], max_length=200),
                "days_field": _field(
                    "expires_in_days",
                    "Expires after (days)",
                    errors,
                    value=values["expires_in_days"],
                    widget="number",
                    hint="Between 1 and 3650 days.",
                ),
                "read_only": values["read_only"] == "true",
                "errors": [error.message, *general] if error else [],
            },
            status_code=status_code,
        )

    def tokens_list(request: Request) -> Response:
        return tokens_page(request)

    async def token_create(request: Request) -> Response:
        form = await read_form(request)
        values = {
            "name": _text(form, "name").strip(),
            "expires_in_days": _text(form, "expires_in_days").strip(),
            "read_only": "true" if form.get("read_only") else "",
        }
        return await run_in_threadpool(_create_token, request, values)

    def _create_token(request: Request, values: dict[str, str]) -> Response:
        principal = principal_of(request)
        assert principal.id is not None
        try:
            days = _parse_days(values["expires_in_days"])
            with work(runtime, request) as session:
                token, _ = create_api_token(
                    session,
                    principal=principal,
                    user_id=principal.id,
                    name=values["name"],
                    now=runtime.clock.now(),
                    read_only=values["read_only"] == "true",
                    expires_in_days=days,
                )
        except InvalidInput as error:
            return tokens_page(request, values=values, error=error, status_code=400)
        # The plain token is shown in this one response and never again (only its hash is kept).
        return tokens_page(request, issued=token, status_code=201)

    async def token_revoke(request: Request, token_id: str) -> Response:
        await read_form(request)
        return await run_in_threadpool(_revoke_token, request, parse_id(token_id))

    def _revoke_token(request: Request, token_id: uuid.UUID) -> Response:
        with work(runtime, request) as session:
            token = revoke_api_token(
                session, principal=principal_of(request), token_id=token_id, now=runtime.clock.now()
            )
            name = token.name
        response = RedirectResponse(TOKENS_PATH, status_code=303)
        set_flash(response, f"Token {name!r} revoked: it no longer opens the API.")
        return response

    router.add_api_route(LOGIN_PATH, login_form, methods=["GET"], name="login")
    router.add_api_route(LOGIN_PATH, login_submit, methods=["POST"], name="login_submit")
    router.add_api_route("/logout", logout, methods=["POST"], name="logout")
    router.add_api_route(PASSWORD_PATH, password_form, methods=["GET"], name="password")
    router.add_api_route(PASSWORD_PATH, password_submit, methods=["POST"], name="password_submit")
    router.add_api_route(TOKENS_PATH, tokens_list, methods=["GET"], name="tokens")
    router.add_api_route(TOKENS_PATH, token_create, methods=["POST"], name="token_create")
    router.add_api_route(
        TOKENS_PATH + "/{token_id}/revoke", token_revoke, methods=["POST"], name="token_revoke"
    )


def _parse_days(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(
            "Invalid token", [ErrorDetail("expires_in_days", "give a whole number of days")]
        ) from None
