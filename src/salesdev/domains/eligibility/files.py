"""Eligibility rules in files: import (CSV or JSON) and export, all or nothing.

CSV columns: ``code, name, kind, applies_to, offering, family, condition, reason_code,
label, valid_from, valid_to, description``; ``offering`` and ``family`` are codes,
``condition`` is the condition's JSON. A JSON file is a list of objects with the same keys
(``condition`` an object). Every problem is reported with its line (CSV) or item (JSON) and
field, and nothing is written unless every row is valid. A rule whose code exists already
is left alone when the file says the same thing, and refused otherwise.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.periods import require_aware
from salesdev.db.models import ProductFamily, ProductOffering
from salesdev.db.models.selling import EligibilityRule
from salesdev.domains.access import Family, Principal, authorize
from salesdev.domains.eligibility.service import RuleInput, create_rule, iso, validate_rule
from salesdev.engine.rules import condition_to_json

COLUMNS = (
    "code",
    "name",
    "kind",
    "applies_to",
    "offering",
    "family",
    "condition",
    "reason_code",
    "label",
    "valid_from",
    "valid_to",
    "description",
)
REQUIRED = ("code", "name", "kind", "applies_to", "condition", "reason_code", "label", "valid_from")
MAX_ROWS = 20_000


@dataclass(frozen=True)
class ImportReport:
    created: int
    unchanged: int


def read_rules_file(content: bytes, *, file_format: str) -> list[tuple[str, dict[str, Any]]]:
    """``(where, row)`` pairs: ``where`` is "line N" (CSV) or "item N" (JSON)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("Invalid file", [ErrorDetail("file", "expected UTF-8 text")]) from None
    if "\x00" in text:
        raise InvalidInput("Invalid file", [ErrorDetail("file", "contains a NUL character")])
    if file_format == "json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidInput("Invalid file", [ErrorDetail("file", f"not JSON: {exc}")]) from None
        if not isinstance(data, list) or not all(isinstance(i, Mapping) for i in data):
            raise InvalidInput(
                "Invalid file", [ErrorDetail("file", "expected a JSON list of rule objects")]
            )
        rows = [(f"item {n}", dict(item)) for n, item in enumerate(data, start=1)]
    elif file_format == "csv":
        reader = csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        unknown = [name for name in header if name not in COLUMNS]
        missing = [name for name in REQUIRED if name not in header]
        problems = [ErrorDetail("header", f"unknown column {name}") for name in unknown]
        problems += [ErrorDetail("header", f"missing column {name}") for name in missing]
        if problems:
            raise InvalidInput("Invalid file", problems)
        rows = []
        for record in reader:
            row: dict[str, Any] = {k: v for k, v in record.items() if k is not None}
            raw = row.get("condition")
            if isinstance(raw, str) and raw.strip():
                try:
                    row["condition"] = json.loads(raw)
                except ValueError as exc:
                    row["condition"] = _BadJson(str(exc))
            rows.append((f"line {reader.line_num}", row))
    else:
        raise InvalidInput("Invalid file", [ErrorDetail("format", "expected csv or json")])
    if len(rows) > MAX_ROWS:
        raise InvalidInput("Invalid file", [ErrorDetail("file", f"at most {MAX_ROWS} rules")])
    return rows


@dataclass(frozen=True)
class _BadJson:
    message: str


def import_rules(
    session: Session,
    *,
    principal: Principal,
    content: bytes,
    file_format: str,
    now: datetime,
) -> ImportReport:
    authorize(principal, Family.PRICING, "write")
    require_aware(now, location="now")
    rows = read_rules_file(content, file_format=file_format)
    offerings = {
        code: id_ for code, id_ in session.execute(select(ProductOffering.code, ProductOffering.id))
    }
    families = {
        code: id_ for code, id_ in session.execute(select(ProductFamily.code, ProductFamily.id))
    }
    existing = {r.code: r for r in session.scalars(select(EligibilityRule))}
    errors: list[ErrorDetail] = []
    to_create: list[RuleInput] = []
    unchanged = 0
    seen: set[str] = set()
    for where, row in rows:
        row_errors: list[ErrorDetail] = []
        rule = _rule(row, offerings, families, row_errors)
        if rule is not None:
            condition, problems = validate_rule(session, rule)
            row_errors += problems
            code = rule.code.strip()
            if code in seen:
                row_errors.append(ErrorDetail("code", f"{code} is in the file twice"))
            seen.add(code)
            if not problems and condition is not None and code in existing:
                if _same(existing[code], rule, condition_to_json(condition)):
                    unchanged += 1
                else:
                    row_errors.append(
                        ErrorDetail("code", f"{code} exists with other content; change it instead")
                    )
                rule = None
        errors += [ErrorDetail(f"{where}: {e.location}", e.message) for e in row_errors]
        if rule is not None and not row_errors:
            to_create.append(rule)
    if errors:
        raise InvalidInput("The file was not imported; nothing changed", errors)
    for rule in to_create:
        create_rule(session, principal=principal, rule=rule, now=now)
    return ImportReport(created=len(to_create), unchanged=unchanged)


