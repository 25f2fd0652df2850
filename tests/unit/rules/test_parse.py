"""Parsing and validating conditions: shapes, types, closed sets, and the canonical JSON form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.engine.rules import (
    MAX_DEPTH,
    SALE_VOCABULARY,
    TRUE,
    AllOf,
    AnyOf,
    Attribute,
    Comparison,
    Not,
    Vocabulary,
    condition_to_json,
    parse_condition,
)
from salesdev.engine.rules import vocabulary as rules_vocabulary

AMOUNTS = Vocabulary([Attribute("order.amount", "decimal", "Amount", "An amount.")])


def problems(data: object, vocabulary: Vocabulary = SALE_VOCABULARY) -> list[ErrorDetail]:
    with pytest.raises(InvalidInput) as caught:
        parse_condition(data, vocabulary=vocabulary)
    assert caught.value.message == "Invalid condition"
    return caught.value.details


def test_a_comparison_is_typed_by_its_attribute() -> None:
    # given a comparison of each kind of value
    data = {
        "all": [
            {"attribute": "customer.segment", "op": "in", "value": ["consumer", "enterprise"]},
            {"attribute": "customer.tenure_months", "op": "ge", "value": 12},
            {"attribute": "sale.date", "op": "between", "value": ["2026-01-01", "2026-02-01"]},
            {"attribute": "offering.is_bundle", "op": "eq", "value": True},
            {"attribute": "premise.technologies", "op": "contains", "value": "fibre"},
            {"attribute": "customer.age_band", "op": "is_set"},
        ]
    }
    # when it is parsed
    condition = parse_condition(data)
    # then every value has the attribute's type
    assert condition == AllOf(
        (
            Comparison("customer.segment", "in", ("consumer", "enterprise")),
            Comparison("customer.tenure_months", "ge", 12),
            Comparison("sale.date", "between", (date(2026, 1, 1), date(2026, 2, 1))),
            Comparison("offering.is_bundle", "eq", True),
            Comparison("premise.technologies", "contains", "fibre"),
            Comparison("customer.age_band", "is_set", None),
        )
    )
    assert parse_condition(condition_to_json(condition)) == condition
    assert condition_to_json(condition) == {
        "all": [
            {"attribute": "customer.segment", "op": "in", "value": ["consumer", "enterprise"]},
            {"attribute": "customer.tenure_months", "op": "ge", "value": 12},
            {"attribute": "sale.date", "op": "between", "value": ["2026-01-01", "2026-02-01"]},
            {"attribute": "offering.is_bundle", "op": "eq", "value": True},
            {"attribute": "premise.technologies", "op": "contains", "value": "fibre"},
            {"attribute": "customer.age_band", "op": "is_set"},
        ]
    }


def test_groups_nest_and_an_empty_all_is_the_true_condition() -> None:
    data = {"any": [{"not": {"all": []}}, {"any": []}]}
    assert parse_condition(data) == AnyOf((Not(TRUE), AnyOf(())))
    assert parse_condition({"all": []}) == TRUE
    assert condition_to_json(TRUE) == {"all": []}


def test_decimals_are_exact_and_written_back_as_text() -> None:
    data = {"attribute": "order.amount", "op": "between", "value": [0.1, "12.50"]}
    condition = parse_condition(data, vocabulary=AMOUNTS)
    assert condition == Comparison("order.amount", "between", (Decimal("0.1"), Decimal("12.50")))
    assert condition_to_json(condition) == {
        "attribute": "order.amount",
        "op": "between",
        "value": ["0.1", "12.50"],
    }


def test_in_lists_drop_repeated_values() -> None:
    data = {"attribute": "customer.credit_class", "op": "in", "value": ["A", "B", "A"]}
    assert parse_condition(data) == Comparison("customer.credit_class", "in", ("A", "B"))


def test_an_unknown_attribute_is_refused_with_close_names() -> None:
    assert problems({"attribute": "customer.segmnt", "op": "eq", "value": "consumer"}) == [
        ErrorDetail(
            "condition.attribute",
            "unknown attribute 'customer.segmnt'; did you mean 'customer.segment' or "
            "'customer.region'?",
        )
    ]
    assert problems({"attribute": "colour", "op": "eq", "value": "red"}) == [
        ErrorDetail("condition.attribute", "unknown attribute 'colour'")
    ]


def test_an_unknown_operator_is_refused() -> None:
    assert problems({"attribute": "customer.segment", "op": "like", "value": "c%"}) == [
        ErrorDetail(
            "condition.op",
            "unknown operator 'like'; expected one of eq, ne, lt, le, gt, ge, in, not_in, "
            "between, contains, contains_any, contains_all, is_set, is_not_set",
        )
    ]


def test_an_operator_that_does_not_fit_the_type_is_refused() -> None:
    assert problems({"attribute": "customer.products", "op": "gt", "value": "x"}) == [
        ErrorDetail(
            "condition.op",
            "operator 'gt' does not apply to customer.products (string_set); use one of "
            "contains, contains_any, contains_all, is_set, is_not_set",
        )
    ]
    assert problems({"attribute": "customer.segment", "op": "lt", "value": "x"}) == [
        ErrorDetail(
            "condition.op",
            "operator 'lt' does not apply to customer.segment (string); use one of "
            "eq, ne, in, not_in, is_set, is_not_set",
        )
    ]


@pytest.mark.parametrize(
    ("attribute", "value", "message"),
    [
        ("sale.date", "2026-13-01", "expected a date as YYYY-MM-DD, got '2026-13-01'"),
        ("sale.date", 20260101, "expected a date as YYYY-MM-DD, got the number 20260101"),
        ("sale.date", "2026-01-01T10:00", "expected a date as YYYY-MM-DD, got '2026-01-01T10:00'"),
        ("sale.quantity", "3", "expected a whole number, got the text '3'"),
        ("sale.quantity", 2.5, "expected a whole number, got the number 2.5"),
        ("sale.quantity", True, "expected a whole number, got a boolean"),
        ("sale.quantity", 2**63, "is out of range"),
        ("offering.is_bundle", "yes", "expected true or false, got the text 'yes'"),
        ("customer.code", 7, "expected a text value, got the number 7"),
        ("customer.code", "a\x00b", "must not contain NUL characters"),
        ("customer.code", None, "operator 'eq' needs a value"),
        (
            "customer.segment",
            "residential",
            "'residential' is not a value of customer.segment; expected one of consumer, "
            "small_business, enterprise, public_sector",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(attribute: str, value: object, message: str) -> None:
    assert problems({"attribute": attribute, "op": "eq", "value": value}) == [
        ErrorDetail("condition.value", message)
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "expected a number, got 'abc'"),
        ([1], "expected a number, got a list"),
        ("1e40", "'1e40' is out of range"),
        ("NaN", "'NaN' is out of range"),
        ("0.00000000001", "at most 10 decimal places, got '0.00000000001'"),
    ],
)
def test_a_bad_decimal_is_refused(value: object, message: str) -> None:
    data = {"attribute": "order.amount", "op": "eq", "value": value}
    assert problems(data, AMOUNTS) == [ErrorDetail("condition.value", message)]


def test_list_and_range_values_are_checked_item_by_item() -> None:
    data = {
        "any": [
            {"attribute": "customer.segment", "op": "in", "value": ["consumer", "retail", 3]},
            {"attribute": "customer.segment", "op": "in", "value": "consumer"},
            {"attribute": "customer.products", "op": "contains_any", "value": []},
            {"attribute": "sale.date", "op": "between", "value": ["2026-02-01"]},
            {"attribute": "sale.date", "op": "between", "value": ["2026-02-01", "2026-02-01"]},
            {"attribute": "sale.quantity", "op": "between", "value": [1, "x"]},
            {"attribute": "customer.age_band", "op": "is_set", "value": "18-24"},
        ]
    }
    assert problems(data) == [
        ErrorDetail(
            "condition.any[0].value[1]",
            "'retail' is not a value of customer.segment; expected one of consumer, "
            "small_business, enterprise, public_sector",
        ),
        ErrorDetail("condition.any[0].value[2]", "expected a text value, got the number 3"),
        ErrorDetail("condition.any[1].value", "operator 'in' needs a non-empty list of values"),
        ErrorDetail(
            "condition.any[2].value", "operator 'contains_any' needs a non-empty list of values"
        ),
        ErrorDetail(
            "condition.any[3].value", "operator 'between' needs a list [low, high] of two values"
        ),
        ErrorDetail(
            "condition.any[4].value",
            "the range [2026-02-01, 2026-02-01) is empty: low must be less than high "
            "(high is excluded)",
        ),
        ErrorDetail("condition.any[5].value[1]", "expected a whole number, got the text 'x'"),
        ErrorDetail("condition.any[6].value", "operator 'is_set' takes no value"),
    ]


def test_malformed_shapes_are_refused_with_their_location() -> None:
    data = {
        "all": [
            "customer.segment = consumer",
            {"any": {"attribute": "sale.quantity", "op": "eq", "value": 1}},
            {"all": [], "any": []},
            {"op": "eq", "value": 1},
            {"attribute": "sale.quantity", "op": "eq", "value": 1, "unit": "pcs"},
            {"attribute": 12, "op": 3},
            {},
        ]
    }
    assert problems(data) == [
        ErrorDetail(
            "condition.all[0]",
            "expected an object with 'all', 'any', 'not' or 'attribute', got the text "
            "'customer.segment = consumer'",
        ),
        ErrorDetail("condition.all[1].any", "expected a list of conditions, got an object"),
        ErrorDetail("condition.all[2]", "'all' must be the only key of a group, found also any"),
        ErrorDetail(
            "condition.all[3]",
            "expected one of the keys 'all', 'any', 'not' or 'attribute', found op, value",
        ),
        ErrorDetail("condition.all[4]", "unknown keys unit"),
        ErrorDetail("condition.all[5].attribute", "expected an attribute name, got the number 12"),
        ErrorDetail(
            "condition.all[5].op",
            "unknown operator the number 3; expected one of eq, ne, lt, le, gt, ge, in, "
            "not_in, between, contains, contains_any, contains_all, is_set, is_not_set",
        ),
        ErrorDetail(
            "condition.all[6]",
            "expected one of the keys 'all', 'any', 'not' or 'attribute', found none",
        ),
    ]


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    # given conditions nested exactly MAX_DEPTH levels and one more
    def nested(levels: int) -> object:
        data: object = {"attribute": "sale.quantity", "op": "eq", "value": 1}
        for _ in range(levels - 1):
            data = {"not": data}
        return data

    assert parse_condition(nested(MAX_DEPTH)) is not None
    location = "condition" + ".not" * MAX_DEPTH
    assert problems(nested(MAX_DEPTH + 1)) == [
        ErrorDetail(location, "conditions are nested more than 16 levels deep")
    ]
    assert problems(nested(1000))[0].location == location


def test_the_location_prefix_is_the_callers_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_condition([], location="rules[2].condition")
    assert caught.value.details == [
        ErrorDetail(
            "rules[2].condition",
            "expected an object with 'all', 'any', 'not' or 'attribute', got a list",
        )
    ]


def test_closed_value_sets_are_the_reference_datas() -> None:
    from salesdev.domains.reference import vocabulary as reference

    for name in (
        "CUSTOMER_KINDS",
        "SEGMENTS",
        "CREDIT_CLASSES",
        "TECHNOLOGIES",
        "CHANNEL_TYPES",
        "PARTNER_TYPES",
        "PARTNER_TIERS",
    ):
        assert getattr(rules_vocabulary, name) == getattr(reference, name), name


def test_the_sale_vocabulary_declares_the_agreed_attributes() -> None:
    assert SALE_VOCABULARY.names == (
        "customer.code",
        "customer.kind",
        "customer.segment",
        "customer.credit_class",
        "customer.tenure_months",
        "customer.age_band",
        "customer.region",
        "customer.products",
        "customer.product_families",
        "premise.region",
        "premise.technologies",
        "channel.code",
        "channel.type",
        "partner.code",
        "partner.tier",
        "partner.type",
        "offering.code",
        "offering.family",
        "offering.is_bundle",
        "sale.date",
        "sale.quantity",
    )
    editor = SALE_VOCABULARY.to_json()
    assert editor["operators"] == {
        "eq": "is",
        "ne": "is not",
        "lt": "is less than",
        "le": "is at most",
        "gt": "is more than",
        "ge": "is at least",
        "in": "is one of",
        "not_in": "is none of",
        "between": "is from (inclusive) to (exclusive)",
        "contains": "includes",
        "contains_any": "includes any of",
        "contains_all": "includes all of",
        "is_set": "is known",
        "is_not_set": "is unknown",
    }
