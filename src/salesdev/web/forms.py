"""Create/edit forms of reference entities, generic over their field declarations.

The form keeps what the user typed (as strings) so that an invalid save shows the
input again with each message next to its field; the domain service does the
validation, the form only maps widgets to domain values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import func, inspect, or_, select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput, SalesdevError
from salesdev.domains.access import Principal
from salesdev.domains.reference import ENTITY_KINDS, EntityKind, FieldSpec, find_ids_by_code
from salesdev.web.format import format_export, humanize
from salesdev.web.listing import LOOKUP_THRESHOLD, display_column, readable
from salesdev.web.nav import kind_slug

Widget = Literal[
    "text",
    "number",
    "decimal",
    "date",
    "datetime",
    "checkbox",
    "select",
    "tags",
    "lookup",
    "password",
    "bounded_decimal",
]
RawValues = dict[str, str | list[str]]

_WIDGETS: dict[str, Widget] = {
    "str": "text",
    "int": "number",
    "decimal": "decimal",
    "currency": "text",
    "date": "date",
    "datetime": "datetime",
    "bool": "checkbox",
    "tags": "tags",
}
_HINTS = {
    "decimal": "An exact amount, up to 4 decimal places, e.g. 29.99.",
    "currency": "ISO 4217 code, e.g. EUR.",
    "datetime": "In UTC.",
}
_HAS_ZONE = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


@dataclass
class FormField:
    name: str
    label: str
    widget: Widget
    required: bool
    value: str = ""
    selected: tuple[str, ...] = ()
    options: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    hint: str = ""
    max_length: int | None = None
    lookup_path: str = ""
    # For a bounded decimal, shown as a number input: its inclusive bounds as text.
    minimum: str = ""
    maximum: str = ""


@dataclass
class Form:
    fields: list[FormField]
    errors: list[str]
    version: str = ""

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(f.errors for f in self.fields)


def ref_widgets(session: Session, kind: EntityKind) -> dict[str, Widget]:
    """A select for small referred kinds; a code lookup where a select would be huge."""
    widgets: dict[str, Widget] = {}
    counts: dict[str, int] = {}
    for spec in kind.fields:
        if spec.type == "ref" and spec.references is not None:
            if spec.references not in counts:
                counts[spec.references] = _count_all(session, ENTITY_KINDS[spec.references])
            widgets[spec.name] = (
                "lookup" if counts[spec.references] > LOOKUP_THRESHOLD else "select"
            )
    return widgets


def _count_all(session: Session, kind: EntityKind) -> int:
    # Only the choice of widget depends on it; what a list offers is narrowed where it is built.
    model: Any = kind.model
    return session.scalar(select(func.count()).select_from(model)) or 0


def _column(kind: EntityKind, name: str) -> Any:
    return inspect(kind.model).columns[name]


def _column_default(kind: EntityKind, name: str) -> Any:
    default = _column(kind, name).default
    arg = getattr(default, "arg", None)
    return None if arg is None or callable(arg) else arg


def _may_be_empty(kind: EntityKind, spec: FieldSpec) -> bool:
    return not spec.required and bool(_column(kind, spec.name).nullable)


def initial_values(session: Session, kind: EntityKind, entity: Any | None) -> RawValues:
    """What the form shows first: the entity's values, or the defaults for a new one."""
    widgets = ref_widgets(session, kind)
    raw: RawValues = {}
    for spec in kind.fields:
        value = getattr(entity, spec.name) if entity is not None else None
        if entity is None:
            value = None if spec.required else _column_default(kind, spec.name)
        raw[spec.name] = _to_raw(session, spec, value, widgets.get(spec.name))
    return raw


def _to_raw(
    session: Session, spec: FieldSpec, value: Any, widget: Widget | None
) -> str | list[str]:
    if value is None:
        return [] if spec.type == "tags" else ""
    if spec.type == "tags":
        return [t for t in str(value).split(",") if t]
    if spec.type == "ref":
        if widget == "lookup":
            assert spec.references is not None
            model: Any = ENTITY_KINDS[spec.references].model
            code: str | None = session.scalar(select(model.code).where(model.id == value))
            return code or ""
        return str(value)
    if spec.type == "datetime":
        utc: datetime = value.astimezone(UTC)
        return utc.strftime("%Y-%m-%dT%H:%M" if utc.second == 0 else "%Y-%m-%dT%H:%M:%S")
    return format_export(value)


def raw_from_form(
    kind: EntityKind, form: Mapping[str, Any], getlist: Callable[[str], list[Any]]
) -> RawValues:
    raw: RawValues = {}
    for spec in kind.fields:
        if spec.type == "tags":
            raw[spec.name] = [str(v) for v in getlist(spec.name)]
        elif spec.type == "bool":
            raw[spec.name] = "true" if form.get(spec.name) else "false"
        else:
            raw[spec.name] = str(form.get(spec.name, "")).strip()
    return raw


def build_form(
    session: Session,
    kind: EntityKind,
    raw: RawValues,
    *,
    error: SalesdevError | None = None,
    version: str = "",
) -> Form:
    widgets = ref_widgets(session, kind)
    field_errors: dict[str, list[str]] = {}
    general: list[str] = []
    if error is not None:
        general.append(error.message)
        for detail in error.details:
            if kind.field(detail.location) is not None:
                field_errors.setdefault(detail.location, []).append(detail.message)
            else:
                general.append(str(detail))
    fields = [
        _form_field(session, kind, spec, raw, widgets.get(spec.name), field_errors)
        for spec in kind.fields
    ]
    return Form(fields=fields, errors=general, version=version)


