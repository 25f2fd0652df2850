"""The console's rule editor: reading a condition field, and what the editor macro needs.

Forms that hold a rule embed the ``rule_editor`` macro of ``_rule_editor.html``::

    {% from "_rule_editor.html" import rule_editor %}
    {{ rule_editor("condition", condition_json, vocabulary_json, test_url) }}

and read the field back with :func:`read_condition` (an empty field is the
always-true condition). ``test_url`` is :data:`RULE_TEST_PATH` (the "test this
rule against a sample" endpoint of :mod:`salesdev.web.views.rules`).
"""

from __future__ import annotations

import json
from typing import Final

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.engine.rules import (
    SALE_VOCABULARY,
    TRUE,
    Condition,
    Vocabulary,
    condition_to_json,
    parse_condition,
)

RULE_TEST_PATH: Final = "/rules/test"
MAX_CONDITION_TEXT = 200_000


def read_condition(
    form_value: str | None, *, location: str, vocabulary: Vocabulary = SALE_VOCABULARY
) -> Condition:
    """The condition in a form field (JSON); raises InvalidInput located at ``location``.

    An empty field means "always" (``{"all": []}``).
    """
    text = (form_value or "").strip()
    if not text:
        return TRUE
    if len(text) > MAX_CONDITION_TEXT:
        raise InvalidInput(
            "Invalid condition",
            [ErrorDetail(location, f"is longer than {MAX_CONDITION_TEXT} characters")],
        )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        where = (
            f" (line {error.lineno}, column {error.colno})"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        raise InvalidInput(
            "Invalid condition", [ErrorDetail(location, f"is not valid JSON{where}")]
        ) from None
    return parse_condition(data, vocabulary=vocabulary, location=location)


def condition_json(condition: Condition | None) -> str:
    """The field value for a condition (indented: readable when shown as text without JS)."""
    return json.dumps(condition_to_json(condition if condition is not None else TRUE), indent=2)


def vocabulary_json(vocabulary: Vocabulary = SALE_VOCABULARY) -> str:
    """The attributes, types, value sets and operator labels the editor offers."""
    return json.dumps(vocabulary.to_json(), separators=(",", ":"))