def _rule(
    row: Mapping[str, Any],
    offerings: Mapping[str, Any],
    families: Mapping[str, Any],
    errors: list[ErrorDetail],
) -> RuleInput | None:
    unknown = [k for k in row if k not in COLUMNS]
    errors += [ErrorDetail(k, f"unknown field; known: {', '.join(COLUMNS)}") for k in unknown]
    text: dict[str, str] = {}
    for key in COLUMNS:
        value = row.get(key)
        if key == "condition":
            continue
        if value is not None and not isinstance(value, str):
            errors.append(ErrorDetail(key, "expected text"))
            value = None
        text[key] = (value or "").strip()
    for key in REQUIRED:
        if key != "condition" and not text.get(key):
            errors.append(ErrorDetail(key, "is required"))
    condition = row.get("condition")
    if isinstance(condition, _BadJson):
        errors.append(ErrorDetail("condition", f"not JSON: {condition.message}"))
    elif condition in (None, ""):
        errors.append(ErrorDetail("condition", 'is required ({"all": []} holds always)'))
    offering_id = family_id = None
    if text["offering"]:
        offering_id = offerings.get(text["offering"])
        if offering_id is None:
            errors.append(
                ErrorDetail("offering", f"no product offering with code {text['offering']}")
            )
    if text["family"]:
        family_id = families.get(text["family"])
        if family_id is None:
            errors.append(ErrorDetail("family", f"no product family with code {text['family']}"))
    valid_from = _instant(text["valid_from"], "valid_from", errors)
    valid_to = _instant(text["valid_to"], "valid_to", errors)
    if errors:
        return None
    assert valid_from is not None
    return RuleInput(
        code=text["code"],
        name=text["name"],
        kind=text["kind"],
        applies_to=text["applies_to"],
        condition=condition,
        reason_code=text["reason_code"],
        label=text["label"],
        valid_from=valid_from,
        valid_to=valid_to,
        product_offering_id=offering_id,
        product_family_id=family_id,
        description=text["description"],
    )


def _instant(raw: str, location: str, errors: list[ErrorDetail]) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        errors.append(ErrorDetail(location, f"expected an ISO 8601 date and time, got {raw!r}"))
        return None
    if value.tzinfo is None:
        errors.append(ErrorDetail(location, "a timezone is required (e.g. 2027-01-01T00:00:00Z)"))
        return None
    return value


def _same(row: EligibilityRule, rule: RuleInput, condition: dict[str, Any]) -> bool:
    return (
        row.name == rule.name.strip()
        and row.kind == rule.kind
        and row.applies_to == rule.applies_to
        and row.product_offering_id == rule.product_offering_id
        and row.product_family_id == rule.product_family_id
        and row.condition == condition
        and row.reason_code == rule.reason_code
        and row.label == rule.label.strip()
        and row.valid_from == rule.valid_from
        and row.valid_to == rule.valid_to
    )


def export_rows(session: Session, *, principal: Principal) -> list[dict[str, Any]]:
    """Every rule as a JSON-file item (``import_rules`` reads it back unchanged)."""
    authorize(principal, Family.PRICING, "read")
    offerings = {
        id_: code for id_, code in session.execute(select(ProductOffering.id, ProductOffering.code))
    }
    families = {
        id_: code for id_, code in session.execute(select(ProductFamily.id, ProductFamily.code))
    }
    rows = []
    for rule in session.scalars(select(EligibilityRule).order_by(EligibilityRule.code)):
        rows.append(
            {
                "code": rule.code,
                "name": rule.name,
                "kind": rule.kind,
                "applies_to": rule.applies_to,
                "offering": offerings.get(rule.product_offering_id, "")
                if rule.product_offering_id
                else "",
                "family": families.get(rule.product_family_id, "")
                if rule.product_family_id
                else "",
                "condition": rule.condition,
                "reason_code": rule.reason_code,
                "label": rule.label,
                "valid_from": iso(rule.valid_from),
                "valid_to": iso(rule.valid_to) if rule.valid_to else "",
                "description": rule.description,
            }
        )
    return rows


__all__: Sequence[str] = ("COLUMNS", "ImportReport", "export_rows", "import_rules")
