"""Eligibility rules: validation with exact messages, history rules, import and export."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdev.core.errors import Conflict, InvalidInput, PermissionDenied, RuleViolation
from salesdev.db.models.selling import EligibilityRule
from salesdev.db.query import ListQuery
from salesdev.domains.access import SYSTEM, Principal, Role
from salesdev.domains.eligibility import (
    RuleInput,
    create_rule,
    delete_rule,
    export_rows,
    import_rules,
    list_rules,
    update_rule,
)
from tests.conftest import T0
from tests.integration.qualification.world import SETUP, World, build_world

LATER = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session, rules=False)


def valid(world: World, **changes: object) -> RuleInput:
    rule = RuleInput(
        code="CREDIT",
        name="Good credit",
        kind="customer",
        applies_to="offering",
        product_offering_id=world["HANDSET-FIN"],
        condition={"attribute": "customer.credit_class", "op": "in", "value": ["A", "B"]},
        reason_code="CREDIT_CLASS",
        label="Needs credit class A or B",
        valid_from=LATER,
    )
    return replace(rule, **changes)  # type: ignore[arg-type]


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(EligibilityRule)) or 0


def test_a_rule_is_created_in_canonical_form(session: Session, world: World) -> None:
    row = create_rule(session, principal=SYSTEM, rule=valid(world), now=T0)
    assert (row.code, row.kind, row.applies_to, row.reason_code) == (
        "CREDIT",
        "customer",
        "offering",
        "CREDIT_CLASS",
    )
    assert row.condition == {
        "attribute": "customer.credit_class",
        "op": "in",
        "value": ["A", "B"],
    }
    assert [r.code for r in list_rules(session, principal=SYSTEM, query=ListQuery()).items] == [
        "CREDIT"
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"condition": {"attribute": "customer.credit", "op": "eq", "value": "A"}},
            ["condition.attribute"],
        ),
        (
            {"condition": {"attribute": "customer.tenure_months", "op": "gt", "value": "ten"}},
            ["condition.value"],
        ),
        ({"kind": "household"}, ["kind"]),
        ({"applies_to": "family"}, ["product_offering_id", "product_family_id"]),
        ({"product_offering_id": uuid.UUID(int=3)}, ["product_offering_id"]),
        ({"reason_code": "credit class"}, ["reason_code"]),
        ({"code": "", "label": " "}, ["code", "label"]),
        ({"valid_to": datetime(2026, 1, 1, tzinfo=UTC)}, ["valid_to"]),
        ({"valid_from": datetime(2027, 1, 1)}, ["valid_from"]),
        (
            {
                "kind": "premise",
                "condition": {"attribute": "customer.segment", "op": "eq", "value": "consumer"},
            },
            ["condition"],
        ),
        (
            {"condition": {"attribute": "premise.technologies", "op": "contains", "value": "5g"}},
            ["condition"],
        ),
    ],
)
def test_bad_rules_are_refused_naming_each_field_and_nothing_is_written(
    session: Session, world: World, changes: dict[str, object], expected: list[str]
) -> None:
    with pytest.raises(InvalidInput) as raised:
        create_rule(session, principal=SYSTEM, rule=valid(world, **changes), now=T0)
    assert [d.location for d in raised.value.details] == expected
    assert count(session) == 0


def test_kind_mismatch_messages(session: Session, world: World) -> None:
    with pytest.raises(InvalidInput) as raised:
        create_rule(
            session,
            principal=SYSTEM,
            rule=valid(
                world,
                condition={"attribute": "premise.technologies", "op": "contains", "value": "5g"},
            ),
            now=T0,
        )
    assert raised.value.details[0].message == (
        "a customer rule does not read premise attributes; make it a premise rule"
    )


def test_a_duplicate_code_is_a_conflict(session: Session, world: World) -> None:
    create_rule(session, principal=SYSTEM, rule=valid(world), now=T0)
    with pytest.raises(Conflict):
        create_rule(session, principal=SYSTEM, rule=valid(world), now=T0)
    assert count(session) == 1


def test_a_rule_in_force_is_only_ended_or_relabelled(session: Session, world: World) -> None:
    row = create_rule(session, principal=SYSTEM, rule=valid(world, valid_from=SETUP), now=SETUP)
    with pytest.raises(RuleViolation) as raised:
        update_rule(
            session,
            principal=SYSTEM,
            rule_id=row.id,
            changes={"condition": {"all": []}, "reason_code": "OTHER"},
            now=T0,
        )
    assert [d.location for d in raised.value.details] == ["condition", "reason_code"]
    with pytest.raises(RuleViolation):
        update_rule(
            session,
            principal=SYSTEM,
            rule_id=row.id,
            changes={"valid_to": datetime(2026, 1, 1, tzinfo=UTC)},
            now=T0,
        )
    with pytest.raises(RuleViolation):
        delete_rule(session, principal=SYSTEM, rule_id=row.id, now=T0)
    ended = update_rule(
        session,
        principal=SYSTEM,
        rule_id=row.id,
        changes={"valid_to": LATER, "label": "Needs credit A/B"},
        now=T0,
    )
    assert (ended.valid_to, ended.label, ended.version) == (LATER, "Needs credit A/B", 2)


def test_a_future_rule_changes_freely_and_can_be_deleted(session: Session, world: World) -> None:
    row = create_rule(session, principal=SYSTEM, rule=valid(world), now=T0)
    changed = update_rule(
        session,
        principal=SYSTEM,
        rule_id=row.id,
        changes={
            "applies_to": "all",
            "product_offering_id": None,
            "condition": {"all": [{"attribute": "customer.kind", "op": "eq", "value": "customer"}]},
        },
        now=T0,
    )
    assert changed.applies_to == "all"
    assert changed.condition == {
        "all": [{"attribute": "customer.kind", "op": "eq", "value": "customer"}]
    }
    delete_rule(session, principal=SYSTEM, rule_id=row.id, now=T0)
    assert count(session) == 0


def test_only_pricing_writers_change_rules(session: Session, world: World) -> None:
    rep = Principal(kind="user", name="rep", roles=frozenset({Role.SALES_REP}))
    with pytest.raises(PermissionDenied):
        create_rule(session, principal=rep, rule=valid(world), now=T0)
    assert list_rules(session, principal=rep, query=ListQuery()).total == 0


CSV = (
    "code,name,kind,applies_to,offering,family,condition,reason_code,label,valid_from\n"
    'FIB,Fibre,premise,family,,FIBRE,"{""attribute"": ""premise.technologies"", '
    '""op"": ""contains"", ""value"": ""fibre""}",NO_FIBRE,No fibre here,2026-01-01T00:00:00Z\n'
    'SENIOR,Senior,customer,offering,MOB-SENIOR,,"{""attribute"": ""customer.age_band"", '
    '""op"": ""eq"", ""value"": ""65+""}",AGE_BAND,From 65,2026-01-01T00:00:00Z\n'
)


def test_a_csv_file_is_imported_and_exported_back(session: Session, world: World) -> None:
    report = import_rules(
        session, principal=SYSTEM, content=CSV.encode(), file_format="csv", now=T0
    )
    assert (report.created, report.unchanged) == (2, 0)
    exported = export_rows(session, principal=SYSTEM)
    assert [(r["code"], r["family"], r["offering"]) for r in exported] == [
        ("FIB", "FIBRE", ""),
        ("SENIOR", "", "MOB-SENIOR"),
    ]
    again = import_rules(
        session,
        principal=SYSTEM,
        content=json.dumps(exported).encode(),
        file_format="json",
        now=T0,
    )
    assert (again.created, again.unchanged) == (0, 2)


def test_a_bad_file_names_every_line_and_field_and_imports_nothing(
    session: Session, world: World
) -> None:
    bad = (
        CSV
        + "X,Bad,customer,offering,NOPE,,{not json},OK_CODE,L,2026-01-01\n"
        + 'Y,Bad,customer,all,,,"{""attribute"": ""customer.segmnt"", ""op"": ""eq"", '
        + '""value"": ""consumer""}",OK_CODE,L,2026-01-01T00:00:00Z\n'
    )
    with pytest.raises(InvalidInput) as raised:
        import_rules(session, principal=SYSTEM, content=bad.encode(), file_format="csv", now=T0)
    locations = [d.location for d in raised.value.details]
    assert locations == [
        "line 4: condition",
        "line 4: offering",
        "line 4: valid_from",
        "line 5: condition.attribute",
    ]
    assert count(session) == 0
    with pytest.raises(InvalidInput) as header:
        import_rules(session, principal=SYSTEM, content=b"code,colour\n", file_format="csv", now=T0)
    assert [d.message for d in header.value.details][:2] == [
        "unknown column colour",
        "missing column name",
    ]
