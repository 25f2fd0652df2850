"""The one condition language of sale rules (prices, eligibility, recommendations). Pure.

A condition is JSON (``{"all": [...]}``, ``{"any": [...]}``, ``{"not": {...}}``,
``{"attribute": "customer.segment", "op": "in", "value": [...]}``) validated
against a declared :class:`Vocabulary` by :func:`parse_condition`, then compiled
once into an in-process predicate (:func:`compile_predicate`) or a SQL
expression (:func:`compile_sql`); both give the same answers. See ``docs/rules.md``.
"""

from salesdev.engine.rules.evaluate import (
    Context,
    Explanation,
    Predicate,
    compile_predicate,
    describe,
    explain,
)
from salesdev.engine.rules.model import (
    MAX_DEPTH,
    TRUE,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Not,
    Scalar,
    Value,
)
from salesdev.engine.rules.parse import condition_to_json, parse_condition
from salesdev.engine.rules.sql import compile_sql
from salesdev.engine.rules.vocabulary import (
    AGE_BANDS,
    ATTRIBUTE_TYPES,
    OPERATOR_LABELS,
    OPERATORS,
    OPERATORS_BY_TYPE,
    SALE_VOCABULARY,
    Attribute,
    AttributeType,
    Operator,
    Vocabulary,
)

__all__ = [
    "AGE_BANDS",
    "ATTRIBUTE_TYPES",
    "MAX_DEPTH",
    "OPERATORS",
    "OPERATORS_BY_TYPE",
    "OPERATOR_LABELS",
    "SALE_VOCABULARY",
    "TRUE",
    "AllOf",
    "AnyOf",
    "Attribute",
    "AttributeType",
    "Comparison",
    "Condition",
    "Context",
    "Explanation",
    "Not",
    "Operator",
    "Predicate",
    "Scalar",
    "Value",
    "Vocabulary",
    "compile_predicate",
    "compile_sql",
    "condition_to_json",
    "describe",
    "explain",
    "parse_condition",
]
