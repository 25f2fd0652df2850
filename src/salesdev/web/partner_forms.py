"""The contact and payout forms of the partner page: their fields, and how their inputs
become the partners service's arguments (the service does the validation)."""

from __future__ import annotations

from typing import Any

from salesdev.core.errors import ErrorDetail, SalesdevError
from salesdev.domains.partners import CONTACT_ROLES, MAX_PAYMENT_TERMS_DAYS
from salesdev.web.choices import errors_by_field
from salesdev.web.format import humanize
from salesdev.web.forms import Form, FormField

CONTACT_FORM_FIELDS = ("name", "role", "email", "phone", "is_primary")
PAYOUT_FORM_FIELDS = ("payee_name", "iban", "bic", "tax_id", "currency", "payment_terms_days")


def contact_form(raw: dict[str, str], error: SalesdevError | None) -> Form:
    by_field, general = errors_by_field(error, CONTACT_FORM_FIELDS)

    def field(name: str, label: str, **more: Any) -> FormField:
        return _field(raw, by_field, name, label, **more)

    return Form(
        fields=[
            field("name", "Name", max_length=200),
            field(
                "role",
                "Role",
                widget="select",
                options=[("", "—"), *((r, humanize(r)) for r in CONTACT_ROLES)],
            ),
            field("email", "E-mail", max_length=254),
            field("phone", "Telephone", required=False, max_length=32),
            field(
                "is_primary",
                "Primary contact",
                widget="checkbox",
                required=False,
                value="true" if raw.get("is_primary") else "",
            ),
        ],
        errors=general,
    )


def _field(
    raw: dict[str, str], by_field: dict[str, list[str]], name: str, label: str, **more: Any
) -> FormField:
    given: dict[str, Any] = {"widget": "text", "required": True, "value": raw.get(name, "")}
    return FormField(name=name, label=label, errors=by_field.get(name, []), **(given | more))


def contact_values(raw: dict[str, str]) -> dict[str, Any]:
    return {
        "name": raw.get("name", "").strip(),
        "role": raw.get("role", "").strip(),
        "email": raw.get("email", "").strip(),
        "phone": raw.get("phone", "").strip() or None,
        "is_primary": bool(raw.get("is_primary")),
    }


def payout_form(raw: dict[str, str], error: SalesdevError | None) -> Form:
    by_field, general = errors_by_field(error, PAYOUT_FORM_FIELDS)

    def field(name: str, label: str, **more: Any) -> FormField:
        return _field(raw, by_field, name, label, **more)

    return Form(
        fields=[
            field("payee_name", "Payee name", max_length=200),
            field("iban", "IBAN", hint="Spaces are ignored, e.g. DE89 3704 0044 0532 0130 00."),
            field("bic", "BIC", required=False, hint="8 or 11 characters, e.g. DEUTDEFF."),
            field("tax_id", "Tax identifier", max_length=32),
            field("currency", "Currency", hint="ISO 4217 code, e.g. EUR."),
            field(
                "payment_terms_days",
                "Payment terms (days)",
                widget="number",
                hint=f"0 to {MAX_PAYMENT_TERMS_DAYS}.",
            ),
        ],
        errors=general,
    )


def payout_values(raw: dict[str, str]) -> tuple[dict[str, Any], list[ErrorDetail]]:
    """The service's arguments, and the form errors found before it could be asked."""
    errors: list[ErrorDetail] = []
    days_text = raw.get("payment_terms_days", "").strip()
    try:
        days = int(days_text)
    except ValueError:
        errors.append(
            ErrorDetail(
                "payment_terms_days",
                f"expected a whole number of days from 0 to {MAX_PAYMENT_TERMS_DAYS}; "
                f"got {days_text!r}",
            )
        )
        days = 0
    values = {
        "payee_name": raw.get("payee_name", ""),
        "iban": raw.get("iban", ""),
        "bic": raw.get("bic", "").strip() or None,
        "tax_id": raw.get("tax_id", ""),
        "currency": raw.get("currency", "").strip().upper(),
        "payment_terms_days": days,
    }
    return values, errors


def grouped_iban(iban: str) -> str:
    """The IBAN in its printed form: groups of four characters."""
    compact = iban.replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
