"""Prerequisites in one cell: read, written, and read back unchanged."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesdev.domains.interchange.prerequisite_text import (
    PrerequisiteTextError,
    format_prerequisites,
    parse_prerequisite_text,
)


@pytest.mark.parametrize(
    ("text", "items"),
    [
        (None, []),
        ("  ", []),
        (
            "certification:FIBRE-101;certification:TV-200",
            [
                {"type": "certification", "code": "FIBRE-101"},
                {"type": "certification", "code": "TV-200"},
            ],
        ),
        (
            " course : TV-1 = Basics; ;",
            [{"type": "course", "code": "TV-1", "description": "Basics"}],
        ),
        (
            r"agreement:A\;B=x\;y=z",
            [{"type": "agreement", "code": "A;B", "description": "x;y=z"}],
        ),
    ],
)
def test_a_cell_reads_as_items(text: str | None, items: list[dict[str, str]]) -> None:
    assert parse_prerequisite_text(text) == items


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "certification",
            "item 1 'certification': expected type:code, e.g. certification:FIBRE-101",
        ),
        ("course:X;:Y", "item 2 ':Y': expected type:code, e.g. certification:FIBRE-101"),
        ("course:", "item 1 'course:': expected type:code, e.g. certification:FIBRE-101"),
    ],
)
def test_an_item_without_type_or_code_is_refused(text: str, message: str) -> None:
    with pytest.raises(PrerequisiteTextError) as raised:
        parse_prerequisite_text(text)

    assert str(raised.value) == message


_text = st.text(alphabet=st.sampled_from("ab:;=\\ -é"), min_size=1, max_size=8).filter(
    lambda value: value.strip() == value and value != ""
)


@given(
    st.lists(
        st.fixed_dictionaries(
            {"type": st.sampled_from(["certification", "course"]), "code": _text},
            optional={"description": _text},
        ),
        max_size=4,
    )
)
def test_what_is_written_reads_back_unchanged(items: list[dict[str, str]]) -> None:
    assert parse_prerequisite_text(format_prerequisites(items)) == items
