"""Compiled predicates, explanations and descriptions: every operator, with missing values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from salesdev.engine.rules import (
    SALE_VOCABULARY,
    TRUE,
    AllOf,
    AnyOf,
    Attribute,
    Comparison,
    Explanation,
    Not,
    compile_predicate,
    describe,
    explain,
    parse_condition,
)

CONTEXT: dict[str, object] = {
    "customer.segment": "consumer",
    "customer.tenure_months": 14,
    "customer.products": frozenset({"MOB-S", "FIB-1G"}),
    "premise.technologies": frozenset({"fibre", "5g"}),
    "offering.is_bundle": False,
    "sale.date": date(2026, 10, 15),
    "order.amount": Decimal("12.50"),
    "customer.age_band": None,
}
VOCABULARY = SALE_VOCABULARY.extend([Attribute("order.amount", "decimal", "Amount", "An amount.")])


def holds(attribute: str, op: str, value: object = None) -> bool:
    data: dict[str, object] = {"attribute": attribute, "op": op}
    if value is not None:
        data["value"] = value
    return compile_predicate(parse_condition(data, vocabulary=VOCABULARY))(CONTEXT)


@pytest.mark.parametrize(
    ("attribute", "op", "value", "expected"),
    [
        ("customer.segment", "eq", "consumer", True),
        ("customer.segment", "eq", "enterprise", False),
        ("customer.segment", "ne", "enterprise", True),
        ("customer.segment", "ne", "consumer", False),
        ("customer.segment", "in", ["enterprise", "consumer"], True),
        ("customer.segment", "in", ["enterprise"], False),
        ("customer.segment", "not_in", ["enterprise"], True),
        ("customer.segment", "not_in", ["consumer"], False),
        ("customer.tenure_months", "lt", 15, True),
        ("customer.tenure_months", "lt", 14, False),
        ("customer.tenure_months", "le", 14, True),
        ("customer.tenure_months", "le", 13, False),
        ("customer.tenure_months", "gt", 13, True),
        ("customer.tenure_months", "gt", 14, False),
        ("customer.tenure_months", "ge", 14, True),
        ("customer.tenure_months", "ge", 15, False),
        ("customer.tenure_months", "between", [14, 15], True),
        ("customer.tenure_months", "between", [12, 14], False),
        ("sale.date", "between", ["2026-10-15", "2026-10-16"], True),
        ("sale.date", "between", ["2026-10-01", "2026-10-15"], False),
        ("sale.date", "ge", "2026-10-15", True),
        ("order.amount", "gt", "12.49", True),
        ("order.amount", "eq", 12.5, True),
        ("order.amount", "lt", 12.5, False),
        ("offering.is_bundle", "eq", False, True),
        ("offering.is_bundle", "ne", False, False),
        ("premise.technologies", "contains", "fibre", True),
        ("premise.technologies", "contains", "dsl", False),
        ("customer.products", "contains_any", ["TV-1", "MOB-S"], True),
        ("customer.products", "contains_any", ["TV-1"], False),
        ("customer.products", "contains_all", ["FIB-1G", "MOB-S"], True),
        ("customer.products", "contains_all", ["FIB-1G", "TV-1"], False),
        ("customer.segment", "is_set", None, True),
        ("customer.segment", "is_not_set", None, False),
    ],
)
def test_every_operator(attribute: str, op: str, value: object, expected: bool) -> None:
    assert holds(attribute, op, value) is expected


@pytest.mark.parametrize(
    ("op", "value"),
    [
        ("eq", "18-24"),
        ("ne", "18-24"),
        ("in", ["18-24"]),
        ("not_in", ["18-24"]),
        ("is_set", None),
    ],
)
def test_a_comparison_on_a_missing_value_is_false(op: str, value: object) -> None:
    # customer.age_band is None in the context; customer.kind is absent from it
    assert holds("customer.age_band", op, value) is False
    assert (
        holds("customer.kind", op, value and ("customer" if op in ("eq", "ne") else ["customer"]))
        is False
    )


def test_missing_values_for_every_type() -> None:
    assert holds("partner.tier", "ne", "gold") is False
    assert holds("partner.tier", "not_in", ["gold"]) is False
    assert holds("sale.quantity", "lt", 5) is False
    assert holds("sale.quantity", "between", [0, 5]) is False
    assert holds("customer.product_families", "contains", "x") is False
    assert holds("customer.product_families", "contains_any", ["x"]) is False
    assert holds("customer.product_families", "contains_all", ["x"]) is False
    assert holds("customer.product_families", "is_not_set") is True
    assert holds("customer.age_band", "is_not_set") is True


def test_not_negates_the_two_valued_result() -> None:
    missing = Comparison("partner.tier", "eq", "gold")
    assert compile_predicate(Not(missing))(CONTEXT) is True
    assert compile_predicate(Not(Not(missing)))(CONTEXT) is False


def test_groups() -> None:
    yes = Comparison("customer.segment", "eq", "consumer")
    no = Comparison("customer.segment", "eq", "enterprise")
    cases = [
        (TRUE, True),
        (AnyOf(()), False),
        (AllOf((yes,)), True),
        (AllOf((yes, no)), False),
        (AllOf((yes, yes, yes)), True),
        (AllOf((yes, yes, no)), False),
        (AnyOf((no,)), False),
        (AnyOf((no, yes)), True),
        (AnyOf((no, no, yes)), True),
        (AnyOf((no, no, no)), False),
    ]
    for condition, expected in cases:
        assert compile_predicate(condition)(CONTEXT) is expected, condition


def test_a_context_value_of_the_wrong_type_is_false_not_an_error() -> None:
    predicate = compile_predicate(Comparison("sale.quantity", "gt", 1))
    assert predicate({"sale.quantity": "three"}) is False
    assert (
        compile_predicate(Comparison("customer.products", "contains_all", ("A",)))(
            {"customer.products": 5}
        )
        is False
    )


def test_describe_reads_as_a_sentence() -> None:
    condition = parse_condition(
        {
            "all": [
                {"attribute": "customer.segment", "op": "in", "value": ["consumer", "enterprise"]},
                {
                    "any": [
                        {"attribute": "customer.tenure_months", "op": "ge", "value": 12},
                        {"attribute": "premise.technologies", "op": "contains", "value": "fibre"},
                    ]
                },
                {
                    "not": {
                        "attribute": "sale.date",
                        "op": "between",
                        "value": ["2026-12-01", "2027-01-01"],
                    }
                },
                {"attribute": "offering.is_bundle", "op": "eq", "value": True},
                {"attribute": "customer.age_band", "op": "is_not_set"},
            ]
        }
    )
    assert describe(condition) == (
        "customer segment is one of consumer, enterprise"
        " and (tenure (months) is at least 12 or serviceable technologies includes fibre)"
        " and not (sale date is from 2026-12-01 up to (not including) 2027-01-01)"
        " and offering is a bundle is yes"
        " and age band is unknown"
    )
    assert describe(TRUE) == "always"
    assert describe(AnyOf(())) == "never"
    assert describe(Comparison("x.y", "eq", "z")) == "x.y is z"


def test_explain_lists_the_failing_clauses_with_the_actual_values() -> None:
    condition = parse_condition(
        {
            "all": [
                {"attribute": "customer.segment", "op": "eq", "value": "consumer"},
                {"attribute": "customer.tenure_months", "op": "ge", "value": 24},
                {"attribute": "partner.tier", "op": "eq", "value": "gold"},
                {"not": {"attribute": "premise.technologies", "op": "contains", "value": "5g"}},
                {
                    "any": [
                        {"attribute": "customer.products", "op": "contains", "value": "TV-1"},
                        {"attribute": "customer.credit_class", "op": "in", "value": ["A"]},
                    ]
                },
            ]
        }
    )
    assert explain(condition, CONTEXT) == Explanation(
        matched=False,
        failed=(
            "tenure (months) is at least 24 (it is 14)",
            "partner tier is gold (it is unknown)",
            "not (serviceable technologies includes 5g), but it is",
            "none of: installed products includes TV-1 (it is FIB-1G, MOB-S) | "
            "credit class is one of A (it is unknown)",
        ),
    )
    assert explain(TRUE, CONTEXT) == Explanation(matched=True, failed=())
    assert explain(AnyOf(()), CONTEXT) == Explanation(False, ("never true (an empty 'any' group)",))
