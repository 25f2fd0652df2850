"""The terms form of a channel agreement: typed rows <-> the canonical terms snapshot.

The form keeps what was typed (as strings) so a refused save shows it again with
each message beside its field or row. Dates are days in UTC; when a revision keeps
the day of a start or end that was set to another time of day (through the API),
the original instant is kept rather than moved to midnight.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from salesdev.core.errors import ErrorDetail, SalesdevError
from salesdev.web.choices import parse_day

VOLUME_ROWS = 3
CLAUSE_ROWS = 2

TermsPatch = dict[str, Any]


@dataclass
class VolumeRow:
    month: str = ""
    commitment: str = ""
    target: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class ClauseRow:
    key: str = ""
    text: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class TermsForm:
    name: str = ""
    valid_from: str = ""
    valid_to: str = ""
    commission: str = ""
    payment_days: str = ""
    allowances: dict[str, str] = field(default_factory=dict)
    volumes: list[VolumeRow] = field(default_factory=list)
    clauses: list[ClauseRow] = field(default_factory=list)
    comment: str = ""
    partner: str = ""
    channel: str = ""
    version: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def padded(self) -> TermsForm:
        volumes = [r for r in self.volumes if r.month or r.commitment or r.target or r.errors]
        clauses = [r for r in self.clauses if r.key or r.text or r.errors]
        self.volumes = volumes + [VolumeRow() for _ in range(max(VOLUME_ROWS - len(volumes), 1))]
        self.clauses = clauses + [ClauseRow() for _ in range(max(CLAUSE_ROWS - len(clauses), 1))]
        return self

    def add_error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def form_from_post(form: Any, family_codes: Iterable[str]) -> TermsForm:
    months = [str(v).strip() for v in form.getlist("volume_month")]
    commitments = [str(v).strip() for v in form.getlist("volume_commitment")]
    targets = [str(v).strip() for v in form.getlist("volume_target")]
    keys = [str(v).strip() for v in form.getlist("clause_key")]
    texts = [str(v).strip() for v in form.getlist("clause_text")]
    return TermsForm(
        name=_text(form, "name"),
        valid_from=_text(form, "valid_from"),
        valid_to=_text(form, "valid_to"),
        commission=_text(form, "commission"),
        payment_days=_text(form, "payment_days"),
        allowances={code: _text(form, f"allowance_{code}") for code in family_codes},
        volumes=[VolumeRow(*row) for row in zip(months, commitments, targets, strict=False)],
        clauses=[ClauseRow(*row) for row in zip(keys, texts, strict=False)],
        comment=_text(form, "comment"),
        partner=_text(form, "partner"),
        channel=_text(form, "channel"),
        version=_text(form, "version"),
    )


def form_from_snapshot(snapshot: Mapping[str, Any], version: int) -> TermsForm:
    valid_for = snapshot.get("validFor") or {}
    return TermsForm(
        name=str(snapshot.get("name", "")),
        valid_from=_day(valid_for.get("startDateTime")),
        valid_to=_day(valid_for.get("endDateTime")),
        commission=str(snapshot.get("commissionScheduleRef", "")),
        payment_days=str(snapshot.get("paymentTermsDays", "")),
        allowances={str(k): str(v) for k, v in (snapshot.get("discountAllowances") or {}).items()},
        volumes=[
            VolumeRow(month, str(v.get("commitment", "")), str(v.get("target", "")))
            for month, v in (snapshot.get("volumeCommitments") or {}).items()
        ],
        clauses=[ClauseRow(k, str(v)) for k, v in (snapshot.get("clauses") or {}).items()],
        version=str(version),
    ).padded()


def _day(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return ""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).date().isoformat()


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def terms_from_form(
    form: TermsForm, *, current: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], list[ErrorDetail]]:
    """The terms the form says, and the problems only the form can see (not numbers, dates)."""
    errors: list[ErrorDetail] = []
    start = parse_day(form.valid_from, "validFor.startDateTime", errors)
    end = parse_day(form.valid_to, "validFor.endDateTime", errors)
    valid_for = (current or {}).get("validFor") or {}
    start_iso = _iso(start)
    end_iso = _iso(end)
    # Same day as before: keep the instant as it was (it may not be midnight).
    if start_iso and _day(valid_for.get("startDateTime")) == form.valid_from:
        start_iso = valid_for.get("startDateTime")
    if end_iso and _day(valid_for.get("endDateTime")) == form.valid_to:
        end_iso = valid_for.get("endDateTime")
    payment: Any = None
    if form.payment_days:
        try:
            payment = int(form.payment_days)
        except ValueError:
            errors.append(
                ErrorDetail(
                    "paymentTermsDays",
                    f"expected a whole number of days, got {form.payment_days!r}",
                )
            )
            payment = 0
    volumes: dict[str, dict[str, int]] = {}
    for index, row in enumerate(form.volumes):
        if not (row.month or row.commitment or row.target):
            continue
        where = f"volume[{index}]"
        if row.month in volumes:
            errors.append(ErrorDetail(where, f"month {row.month} is listed twice"))
            continue
        numbers: dict[str, int] = {}
        for key, text in (("commitment", row.commitment), ("target", row.target)):
            try:
                numbers[key] = int(text)
            except ValueError:
                errors.append(ErrorDetail(where, f"{key}: expected a whole number, got {text!r}"))
        if len(numbers) == 2:
            volumes[row.month] = numbers
    clauses: dict[str, str] = {}
    for index, clause in enumerate(form.clauses):
        if not (clause.key or clause.text):
            continue
        if clause.key in clauses:
            errors.append(ErrorDetail(f"clause[{index}]", f"clause {clause.key!r} is listed twice"))
            continue
        clauses[clause.key] = clause.text
    terms = {
        "name": form.name,
        "validFor": {"startDateTime": start_iso, "endDateTime": end_iso},
        "commissionScheduleRef": form.commission,
        "discountAllowances": {code: text for code, text in form.allowances.items() if text},
        "volumeCommitments": volumes,
        "paymentTermsDays": payment,
        "clauses": clauses,
    }
    return terms, errors


def as_patch(current: Mapping[str, Any], new: Mapping[str, Any]) -> TermsPatch:
    """A JSON merge patch from ``current`` to ``new``: removed keys of nested objects become null."""
    patch: TermsPatch = {}
    for key, value in new.items():
        old = current.get(key)
        if isinstance(value, Mapping) and isinstance(old, Mapping):
            nested = {k: v for k, v in value.items()}
            nested.update({k: None for k in old if k not in value})
            patch[key] = nested
        else:
            patch[key] = value
    return patch


def place_errors(
    form: TermsForm, error: SalesdevError, *, extra: Iterable[ErrorDetail] = ()
) -> TermsForm:
    """Each detail beside its field or row; what has no place goes above the form."""
    form.general = [error.message]
    months = {row.month: i for i, row in enumerate(form.volumes) if row.month}
    keys = {row.key: i for i, row in enumerate(form.clauses) if row.key}
    simple = {
        "name": "name",
        "validFor": "valid_from",
        "validFor.startDateTime": "valid_from",
        "validFor.endDateTime": "valid_to",
        "commissionScheduleRef": "commission",
        "paymentTermsDays": "payment_days",
        "partner_id": "party",
        "channel_id": "party",
        "comment": "comment",
        "discountAllowances": "allowances",
        "volumeCommitments": "volumes",
        "clauses": "clauses",
    }
    for detail in [*error.details, *extra]:
        where = detail.location
        if where in simple:
            form.add_error(simple[where], detail.message)
        elif where.startswith("discountAllowances."):
            form.add_error("allowance_" + where.split(".", 1)[1], detail.message)
        elif where.startswith("volume["):
            form.volumes[int(where[7:-1])].errors.append(detail.message)
        elif where.startswith("clause["):
            form.clauses[int(where[7:-1])].errors.append(detail.message)
        elif where.startswith("volumeCommitments.") and _row_of(where, months) is not None:
            index = _row_of(where, months)
            assert index is not None
            rest = where.split(".", 2)[2] if where.count(".") >= 2 else ""
            form.volumes[index].errors.append(
                f"{rest}: {detail.message}" if rest else detail.message
            )
        elif where.startswith("clauses.") and where.split(".", 1)[1] in keys:
            form.clauses[keys[where.split(".", 1)[1]]].errors.append(detail.message)
        else:
            form.general.append(str(detail))
    return form.padded()


def _row_of(location: str, months: Mapping[str, int]) -> int | None:
    return months.get(location.split(".")[1])
