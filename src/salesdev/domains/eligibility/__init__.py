"""Eligibility rules per offering, family or every offering, on customer or premise criteria."""

from salesdev.domains.eligibility.files import ImportReport, export_rows, import_rules
from salesdev.domains.eligibility.generation import bump, current_token
from salesdev.domains.eligibility.service import (
    APPLIES_TO,
    RULE_ATTRIBUTES,
    RULE_FIELDS,
    RULE_KINDS,
    RuleInput,
    attributes_of,
    create_rule,
    delete_rule,
    get_rule,
    get_rule_by_code,
    list_rules,
    reads_premise,
    update_rule,
    validate_rule,
)

__all__ = [
    "APPLIES_TO",
    "RULE_ATTRIBUTES",
    "RULE_FIELDS",
    "RULE_KINDS",
    "ImportReport",
    "RuleInput",
    "attributes_of",
    "bump",
    "create_rule",
    "current_token",
    "delete_rule",
    "export_rows",
    "get_rule",
    "get_rule_by_code",
    "import_rules",
    "list_rules",
    "reads_premise",
    "update_rule",
    "validate_rule",
]