def _form_field(
    session: Session,
    kind: EntityKind,
    spec: FieldSpec,
    raw: RawValues,
    ref_widget: Widget | None,
    field_errors: dict[str, list[str]],
) -> FormField:
    value = raw.get(spec.name, "")
    widget: Widget = ref_widget or (
        "select" if spec.choices and spec.type == "str" else _WIDGETS[spec.type]
    )
    bounded = spec.type == "decimal" and (spec.minimum is not None or spec.maximum is not None)
    if bounded:
        # A range the browser can check (a percentage, say) reads best as a number input.
        widget = "bounded_decimal"
    form_field = FormField(
        name=spec.name,
        label=spec.title,
        widget=widget,
        required=spec.required,
        value=value if isinstance(value, str) else "",
        selected=tuple(value) if isinstance(value, list) else (value,),
        errors=field_errors.get(spec.name, []),
        hint=_HINTS.get(spec.type, ""),
        max_length=spec.max_length,
        minimum="" if spec.minimum is None else str(spec.minimum),
        maximum="" if spec.maximum is None else str(spec.maximum),
    )
    if bounded and not form_field.hint:
        form_field.hint = _bounds_hint(form_field)
    blank = [("", "—")] if _may_be_empty(kind, spec) or spec.required else []
    if spec.choices:
        form_field.options = [
            *(blank if widget == "select" else []),
            *((c, humanize(c)) for c in spec.choices),
        ]
    elif widget == "tags" and spec.references is not None:
        # Tags that must be codes of another kind (regions served): one checkbox per row.
        target = ENTITY_KINDS[spec.references]
        tag_model: Any = target.model
        codes = session.execute(
            select(tag_model.code, display_column(target)).order_by(tag_model.code)
        )
        form_field.options = [(code, f"{name} ({code})") for code, name in codes]
    elif widget == "select":
        assert spec.references is not None
        target = ENTITY_KINDS[spec.references]
        model: Any = target.model
        rows = session.execute(
            select(model.id, model.code, display_column(target)).order_by(
                display_column(target), model.code
            )
        )
        form_field.options = [*blank, *((str(id_), f"{name} ({code})") for id_, code, name in rows)]
    elif widget == "lookup":
        assert spec.references is not None
        target = ENTITY_KINDS[spec.references]
        form_field.lookup_path = f"/{kind_slug(target)}/lookup"
        form_field.hint = f"Type the {target.label.lower()}'s code."
    return form_field


def _bounds_hint(form_field: FormField) -> str:
    if form_field.minimum and form_field.maximum:
        return f"From {form_field.minimum} to {form_field.maximum}."
    if form_field.minimum:
        return f"At least {form_field.minimum}."
    return f"At most {form_field.maximum}."


def to_domain_values(
    session: Session, kind: EntityKind, raw: RawValues, *, creating: bool
) -> tuple[dict[str, Any], list[ErrorDetail]]:
    """Domain values for the service, and the code lookups that found nothing."""
    widgets = ref_widgets(session, kind)
    values: dict[str, Any] = {}
    lookup_errors: list[ErrorDetail] = []
    for spec in kind.fields:
        value = raw.get(spec.name, "")
        text = ",".join(value) if isinstance(value, list) else value
        if text == "" and not spec.required and spec.type not in ("tags", "bool"):
            if creating:
                continue  # the stored default applies
            if not _may_be_empty(kind, spec):
                # Clearing a field that cannot be empty returns it to its default.
                default = _column_default(kind, spec.name)
                if default is not None:
                    values[spec.name] = default
                continue
        if spec.type == "ref" and widgets.get(spec.name) == "lookup" and text:
            assert spec.references is not None
            found = find_ids_by_code(session, kind=spec.references, codes=[text])
            if text not in found:
                label = ENTITY_KINDS[spec.references].label.lower()
                lookup_errors.append(ErrorDetail(spec.name, f"no {label} with code {text!r}"))
                continue
            values[spec.name] = found[text]
        elif spec.type == "datetime" and text and not _HAS_ZONE.search(text):
            values[spec.name] = text + "+00:00"  # the form says the time is in UTC
        else:
            values[spec.name] = text
    return values, lookup_errors


class _Discard(Exception):
    """Undo a trial save that was only run to collect its validation messages."""


def save_form(
    session: Session,
    kind: EntityKind,
    raw: RawValues,
    *,
    creating: bool,
    save: Callable[[dict[str, Any]], Any],
) -> Any:
    """Run ``save`` with the form's values; every message for the form in one InvalidInput."""
    values, lookup_errors = to_domain_values(session, kind, raw, creating=creating)
    if not lookup_errors:
        return save(values)
    details = list(lookup_errors)
    failed = {d.location for d in lookup_errors}
    try:
        with session.begin_nested():
            save(values)
            raise _Discard
    except InvalidInput as exc:
        details += [d for d in exc.details if d.location not in failed]
    except _Discard:
        pass
    raise InvalidInput(f"Invalid {kind.label.lower()}", details)


def parse_version(text: str) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        raise InvalidInput("Invalid form", [ErrorDetail("version", "not a number")]) from None


def lookup_matches(
    session: Session, *, principal: Principal, kind: EntityKind, q: str, limit: int = 20
) -> list[dict[str, str]]:
    """Codes starting with or names containing ``q``, among the rows the principal may read."""
    model: Any = kind.model
    needle = q.strip().lower()
    rows_readable = readable(session, principal=principal, kind=kind)
    if not needle or rows_readable is None:
        return []
    name = display_column(kind)
    visible = rows_readable.with_only_columns(model.id)
    rows = session.execute(
        select(model.code, name)
        .where(
            model.id.in_(visible),
            or_(
                func.lower(model.code).startswith(needle, autoescape=True),
                func.lower(name).contains(needle, autoescape=True),
            ),
        )
        .order_by(model.code)
        .limit(limit)
    )
    return [{"code": code, "name": label} for code, label in rows]
